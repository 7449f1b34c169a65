/**
 * Issue 11, class 1: a driver's own meaning of 0. dma-mapping-null-check fires only where the test
 * against 0 is the failure check of a mapping — every value the handle can hold there comes from a
 * map, one of them with no dma_mapping_error() on the way. Each near miss is shaped like the kernel
 * code the class was seen in, and one edit turns it into the bug.
 */
import { describe, expect, it } from 'vitest';
import { findings, lineOf, mutate } from './support';

const RULE = 'dma-mapping-null-check';

describe('a sentinel 0 the driver sets itself (parport_pc: "bounce buffer in use")', () => {
  const src = `#include <linux/dma-mapping.h>
#include <linux/string.h>

static void demo_write(struct device *dev, void *buf, void *bounce, size_t len, dma_addr_t bounce_dma)
{
	dma_addr_t dma_addr, dma_handle;

	if ((unsigned long)buf < 0x1000000) {
		dma_addr = dma_handle = dma_map_single(dev, buf, len, DMA_TO_DEVICE);
	} else {
		dma_addr = bounce_dma;
		dma_handle = 0;
	}
	if (!dma_handle)
		memcpy(bounce, buf, len);
	demo_start(dev, dma_addr, len);
	if (dma_handle)
		dma_unmap_single(dev, dma_handle, len, DMA_TO_DEVICE);
}
`;
  it('near miss: 0 is also the value of the bounce path — not a failure check', () => {
    expect(findings(src, RULE)).toEqual([]);
  });
  it('one edit (no bounce path: the else arm maps too): the test is the mapping failure check', () => {
    const text = mutate(
      src,
      '\t\tdma_handle = 0;',
      '\t\tdma_handle = dma_map_single(dev, bounce, len, DMA_TO_DEVICE);',
    );
    expect(findings(text, RULE)).toEqual([`${RULE} ${lineOf(text, 'if (!dma_handle)')}`]);
  });
});

describe('a deliberate remap after a correct dma_mapping_error() (mlx5, qib: the device cannot use address 0)', () => {
  const src = `#include <linux/dma-mapping.h>

static int demo_map_page(struct device *dev, struct page *page, dma_addr_t *out)
{
	dma_addr_t addr;

	addr = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	if (!addr) {
		dma_unmap_page(dev, addr, PAGE_SIZE, DMA_FROM_DEVICE);
		addr = dma_map_page(dev, page, 0, PAGE_SIZE, DMA_FROM_DEVICE);
		if (dma_mapping_error(dev, addr))
			return -ENOMEM;
	}
	*out = addr;
	return 0;
}
`;
  it('near miss: checked first, then 0 refused on purpose', () => {
    expect(findings(src, RULE)).toEqual([]);
  });
  it('one edit (the first check removed): the 0 test is all the failure check there is', () => {
    const text = mutate(
      src,
      '\tif (dma_mapping_error(dev, addr))\n\t\treturn -ENOMEM;\n\tif (!addr) {',
      '\tif (!addr) {',
    );
    expect(findings(text, RULE)).toEqual([`${RULE} ${lineOf(text, 'if (!addr)')}`]);
  });
});

describe('"not mapped yet": the test comes before the map (qib_user_sdma)', () => {
  const src = `#include <linux/dma-mapping.h>

struct demo_frag {
	dma_addr_t addr;
	void *kvaddr;
	size_t len;
};

static int demo_map_header(struct device *dev, struct demo_frag *f)
{
	if (!f->addr) {
		f->addr = dma_map_single(dev, f->kvaddr, f->len, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, f->addr))
			return -ENOMEM;
	}
	return 0;
}
`;
  it('near miss: the field is tested for a mapping made earlier, elsewhere', () => {
    expect(findings(src, RULE)).toEqual([]);
  });
  it('one edit (the map tested by !f->addr right after it): fires', () => {
    const text = mutate(
      src,
      '\t\tif (dma_mapping_error(dev, f->addr))\n\t\t\treturn -ENOMEM;',
      '\t\tif (!f->addr)\n\t\t\treturn -ENOMEM;',
    );
    expect(findings(text, RULE)).toEqual([`${RULE} ${lineOf(text, '\t\tif (!f->addr)')}`]);
  });
});

describe('"slot never mapped": an unwind loop skipping empty slots (aq_nic_map_xdp)', () => {
  const src = `#include <linux/dma-mapping.h>

struct demo_buff {
	dma_addr_t pa;
	unsigned int len;
};

static int demo_map_frags(struct device *dev, struct demo_buff *ring, void **frags, int n)
{
	struct demo_buff *b;
	int i;

	for (i = 0; i < n; i++) {
		b = &ring[i];
		b->pa = dma_map_single(dev, frags[i], 64, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, b->pa))
			goto unwind;
	}
	return 0;
unwind:
	for (i = 0; i < n; i++) {
		b = &ring[i];
		if (!b->pa)
			continue;
		dma_unmap_single(dev, b->pa, 64, DMA_TO_DEVICE);
	}
	return -ENOMEM;
}
`;
  it('near miss: b names another slot there, one that may never have been mapped', () => {
    expect(findings(src, RULE)).toEqual([]);
  });
  it('one edit (the map checked with !b->pa): fires at that test', () => {
    const text = mutate(src, 'if (dma_mapping_error(dev, b->pa))', 'if (!b->pa)');
    expect(findings(text, RULE)).toEqual([`${RULE} ${lineOf(text, 'if (!b->pa)')}`]);
  });
});

describe('"came from the pool, not kmalloc": the handle is set through a pointer (qib_user_sdma)', () => {
  const src = `#include <linux/dma-mapping.h>
#include <linux/slab.h>

void *demo_alloc_header(struct device *dev, size_t len, dma_addr_t *dma);

static void *demo_header(struct device *dev, void *kbuf, size_t len, dma_addr_t *out)
{
	dma_addr_t dma_addr;
	void *buf = demo_alloc_header(dev, len, &dma_addr);

	if (dma_addr == 0) {
		dma_addr = dma_map_single(dev, kbuf, len, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, dma_addr))
			return NULL;
	}
	*out = dma_addr;
	return buf;
}
`;
  it('near miss: 0 says which allocator the header came from', () => {
    expect(findings(src, RULE)).toEqual([]);
  });
  it('one edit (the handle comes from the map alone): the same test is the failure check', () => {
    const text = mutate(src, 'demo_alloc_header(dev, len, &dma_addr)', 'demo_alloc_header(dev, len, NULL)');
    const mapped = mutate(
      text,
      '\tif (dma_addr == 0) {',
      '\tdma_addr = dma_map_single(dev, kbuf, len, DMA_TO_DEVICE);\n\tif (dma_addr == 0) {',
    );
    expect(findings(mapped, RULE)).toEqual([`${RULE} ${lineOf(mapped, 'if (dma_addr == 0)')}`]);
  });
});

describe('the failure check of the second of two maps into one variable (netcp_tx_map_skb)', () => {
  const src = `#include <linux/dma-mapping.h>

static int demo_map(struct device *dev, void *head, struct page *page, size_t len)
{
	dma_addr_t dma_addr;

	dma_addr = dma_map_single(dev, head, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, dma_addr))
		return -ENOMEM;
	demo_queue(dev, dma_addr);
	dma_addr = dma_map_page(dev, page, 0, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, dma_addr))
		return -ENOMEM;
	demo_queue(dev, dma_addr);
	return 0;
}
`;
  it('near miss: each map checked with dma_mapping_error()', () => {
    expect(findings(src, RULE)).toEqual([]);
  });
  it('one edit (the second checked with !dma_addr): the first check does not cover it', () => {
    const text = mutate(
      src,
      '\tdma_addr = dma_map_page(dev, page, 0, len, DMA_TO_DEVICE);\n\tif (dma_mapping_error(dev, dma_addr))',
      '\tdma_addr = dma_map_page(dev, page, 0, len, DMA_TO_DEVICE);\n\tif (!dma_addr)',
    );
    expect(findings(text, RULE)).toEqual([`${RULE} ${lineOf(text, 'if (!dma_addr)')}`]);
  });
});
