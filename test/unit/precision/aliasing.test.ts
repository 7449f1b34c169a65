/**
 * Issue 11, class 3: aliasing. An iterator macro gives its cursor a new object every round; a
 * variable assigned from another source holds a new value; a pointer walked with ++/-- names
 * another element each step. Near misses shaped like fsl-qdma, qla2xxx and nouveau's vmmgp100, and
 * one edit each that makes the finding real.
 */
import { describe, expect, it } from 'vitest';
import { findings, lineOf, mutate } from './support';

describe('list_for_each_entry_safe() re-assigns its cursor (fsl_qdma_pre_request_enqueue_desc)', () => {
  const src = `#include <linux/dmapool.h>
#include <linux/list.h>
#include <linux/slab.h>

struct demo_comp {
	void *virt_addr;
	dma_addr_t bus_addr;
	struct list_head list;
};

static int demo_prealloc(struct dma_pool *pool, struct list_head *free_list, int n)
{
	struct demo_comp *comp, *_comp;
	int i;

	for (i = 0; i < n; i++) {
		comp = kzalloc(sizeof(*comp), GFP_KERNEL);
		if (!comp)
			goto err_alloc;
		comp->virt_addr = dma_pool_alloc(pool, GFP_KERNEL, &comp->bus_addr);
		if (!comp->virt_addr)
			goto err_dma_alloc;
		if (demo_setup(comp))
			goto err_setup;
		list_add_tail(&comp->list, free_list);
	}
	return 0;

err_setup:
	dma_pool_free(pool, comp->virt_addr, comp->bus_addr);
err_dma_alloc:
	kfree(comp);
err_alloc:
	list_for_each_entry_safe(comp, _comp, free_list, list) {
		if (comp->virt_addr)
			dma_pool_free(pool, comp->virt_addr, comp->bus_addr);
		list_del(&comp->list);
		kfree(comp);
	}
	return -ENOMEM;
}
`;
  it('near miss: the block freed in the loop is another list entry, not the one freed before it', () => {
    expect(findings(src, 'dma-double-unmap')).toEqual([]);
  });
  it('one edit (a plain block instead of the iterator): the same block is freed twice', () => {
    const text = mutate(src, '\tlist_for_each_entry_safe(comp, _comp, free_list, list) {', '\t{');
    expect(findings(text, 'dma-double-unmap')).toEqual([
      `dma-double-unmap ${lineOf(text, '\t\t\tdma_pool_free(pool, comp->virt_addr')}`,
    ]);
  });
});

describe('a label in front of the iterator (qla2x00_mem_alloc: `fail: list_for_each_entry_safe(...) {`)', () => {
  const src = `#include <linux/dmapool.h>
#include <linux/list.h>
#include <linux/slab.h>

struct demo_dsd {
	void *addr;
	dma_addr_t dma;
	struct list_head list;
};

static int demo_fill(struct dma_pool *pool, struct list_head *good, struct demo_dsd *dsd)
{
	struct demo_dsd *nxt;

	dsd->addr = dma_pool_alloc(pool, GFP_KERNEL, &dsd->dma);
	if (!dsd->addr)
		return -ENOMEM;
	if (demo_check(dsd)) {
		dma_pool_free(pool, dsd->addr, dsd->dma);
		goto fail;
	}
	list_add_tail(&dsd->list, good);
	return 0;
fail:
	list_for_each_entry_safe(dsd, nxt, good, list) {
		list_del(&dsd->list);
		dma_pool_free(pool, dsd->addr, dsd->dma);
		kfree(dsd);
	}
	return -EIO;
}
`;
  it('near miss: the loop under the label is a loop, and its cursor another entry', () => {
    expect(findings(src, 'dma-double-unmap')).toEqual([]);
  });
  it('one edit (the label holds a plain block): a double free', () => {
    const text = mutate(src, '\tlist_for_each_entry_safe(dsd, nxt, good, list) {', '\t{');
    expect(findings(text, 'dma-double-unmap')).toEqual([
      `dma-double-unmap ${lineOf(text, '\t\tdma_pool_free(pool, dsd->addr, dsd->dma);\n\t\tkfree')}`,
    ]);
  });
});

describe('a variable re-assigned from another source: a PFN, then the handle (gp100_vmm_pgt_pfn)', () => {
  const src = `#include <linux/dma-mapping.h>

static u64 demo_pte(struct device *dev, u64 *pfn)
{
	dma_addr_t addr;
	u64 data = 0;

	addr = *pfn >> 12;
	addr = dma_map_page(dev, pfn_to_page(addr), 0, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (!WARN_ON(dma_mapping_error(dev, addr)))
		data |= addr >> 4;
	return data;
}
`;
  it('near miss: `addr` in pfn_to_page(addr) is the PFN, read before the map gives it a handle', () => {
    expect(findings(src)).toEqual([]);
  });
  it('one edit (the handle itself handed on before the check): reported', () => {
    const text = mutate(
      src,
      '\tif (!WARN_ON(dma_mapping_error(dev, addr)))',
      '\tdemo_hand_over(dev, addr);\n\tif (!WARN_ON(dma_mapping_error(dev, addr)))',
    );
    expect(findings(text)).toEqual([`dma-mapping-unchecked ${lineOf(text, 'demo_hand_over(dev, addr)')}`]);
  });
});

describe('a pointer walked with ++/-- over an array of buffers', () => {
  const src = `#include <linux/dma-mapping.h>

struct demo_buf {
	void *cpu;
	dma_addr_t dma;
};

static void demo_send_pair(struct device *dev, struct demo_buf *b)
{
	b->dma = dma_map_single(dev, b->cpu, 256, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, b->dma))
		return;
	demo_wait(dev);
	dma_unmap_single(dev, b->dma, 256, DMA_TO_DEVICE);
	b++;
	dma_unmap_single(dev, b->dma, 256, DMA_TO_DEVICE);
	b--;
	demo_done(b->dma);
}
`;
  it('near miss: after b++ the unmap is of the next element, not a second unmap of the first', () => {
    expect(findings(src)).toEqual([]);
  });
  it('one edit (no step): the same mapping is unmapped twice', () => {
    const text = mutate(src, '\tb++;\n', '');
    expect(findings(text)).toEqual([
      `dma-double-unmap ${lineOf(text, '\tdma_unmap_single(dev, b->dma, 256, DMA_TO_DEVICE);\n\tb--')}`,
    ]);
  });
});
