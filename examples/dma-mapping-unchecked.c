// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: dma-mapping-unchecked.
 * A streaming mapping written to the device without dma_mapping_error(): when the mapping fails
 * the device is programmed with DMA_MAPPING_ERROR. The quick fix checks it and jumps to err_free.
 */
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/slab.h>

struct demo_tx {
	struct device *dev;
	void __iomem *regs;
};

static int demo_send(struct demo_tx *tx, const void *data, size_t len)
{
	dma_addr_t addr;
	void *buf;
	int ret;

	buf = kmemdup(data, len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	addr = dma_map_single(tx->dev, buf, len, DMA_TO_DEVICE);
	writeq(addr, tx->regs);
	ret = demo_wait_done(tx);
	dma_unmap_single(tx->dev, addr, len, DMA_TO_DEVICE);
	if (ret)
		goto err_free;
	kfree(buf);
	return 0;

err_free:
	kfree(buf);
	return ret;
}

/*
 * The shapes of issue 11 that old NIC drivers show most: the handle written straight into the
 * descriptor (as it is, or converted to the device's byte order), passed straight to a register
 * write, or compared with DMA_MAPPING_ERROR, which dma-debug does not count as a check.
 */
struct demo_rx_desc {
	__le32 addr;
	dma_addr_t buf;
};

static void demo_refill(struct demo_tx *tx, struct demo_rx_desc *desc, void *buf, size_t len)
{
	desc->buf = dma_map_single(tx->dev, buf, len, DMA_FROM_DEVICE);
	desc->addr = cpu_to_le32(dma_map_single(tx->dev, buf, len, DMA_FROM_DEVICE));
}

static void demo_kick(struct demo_tx *tx, void *buf, size_t len)
{
	writel(dma_map_single(tx->dev, buf, len, DMA_TO_DEVICE), tx->regs);
}

static int demo_send_one(struct demo_tx *tx, void *buf, size_t len)
{
	dma_addr_t addr = dma_map_single(tx->dev, buf, len, DMA_TO_DEVICE);

	if (addr == DMA_MAPPING_ERROR)
		return -ENOMEM;
	writeq(addr, tx->regs);
	dma_unmap_single(tx->dev, addr, len, DMA_TO_DEVICE);
	return 0;
}


/* Mapped only for its cache maintenance: the handle is thrown away, so it can never be unmapped. */
static void demo_prepare(struct demo_tx *tx, void *buf, size_t len)
{
	dma_map_single(tx->dev, buf, len, DMA_TO_DEVICE);
}

/* pinscope's findings on examples/dma-mapping-unchecked.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-mapping-unchecked 26:9-26:13 */
/* expect: dma-mapping-unchecked 51:14-51:64 */
/* expect: dma-mapping-unchecked 52:27-52:77 */
/* expect: dma-mapping-unchecked 57:9-57:57 */
/* expect: dma-mapping-unchecked 64:6-64:31 */
/* expect: dma-mapping-unchecked 75:2-75:50 */
