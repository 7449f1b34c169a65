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

/* pinscope's findings on examples/dma-mapping-unchecked.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-mapping-unchecked 26:9-26:13 */
