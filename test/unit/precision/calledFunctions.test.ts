/**
 * Issue 11, class 2: effects of called functions in the same file. A helper that unmaps what a
 * parameter names and maps it again the other way (iaa_crypto's iaa_remap_for_verify()) changes
 * what the caller's later unmaps must match; a release helper unmaps what the caller mapped. The
 * summaries are plain data (core/analysis/summaryTypes.ts), checked here as well.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../../core/fileAnalysis/analyzeFile';
import { parseKernelVersion, type KernelVersion } from '../../../core/catalog/version';
import { createCParser } from '../../../core/parse/parser';
import { findings, lineOf, mutate } from './support';

const v612 = parseKernelVersion('6.12') as KernelVersion;

/** Shaped like drivers/crypto/intel/iaa/iaa_crypto_main.c (iaa_comp_acompress, 6.12). */
const REMAP = `#include <linux/dma-mapping.h>

struct demo_req {
	struct scatterlist *src;
	struct scatterlist *dst;
};

static int demo_remap_for_verify(struct device *dev, struct demo_req *req)
{
	int ret = 0;
	int nr_sgs;

	dma_unmap_sg(dev, req->dst, sg_nents(req->dst), DMA_FROM_DEVICE);
	dma_unmap_sg(dev, req->src, sg_nents(req->src), DMA_TO_DEVICE);

	nr_sgs = dma_map_sg(dev, req->src, sg_nents(req->src), DMA_FROM_DEVICE);
	if (nr_sgs <= 0 || nr_sgs > 1) {
		ret = -EIO;
		goto out;
	}
	nr_sgs = dma_map_sg(dev, req->dst, sg_nents(req->dst), DMA_TO_DEVICE);
	if (nr_sgs <= 0 || nr_sgs > 1) {
		ret = -EIO;
		dma_unmap_sg(dev, req->src, sg_nents(req->src), DMA_FROM_DEVICE);
		goto out;
	}
out:
	return ret;
}

static int demo_compress(struct device *dev, struct demo_req *req, bool verify)
{
	int nr_sgs, ret;

	nr_sgs = dma_map_sg(dev, req->src, sg_nents(req->src), DMA_TO_DEVICE);
	if (nr_sgs <= 0)
		return -EIO;
	nr_sgs = dma_map_sg(dev, req->dst, sg_nents(req->dst), DMA_FROM_DEVICE);
	if (nr_sgs <= 0) {
		ret = -EIO;
		goto err_map_dst;
	}
	ret = demo_run(dev, req);
	if (!ret && verify) {
		ret = demo_remap_for_verify(dev, req);
		if (ret)
			goto out;
		ret = demo_verify(dev, req);
		dma_unmap_sg(dev, req->dst, sg_nents(req->dst), DMA_TO_DEVICE);
		dma_unmap_sg(dev, req->src, sg_nents(req->src), DMA_FROM_DEVICE);
		goto out;
	}
	dma_unmap_sg(dev, req->dst, sg_nents(req->dst), DMA_FROM_DEVICE);
err_map_dst:
	dma_unmap_sg(dev, req->src, sg_nents(req->src), DMA_TO_DEVICE);
out:
	return ret;
}
`;

describe('a helper that unmaps and maps again the other way (iaa_remap_for_verify)', () => {
  it('near miss: the unmaps after the remap match the new directions', () => {
    expect(findings(REMAP, 'dma-unmap-mismatch')).toEqual([]);
  });
  it("the helper's failing return leaks the src mapping when it has more than one segment (as on 6.12)", () => {
    // `nr_sgs > 1` fails the helper with req->src mapped; the caller only unmaps after a success.
    // Reported since the leak rule looks at mappings kept in the caller's object that the function
    // unmaps itself (iaa_crypto_main.c:1280 on the 6.12 tree).
    expect(findings(REMAP)).toEqual([`dma-mapping-leak ${lineOf(REMAP, 'out:\n\treturn ret;') + 1}`]);
  });
  it('one edit (the caller unmaps dst with its first direction after the remap): reported at that unmap', () => {
    const text = mutate(
      REMAP,
      '\t\tdma_unmap_sg(dev, req->dst, sg_nents(req->dst), DMA_TO_DEVICE);',
      '\t\tdma_unmap_sg(dev, req->dst, sg_nents(req->dst), DMA_FROM_DEVICE);',
    );
    expect(findings(text, 'dma-unmap-mismatch')).toEqual([
      `dma-unmap-mismatch ${lineOf(text, '\t\tdma_unmap_sg(dev, req->dst, sg_nents(req->dst), DMA_FROM_DEVICE);')}`,
    ]);
  });
  it('one edit (the helper remaps src with the first direction): its own cleanup and the caller`s src unmap are wrong now', () => {
    const text = mutate(
      REMAP,
      '\tnr_sgs = dma_map_sg(dev, req->src, sg_nents(req->src), DMA_FROM_DEVICE);\n\tif (nr_sgs <= 0 || nr_sgs > 1) {\n\t\tret = -EIO;\n\t\tgoto out;',
      '\tnr_sgs = dma_map_sg(dev, req->src, sg_nents(req->src), DMA_TO_DEVICE);\n\tif (nr_sgs <= 0 || nr_sgs > 1) {\n\t\tret = -EIO;\n\t\tgoto out;',
    );
    expect(findings(text, 'dma-unmap-mismatch')).toEqual([
      `dma-unmap-mismatch ${lineOf(text, '\t\tdma_unmap_sg(dev, req->src, sg_nents(req->src), DMA_FROM_DEVICE);\n\t\tgoto out;\n\t}\nout:')}`,
      `dma-unmap-mismatch ${lineOf(text, '\t\tdma_unmap_sg(dev, req->src, sg_nents(req->src), DMA_FROM_DEVICE);\n\t\tgoto out;\n\t}\n\tdma_unmap_sg')}`,
    ]);
  });
  it('the summary is plain data: which parameter field is unmapped and mapped, in order, with its direction', () => {
    const parsed = createCParser().parse(REMAP);
    const file = analyzeFile(parsed, v612);
    const summary = file.helpers.get('demo_remap_for_verify');
    expect(summary?.dma).toEqual([
      {
        paramIndex: 1,
        fieldSuffix: '->dst',
        kind: 'unmap',
        api: 'dma_unmap_sg',
        dir: 'DMA_FROM_DEVICE',
        failure: null,
      },
      { paramIndex: 1, fieldSuffix: '->src', kind: 'unmap', api: 'dma_unmap_sg', dir: 'DMA_TO_DEVICE', failure: null },
      {
        paramIndex: 1,
        fieldSuffix: '->src',
        kind: 'map',
        api: 'dma_map_sg',
        dir: 'DMA_FROM_DEVICE',
        failure: 'status',
      },
      { paramIndex: 1, fieldSuffix: '->dst', kind: 'map', api: 'dma_map_sg', dir: 'DMA_TO_DEVICE', failure: 'status' },
    ]);
    // Survives a round trip through JSON (issue 12 stores summaries on disk).
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
  });
  it('a helper whose map failure is not reported through its status keeps no DMA summary', () => {
    const text = mutate(
      REMAP,
      '\tnr_sgs = dma_map_sg(dev, req->src, sg_nents(req->src), DMA_FROM_DEVICE);\n\tif (nr_sgs <= 0 || nr_sgs > 1) {\n\t\tret = -EIO;\n\t\tgoto out;\n\t}',
      '\tnr_sgs = dma_map_sg(dev, req->src, sg_nents(req->src), DMA_FROM_DEVICE);',
    );
    const file = analyzeFile(createCParser().parse(text), v612);
    expect(file.helpers.get('demo_remap_for_verify')?.dma ?? []).toEqual([]);
  });
});

/** A release helper (the shape of many NIC drivers' `*_unmap_skb()`). */
const RELEASE = `#include <linux/dma-mapping.h>

struct demo_buf {
	void *data;
	dma_addr_t dma;
	unsigned int len;
};

static void demo_unmap_buf(struct device *dev, struct demo_buf *buf)
{
	dma_unmap_single(dev, buf->dma, buf->len, DMA_TO_DEVICE);
}

static int demo_send(struct device *dev, struct demo_buf *buf)
{
	buf->dma = dma_map_single(dev, buf->data, buf->len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, buf->dma))
		return -ENOMEM;
	if (demo_post(dev, buf)) {
		demo_unmap_buf(dev, buf);
		return -EIO;
	}
	demo_unmap_buf(dev, buf);
	return 0;
}
`;

describe('a release helper that unmaps a field of its parameter', () => {
  it('near miss: unmapped once on each path through the helper', () => {
    expect(findings(RELEASE)).toEqual([]);
  });
  it('one edit (the helper called twice on the error path): a double unmap at the second call', () => {
    const text = mutate(
      RELEASE,
      '\t\tdemo_unmap_buf(dev, buf);\n\t\treturn -EIO;',
      '\t\tdemo_unmap_buf(dev, buf);\n\t\tdemo_unmap_buf(dev, buf);\n\t\treturn -EIO;',
    );
    expect(findings(text, 'dma-double-unmap')).toEqual([
      `dma-double-unmap ${lineOf(text, '\t\tdemo_unmap_buf(dev, buf);\n\t\treturn -EIO;')}`,
    ]);
  });
  it('one edit (the helper unmaps with another direction): the mismatch is reported at the call', () => {
    const text = mutate(
      RELEASE,
      'dma_unmap_single(dev, buf->dma, buf->len, DMA_TO_DEVICE);',
      'dma_unmap_single(dev, buf->dma, buf->len, DMA_FROM_DEVICE);',
    );
    expect(findings(text, 'dma-unmap-mismatch')).toEqual([
      `dma-unmap-mismatch ${lineOf(text, '\t\tdemo_unmap_buf(dev, buf);')}`,
      `dma-unmap-mismatch ${lineOf(text, '\tdemo_unmap_buf(dev, buf);\n\treturn 0;')}`,
    ]);
  });
});

/** Shaped like mm/gup_test.c pin_longterm_test_start() (6.12). */
const PUBLISHED = `#include <linux/mm.h>

static struct page **test_pages;
static unsigned long test_nr_pages;

static void test_stop(void)
{
	if (test_pages) {
		unpin_user_pages(test_pages, test_nr_pages);
		kvfree(test_pages);
		test_pages = NULL;
	}
}

static int test_start(unsigned long addr, unsigned long nr_pages)
{
	struct page **pages;
	long cur;
	int ret = 0;

	pages = kvcalloc(nr_pages, sizeof(void *), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	test_pages = pages;
	test_nr_pages = 0;
	cur = pin_user_pages_fast(addr, nr_pages, FOLL_LONGTERM, pages);
	if (cur < 0) {
		test_stop();
		return cur;
	}
	test_nr_pages = cur;
	return ret;
}
`;

describe('an array published in a global before the pin (gup_test pin_longterm_test_start)', () => {
  it('near miss: the pins belong to the global, which test_stop() releases', () => {
    expect(findings(PUBLISHED, 'missing-release')).toEqual([]);
  });
  it('one edit (the array published nowhere): the pins leak at the success return', () => {
    const text = mutate(PUBLISHED, '\ttest_pages = pages;\n', '');
    expect(findings(text, 'missing-release')).toEqual([`missing-release ${lineOf(text, '\treturn ret;')}`]);
  });
});

/** Shaped like drivers/iommu/exynos-iommu.c exynos_iommu_domain_alloc_paging() (6.12). */
const REBUILT = `#include <linux/dma-mapping.h>

struct demo_domain {
	u32 *pgtable;
	struct iommu_domain domain;
};

static struct iommu_domain *demo_domain_alloc(struct device *dma_dev)
{
	struct demo_domain *domain;
	dma_addr_t handle;

	domain = kzalloc(sizeof(*domain), GFP_KERNEL);
	if (!domain)
		return NULL;
	domain->pgtable = iommu_alloc_pages(GFP_KERNEL, 2);
	if (!domain->pgtable)
		goto err_pgtable;
	handle = dma_map_single(dma_dev, domain->pgtable, SZ_16K, DMA_TO_DEVICE);
	if (dma_mapping_error(dma_dev, handle))
		goto err_map;
	return &domain->domain;

err_map:
	iommu_free_pages(domain->pgtable, 2);
err_pgtable:
	kfree(domain);
	return NULL;
}
`;

describe('a handle rebuilt later from the buffer of the object returned (exynos-iommu)', () => {
  it('near miss: the mapped table lives in the domain returned; its free rebuilds the handle', () => {
    expect(findings(REBUILT, 'dma-mapping-leak')).toEqual([]);
  });
  it('one edit (an error returned instead of the domain): the mapping leaks there', () => {
    const text = mutate(REBUILT, '\treturn &domain->domain;', '\treturn ERR_PTR(-EBUSY);');
    expect(findings(text, 'dma-mapping-leak')).toEqual([
      `dma-mapping-leak ${lineOf(text, '\treturn ERR_PTR(-EBUSY);')}`,
    ]);
  });
});
