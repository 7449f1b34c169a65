// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: dma-double-unmap.
 * The error label unmaps again what the failing path already unmapped.
 */
#include <linux/dma-mapping.h>

static int demo_xfer(struct device *dev, void *buf, size_t len)
{
	dma_addr_t addr;
	int ret;

	addr = dma_map_single(dev, buf, len, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	ret = demo_start_and_wait(dev, addr, len);
	dma_unmap_single(dev, addr, len, DMA_BIDIRECTIONAL);
	if (ret)
		goto err;
	return 0;
err:
	dma_unmap_single(dev, addr, len, DMA_BIDIRECTIONAL);
	return ret;
}

/* pinscope's findings on examples/dma-double-unmap.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-double-unmap 22:2-22:53 */
