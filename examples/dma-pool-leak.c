// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: dma-pool-leak.
 * The pool is destroyed on the error path while a block from it is still allocated.
 */
#include <linux/dmapool.h>

static int demo_selftest(struct device *dev)
{
	struct dma_pool *pool;
	dma_addr_t dma;
	void *block;
	int ret;

	pool = dma_pool_create("demo", dev, 64, 8, 0);
	if (!pool)
		return -ENOMEM;
	block = dma_pool_alloc(pool, GFP_KERNEL, &dma);
	if (!block) {
		ret = -ENOMEM;
		goto out;
	}
	ret = demo_run(dev, dma);
	if (ret)
		goto out;
	dma_pool_free(pool, block, dma);
out:
	dma_pool_destroy(pool);
	return ret;
}

/* pinscope's findings on examples/dma-pool-leak.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-pool-leak 28:2-28:24 */
