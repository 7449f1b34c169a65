// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: dma-unmap-mismatch.
 * Mapped DMA_FROM_DEVICE, unmapped DMA_TO_DEVICE: dma-debug reports "different direction".
 */
#include <linux/dma-mapping.h>

static int demo_fetch(struct device *dev, void *buf, size_t len)
{
	dma_addr_t addr;
	int ret;

	addr = dma_map_single(dev, buf, len, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	ret = demo_start_and_wait(dev, addr, len);
	dma_unmap_single(dev, addr, len, DMA_TO_DEVICE);
	return ret;
}

/* pinscope's findings on examples/dma-unmap-mismatch.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-unmap-mismatch 17:2-17:49 */
