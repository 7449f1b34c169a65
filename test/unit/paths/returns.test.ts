/**
 * Return classification: the status of each path's return (error, success, unknown, void), the
 * kernel's `if (ret) return ret;` convention, `?:` returns, NULL from a pointer function, and
 * falling off the end.
 */
import { describe, expect, it } from 'vitest';
import { cFile, issuesText, pathsOf, pathsText } from './support';

describe('returns', () => {
  it('`return pinned < 0 ? pinned : -EFAULT` is an error under every outcome, so the pin leaks', () => {
    const src = cFile(`
static int ternary_status(unsigned long addr, struct page **pages)
{
	long pinned = pin_user_pages_fast(addr, 1, 0, pages);

	return pinned < 0 ? pinned : -EFAULT;
}`);
    const paths = pathsOf(src, 'ternary_status');
    expect(issuesText(paths, src)).toEqual([
      'leak pin_user_pages_fast@6: return pinned < 0 ? pinned : -EFAULT (error) [neg,full]',
    ]);
    expect(pathsText(paths)).toEqual(['pin_user_pages_fast(1, 0) | return pinned < 0 ? pinned : -EFAULT => error']);
  });

  it('`if (ret) return ret;` is unknown by value but an error by convention', () => {
    const src = cFile(`
static int tested_as_error(unsigned long addr)
{
	int ret = demo_prepare();
	struct page *local[4];
	int got;

	if (ret)
		return ret;
	got = pin_user_pages_fast(addr, 4, 0, local);
	if (got != 4)
		return -EFAULT;
	unpin_user_pages(local, 4);
	return 0;
}`);
    const paths = pathsOf(src, 'tested_as_error');
    expect(pathsText(paths)).toEqual([
      'ret: true | return ret => unknown, an error by convention',
      'ret: false | pin_user_pages_fast(4, 0) | got != 4: true | return -EFAULT => error',
      'ret: false | pin_user_pages_fast(4, 0) | got != 4: false | unpin_user_pages(local, 4) | return 0 => success',
    ]);
    expect(issuesText(paths, src)).toEqual([
      'leak pin_user_pages_fast@12: return -EFAULT (error) decided by got != 4: true [neg,zero,partial]',
    ]);
  });

  it('NULL from a function returning a pointer is an error; returning the page hands it to the caller', () => {
    const src = cFile(`
static struct page *returns_pointer(unsigned long addr)
{
	struct page *page;

	if (get_user_pages_fast(addr, 1, 0, &page) != 1)
		return NULL;
	return page;
}`);
    const paths = pathsOf(src, 'returns_pointer');
    expect(pathsText(paths)).toEqual([
      'get_user_pages_fast(1, 0) | get_user_pages_fast(addr, 1, 0, &page) != 1: true | return NULL => error',
      'get_user_pages_fast(1, 0) | get_user_pages_fast(addr, 1, 0, &page) != 1: false | returned | return page => unknown',
    ]);
    expect(issuesText(paths, src)).toEqual([]);
  });

  it('a void function ends its paths with `end of function`', () => {
    const src = cFile(`
static void void_end(unsigned long addr, int nr)
{
	struct page *local[8];
	int got = pin_user_pages_fast(addr, nr, 0, local);

	if (got > 0)
		unpin_user_pages(local, got);
}`);
    const paths = pathsOf(src, 'void_end');
    expect(pathsText(paths)).toEqual([
      'pin_user_pages_fast(nr, 0) | got > 0: true | unpin_user_pages(local, got) | end of function => void',
      'pin_user_pages_fast(nr, 0) | got > 0: false | end of function => void',
    ]);
    expect(issuesText(paths, src)).toEqual([]);
  });
});
