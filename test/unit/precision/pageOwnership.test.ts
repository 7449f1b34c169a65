/**
 * Issue 11, missing-release: pages that are released, or owned, where the function does not show
 * it in so many words. Each shape comes from a wrong finding on Linux 6.12 — the epilogue of
 * block/bio.c's __bio_iov_iter_get_pages() (bio_release_page() on every page not added to the bio),
 * vfio_iommu_type1.c's release by page frame number (put_pfn() of the pfn vaddr_get_pfns() wrote
 * out), iommufd's pfn_reader (pins kept in the reader, undone by its destroy) — with a near miss
 * that must stay silent and a one-edit mutation that must fire.
 */
import { describe, expect, it } from 'vitest';
import { findings, lineOf, mutate } from './support';

/** Shaped like block/bio.c __bio_iov_iter_get_pages() (6.12), with pin_user_pages_fast(). */
const EPILOGUE = `#include <linux/mm.h>
#include <linux/bio.h>

static int demo_add_pages(struct bio *bio, unsigned long uaddr, int nr_pages)
{
	struct bio_vec *bv = bio->bi_io_vec + bio->bi_vcnt;
	struct page **pages = (struct page **)bv;
	unsigned int i = 0;
	int ret = 0;
	int got;

	got = pin_user_pages_fast(uaddr, nr_pages, FOLL_WRITE, pages);
	if (got <= 0)
		return got ? got : -EFAULT;
	if (demo_bio_full(bio)) {
		ret = -EFAULT;
		goto out;
	}
	for (i = 0; i < got; i++) {
		if (bio_add_page(bio, pages[i], PAGE_SIZE, 0) != PAGE_SIZE) {
			ret = -EIO;
			break;
		}
	}
out:
	while (i < got)
		bio_release_page(bio, pages[i++]);
	return ret;
}
`;

describe('an epilogue that releases every page not added to the bio (block/bio.c)', () => {
  it('near miss: the pages not handed to the bio are released one by one by a release helper', () => {
    // `pages` lives in the bio's vector (`bio->bi_io_vec`, a field whose name says nothing).
    expect(findings(EPILOGUE, 'missing-release')).toEqual([]);
  });
  it('one edit (the short result returns instead of going to the epilogue): reported', () => {
    const text = mutate(EPILOGUE, 'ret = -EFAULT;\n\t\tgoto out;', 'return -EFAULT;');
    expect(findings(text, 'missing-release')).toEqual([`missing-release ${lineOf(text, 'return -EFAULT;')}`]);
  });
});

/** The remainder of a partly handed-off array released with a loop that does not start at 0. */
const REMAINDER = `#include <linux/mm.h>
#include <linux/bio.h>

static int demo_fill(struct bio *bio, unsigned long uaddr, int nr)
{
	struct page *pages[16];
	int n, i, got;

	got = get_user_pages_fast(uaddr, nr, 0, pages);
	if (got < 0)
		return got;
	n = 0;
	if (demo_bio_ready(bio))
		for (n = 0; n < got; n++)
			if (!bio_add_page(bio, pages[n], PAGE_SIZE, 0))
				break;
	if (n < got) {
		for (i = n; i < got; i++)
			put_page(pages[i]);
		return -EIO;
	}
	return 0;
}
`;

describe('a release loop over the remainder pages[n..nr) after pages[0..n) went to the bio', () => {
  it('near miss: silent', () => {
    expect(findings(REMAINDER, 'missing-release')).toEqual([]);
  });
  it('one edit (the pages are not given to the bio): the path that kept them all leaks them', () => {
    const text = mutate(REMAINDER, 'bio_add_page(bio, pages[n], PAGE_SIZE, 0)', 'demo_bio_room(bio)');
    expect(findings(text, 'missing-release')).toEqual([`missing-release ${lineOf(text, 'return 0;')}`]);
  });
});

/** Shaped like drivers/vfio/vfio_iommu_type1.c (vaddr_get_pfns, put_pfn, vfio_pin_page_external; 6.12). */
const BY_PFN = `#include <linux/mm.h>

static int demo_put_pfn(unsigned long pfn, int prot)
{
	struct page *page = pfn_to_page(pfn);

	unpin_user_pages_dirty_lock(&page, 1, prot & 1);
	return 1;
}

static int demo_get_pfns(struct mm_struct *mm, unsigned long vaddr, long npages,
			 unsigned long *pfn, struct page **pages)
{
	int ret;

	mmap_read_lock(mm);
	ret = pin_user_pages_remote(mm, vaddr, npages, FOLL_WRITE | FOLL_LONGTERM, pages, NULL);
	if (ret > 0)
		*pfn = page_to_pfn(pages[0]);
	mmap_read_unlock(mm);
	return ret;
}

static int demo_pin_page_external(struct demo_dma *dma, unsigned long vaddr,
				  unsigned long *pfn_base, bool do_accounting)
{
	struct page *pages[1];
	int ret;

	ret = demo_get_pfns(dma->mm, vaddr, 1, pfn_base, pages);
	if (ret != 1)
		goto out;
	ret = 0;
	if (do_accounting && demo_lock_acct(dma, 1)) {
		ret = -ENOMEM;
		demo_put_pfn(*pfn_base, dma->prot);
	}
out:
	return ret;
}
`;

describe('a release by page frame number through a same-file helper (vfio put_pfn)', () => {
  it('near miss: put_pfn() of the pfn the pinning helper wrote out releases the pin', () => {
    expect(findings(BY_PFN, 'missing-release')).toEqual([]);
  });
  it('one edit (the accounting failure does not put the pfn): reported', () => {
    const text = mutate(BY_PFN, 'demo_put_pfn(*pfn_base, dma->prot);', 'pr_warn("no accounting\\n");');
    expect(findings(text, 'missing-release')).toEqual([`missing-release ${lineOf(text, 'out:\n\treturn ret;') + 1}`]);
  });
});

/**
 * The page's identity kept through a variable derived from another (`phys = pfn << PAGE_SHIFT`, pfn
 * from page_to_pfn()): storing it hands the pinned page on. (derivedPageOf's pre-check on the text
 * must let a derived alias through, not only a page-identity call's name.)
 */
const DERIVED_CHAIN = `#include <linux/mm.h>

struct demo {
	unsigned long phys;
};

static int demo_pin(struct demo *d, unsigned long uaddr)
{
	struct page *page;
	unsigned long pfn, phys;
	int ret;

	ret = pin_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_LONGTERM, &page);
	if (ret != 1)
		return -EFAULT;
	pfn = page_to_pfn(page);
	phys = pfn << PAGE_SHIFT;
	d->phys = phys;
	return 0;
}
`;

describe('a pinned page handed on through a chain of derived identities', () => {
  it("near miss: storing phys, derived from the page's pfn, keeps the pin in the object", () => {
    expect(findings(DERIVED_CHAIN, 'missing-release')).toEqual([]);
  });
  it('one edit (0 stored instead): reported', () => {
    const text = mutate(DERIVED_CHAIN, 'd->phys = phys;', 'd->phys = 0;');
    expect(findings(text, 'missing-release')).toEqual([`missing-release ${lineOf(text, 'return 0;')}`]);
  });
});

/** Shaped like drivers/iommu/iommufd/pages.c (pfn_reader_user_pin, pfn_reader_next, pfn_reader_destroy; 6.12). */
const READER = `#include <linux/mm.h>

struct demo_reader {
	struct page **upages;
	unsigned long upages_end;
	unsigned long total;
};

static int demo_reader_pin(struct demo_reader *reader, unsigned long uptr, unsigned long npages)
{
	long rc;

	rc = pin_user_pages_fast(uptr, npages, FOLL_LONGTERM, reader->upages);
	if (rc <= 0)
		return rc ? rc : -EFAULT;
	reader->upages_end = rc;
	return 0;
}

static int demo_reader_next(struct demo_reader *reader, unsigned long uptr, unsigned long npages)
{
	int rc;

	rc = demo_reader_pin(reader, uptr, npages);
	if (rc)
		return rc;
	if (WARN_ON(!reader->total))
		return -EINVAL;
	return 0;
}

static void demo_reader_destroy(struct demo_reader *reader)
{
	unpin_user_pages(reader->upages, reader->upages_end);
	kfree(reader->upages);
}

static int demo_reader_first(struct demo_reader *reader, unsigned long uptr, unsigned long npages)
{
	int rc;

	rc = demo_reader_next(reader, uptr, npages);
	if (rc) {
		demo_reader_destroy(reader);
		return rc;
	}
	return 0;
}
`;

describe('pins a helper put into the caller-owned reader, which has a destroy (iommufd pfn_reader)', () => {
  it('near miss: an error after the pinning helper succeeded leaves the pins to the reader', () => {
    expect(findings(READER, 'missing-release')).toEqual([]);
  });
  it('one edit (nothing in the file releases the reader’s pages): reported at the later error', () => {
    const text = mutate(READER, '\tunpin_user_pages(reader->upages, reader->upages_end);\n', '');
    expect(findings(text, 'missing-release')).toEqual([`missing-release ${lineOf(text, 'return -EINVAL;')}`]);
  });
  it('one edit (the function pins into the reader itself, then fails): reported, the pins are its own', () => {
    const text = mutate(
      READER,
      'rc = demo_reader_pin(reader, uptr, npages);\n\tif (rc)\n\t\treturn rc;',
      'rc = pin_user_pages_fast(uptr, npages, FOLL_LONGTERM, reader->upages);\n\tif (rc <= 0)\n\t\treturn rc ? rc : -EFAULT;',
    );
    expect(findings(text, 'missing-release')).toEqual([`missing-release ${lineOf(text, 'return -EINVAL;')}`]);
  });
});
