/**
 * Issue 11's missed shapes ("And the true findings it misses"): for each, a near miss that must
 * stay silent and one edit that makes the bug real, with the exact finding it then gets.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { lintText } from '../../core/lint';

const v612 = parseKernelVersion('6.12') as KernelVersion;

type Row = [string, number, number, number, number];

function lint(text: string): Row[] {
  return lintText(text, { kernelVersion: v612 }).findings.map((f) => [
    f.rule,
    f.range.line,
    f.range.column,
    f.range.endLine,
    f.range.endColumn,
  ]);
}

function messages(text: string): string[] {
  return lintText(text, { kernelVersion: v612 }).findings.map((f) => f.message);
}

/** `text` with one exact edit (which must apply once). */
function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`edit does not apply exactly once: ${from}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based line and column of the first `needle`, and the column just after it. */
function at(text: string, needle: string): [number, number, number] {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`not found: ${needle}`);
  const before = text.slice(0, i).split('\n');
  const col = (before.at(-1) as string).length + 1;
  return [before.length, col, col + needle.length];
}

const HEAD = `#include <linux/dma-mapping.h>
struct demo_desc { __le32 addr; dma_addr_t buf; };
struct demo_ring { struct device *dev; void __iomem *regs; struct demo_desc *d; };
`;

describe('a handle written straight into a descriptor field', () => {
  const near = `${HEAD}
static int demo_refill(struct demo_ring *r, void *buf, size_t len)
{
	r->d->buf = dma_map_single(r->dev, buf, len, DMA_FROM_DEVICE);
	if (dma_mapping_error(r->dev, r->d->buf))
		return -ENOMEM;
	return 0;
}
`;
  it('checked through the field: silent', () => expect(lint(near)).toEqual([]));

  it('the check removed: reported at the map', () => {
    const text = edit(near, '\tif (dma_mapping_error(r->dev, r->d->buf))\n\t\treturn -ENOMEM;\n', '');
    const map = 'dma_map_single(r->dev, buf, len, DMA_FROM_DEVICE)';
    const [line, col, end] = at(text, map);
    expect(lint(text)).toEqual([['dma-mapping-unchecked', line, col, line, end]]);
    expect(messages(text)[0]).toMatch(/^The dma_map_single\(\) handle is written straight into `r->d->buf` and never/);
  });

  const caller = `${HEAD}
static void demo_map_one(struct demo_ring *r, void *buf, size_t len)
{
	r->d->buf = dma_map_single(r->dev, buf, len, DMA_FROM_DEVICE);
}

static int demo_fill(struct demo_ring *r, void *buf, size_t len)
{
	demo_map_one(r, buf, len);
	if (dma_mapping_error(r->dev, r->d->buf))
		return -ENOMEM;
	return 0;
}
`;
  it('stored by a helper whose caller checks the field: silent', () => expect(lint(caller)).toEqual([]));

  it('the caller stops checking: reported in the helper', () => {
    const text = edit(caller, '\tif (dma_mapping_error(r->dev, r->d->buf))\n\t\treturn -ENOMEM;\n', '');
    const [line, col, end] = at(text, 'dma_map_single(r->dev, buf, len, DMA_FROM_DEVICE)');
    expect(lint(text)).toEqual([['dma-mapping-unchecked', line, col, line, end]]);
  });
});

describe('a handle converted on its way into the descriptor', () => {
  const near = `${HEAD}
static int demo_refill(struct demo_ring *r, void *buf, size_t len)
{
	r->d->addr = cpu_to_le32(dma_map_single(r->dev, buf, len, DMA_FROM_DEVICE));
	if (dma_mapping_error(r->dev, le32_to_cpu(r->d->addr)))
		return -ENOMEM;
	wmb();
	r->d->addr |= cpu_to_le32(1);
	return 0;
}
`;
  it('checked after the store: silent', () => expect(lint(near)).toEqual([]));

  it('the check removed (the later `|=` is no check): reported', () => {
    const text = edit(near, '\tif (dma_mapping_error(r->dev, le32_to_cpu(r->d->addr)))\n\t\treturn -ENOMEM;\n', '');
    const [line, col, end] = at(text, 'dma_map_single(r->dev, buf, len, DMA_FROM_DEVICE)');
    expect(lint(text)).toEqual([['dma-mapping-unchecked', line, col, line, end]]);
    expect(messages(text)[0]).toContain('(converted on the way)');
  });
});

describe('a map passed straight into another call', () => {
  const near = `${HEAD}
static int demo_set_tb(struct demo_ring *r, dma_addr_t addr)
{
	if (dma_mapping_error(r->dev, addr))
		return -ENOMEM;
	writel(addr, r->regs);
	return 0;
}

static int demo_kick(struct demo_ring *r, void *buf, size_t len)
{
	return demo_set_tb(r, dma_map_single(r->dev, buf, len, DMA_TO_DEVICE));
}
`;
  it('into a helper that checks it: silent', () => expect(lint(near)).toEqual([]));

  it('the helper stops checking: the map passed to it is reported', () => {
    const text = edit(near, '\tif (dma_mapping_error(r->dev, addr))\n\t\treturn -ENOMEM;\n', '');
    const [line, col, end] = at(text, 'dma_map_single(r->dev, buf, len, DMA_TO_DEVICE)');
    expect(lint(text)).toEqual([['dma-mapping-unchecked', line, col, line, end]]);
    expect(messages(text)[0]).toMatch(/^The dma_map_single\(\) handle is passed straight to demo_set_tb\(\)/);
  });

  it('into a register write: reported', () => {
    const text = edit(near, 'return demo_set_tb(r, dma_map_single', 'writel(dma_map_single');
    const fixed = edit(text, 'DMA_TO_DEVICE));\n}\n', 'DMA_TO_DEVICE), r->regs);\n\treturn 0;\n}\n');
    const [line, col, end] = at(fixed, 'dma_map_single(r->dev, buf, len, DMA_TO_DEVICE)');
    expect(lint(fixed)).toEqual([['dma-mapping-unchecked', line, col, line, end]]);
  });
});

describe('handle == DMA_MAPPING_ERROR', () => {
  const near = `${HEAD}
static int demo_send(struct demo_ring *r, void *buf, size_t len)
{
	dma_addr_t addr = dma_map_single(r->dev, buf, len, DMA_TO_DEVICE);

	if (dma_mapping_error(r->dev, addr))
		return -ENOMEM;
	writel(addr, r->regs);
	dma_unmap_single(r->dev, addr, len, DMA_TO_DEVICE);
	return 0;
}

static void demo_poll(struct demo_ring *r, void *buf, size_t len, bool refill)
{
	dma_addr_t addr = DMA_MAPPING_ERROR;

	if (refill) {
		addr = dma_map_single(r->dev, buf, len, DMA_FROM_DEVICE);
		if (dma_mapping_error(r->dev, addr))
			return;
	}
	if (addr == DMA_MAPPING_ERROR)
		return;
	r->d->buf = addr;
}
`;
  it('checked with dma_mapping_error(), or DMA_MAPPING_ERROR as a "not mapped" mark: silent', () =>
    expect(lint(near)).toEqual([]));

  it('compared instead of checked: reported at the comparison, and the paths still know it failed (no leak, no unchecked use)', () => {
    const text = edit(
      near,
      'if (dma_mapping_error(r->dev, addr))\n\t\treturn -ENOMEM;',
      'if (addr == DMA_MAPPING_ERROR)\n\t\treturn -ENOMEM;',
    );
    const [line, col, end] = at(text, 'addr == DMA_MAPPING_ERROR'); // the first: demo_send()'s
    expect(lint(text)).toEqual([['dma-mapping-unchecked', line, col, line, end]]);
    const f = lintText(text, { kernelVersion: v612 }).findings[0];
    expect(f?.fixes.map((x) => [x.title, x.safe, x.edits.map((e) => e.newText)])).toEqual([
      ['Check with dma_mapping_error(r->dev, addr)', false, ['dma_mapping_error(r->dev, addr)']],
    ]);
  });
});

describe('a dma_map_sg() count checked only for a negative value', () => {
  // dma_map_sg() returns 0 on failure, never a negative value (HSI omap_ssi_port, fixed in 2022).
  const near = `${HEAD}
static int demo_sg(struct demo_ring *r, struct scatterlist *sgl, int nents)
{
	int ret;

	ret = demo_prepare(r);
	if (ret < 0)
		return ret;
	ret = dma_map_sg(r->dev, sgl, nents, DMA_TO_DEVICE);
	if (ret <= 0)
		return -EIO;
	demo_start(r, sg_dma_address(sgl), ret);
	return 0;
}

static int demo_sg_twice(struct demo_ring *r, struct scatterlist *sgl, int nents)
{
	int n = dma_map_sg(r->dev, sgl, nents, DMA_FROM_DEVICE);

	if (n < 0)
		return n;
	if (!n)
		return -ENOMEM;
	demo_start(r, sg_dma_address(sgl), n);
	return 0;
}
`;
  it("`<= 0`, or `< 0` followed by a test for 0, or `< 0` on another call's result: silent", () =>
    expect(lint(near)).toEqual([]));

  it('`<= 0` turned into `< 0`: reported at the comparison, the map as related', () => {
    const text = edit(near, 'if (ret <= 0)', 'if (ret < 0)');
    const [line, col] = at(text, 'ret < 0)\n\t\treturn -EIO'); // the second `ret < 0`
    expect(lint(text)).toEqual([['dma-map-sg-unchecked', line, col, line, col + 'ret < 0'.length]]);
    const f = lintText(text, { kernelVersion: v612 }).findings[0];
    expect(f?.message).toBe(
      '`ret < 0` does not catch a failed dma_map_sg(): it returns 0 on failure, never a negative value ("dma_map_sg() returns the number of DMA address segments mapped … or 0 in case of failure"). Test `ret` for 0.',
    );
    expect(f?.related.map((r) => r.range.line)).toEqual([at(text, 'ret = dma_map_sg')[0]]);
  });

  it('the test for 0 removed after `< 0`: reported', () => {
    const text = edit(near, '\tif (!n)\n\t\treturn -ENOMEM;\n', '');
    const [line, col] = at(text, 'n < 0');
    expect(lint(text)).toEqual([['dma-map-sg-unchecked', line, col, line, col + 'n < 0'.length]]);
  });
});

describe('a mapped count kept in a struct field and unmapped with in another function', () => {
  // pch_uart: dma_handle_tx() kept dma_map_sg()'s count in priv->nent, pch_dma_tx_complete() unmapped with it.
  // test/fixtures/memo/pairings.c has the bug; here it starts fixed.
  const near = readFileSync(path.join(__dirname, '..', 'fixtures', 'memo', 'pairings.c'), 'utf8').replace(
    'p->sg, p->nent, DMA_TO_DEVICE',
    'p->sg, p->orig_nent, DMA_TO_DEVICE',
  );
  it('unmapped with the original nents, kept in its own field: silent', () => expect(lint(near)).toEqual([]));

  it('unmapped with the field that keeps the count: reported at the count, with the map and the store', () => {
    const text = edit(near, 'p->sg, p->orig_nent, DMA_TO_DEVICE', 'p->sg, p->nent, DMA_TO_DEVICE');
    const [line, col] = at(text, 'p->nent, DMA_TO_DEVICE');
    expect(lint(text)).toEqual([['dma-unmap-sg-nents', line, col, line, col + 'p->nent'.length]]);
    const f = lintText(text, { kernelVersion: v612 }).findings[0];
    expect(f?.related.map((r) => [r.range.line, r.message])).toEqual([
      [at(text, 'dma_map_sg(p->dev')[0], 'the count dma_map_sg() returned in demo_tx()'],
      [at(text, 'p->nent = nent;')[0], 'kept in `p->nent` here'],
    ]);
    expect(f?.fixes).toEqual([]);
    // Batch lint parses only the bodies the rules read (focus.ts): the unmap-only function is one.
    expect(lintText(text, { kernelVersion: v612, focus: true }).findings.map((x) => x.range.line)).toEqual([line]);
  });

  it('the same, but the field is also given the original nents somewhere: silent (also where batch lint blanks that body)', () => {
    const text = edit(
      edit(near, 'p->sg, p->orig_nent, DMA_TO_DEVICE', 'p->sg, p->nent, DMA_TO_DEVICE'),
      'p->orig_nent = 0;',
      'p->nent = p->orig_nent;',
    );
    expect(lint(text)).toEqual([]);
    expect(lintText(text, { kernelVersion: v612, focus: true }).findings).toEqual([]);
  });

  it('the same, but the field is handed on by address: silent', () => {
    const text = edit(
      edit(near, 'p->sg, p->orig_nent, DMA_TO_DEVICE', 'p->sg, p->nent, DMA_TO_DEVICE'),
      'p->orig_nent = 0;',
      'demo_count(&p->nent);',
    );
    expect(lint(text)).toEqual([]);
  });
});

describe('iov_iter users are told to extract, not to call pin_user_pages()', () => {
  const text = `#include <linux/uio.h>
static int demo_dio(struct bio *bio, struct iov_iter *iter)
{
	struct page *pages[16];
	size_t off;
	ssize_t n = iov_iter_get_pages2(iter, pages, 65536, 16, &off);

	if (n <= 0)
		return n;
	bio_add_page(bio, pages[0], n, off);
	return 0;
}
`;
  it('6.12: iov_iter_extract_pages() and bio_release_page()', () => {
    const [m] = messages(text);
    expect(m).toContain('Use iov_iter_extract_pages()');
    expect(m).toContain('bio_release_page()');
    expect(m).not.toContain('pin_user_pages*()');
  });

  it('6.1, before iov_iter_extract_pages(): no call it does not have', () => {
    const v61 = parseKernelVersion('6.1') as KernelVersion;
    const [f] = lintText(text, { kernelVersion: v61 }).findings;
    expect(f?.message).toContain('iov_iter_extract_pages() came in v6.3');
    expect(f?.message).not.toContain('Use iov_iter_extract_pages()');
  });
});

describe('dma_free_coherent() with another size than the allocation', () => {
  const near = `${HEAD}
#define DEMO_QLEN 16
struct demo_q { void *base; dma_addr_t phys; u32 n; void *desc; dma_addr_t desc_dma; };
struct demo_ctl { u64 a[8]; };

static int demo_ring_alloc(struct demo_q *q, struct device *dev)
{
	q->base = dma_alloc_coherent(dev, q->n * sizeof(struct demo_ctl) + 64, &q->phys, GFP_KERNEL);
	if (!q->base)
		return -ENOMEM;
	if (demo_shadow(q)) {
		dma_free_coherent(dev, q->n * sizeof(struct demo_ctl) + 64, q->base, q->phys);
		return -EIO;
	}
	return 0;
}

static void *demo_page_alloc(struct device *dev, dma_addr_t *h)
{
	void *v = dma_alloc_coherent(dev, SZ_8K, h, GFP_KERNEL);

	if (v && demo_busy(dev)) {
		dma_free_coherent(dev, PAGE_SIZE << 1, v, *h);
		return NULL;
	}
	return v;
}

static int demo_desc_alloc(struct demo_q *q, struct device *dev)
{
	q->desc = dma_alloc_coherent(dev, DEMO_QLEN * sizeof(struct demo_ctl), &q->desc_dma, GFP_KERNEL);
	return q->desc ? 0 : -ENOMEM;
}

static void demo_desc_free(struct demo_q *q, struct device *dev)
{
	if (q->desc)
		dma_free_coherent(dev, 16 * sizeof(struct demo_ctl), q->desc, q->desc_dma);
}
`;
  it('the same size, spelled another way (SZ_8K and PAGE_SIZE << 1, a #define and its number): silent', () =>
    expect(lint(near)).toEqual([]));

  it('another struct in the size: reported', () => {
    const text = edit(
      near,
      'q->n * sizeof(struct demo_ctl) + 64, q->base',
      'q->n * sizeof(struct demo_q) + 64, q->base',
    );
    const [line, col] = at(text, 'dma_free_coherent(dev, q->n * sizeof(struct demo_q)');
    const end = text.split('\n')[line - 1]?.indexOf(';') as number;
    expect(lint(text)).toEqual([['dma-unmap-mismatch', line, col, line, end + 1]]);
  });

  it('SZ_4K for SZ_8K: reported', () => {
    const text = edit(near, 'dma_free_coherent(dev, PAGE_SIZE << 1', 'dma_free_coherent(dev, SZ_4K');
    const [line, col] = at(text, 'dma_free_coherent(dev, SZ_4K');
    const end = text.split('\n')[line - 1]?.indexOf(';') as number;
    expect(lint(text)).toEqual([['dma-unmap-mismatch', line, col, line, end + 1]]);
  });

  it('freed in another function with another count: reported there, naming the allocation', () => {
    const text = edit(near, 'dma_free_coherent(dev, 16 * sizeof', 'dma_free_coherent(dev, 64 * sizeof');
    const [line, col] = at(text, 'dma_free_coherent(dev, 64 * sizeof');
    const end = text.split('\n')[line - 1]?.indexOf(';') as number;
    expect(lint(text)).toEqual([['dma-unmap-mismatch', line, col, line, end + 1]]);
    expect(messages(text)[0]).toMatch(
      /^This dma_free_coherent\(\) does not match dma_alloc_coherent\(\) in demo_desc_alloc\(\) \(line \d+\): the size is 64 \* sizeof\(struct demo_ctl\), the allocation's is DEMO_QLEN \* sizeof\(struct demo_ctl\)\./,
    );
  });

  // `sizeof(u32)` parses as sizeof of a parenthesized name: it is read as the type it names.
  const typedefs = edit(
    edit(near, 'DEMO_QLEN * sizeof(struct demo_ctl), &q->desc_dma', 'DEMO_QLEN * sizeof(u32), &q->desc_dma'),
    'dma_free_coherent(dev, 16 * sizeof(struct demo_ctl), q->desc',
    'dma_free_coherent(dev, 64, q->desc',
  );

  it('sizeof(u32) is 4 bytes: 16 * sizeof(u32) and 64 are one size, silent', () => expect(lint(typedefs)).toEqual([]));

  it('sizeof(u32) is 4 bytes: 16 * sizeof(u32) freed as 32 is reported', () => {
    const text = edit(typedefs, 'dma_free_coherent(dev, 64, q->desc', 'dma_free_coherent(dev, 32, q->desc');
    const [line, col] = at(text, 'dma_free_coherent(dev, 32, q->desc');
    const end = text.split('\n')[line - 1]?.indexOf(';') as number;
    expect(lint(text)).toEqual([['dma-unmap-mismatch', line, col, line, end + 1]]);
  });
});

describe("dma_free_coherent() given another allocation's handle", () => {
  const near = `${HEAD}
struct demo_priv { struct device *dev; void *rx; dma_addr_t rx_dma; void *tx; dma_addr_t tx_dma; };

static int demo_rings_alloc(struct demo_priv *p)
{
	p->rx = dma_alloc_coherent(p->dev, SZ_4K, &p->rx_dma, GFP_KERNEL);
	if (!p->rx)
		return -ENOMEM;
	p->tx = dma_alloc_coherent(p->dev, SZ_4K, &p->tx_dma, GFP_KERNEL);
	if (!p->tx) {
		dma_free_coherent(p->dev, SZ_4K, p->rx, p->rx_dma);
		return -ENOMEM;
	}
	return 0;
}

static void demo_rings_free(struct demo_priv *p)
{
	dma_free_coherent(p->dev, SZ_4K, p->tx, p->tx_dma);
	dma_free_coherent(p->dev, SZ_4K, p->rx, p->rx_dma);
}
`;
  it('each memory freed with its own handle: silent', () => expect(lint(near)).toEqual([]));

  it("the error path gives the other ring's handle: reported at that free", () => {
    const text = edit(near, 'SZ_4K, p->rx, p->rx_dma);\n\t\treturn', 'SZ_4K, p->rx, p->tx_dma);\n\t\treturn');
    const [line, col] = at(text, 'dma_free_coherent(p->dev, SZ_4K, p->rx, p->tx_dma)');
    expect(lint(text)).toEqual([
      ['dma-unmap-mismatch', line, col, line, col + 'dma_free_coherent(p->dev, SZ_4K, p->rx, p->tx_dma)'.length],
    ]);
    expect(messages(text)[0]).toContain('with the handle of another allocation, dma_alloc_coherent() (line');
  });

  it('in the teardown function too', () => {
    const text = edit(near, 'SZ_4K, p->tx, p->tx_dma);\n\tdma_free', 'SZ_4K, p->tx, p->rx_dma);\n\tdma_free');
    const [line, col] = at(text, 'dma_free_coherent(p->dev, SZ_4K, p->tx, p->rx_dma)');
    expect(lint(text)).toEqual([
      ['dma-unmap-mismatch', line, col, line, col + 'dma_free_coherent(p->dev, SZ_4K, p->tx, p->rx_dma)'.length],
    ]);
    expect(messages(text)[0]).toContain('in demo_rings_alloc()');
  });

  it('a handle no allocation of the file keeps: not judged, silent', () => {
    const text = edit(near, 'SZ_4K, p->tx, p->tx_dma);\n\tdma_free', 'SZ_4K, p->tx, p->tx_handle);\n\tdma_free');
    expect(lint(text)).toEqual([]);
  });
});

describe('coherent and pool memory declared with its allocation', () => {
  const near = `${HEAD}
static int demo_ring_setup(struct demo_ring *r, struct demo_desc **out)
{
	dma_addr_t dma;
	void *ring = dma_alloc_coherent(r->dev, SZ_4K, &dma, GFP_KERNEL);

	if (!ring)
		return -ENOMEM;
	if (demo_reset(r)) {
		dma_free_coherent(r->dev, SZ_4K, ring, dma);
		return -EIO;
	}
	*out = ring;
	return 0;
}

static int demo_post(struct demo_ring *r, struct dma_pool *pool)
{
	dma_addr_t dma;
	void *block = dma_pool_alloc(pool, GFP_KERNEL, &dma);

	if (!block)
		return -ENOMEM;
	writel(lower_32_bits(dma), r->regs);
	if (demo_wait(r)) {
		dma_pool_free(pool, block, dma);
		return -ETIMEDOUT;
	}
	dma_pool_free(pool, block, dma);
	return 0;
}
`;
  it('freed on the error paths: silent', () => expect(lint(near)).toEqual([]));

  it('the coherent free dropped from the error path: a leak there', () => {
    const text = edit(near, '\t\tdma_free_coherent(r->dev, SZ_4K, ring, dma);\n', '');
    const [line, col] = at(text, 'return -EIO;');
    expect(lint(text)).toEqual([['dma-mapping-leak', line, col, line, col + 'return -EIO;'.length]]);
  });

  it('the pool free dropped from the error path: a leak there (the register write handed nothing off)', () => {
    const text = edit(near, '\t\tdma_pool_free(pool, block, dma);\n\t\treturn -ETIMEDOUT;', '\t\treturn -ETIMEDOUT;');
    const [line, col] = at(text, 'return -ETIMEDOUT;');
    expect(lint(text)).toEqual([['dma-mapping-leak', line, col, line, col + 'return -ETIMEDOUT;'.length]]);
    expect(messages(text)[0]).toMatch(
      /^The block `block` \(handle `dma`\) from dma_pool_alloc\(\) \(line \d+\) is neither returned/,
    );
  });
});

describe('a chained store into a field and a local', () => {
  const near = `${HEAD}
static void demo_rx(struct demo_ring *r, struct demo_desc *ring, void *buf, size_t len, int i)
{
	dma_addr_t mapping;

	mapping = ring[i].buf = dma_map_single(r->dev, buf, len, DMA_FROM_DEVICE);
	if (dma_mapping_error(r->dev, mapping))
		ring[i].buf = 0;
}
`;
  it('checked through the local: silent', () => expect(lint(near)).toEqual([]));

  it('the check gone: reported at the map', () => {
    const text = edit(
      near,
      '\tif (dma_mapping_error(r->dev, mapping))\n\t\tring[i].buf = 0;\n',
      '\tdemo_kick(r, mapping);\n',
    );
    const [line, col, end] = at(text, 'dma_map_single(r->dev, buf, len, DMA_FROM_DEVICE)');
    expect(lint(text)).toEqual([['dma-mapping-unchecked', line, col, line, end]]);
  });
});

describe('pages a parameter brings, dirtied and unpinned in one loop', () => {
  const near = `#include <linux/mm.h>
static void demo_release(struct page **pages, unsigned long n, bool dirty)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (dirty)
			set_page_dirty_lock(pages[i]);
		unpin_user_page(pages[i]);
	}
}
`;
  it('with the lock: silent', () => expect(lint(near)).toEqual([]));

  it('without it: reported at the dirtying call', () => {
    const text = edit(near, 'set_page_dirty_lock(pages[i])', 'set_page_dirty(pages[i])');
    const [line, col, end] = at(text, 'set_page_dirty(pages[i])');
    expect(lint(text)).toEqual([['dirty-without-lock', line, col, line, end]]);
    expect(messages(text)[0]).toContain('unpinned by unpin_user_page() in the same loop');
  });

  it('released with put_page() instead (no sign they are pinned user pages): silent', () => {
    const text = edit(
      edit(near, 'set_page_dirty_lock(pages[i])', 'set_page_dirty(pages[i])'),
      'unpin_user_page(pages[i])',
      'put_page(pages[i])',
    );
    expect(lint(text)).toEqual([]);
  });
});

describe('pages reached through a parameter, dirtied and unpinned in one loop', () => {
  const near = `#include <linux/mm.h>
static void demo_release(struct demo_buf *b, bool dirty)
{
	unsigned long i;

	for (i = 0; i < b->npages; i++) {
		if (dirty)
			set_page_dirty_lock(b->pages[i]);
		unpin_user_page(b->pages[i]);
	}
}
`;
  const unlocked = edit(near, 'set_page_dirty_lock(b->pages[i])', 'SetPageDirty(b->pages[i])');

  it('with the lock: silent', () => expect(lint(near)).toEqual([]));

  it('a field of the parameter, without the lock: reported at the dirtying call', () => {
    const [line, col, end] = at(unlocked, 'SetPageDirty(b->pages[i])');
    expect(lint(unlocked)).toEqual([['dirty-without-lock', line, col, line, end]]);
  });

  it('the loop takes the page lock itself: silent', () => {
    const text = edit(
      unlocked,
      '\t\t\tSetPageDirty(b->pages[i]);\n',
      '\t\t\tlock_page(b->pages[i]);\n\t\t\tSetPageDirty(b->pages[i]);\n\t\t\tunlock_page(b->pages[i]);\n',
    );
    expect(lint(text)).toEqual([]);
  });

  it('a page rebuilt from a stored pfn (a FOLL_LONGTERM pin elsewhere): silent', () => {
    const text = unlocked
      .replaceAll('b->pages[i]', 'page')
      .replace('\t\tif (dirty)', '\t\tstruct page *page = pfn_to_page(b->pfns[i]);\n\n\t\tif (dirty)');
    expect(text).toContain('SetPageDirty(page)');
    expect(lint(text)).toEqual([]);
  });

  it('a pointer walked over the array: reported', () => {
    const text = `#include <linux/mm.h>
static void demo_release(struct page **pages, unsigned long n)
{
	while (n--) {
		set_page_dirty(*pages);
		unpin_user_page(*pages++);
	}
}
`;
    const [line, col, end] = at(text, 'set_page_dirty(*pages)');
    expect(lint(text)).toEqual([['dirty-without-lock', line, col, line, end]]);
  });
});

describe("a mapping kept in the caller's object, which the function unmaps itself", () => {
  const near = `#include <linux/dma-mapping.h>
static int demo_crypt_start(struct demo_dev *dd)
{
	int err;

	err = dma_map_sg(dd->dev, dd->in_sg, dd->in_len, DMA_TO_DEVICE);
	if (!err)
		return -EINVAL;
	err = dma_map_sg(dd->dev, dd->out_sg, dd->out_len, DMA_FROM_DEVICE);
	if (!err) {
		dma_unmap_sg(dd->dev, dd->in_sg, dd->in_len, DMA_TO_DEVICE);
		return -EINVAL;
	}
	err = demo_run(dd->chan, dd->out_len);
	if (err) {
		dma_unmap_sg(dd->dev, dd->out_sg, dd->out_len, DMA_FROM_DEVICE);
		dma_unmap_sg(dd->dev, dd->in_sg, dd->in_len, DMA_TO_DEVICE);
	}
	return err;
}
`;
  const leaky = edit(
    near,
    '\t\tdma_unmap_sg(dd->dev, dd->in_sg, dd->in_len, DMA_TO_DEVICE);\n\t\treturn -EINVAL;',
    '\t\treturn -EINVAL;',
  );

  it('unmapped on every failing return: silent', () => expect(lint(near)).toEqual([]));

  it('the second map fails and the first is not unmapped: reported at that return', () => {
    const [line, col] = at(leaky, 'return -EINVAL;\n\t}');
    expect(lint(leaky)).toEqual([['dma-mapping-leak', line, col, line, col + 'return -EINVAL;'.length]]);
    expect(messages(leaky)[0]).toContain('The mapping of `dd->in_sg` from dma_map_sg() (line 6)');
  });

  it('the object goes to a helper on the way (it may unmap it): silent', () => {
    const text = edit(
      leaky,
      '\tif (!err) {\n\t\treturn -EINVAL;',
      '\tif (!err) {\n\t\tdemo_cleanup(dd);\n\t\treturn -EINVAL;',
    );
    expect(lint(text)).toEqual([]);
  });

  it('the unmap this path passes is under a test of its own: silent', () => {
    const text = `#include <linux/dma-mapping.h>
static int demo_crypt_start(struct demo_dev *dd, bool in_mapped)
{
	if (!dma_map_sg(dd->dev, dd->in_sg, dd->in_len, DMA_TO_DEVICE))
		return -EINVAL;
	if (!dma_map_sg(dd->dev, dd->out_sg, dd->out_len, DMA_FROM_DEVICE))
		goto out;
	return 0;
out:
	if (in_mapped)
		dma_unmap_sg(dd->dev, dd->in_sg, dd->in_len, DMA_TO_DEVICE);
	return -EINVAL;
}
`;
    expect(lint(text)).toEqual([]);
    // Without the test around it, the unmap is on every path out of the label.
    expect(lint(edit(text, '\tif (in_mapped)\n\t\tdma_unmap_sg', '\tdma_unmap_sg'))).toEqual([]);
  });

  it('never unmapped in the function (the completion does it): silent', () => {
    const text = `#include <linux/dma-mapping.h>
static int demo_crypt_start(struct demo_dev *dd)
{
	if (!dma_map_sg(dd->dev, dd->in_sg, dd->in_len, DMA_TO_DEVICE))
		return -EINVAL;
	if (!dma_map_sg(dd->dev, dd->out_sg, dd->out_len, DMA_FROM_DEVICE))
		return -EINVAL;
	return demo_run(dd->chan, dd->out_len);
}
`;
    expect(lint(text)).toEqual([]);
  });
});

describe('a CPU read after a sync for the device', () => {
  const near = `${HEAD}
struct demo_rx { struct device *dev; void *buf; dma_addr_t dma; u32 len; };

static int demo_rx_fill(struct demo_rx *r)
{
	r->dma = dma_map_single(r->dev, r->buf, r->len, DMA_FROM_DEVICE);
	return dma_mapping_error(r->dev, r->dma);
}

static void demo_rx_poll(struct demo_rx *r, u8 *out, u32 n)
{
	dma_sync_single_for_cpu(r->dev, r->dma, r->len, DMA_FROM_DEVICE);
	memcpy(out, r->buf, n);
	dma_sync_single_for_device(r->dev, r->dma, r->len, DMA_FROM_DEVICE);
}
`;
  it('taken back for the CPU before the read, given back after: silent', () => expect(lint(near)).toEqual([]));

  it('for_device written where for_cpu was meant: reported at the read', () => {
    const text = edit(
      near,
      '\tdma_sync_single_for_cpu(r->dev, r->dma, r->len, DMA_FROM_DEVICE);\n\tmemcpy(out, r->buf, n);\n\tdma_sync_single_for_device',
      '\tdma_sync_single_for_device(r->dev, r->dma, r->len, DMA_FROM_DEVICE);\n\tmemcpy(out, r->buf, n);\n\tdma_sync_single_for_device',
    );
    const [line, col] = at(text, 'memcpy(out, r->buf, n)');
    expect(lint(text)).toEqual([['dma-sync-direction', line, col, line, col + 'memcpy(out, r->buf, n)'.length]]);
    expect(messages(text)[0]).toContain(
      'The CPU reads `r->buf` after dma_sync_single_for_device() gave it to the device',
    );
  });
});

describe('__free_page() on pages from GUP', () => {
  const near = `#include <linux/mm.h>
static int demo_peek(unsigned long uaddr, u8 *out)
{
	struct page *page;
	void *va;

	if (get_user_pages_fast(uaddr, 1, 0, &page) != 1)
		return -EFAULT;
	va = kmap_local_page(page);
	*out = *(u8 *)va;
	kunmap_local(va);
	put_page(page);
	return 0;
}
`;
  it('put_page(): silent', () => expect(lint(near)).toEqual([]));

  it('__free_page(): a release mismatch, with put_page() offered', () => {
    const text = edit(near, 'put_page(page);', '__free_page(page);');
    const [line, col, end] = at(text, '__free_page(page)');
    expect(lint(text)).toEqual([['release-mismatch', line, col, line, end]]);
    const [f] = lintText(text, { kernelVersion: v612 }).findings;
    expect(f?.message).toMatch(
      /^Pages referenced by get_user_pages_fast\(\) \(line \d+\) are released with __free_page\(\), the page allocator's free/,
    );
    expect(f?.fixes.map((x) => [x.title, x.safe, x.edits.map((e) => e.newText)])).toEqual([
      ['Release with put_page()', false, ['put_page']],
    ]);
  });

  it('on pinned pages too; the get→pin conversion rewrites it', () => {
    const pinned = edit(
      edit(near, 'get_user_pages_fast(', 'pin_user_pages_fast('),
      'put_page(page);',
      '__free_page(page);',
    );
    const [line, col, end] = at(pinned, '__free_page(page)');
    expect(lint(pinned)).toEqual([['release-mismatch', line, col, line, end]]);
    const fix = lintText(pinned, { kernelVersion: v612 }).findings[0]?.fixes[0];
    expect(fix?.edits.map((e) => e.newText)).toEqual(['unpin_user_page']);
  });
});

describe('a map whose result is thrown away, offset on the way, or only printed', () => {
  const near = `${HEAD}
static void demo_flush(struct demo_ring *r, void *buf, size_t len, u32 off)
{
	dma_addr_t h = dma_map_single(r->dev, buf, len, DMA_TO_DEVICE);

	if (dma_mapping_error(r->dev, h))
		return;
	r->d->addr = (u32)h - off;
	r->d->buf = dma_map_single(r->dev, buf, len, DMA_TO_DEVICE);
	pr_debug("mapped %pad\\n", &r->d->buf);
	if (dma_mapping_error(r->dev, r->d->buf))
		return;
}
`;
  it('kept and checked: silent', () => expect(lint(near)).toEqual([]));

  it('the result thrown away: reported', () => {
    const text = edit(
      near,
      '\tdma_addr_t h = dma_map_single(r->dev, buf, len, DMA_TO_DEVICE);\n',
      '\tdma_addr_t h = 0;\n\n\tdma_map_single(r->dev, buf, len, DMA_TO_DEVICE);\n',
    );
    const [line, col] = at(text, '\tdma_map_single(r->dev, buf, len, DMA_TO_DEVICE);');
    expect(lint(text)).toEqual([
      [
        'dma-mapping-unchecked',
        line,
        col + 1,
        line,
        col + 1 + 'dma_map_single(r->dev, buf, len, DMA_TO_DEVICE)'.length,
      ],
    ]);
    expect(messages(text)[0]).toMatch(/^The dma_map_single\(\) result is thrown away/);
  });

  it('stored less an offset, unchecked: reported', () => {
    const text = edit(
      edit(near, '\tif (dma_mapping_error(r->dev, h))\n\t\treturn;\n', ''),
      '\tdma_addr_t h = dma_map_single(r->dev, buf, len, DMA_TO_DEVICE);\n\n',
      '',
    ).replace('(u32)h - off', '(u32)dma_map_single(r->dev, buf, len, DMA_TO_DEVICE) - off');
    const [line, col, end] = at(text, 'dma_map_single(r->dev, buf, len, DMA_TO_DEVICE) - off');
    expect(lint(text)).toEqual([['dma-mapping-unchecked', line, col, line, end - ' - off'.length]]);
  });

  it('the field only printed before the check is dropped: reported', () => {
    const text = edit(near, '\tif (dma_mapping_error(r->dev, r->d->buf))\n\t\treturn;\n', '');
    const [line, col, end] = at(text, 'dma_map_single(r->dev, buf, len, DMA_TO_DEVICE);\n\tpr_debug');
    expect(lint(text)).toEqual([['dma-mapping-unchecked', line, col, line, end - ';\n\tpr_debug'.length]]);
  });
});
