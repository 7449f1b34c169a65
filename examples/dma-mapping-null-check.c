// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: dma-mapping-null-check.
 * A failed mapping is DMA_MAPPING_ERROR, not 0: this test never sees a failure.
 */
#include <linux/dma-mapping.h>

static int demo_map_rx(struct device *dev, void *buf, size_t len, dma_addr_t *out)
{
	dma_addr_t addr;

	addr = dma_map_single(dev, buf, len, DMA_FROM_DEVICE);
	if (!addr)
		return -ENOMEM;
	*out = addr;
	return 0;
}

/* pinscope's findings on examples/dma-mapping-null-check.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-mapping-null-check 13:6-13:11 */
