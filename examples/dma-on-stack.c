// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: dma-on-stack.
 * A stack buffer mapped for DMA: not DMA-able with CONFIG_VMAP_STACK.
 */
#include <linux/dma-mapping.h>

static int demo_read_id(struct device *dev, u32 *id)
{
	u8 cmd[16];
	dma_addr_t addr;
	int ret;

	addr = dma_map_single(dev, cmd, sizeof(cmd), DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	ret = demo_start_and_wait(dev, addr, sizeof(cmd));
	dma_unmap_single(dev, addr, sizeof(cmd), DMA_FROM_DEVICE);
	*id = cmd[0];
	return ret;
}

/* pinscope's findings on examples/dma-on-stack.c as written (test/unit/examples.test.ts checks them): */
/* expect: dma-on-stack 14:29-14:32 */
