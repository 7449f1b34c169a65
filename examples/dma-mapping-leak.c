// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: dma-mapping-leak.
 * The error path returns without unmapping: the IOVA (and any bounce buffer) is never given back.
 */
#include <linux/dma-mapping.h>

static int demo_write_block(struct device *dev, void *buf, size_t len)
{
	dma_addr_t addr;
	int ret;

	addr = dma_map_single(dev, buf, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	ret = demo_start_and_wait(dev, addr, len);
	if (ret)
		return ret;
	dma_unmap_single(dev, addr, len, DMA_TO_DEVICE);
	return 0;
}

/*
 * Coherent and pool memory leak the same way. Writing the device address of a pool block to a
 * register hands the device the block, not the memory: the CPU address must still be kept (or
 * freed) to give the block back.
 */
struct demo_cmd {
	struct device *dev;
	void __iomem *regs;
	void *ring;
	dma_addr_t ring_dma;
};

static int demo_ring_setup(struct demo_cmd *cmd)
{
	dma_addr_t dma;
	void *ring = dma_alloc_coherent(cmd->dev, SZ_4K, &dma, GFP_KERNEL);

	if (!ring)
		return -ENOMEM;
	if (demo_reset(cmd))
		return -EIO;
	cmd->ring = ring;
	cmd->ring_dma = dma;
	return 0;
}

static int demo_post(struct demo_cmd *cmd, struct dma_pool *pool)
{
	dma_addr_t dma;
	void *block = dma_pool_alloc(pool, GFP_KERNEL, &dma);

	if (!block)
		return -ENOMEM;
	writel(lower_32_bits(dma), cmd->regs);
	if (demo_wait(cmd))
		return -ETIMEDOUT;
	dma_pool_free(pool, block, dma);
	return 0;
}

/* pinscope's findings on examples/dma-mapping-leak.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-mapping-leak 18:3-18:14 */
/* expect: dma-mapping-leak 43:3-43:15 */
/* expect: dma-mapping-leak 58:3-58:21 */
