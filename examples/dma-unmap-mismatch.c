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

/*
 * Coherent memory freed with another size: two descriptor types of one ring, and a size named by
 * SZ_* that is not the one it was allocated with (SZ_8K and PAGE_SIZE << 1 would be the same).
 */
struct demo_ring {
	void *base;
	dma_addr_t base_dma;
	unsigned int n;
};

struct demo_desc32 {
	u32 addr, len;
};

struct demo_desc64 {
	u64 addr, len;
};

static int demo_ring_alloc(struct device *dev, struct demo_ring *ring)
{
	ring->base = dma_alloc_coherent(dev, ring->n * sizeof(struct demo_desc32), &ring->base_dma, GFP_KERNEL);
	if (!ring->base)
		return -ENOMEM;
	if (demo_shadow_alloc(dev, ring)) {
		dma_free_coherent(dev, ring->n * sizeof(struct demo_desc64), ring->base, ring->base_dma);
		return -ENOMEM;
	}
	return 0;
}

static void *demo_scratch(struct device *dev, dma_addr_t *dma)
{
	void *buf = dma_alloc_coherent(dev, SZ_8K, dma, GFP_KERNEL);

	if (buf && demo_probe_scratch(dev, buf)) {
		dma_free_coherent(dev, SZ_4K, buf, *dma);
		return NULL;
	}
	return buf;
}

/* pinscope's findings on examples/dma-unmap-mismatch.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-unmap-mismatch 17:2-17:49 */
/* expect: dma-unmap-mismatch 45:3-45:91 */
/* expect: dma-unmap-mismatch 56:3-56:43 */
