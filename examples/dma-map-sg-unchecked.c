// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: dma-map-sg-unchecked.
 * dma_map_sg() returns 0 on failure; there is no dma_mapping_error() for scatterlists.
 */
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>

static int demo_queue_sg(struct device *dev, struct scatterlist *sgl, int nents)
{
	int count;

	count = dma_map_sg(dev, sgl, nents, DMA_TO_DEVICE);
	demo_program_descriptors(dev, sgl, count);
	dma_unmap_sg(dev, sgl, nents, DMA_TO_DEVICE);
	return 0;
}

/* pinscope's findings on examples/dma-map-sg-unchecked.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-map-sg-unchecked 13:10-13:52 */
