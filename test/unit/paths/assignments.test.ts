/**
 * Assignments: values bound to variables (`pinned += ret`), page variables re-pointed
 * (`page = wpage`), facts forgotten when a variable they read is assigned, and DMA keys detached
 * when a variable in them changes (`i++` in `ring[i].dma`).
 */
import { describe, expect, it } from 'vitest';
import { cFile, issuesText, pathsOf, pathsText, resourcesText } from './support';

describe('assignments', () => {
  it('`pinned = 0; pinned += ret;` is ret: the count test narrows the acquire', () => {
    const src = cFile(`
static int accumulate(unsigned long addr, int nr, struct page **pages)
{
	int ret, pinned = 0;

	ret = pin_user_pages_fast(addr, nr, 0, pages);
	if (ret < 0)
		return ret;
	pinned += ret;
	if (pinned != nr) {
		unpin_user_pages(pages, pinned);
		return -EFAULT;
	}
	return 0;
}`);
    const paths = pathsOf(src, 'accumulate');
    expect(paths.paths.map(resourcesText)).toEqual([
      ['pin_user_pages_fast neg held'],
      ['pin_user_pages_fast zero,partial released'],
      ['pin_user_pages_fast full held'],
    ]);
    expect(issuesText(paths, src)).toEqual([]);
  });

  it('`page = wpage; put_page(page);` releases the pages acquired into wpage', () => {
    const src = cFile(`
static int moved_page(unsigned long addr)
{
	struct page *wpage, *page;
	int ret = get_user_pages_fast(addr, 1, FOLL_WRITE, &wpage);

	if (ret != 1)
		return -EFAULT;
	page = wpage;
	put_page(page);
	return 0;
}`);
    const paths = pathsOf(src, 'moved_page');
    expect(pathsText(paths)).toEqual([
      'get_user_pages_fast(1, FOLL_WRITE) | ret != 1: true | return -EFAULT => error',
      'get_user_pages_fast(1, FOLL_WRITE) | ret != 1: false | put_page(page) | return 0 => success',
    ]);
    expect(paths.paths.map(resourcesText)[1]).toEqual(['get_user_pages_fast full released']);
  });

  it('assigning a variable forgets what the path decided about it: the second test splits again', () => {
    const src = cFile(`
static int forgotten(unsigned long addr, int nr, int sum)
{
	struct page **local = kcalloc(nr, sizeof(*local), GFP_KERNEL);
	int got = 0;

	if (sum == 1)
		got = pin_user_pages_fast(addr, nr, 0, local);
	sum = demo_next();
	if (sum == 1)
		unpin_user_pages(local, got);
	kfree(local);
	return 0;
}`);
    const paths = pathsOf(src, 'forgotten');
    expect(pathsText(paths)).toEqual([
      'sum == 1: true | pin_user_pages_fast(nr, 0) | sum == 1: true | unpin_user_pages(local, got) | return 0 => success',
      'sum == 1: true | pin_user_pages_fast(nr, 0) | sum == 1: false | return 0 => success',
      'sum == 1: false | sum == 1: true | unpin_user_pages(local, got) | return 0 => success',
    ]);
    // The fourth path (false, false) reaches `kfree` in the same state as the third: facts are not
    // part of a state's identity, so it is merged there and the third path stands for both.
  });

  it('a ring slot mapped in a loop: `i++` detaches `ring[i].dma`, so the next round is a new mapping', () => {
    const src = cFile(`
static int loop_once(struct device *dev, struct demo_ring *ring, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		ring[i].dma = dma_map_single(dev, ring[i].buf, 64, DMA_FROM_DEVICE);
		if (dma_mapping_error(dev, ring[i].dma))
			return -ENOMEM;
	}
	return 0;
}`);
    const paths = pathsOf(src, 'loop_once');
    expect(pathsText(paths)).toEqual([
      'i < n: true | dma_map_single(dev, ring[i].buf, 64, DMA_FROM_DEVICE) | dma_mapping_error(dev, ring[i].dma) | dma_mapping_error(dev, ring[i].dma): true | return -ENOMEM => error',
      'i < n: true | dma_map_single(dev, ring[i].buf, 64, DMA_FROM_DEVICE) | dma_mapping_error(dev, ring[i].dma) | dma_mapping_error(dev, ring[i].dma): false | i < n: false | return 0 => success',
      'i < n: false | return 0 => success',
    ]);
    expect(issuesText(paths, src)).toEqual([]);
  });
});
