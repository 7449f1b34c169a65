/**
 * Issue 11, class 4: infeasible witness paths. A path that takes `op == A` after `op = B`, that
 * finds one field equal to two different constants, that enters `case A:` after setting the
 * subject to B, or that needs coherent memory to be unaligned, is not a path: no finding comes
 * from it. Shaped like ioat's xor self-test and rtlwifi's TX ring allocation.
 */
import { describe, expect, it } from 'vitest';
import { findings, lineOf, mutate } from './support';

describe('`op == A` after `op = B` (ioat_xor_val_self_test)', () => {
  const src = `#include <linux/dma-mapping.h>

#define DEMO_OP_XOR 0
#define DEMO_OP_XOR_VAL 1

static int demo_self_test(struct device *dev, struct page *dest, struct page *src)
{
	dma_addr_t dest_dma, src_dma;
	int op, err = 0;

	op = DEMO_OP_XOR;
	dest_dma = dma_map_page(dev, dest, 0, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, dest_dma))
		return -ENOMEM;
	if (demo_run(dev, dest_dma)) {
		err = -EIO;
		goto dma_unmap;
	}
	dma_unmap_page(dev, dest_dma, PAGE_SIZE, DMA_FROM_DEVICE);

	op = DEMO_OP_XOR_VAL;
	src_dma = dma_map_page(dev, src, 0, PAGE_SIZE, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, src_dma))
		return -ENOMEM;
	if (demo_run(dev, src_dma)) {
		err = -EIO;
		goto dma_unmap;
	}
	dma_unmap_page(dev, src_dma, PAGE_SIZE, DMA_TO_DEVICE);
	return 0;
dma_unmap:
	if (op == DEMO_OP_XOR)
		dma_unmap_page(dev, dest_dma, PAGE_SIZE, DMA_FROM_DEVICE);
	else if (op == DEMO_OP_XOR_VAL)
		dma_unmap_page(dev, src_dma, PAGE_SIZE, DMA_TO_DEVICE);
	return err;
}
`;
  const DEST_UNWIND = '\t\tdma_unmap_page(dev, dest_dma, PAGE_SIZE, DMA_FROM_DEVICE);\n\telse';
  it('near miss: the second stage fails with op = XOR_VAL, so the unwind unmaps src_dma, not dest_dma again', () => {
    expect(findings(src)).toEqual([]);
  });
  it('one edit (the second stage sets the same constant): dest_dma is unmapped twice', () => {
    const text = mutate(src, '\top = DEMO_OP_XOR_VAL;\n', '\top = DEMO_OP_XOR;\n');
    expect(findings(text, 'dma-double-unmap')).toEqual([`dma-double-unmap ${lineOf(text, DEST_UNWIND)}`]);
  });
  it('the named constants need not be defined in the file: members of one family differ', () => {
    const text = mutate(src, '#define DEMO_OP_XOR 0\n#define DEMO_OP_XOR_VAL 1\n', '');
    expect(findings(text)).toEqual([]);
  });
});

describe('one field against three constants', () => {
  const src = `#include <linux/dma-mapping.h>

struct demo_req {
	int type;
	void *buf;
};

static int demo_submit(struct device *dev, struct demo_req *req)
{
	dma_addr_t dma = 0;

	if (req->type == DEMO_REQ_READ) {
		dma = dma_map_single(dev, req->buf, 64, DMA_FROM_DEVICE);
		if (dma_mapping_error(dev, dma))
			return -ENOMEM;
	}
	if (req->type == DEMO_REQ_WRITE)
		return -EINVAL;
	if (req->type == DEMO_REQ_FLUSH)
		return -EBUSY;
	if (req->type == DEMO_REQ_READ)
		dma_unmap_single(dev, dma, 64, DMA_FROM_DEVICE);
	return 0;
}
`;
  it('near miss: a READ request is not also a WRITE or FLUSH one, so the map is always undone', () => {
    expect(findings(src)).toEqual([]);
  });
  it('one edit (the second test lets READ through): the mapping leaks on that error return', () => {
    const text = mutate(src, '\tif (req->type == DEMO_REQ_WRITE)', '\tif (req->type != DEMO_REQ_FLUSH)');
    expect(findings(text)).toEqual([`dma-mapping-leak ${lineOf(text, '\t\treturn -EINVAL;')}`]);
  });
});

describe('a switch on a variable the path set (`case A:` after `x = B`)', () => {
  const src = `#include <linux/dma-mapping.h>

static int demo_stage(struct device *dev, void *buf)
{
	dma_addr_t dma;
	int stage = DEMO_STAGE_MAP;

	dma = dma_map_single(dev, buf, 64, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, dma))
		return -ENOMEM;
	if (demo_go(dev, dma))
		stage = DEMO_STAGE_RUN;
	dma_unmap_single(dev, dma, 64, DMA_TO_DEVICE);
	switch (stage) {
	case DEMO_STAGE_MAP:
		return 0;
	case DEMO_STAGE_UNMAP:
		dma_unmap_single(dev, dma, 64, DMA_TO_DEVICE);
		return -EIO;
	default:
		return -EIO;
	}
}
`;
  it('near miss: the stage is MAP or RUN, never UNMAP: no second unmap', () => {
    expect(findings(src)).toEqual([]);
  });
  it('one edit (stage set to UNMAP): the second unmap is reached', () => {
    const text = mutate(src, '\t\tstage = DEMO_STAGE_RUN;', '\t\tstage = DEMO_STAGE_UNMAP;');
    expect(findings(text)).toEqual([
      `dma-double-unmap ${lineOf(text, '\t\tdma_unmap_single(dev, dma, 64, DMA_TO_DEVICE);\n\t\treturn -EIO;')}`,
    ]);
  });
});

describe('coherent memory is page aligned (_rtl_pci_init_tx_ring)', () => {
  const src = `#include <linux/dma-mapping.h>

static int demo_init_ring(struct device *dev, void **ring, dma_addr_t *ring_dma, int entries)
{
	dma_addr_t desc_dma;
	void *desc;

	desc = dma_alloc_coherent(dev, 16 * entries, &desc_dma, GFP_KERNEL);
	if (!desc || (unsigned long)desc & 0xFF) {
		pr_err("Cannot allocate TX ring\\n");
		return -ENOMEM;
	}
	*ring = desc;
	*ring_dma = desc_dma;
	return 0;
}
`;
  it('near miss: the unaligned branch needs memory dma_alloc_coherent() never returns', () => {
    expect(findings(src)).toEqual([]);
  });
  it('one edit (a mask past the page: no promise there): the leak is real', () => {
    const text = mutate(src, '(unsigned long)desc & 0xFF', '(unsigned long)desc & 0x1FFF');
    expect(findings(text)).toEqual([`dma-mapping-leak ${lineOf(text, '\t\treturn -ENOMEM;')}`]);
  });
});
