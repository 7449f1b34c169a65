/**
 * The page transfer: acquires take pages (outcomes neg/zero/partial/full), releases give them
 * back (counts compared with what the path holds), uses and hand-offs, and the leak at the exit.
 * Each case is a small C function parsed for real; the issues and paths are compared exactly.
 */
import { describe, expect, it } from 'vitest';
import { cFile, issuesText, pathsOf, pathsText, resourcesText } from './support';

describe('page operations on a path', () => {
  it('a short pin returned as an error without unpinning leaks, decided by the count test', () => {
    const src = cFile(`
static int leak_on_short(unsigned long addr, int nr, struct page **pages)
{
	int ret;

	ret = pin_user_pages_fast(addr, nr, FOLL_WRITE, pages);
	if (ret < 0)
		return ret;
	if (ret != nr)
		return -EFAULT;
	unpin_user_pages(pages, nr);
	return 0;
}`);
    const paths = pathsOf(src, 'leak_on_short');
    expect(issuesText(paths, src)).toEqual([
      'leak pin_user_pages_fast@8: return -EFAULT (error) decided by ret != nr: true [zero,partial]',
    ]);
    expect(pathsText(paths)).toEqual([
      'pin_user_pages_fast(nr, FOLL_WRITE) | ret < 0: true | return ret => error',
      'pin_user_pages_fast(nr, FOLL_WRITE) | ret < 0: false | ret != nr: true | return -EFAULT => error',
      'pin_user_pages_fast(nr, FOLL_WRITE) | ret < 0: false | ret != nr: false | unpin_user_pages(pages, nr) | return 0 => success',
    ]);
    expect(paths.paths.map(resourcesText)).toEqual([
      ['pin_user_pages_fast neg held'],
      ['pin_user_pages_fast zero,partial held'],
      ['pin_user_pages_fast full released'],
    ]);
    expect({ partial: paths.partial, steps: paths.steps }).toEqual({ partial: false, steps: 12 });
  });

  it('a second release of the same array is a double release pointing at the first', () => {
    const src = cFile(`
static void released_twice(unsigned long addr, struct page **pages)
{
	int n = get_user_pages_fast(addr, 4, 0, pages);

	if (n <= 0)
		return;
	release_pages(pages, n);
	release_pages(pages, n);
}`);
    const paths = pathsOf(src, 'released_twice');
    expect(issuesText(paths, src)).toEqual([
      'double-release get_user_pages_fast@6: release_pages(pages, n) after release_pages(pages, n) decided by n <= 0: false [partial,full]',
    ]);
    expect(pathsText(paths)).toEqual([
      'get_user_pages_fast(4, 0) | n <= 0: true | return => void',
      'get_user_pages_fast(4, 0) | n <= 0: false | release_pages(pages, n) | release_pages(pages, n) | end of function => void',
    ]);
  });

  it('unpinning the requested count where fewer may have been pinned is a count mismatch', () => {
    const src = cFile(`
static int count_on_partial(unsigned long addr, int nr, struct page **pages)
{
	int got = pin_user_pages_fast(addr, nr, 0, pages);

	if (got < 0)
		return got;
	if (got < nr) {
		unpin_user_pages(pages, nr);
		return -EFAULT;
	}
	unpin_user_pages(pages, got);
	return 0;
}`);
    const paths = pathsOf(src, 'count_on_partial');
    expect(issuesText(paths, src)).toEqual([
      'count-mismatch pin_user_pages_fast@6: unpin_user_pages(pages, nr) count nr decided by got < nr: true [zero,partial]',
    ]);
    expect(paths.paths.map(resourcesText)).toEqual([
      ['pin_user_pages_fast neg held'],
      ['pin_user_pages_fast zero,partial released'],
      ['pin_user_pages_fast full released'],
    ]);
  });

  it('releasing the result where it can only be -errno is a negative count', () => {
    const src = cFile(`
static void negative_count(unsigned long addr, int nr, struct page **pages)
{
	int got = pin_user_pages_fast(addr, nr, 0, pages);

	if (got < 0)
		unpin_user_pages(pages, got);
}`);
    const paths = pathsOf(src, 'negative_count');
    expect(issuesText(paths, src)).toEqual([
      'negative-count pin_user_pages_fast@6: unpin_user_pages(pages, got) count got decided by got < 0: true [neg]',
    ]);
    // `pages` is the caller's array: on the success path the pages leave with it (no leak).
    expect(paths.paths.map(resourcesText)).toEqual([
      ['pin_user_pages_fast neg released'],
      ['pin_user_pages_fast zero,partial,full held'],
    ]);
  });

  it('mapping a page after the whole array was unpinned is a use after release', () => {
    const src = cFile(`
static int used_after_release(unsigned long addr)
{
	struct page *local[2];
	int got = pin_user_pages_fast(addr, 2, 0, local);
	void *p;

	if (got != 2)
		return -EFAULT;
	unpin_user_pages(local, 2);
	p = kmap_local_page(local[0]);
	kunmap_local(p);
	return 0;
}`);
    const paths = pathsOf(src, 'used_after_release');
    expect(issuesText(paths, src)).toEqual([
      'leak pin_user_pages_fast@7: return -EFAULT (error) decided by got != 2: true [neg,zero,partial]',
      'use-after-release pin_user_pages_fast@7: kmap_local_page(…) — CPU access to the data after unpin_user_pages(local, 2) decided by got != 2: false [partial,full]',
    ]);
  });

  it('an element released one at a time may be used again: no use-after-release', () => {
    const src = cFile(`
static int element_release(unsigned long addr, struct page **pages)
{
	int got = pin_user_pages_fast(addr, 1, 0, pages);
	void *p;

	if (got != 1)
		return -EFAULT;
	unpin_user_page(pages[0]);
	p = kmap_local_page(pages[0]);
	kunmap_local(p);
	return 0;
}`);
    const paths = pathsOf(src, 'element_release');
    expect(issuesText(paths, src)).toEqual([]);
    expect(pathsText(paths)[1]).toBe(
      'pin_user_pages_fast(1, 0) | got != 1: false | unpin_user_page(pages[0]) | kmap_local_page(…) — CPU access to the data | return 0 => success',
    );
  });

  it('pages put in a scatterlist are handed off (escaped), and a NULL pages argument takes nothing', () => {
    const src = cFile(`
static int handed_to_sg(struct scatterlist *sg, unsigned long addr, struct page **pages)
{
	int got = pin_user_pages_fast(addr, 1, 0, pages);

	if (got != 1)
		return -EFAULT;
	sg_set_page(sg, pages[0], PAGE_SIZE, 0);
	return 0;
}

static long prefault_only(unsigned long addr, int nr)
{
	return get_user_pages(addr, nr, FOLL_WRITE, NULL);
}`);
    const sg = pathsOf(src, 'handed_to_sg');
    expect(issuesText(sg, src)).toEqual([]);
    expect(sg.paths.map(resourcesText)).toEqual([
      ['pin_user_pages_fast neg held'],
      ['pin_user_pages_fast full escaped'],
    ]);
    expect(pathsText(sg)[1]).toBe(
      'pin_user_pages_fast(1, 0) | got != 1: false | sg_set_page(…) — handed to DMA | return 0 => success',
    );
    const prefault = pathsOf(src, 'prefault_only');
    expect(prefault.resources).toEqual([]);
    expect(pathsText(prefault)).toEqual([
      'get_user_pages(…) — no pages argument, nothing taken | return get_user_pages(addr, nr, FOLL_WRITE, NU… => unknown',
    ]);
  });
});
