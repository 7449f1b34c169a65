// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: dma-sync-direction.
 * The ring buffer is mapped DMA_FROM_DEVICE but synced for the device as DMA_TO_DEVICE.
 */
#include <linux/dma-mapping.h>

struct demo_ring {
	struct device *dev;
	void *buf;
	dma_addr_t dma;
	size_t len;
};

static int demo_ring_init(struct demo_ring *ring)
{
	ring->dma = dma_map_single(ring->dev, ring->buf, ring->len, DMA_FROM_DEVICE);
	if (dma_mapping_error(ring->dev, ring->dma))
		return -ENOMEM;
	dma_sync_single_for_device(ring->dev, ring->dma, ring->len, DMA_TO_DEVICE);
	return 0;
}

/* pinscope's findings on examples/dma-sync-direction.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-sync-direction 20:62-20:75 */
