/**
 * Branches: a conditional edge narrows a resource's outcomes (or is infeasible), remembers the
 * conditions it decided (so a repeated test takes the same side), learns NULL-ness, and marks
 * releases it stepped around on an undecidable branch as "maybe released" (no certain leak).
 */
import { describe, expect, it } from 'vitest';
import { cFile, issuesText, pathsOf, pathsText, resourcesText } from './support';

describe('branches', () => {
  it('`a && gup(...) == nr` taken false: the call may not have run — its failure outcomes stay, the leak is certain', () => {
    const src = cFile(`
static int short_circuit(unsigned long addr, int nr, bool ok)
{
	struct page *local[8];

	if (ok && pin_user_pages_fast(addr, nr, 0, local) == nr) {
		unpin_user_pages(local, nr);
		return 0;
	}
	return -EFAULT;
}`);
    const paths = pathsOf(src, 'short_circuit');
    expect(issuesText(paths, src)).toEqual([
      'leak pin_user_pages_fast@8: return -EFAULT (error) decided by ok && pin_user_pages_fast(addr, nr, 0, local) == nr: false [neg,zero,partial]',
    ]);
    expect(paths.paths.map(resourcesText)).toEqual([
      ['pin_user_pages_fast full released'],
      ['pin_user_pages_fast neg,zero,partial held'],
    ]);
  });

  it('the same condition tested twice takes the same side: two paths, not four', () => {
    const src = cFile(`
static int same_test_twice(unsigned long addr, int nr, int sum)
{
	struct page **local = kcalloc(nr, sizeof(*local), GFP_KERNEL);
	int got = 0;

	if (sum == 1)
		got = pin_user_pages_fast(addr, nr, 0, local);
	if (sum == 1)
		unpin_user_pages(local, got);
	kfree(local);
	return 0;
}`);
    const paths = pathsOf(src, 'same_test_twice');
    expect(pathsText(paths)).toEqual([
      'sum == 1: true | pin_user_pages_fast(nr, 0) | sum == 1: true | unpin_user_pages(local, got) | return 0 => success',
      'sum == 1: false | sum == 1: false | return 0 => success',
    ]);
    expect(issuesText(paths, src)).toEqual([]);
  });

  it('a release stepped around on an undecidable branch is not a certain leak', () => {
    const src = cFile(`
static void guarded_release(unsigned long addr, int nr, bool keep)
{
	struct page **pvec = kcalloc(nr, sizeof(*pvec), GFP_KERNEL);
	int got = pin_user_pages_fast(addr, nr, 0, pvec);

	if (got <= 0)
		return;
	if (!keep)
		unpin_user_pages(pvec, got);
}`);
    const paths = pathsOf(src, 'guarded_release');
    expect(pathsText(paths)).toEqual([
      'pin_user_pages_fast(nr, 0) | got <= 0: true | return => void',
      'pin_user_pages_fast(nr, 0) | got <= 0: false | !keep: true | unpin_user_pages(pvec, got) | end of function => void',
      'pin_user_pages_fast(nr, 0) | got <= 0: false | !keep: false | end of function => void',
    ]);
    expect(paths.paths.map(resourcesText)[2]).toEqual(['pin_user_pages_fast partial,full held']);
    expect(issuesText(paths, src)).toEqual([]);
  });

  it('`!buf` taken false after an allocation: the path knows buf is not NULL, `if (buf)` has one side', () => {
    const src = cFile(`
static int null_checked(struct device *dev)
{
	dma_addr_t dma;
	void *buf;

	buf = dma_alloc_coherent(dev, 4096, &dma, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (buf)
		dma_free_coherent(dev, 4096, buf, dma);
	return 0;
}`);
    const paths = pathsOf(src, 'null_checked');
    expect(pathsText(paths)).toEqual([
      'dma_alloc_coherent(dev, 4096, &dma, GFP_KERNEL) | !buf: true | return -ENOMEM => error',
      'dma_alloc_coherent(dev, 4096, &dma, GFP_KERNEL) | !buf: false | buf: true | dma_free_coherent(dev, 4096, buf, dma) | return 0 => success',
    ]);
    expect(issuesText(paths, src)).toEqual([]);
  });
});
