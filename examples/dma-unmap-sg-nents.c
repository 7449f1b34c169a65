// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: dma-unmap-sg-nents.
 * dma_unmap_sg() must be given the nents passed to dma_map_sg(), not the count it returned.
 */
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>

static int demo_read_sg(struct device *dev, struct scatterlist *sgl, int nents)
{
	int mapped;

	mapped = dma_map_sg(dev, sgl, nents, DMA_FROM_DEVICE);
	if (!mapped)
		return -ENOMEM;
	demo_run_transfer(dev, sgl, mapped);
	dma_unmap_sg(dev, sgl, mapped, DMA_FROM_DEVICE);
	return 0;
}

/* pinscope's findings on examples/dma-unmap-sg-nents.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-unmap-sg-nents 17:25-17:31 */
