/**
 * Issue 11, class 5, the DMA side: "use" defined too broadly. A handle printed by a debug macro,
 * tested for 0, or written into a descriptor a line before its dma_mapping_error() check is not a
 * device use; a register write is, even a line before the check. Shaped like dc395x, ath5k,
 * stmmac's jumbo_frm() and sun8i-ce's hash path.
 */
import { describe, expect, it } from 'vitest';
import { findings, lineOf, mutate } from './support';

const RULE = 'dma-mapping-unchecked';

describe('a handle printed by a debug macro (dc395x dprintkdbg, ath5k ATH5K_DBG)', () => {
  const src = `#include <linux/dma-mapping.h>

#define dprintkdbg(type, fmt, arg...) do { } while (0)

struct demo_srb {
	void *segment_x;
	dma_addr_t sg_bus_addr;
};

static int demo_build(struct device *dev, struct demo_srb *srb)
{
	srb->sg_bus_addr = dma_map_single(dev, srb->segment_x, 512, DMA_TO_DEVICE);
	dprintkdbg(1, "build: map sg %p->%08x\\n", srb->segment_x, srb->sg_bus_addr);
	if (dma_mapping_error(dev, srb->sg_bus_addr))
		return -ENOMEM;
	return 0;
}
`;
  it('near miss: printing the handle hands it to no one', () => {
    expect(findings(src, RULE)).toEqual([]);
  });
  it('one edit (the handle handed to a function that keeps it): reported', () => {
    const text = mutate(
      src,
      '\tdprintkdbg(1, "build: map sg %p->%08x\\n", srb->segment_x,',
      '\tdemo_queue(1, "build: map sg %p->%08x\\n", srb->segment_x,',
    );
    expect(findings(text, RULE)).toEqual([`${RULE} ${lineOf(text, 'demo_queue(')}`]);
  });
});

describe('a handle stored in a descriptor a line before its check (stmmac jumbo_frm, sun8i-ce)', () => {
  const src = `#include <linux/dma-mapping.h>

struct demo_desc {
	__le32 des2;
	__le32 len;
};

static int demo_jumbo(struct device *dev, struct demo_desc *desc, void *data, unsigned int len)
{
	dma_addr_t des2;

	des2 = dma_map_single(dev, data, len, DMA_TO_DEVICE);
	desc->des2 = cpu_to_le32(des2);
	desc->len = cpu_to_le32(len);
	if (dma_mapping_error(dev, des2))
		return -1;
	demo_kick(desc);
	return 0;
}
`;
  it('near miss: the descriptor is filled, the mapping checked, and only then handed to the device', () => {
    expect(findings(src, RULE)).toEqual([]);
  });
  it('one edit (a register write instead of the store): the device sees the handle before the check', () => {
    const text = mutate(src, '\tdesc->des2 = cpu_to_le32(des2);', '\twritel(des2, desc);');
    expect(findings(text, RULE)).toEqual([`${RULE} ${lineOf(text, 'writel(des2, desc)')}`]);
  });
  it('one edit (the check gone): the store is an unchecked use', () => {
    const text = mutate(src, '\tif (dma_mapping_error(dev, des2))\n\t\treturn -1;\n', '');
    expect(findings(text, RULE)).toEqual([`${RULE} ${lineOf(text, 'desc->des2 = cpu_to_le32(des2)')}`]);
  });
});

describe('a handle only tested (parport_pc: `if (dma_handle) dma_addr += count;`)', () => {
  const src = `#include <linux/dma-mapping.h>

static void demo_tx(struct device *dev, void *buf, size_t len)
{
	dma_addr_t handle = dma_map_single(dev, buf, len, DMA_TO_DEVICE);
	size_t done = 0;

	if (dma_mapping_error(dev, handle))
		return;
	if (handle && len > 64)
		done = 64;
	demo_wait(done);
	dma_unmap_single(dev, handle, len, DMA_TO_DEVICE);
}
`;
  it('near miss: a truth test of the handle is not a use', () => {
    expect(findings(src)).toEqual([]);
  });
  it('one edit (no check at all): reported where the unchecked handle is unmapped', () => {
    const text = mutate(src, '\tif (dma_mapping_error(dev, handle))\n\t\treturn;\n', '');
    expect(findings(text, RULE)).toEqual([`${RULE} ${lineOf(text, '\tdma_unmap_single')}`]);
  });
});

describe('a handle stored through a chained assignment (ibm/emac emac_start_xmit_sg)', () => {
  const src = `#include <linux/dma-mapping.h>

struct demo_desc {
	u32 data_ptr;
	u16 data_len;
};

static int demo_xmit(struct device *dev, struct demo_desc *desc, void *data, unsigned int len)
{
	dma_addr_t pd;

	desc->data_ptr = pd = dma_map_single(dev, data, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, pd))
		return -ENOMEM;
	desc->data_len = len;
	return demo_kick(desc->data_len);
}
`;
  it('near miss: the descriptor holds the mapping, which its completion unmaps', () => {
    expect(findings(src)).toEqual([]);
  });
  it('one edit (only the local keeps it): the mapping leaks at the return', () => {
    const text = mutate(src, '\tdesc->data_ptr = pd = dma_map_single', '\tpd = dma_map_single');
    expect(findings(text)).toEqual([`dma-mapping-leak ${lineOf(text, '\treturn demo_kick(')}`]);
  });
});
