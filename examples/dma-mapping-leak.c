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

/* pinscope's findings on examples/dma-mapping-leak.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-mapping-leak 18:3-18:14 */
