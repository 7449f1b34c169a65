/**
 * The DMA transfer: maps and allocations are resources; checks, uses, unmaps, frees, pool
 * destroys and syncs act on them; every unmap/free/sync remembers the maps it met (dmaPairs).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cFile, issuesText, pathsOf, pathsText, resourcesText } from './support';
import { LEAK_ON_ERROR } from './fixtures';

describe('DMA operations on a path', () => {
  it('a handle stored before any dma_mapping_error() check is an unchecked use', () => {
    const src = cFile(`
static int unchecked_use(struct device *dev, void *buf, size_t len, struct demo_desc *desc)
{
	dma_addr_t addr = dma_map_single(dev, buf, len, DMA_TO_DEVICE);

	desc->addr = addr;
	return 0;
}`);
    const paths = pathsOf(src, 'unchecked_use');
    expect(issuesText(paths, src)).toEqual(['dma-unchecked dma_map_single@6: DMA handle stored [zero,full]']);
    expect(pathsText(paths)).toEqual([
      'dma_map_single(dev, buf, len, DMA_TO_DEVICE) | DMA handle stored | return 0 => success',
    ]);
    expect(paths.paths.map(resourcesText)).toEqual([['dma_map_single zero,full escaped']]);
  });

  it('an error return between map and unmap leaks the mapping; the unmap is paired with the map', () => {
    const src = LEAK_ON_ERROR;
    const paths = pathsOf(src, 'leak_on_error');
    expect(issuesText(paths, src)).toEqual([
      'leak dma_map_single@6: return -EIO (error) decided by dma_mapping_error(dev, addr): false [full]',
    ]);
    expect(pathsText(paths)).toEqual([
      'dma_map_single(dev, buf, len, DMA_TO_DEVICE) | dma_mapping_error(dev, addr) | dma_mapping_error(dev, addr): true | return -ENOMEM => error',
      'dma_map_single(dev, buf, len, DMA_TO_DEVICE) | dma_mapping_error(dev, addr) | dma_mapping_error(dev, addr): false | demo_start(dev): true | return -EIO => error',
      'dma_map_single(dev, buf, len, DMA_TO_DEVICE) | dma_mapping_error(dev, addr) | dma_mapping_error(dev, addr): false | demo_start(dev): false | dma_unmap_single(dev, addr, len, DMA_TO_DEVICE) | return 0 => success',
    ]);
    expect([...paths.dmaPairs].map(([op, maps]) => `${op.name} <- ${[...maps].map((m) => m.name).join(',')}`)).toEqual([
      'dma_unmap_single <- dma_map_single',
    ]);
  });

  it('a second unmap is a double unmap, and it is recorded as meeting no live map', () => {
    const src = cFile(`
static void unmapped_twice(struct device *dev, void *buf, size_t len)
{
	dma_addr_t addr = dma_map_single(dev, buf, len, DMA_FROM_DEVICE);

	if (dma_mapping_error(dev, addr))
		return;
	dma_unmap_single(dev, addr, len, DMA_FROM_DEVICE);
	dma_unmap_single(dev, addr, len, DMA_FROM_DEVICE);
}`);
    const paths = pathsOf(src, 'unmapped_twice');
    expect(issuesText(paths, src)).toEqual([
      'double-release dma_map_single@6: dma_unmap_single(dev, addr, len, DMA_FROM_DEVICE) after dma_unmap_single(dev, addr, len, DMA_FROM_DEVICE) decided by dma_mapping_error(dev, addr): false [full]',
    ]);
    expect([...paths.dmaPairs.values()].map((maps) => maps.size)).toEqual([1, 0]);
  });

  it('destroying a pool while a block from it is held on a path is a pool leak (examples/dma-pool-leak.c)', () => {
    const src = readFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'dma-pool-leak.c'), 'utf8');
    const paths = pathsOf(src, 'demo_selftest');
    expect(issuesText(paths, src)).toEqual([
      'pool-leak dma_pool_alloc@18: dma_pool_destroy(pool) decided by !block: false [full]',
    ]);
    expect(paths.paths.map(resourcesText)).toEqual([
      ['dma_pool_create zero held'],
      ['dma_pool_create full released', 'dma_pool_alloc zero held'],
      ['dma_pool_create full released', 'dma_pool_alloc full escaped'],
      ['dma_pool_create full released', 'dma_pool_alloc full released'],
    ]);
    expect(paths.steps).toBe(29);
  });

  it('coherent memory reaching kfree() on a path where it is coherent memory is a wrong free', () => {
    const src = cFile(`
static void coherent_kfreed(struct device *dev, bool small)
{
	dma_addr_t dma;
	void *buf;

	if (small)
		buf = kmalloc(64, GFP_KERNEL);
	else
		buf = dma_alloc_coherent(dev, 4096, &dma, GFP_KERNEL);
	if (!buf)
		return;
	demo_fill(buf);
	kfree(buf);
}`);
    const paths = pathsOf(src, 'coherent_kfreed');
    expect(issuesText(paths, src)).toEqual([
      'wrong-free dma_alloc_coherent@12: DMA handle passed to kfree() decided by !buf: false [full]',
    ]);
    expect(pathsText(paths)[2]).toBe(
      'small: false | dma_alloc_coherent(dev, 4096, &dma, GFP_KERNEL) | !buf: false | DMA handle passed to demo_fill() | DMA handle passed to kfree() | end of function => void',
    );
  });

  it('an unmap after two exclusive maps meets both of them', () => {
    const src = cFile(`
static void paired(struct device *dev, void *a, void *b, size_t len, bool same)
{
	dma_addr_t h;

	if (same)
		h = dma_map_single(dev, a, len, DMA_BIDIRECTIONAL);
	else
		h = dma_map_single(dev, b, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, h))
		return;
	demo_go(h);
	dma_unmap_single(dev, h, len, DMA_BIDIRECTIONAL);
}`);
    const paths = pathsOf(src, 'paired');
    expect(issuesText(paths, src)).toEqual([]);
    expect([...paths.dmaPairs].map(([op, maps]) => [op.name, [...maps].map((m) => m.dir)])).toEqual([
      ['dma_unmap_single', ['DMA_BIDIRECTIONAL', 'DMA_TO_DEVICE']],
    ]);
  });

  it('mapping the same handle again detaches the first mapping, which then leaks on both exits', () => {
    const src = cFile(`
static int remapped(struct device *dev, void *a, void *b, size_t len)
{
	dma_addr_t h = dma_map_single(dev, a, len, DMA_TO_DEVICE);

	if (dma_mapping_error(dev, h))
		return -ENOMEM;
	h = dma_map_single(dev, b, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, h))
		return -ENOMEM;
	dma_unmap_single(dev, h, len, DMA_TO_DEVICE);
	return 0;
}`);
    const paths = pathsOf(src, 'remapped');
    expect(issuesText(paths, src)).toEqual([
      'leak dma_map_single@6: return -ENOMEM (error) decided by dma_mapping_error(dev, h): false [full]',
      'leak dma_map_single@6: return 0 (success) decided by dma_mapping_error(dev, h): false [full]',
    ]);
    expect(paths.paths.map(resourcesText)[2]).toEqual(['dma_map_single full held', 'dma_map_single full released']);
  });
});
