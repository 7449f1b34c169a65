/**
 * The worklist core: loops run zero or one time, states that meet at a node merge (identical
 * ones at once; past a few, those differing only in variables), liveness keeps dead values from
 * splitting states, loops a path skipped excuse a mapping they would have consumed, and the
 * step budget cuts the enumeration short — saying so.
 */
import { describe, expect, it } from 'vitest';
import { enumeratePaths } from '../../../core/paths/engine';
import { STANDARD_TRANSFERS } from '../../../core/paths/transfer';
import { cFile, functionOf, issuesText, pathsOf, pathsText } from './support';
import { LEAK_ON_ERROR } from './fixtures';

const fourChoices = (use: string): string =>
  cFile(`
static int choices(unsigned long addr, struct page **pages, int a, int b, int c, int d)
{
	int x = 0, ret;

	if (a) x = 1;
	if (b) x = 2;
	if (c) x = 3;
	if (d) x = 4;
	${use}
	ret = pin_user_pages_fast(addr, 1, 0, pages);
	if (ret != 1)
		return -EFAULT;
	unpin_user_page(pages[0]);
	return 0;
}`);

describe('the path engine core', () => {
  it('sixteen ways through four unrelated ifs merge into one state when x is never read', () => {
    const paths = pathsOf(fourChoices(''), 'choices');
    expect(pathsText(paths)).toEqual([
      'a: true | b: true | c: true | d: true | pin_user_pages_fast(1, 0) | ret != 1: true | return -EFAULT => error',
      'a: true | b: true | c: true | d: true | pin_user_pages_fast(1, 0) | ret != 1: false | unpin_user_page(pages[0]) | return 0 => success',
    ]);
    expect(paths.steps).toBe(39);
  });

  it('when x is read later the values keep states apart until the read, then they merge', () => {
    const paths = pathsOf(fourChoices('demo_use(x);'), 'choices');
    expect(pathsText(paths)).toHaveLength(2);
    expect(paths.steps).toBe(44);
  });

  it('a loop that would have stored the mapping ran zero times on a path: no leak reported there', () => {
    const src = cFile(`
static int skipped_consumer(struct device *dev, struct demo_ring *ring, void *buf, int n)
{
	dma_addr_t dma = dma_map_single(dev, buf, 4096, DMA_TO_DEVICE);
	int i;

	if (dma_mapping_error(dev, dma))
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ring[i].dma = dma + i * 64;
	return 0;
}`);
    const paths = pathsOf(src, 'skipped_consumer');
    expect(pathsText(paths)).toEqual([
      'dma_map_single(dev, buf, 4096, DMA_TO_DEVICE) | dma_mapping_error(dev, dma) | dma_mapping_error(dev, dma): true | return -ENOMEM => error',
      'dma_map_single(dev, buf, 4096, DMA_TO_DEVICE) | dma_mapping_error(dev, dma) | dma_mapping_error(dev, dma): false | i < n: true | DMA handle stored | i < n: false | return 0 => success',
      'dma_map_single(dev, buf, 4096, DMA_TO_DEVICE) | dma_mapping_error(dev, dma) | dma_mapping_error(dev, dma): false | i < n: false | return 0 => success',
    ]);
    expect(issuesText(paths, src)).toEqual([]);
  });

  it('out of steps: the enumeration stops, keeps what it found, and says it is partial', () => {
    const src = fourChoices('demo_use(x);');
    const full = pathsOf(src, 'choices');
    const cut = pathsOf(src, 'choices', { maxSteps: 10, maxPaths: 256 });
    expect({ partial: cut.partial, steps: cut.steps, paths: cut.paths.length }).toEqual({
      partial: true,
      steps: 10,
      paths: 0,
    });
    expect(full.partial).toBe(false);
    const fewPaths = pathsOf(src, 'choices', { maxSteps: 40_000, maxPaths: 1 });
    expect({ partial: fewPaths.partial, paths: fewPaths.paths.length }).toEqual({ partial: true, paths: 1 });
  });

  it('runs the transfer modules it is given: without the DMA module, maps are not resources', () => {
    const src = LEAK_ON_ERROR;
    const fn = functionOf(src, 'leak_on_error');
    const withoutDma = enumeratePaths(
      fn,
      undefined,
      STANDARD_TRANSFERS.filter((m) => m.name !== 'dma'),
    );
    expect(withoutDma.resources).toEqual([]);
    expect(withoutDma.issues).toEqual([]);
    expect(pathsText(withoutDma)).toEqual(['dma_mapping_error(dev, addr): true | return -ENOMEM => error']);
    expect(issuesText(enumeratePaths(fn), src)).toEqual([
      'leak dma_map_single@6: return -EIO (error) decided by dma_mapping_error(dev, addr): false [full]',
    ]);
  });

  it('refuses two modules that claim the same kind of operation', () => {
    const fn = functionOf(fourChoices(''), 'choices');
    const pages = STANDARD_TRANSFERS.find((m) => m.name === 'pages');
    expect(() => enumeratePaths(fn, undefined, [...STANDARD_TRANSFERS, { ...pages, name: 'again' }])).toThrow(
      "two transfer modules handle 'acquire' operations",
    );
  });
});
