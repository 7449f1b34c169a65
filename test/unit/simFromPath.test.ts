/**
 * Traces made from C paths (issue 11, "Also fix: simulation aliasing"): the same user address gives
 * the same pages, an acquire into an array overwrites what the array held, a one-page
 * dma_map_page() maps one page, and every step names what the code names — exact refcounts,
 * vmstat counters and dma-debug messages.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../core/fileAnalysis/analyzeFile';
import type { FileAnalysis } from '../../core/fileAnalysis/types';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { defaultParser } from '../../core/lint';
import { extractTraces, findFunction, simulateFunction, simulationTargets } from '../../core/sim/index';
import type { SimPath } from '../../core/sim/types';
import { printTrace } from '../../core/trace/print';

const version = parseKernelVersion('6.12') as KernelVersion;

function analyse(source: string): FileAnalysis {
  return analyzeFile(defaultParser().parse(source), version);
}

/** The trace of path `n` of `fn`, as `pinscope extract` prints its steps. */
function traceSteps(file: FileAnalysis, fn: string, n: number): string[] {
  const f = findFunction(file, fn);
  if (!f) throw new Error(`no ${fn}`);
  const p = extractTraces(file, f).paths.find((x) => x.index === n);
  if (!p) throw new Error(`no path ${n}`);
  return printTrace(p.trace)
    .split('\n')
    .filter((l) => l !== '' && !/^(#|(kernel|function|source)\b)/.test(l))
    .map((l) => l.replace(/\s+@\d+:\d+$/, ''));
}

function simulated(file: FileAnalysis, fn: string, n: number): SimPath {
  const p = simulateFunction(file, fn, { path: n }).paths[0];
  if (!p) throw new Error(`no path ${n} of ${fn}`);
  return p;
}

const refcounts = (p: SimPath): number[][] => p.steps.map((s) => s.pages.map((x) => x.refcount));

const PIN_TWICE = `
static int pin_twice(unsigned long addr, struct page **a, struct page **b)
{
	int ret;

	ret = pin_user_pages_fast(addr, 2, FOLL_WRITE, a);
	if (ret != 2)
		return -EFAULT;
	ret = pin_user_pages_fast(addr, 2, FOLL_WRITE, b);
	if (ret != 2) {
		unpin_user_pages(a, 2);
		return -EFAULT;
	}
	unpin_user_pages(a, 2);
	unpin_user_pages(b, 2);
	return 0;
}

static int pin_moving(unsigned long addr, struct page **a, struct page **b)
{
	int ret;

	ret = pin_user_pages_fast(addr, 2, FOLL_WRITE, a);
	if (ret != 2)
		return -EFAULT;
	addr += 2 * PAGE_SIZE;
	ret = pin_user_pages_fast(addr, 2, FOLL_WRITE, b);
	if (ret != 2) {
		unpin_user_pages(a, 2);
		return -EFAULT;
	}
	unpin_user_pages(a, 2);
	unpin_user_pages(b, 2);
	return 0;
}

static int overwrite(unsigned long addr1, unsigned long addr2)
{
	struct page *pages[2];
	int ret;

	ret = pin_user_pages_fast(addr1, 2, FOLL_WRITE, pages);
	if (ret != 2)
		return -EFAULT;
	ret = pin_user_pages_fast(addr2, 2, FOLL_WRITE, pages);
	if (ret != 2)
		return -EFAULT;
	unpin_user_pages(pages, 2);
	return 0;
}
`;

describe('the same user memory pinned twice', () => {
  const file = analyse(PIN_TWICE);

  it('two pins of one address and length take the same pages: 1 → 1025 → 2049, and back', () => {
    expect(traceSteps(file, 'pin_twice', 3)).toEqual([
      'pages 2 base',
      'pin_user_pages_fast nr=2 flags=FOLL_WRITE -> 2',
      'escape first=0 nr=2 to=a',
      'branch "ret != 2" false',
      'pin_user_pages_fast nr=2 flags=FOLL_WRITE -> 2',
      'escape first=0 nr=2 to=b',
      'branch "ret != 2" false',
      'unpin_user_pages first=0 nr=2',
      'unpin_user_pages first=0 nr=2',
      'return 0',
    ]);
    const p = simulated(file, 'pin_twice', 3);
    expect(refcounts(p)).toEqual([
      [1025, 1025],
      [1025, 1025],
      [1025, 1025],
      [2049, 2049],
      [2049, 2049],
      [2049, 2049],
      [1025, 1025],
      [1, 1],
      [1, 1],
    ]);
    expect(p.steps.map((s) => [s.vmstat.nr_foll_pin_acquired, s.vmstat.nr_foll_pin_released])).toEqual([
      [2, 0],
      [2, 0],
      [2, 0],
      [4, 0],
      [4, 0],
      [4, 0],
      [4, 2],
      [4, 4],
      [4, 4],
    ]);
    expect(p.outcome).toBe('clean');
  });

  it('a short second pin of the same pages leaks its prefix on the error path: page 0 stays at 1025', () => {
    const p = simulated(file, 'pin_twice', 2);
    expect(refcounts(p).at(-1)).toEqual([1025, 1]);
    expect(p.steps.at(-1)?.violations.map((v) => v.message)).toEqual([
      'returns an error (-EFAULT) with 1 pin still held on pages 0: they were handed to b, but a failing function must release what it took',
    ]);
  });

  it('near miss: an address assigned between the pins is other memory', () => {
    expect(traceSteps(file, 'pin_moving', 3).filter((l) => l.startsWith('pin_user_pages_fast'))).toEqual([
      'pin_user_pages_fast nr=2 flags=FOLL_WRITE -> 2',
      'pin_user_pages_fast first=2 nr=2 flags=FOLL_WRITE -> 2',
    ]);
    expect(refcounts(simulated(file, 'pin_moving', 3))[4]).toEqual([1025, 1025, 1025, 1025]);
  });
});

describe('an acquire into an array that holds pages', () => {
  const file = analyse(PIN_TWICE);

  it('overwrites it: the release frees the second pages, the first ones leak', () => {
    expect(traceSteps(file, 'overwrite', 3)).toEqual([
      'pages 4 base',
      'pin_user_pages_fast nr=2 flags=FOLL_WRITE -> 2',
      'branch "ret != 2" false',
      'pin_user_pages_fast first=2 nr=2 flags=FOLL_WRITE -> 2',
      'branch "ret != 2" false',
      'unpin_user_pages first=2 nr=2',
      'return 0',
    ]);
    const p = simulated(file, 'overwrite', 3);
    expect(refcounts(p).at(-1)).toEqual([1025, 1025, 1, 1]);
    expect(p.steps.at(-1)?.vmstat).toEqual({ nr_foll_pin_acquired: 4, nr_foll_pin_released: 2 });
    expect(p.steps.at(-1)?.violations.map((v) => v.message)).toEqual([
      'returns with 2 pins still held on pages 0–1 and nothing owning them: nr_foll_pin_acquired − nr_foll_pin_released stays 2',
    ]);
  });
});

const DMA = `
static int map_each(struct device *dev, unsigned long addr, struct page **pages, dma_addr_t *dma)
{
	int ret, i;

	ret = pin_user_pages_fast(addr, 4, FOLL_WRITE, pages);
	if (ret != 4)
		return -EFAULT;
	for (i = 0; i < 4; i++) {
		dma[i] = dma_map_page(dev, pages[i], 0, PAGE_SIZE, DMA_FROM_DEVICE);
		if (dma_mapping_error(dev, dma[i]))
			goto err;
	}
	return 0;
err:
	unpin_user_pages(pages, 4);
	return -ENOMEM;
}

static int map_two(struct device *dev, unsigned long addr, struct page **pages)
{
	dma_addr_t a, b;
	int ret;

	ret = pin_user_pages_fast(addr, 4, FOLL_WRITE, pages);
	if (ret != 4)
		return -EFAULT;
	a = dma_map_page(dev, pages[0], 0, PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, a))
		goto err;
	b = dma_map_page(dev, pages[2], 0, 2 * PAGE_SIZE, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, b))
		goto err_a;
	dma_unmap_page(dev, b, 2 * PAGE_SIZE, DMA_FROM_DEVICE);
	dma_unmap_page(dev, a, PAGE_SIZE, DMA_FROM_DEVICE);
	unpin_user_pages_dirty_lock(pages, 4, true);
	return 0;
err_a:
	dma_unmap_page(dev, a, PAGE_SIZE, DMA_FROM_DEVICE);
err:
	unpin_user_pages(pages, 4);
	return -ENOMEM;
}

static dma_addr_t map_out(struct device *dev, void *buf, dma_addr_t *out)
{
	dma_addr_t addr = dma_map_single(dev, buf, 64, DMA_TO_DEVICE);

	if (dma_mapping_error(dev, addr))
		return 0;
	*out = addr;
	return addr;
}

static dma_addr_t map_ret(struct device *dev, void *buf)
{
	dma_addr_t addr = dma_map_single(dev, buf, 64, DMA_TO_DEVICE);

	if (dma_mapping_error(dev, addr))
		return 0;
	return addr;
}
`;

describe('dma_map_page() of user pages', () => {
  const file = analyse(DMA);

  it('maps the one page it is given, not the whole pinned buffer', () => {
    const steps = traceSteps(file, 'map_each', 3);
    expect(steps.filter((l) => l.startsWith('dma_map_page'))).toEqual([
      'dma_map_page id=dma[i] first=0 nr=1 size=4096 dir=DMA_FROM_DEVICE',
    ]);
    const p = simulated(file, 'map_each', 3);
    const mapped = p.steps.find((s) => s.call.startsWith('dma_map_page'));
    expect(mapped?.dma?.mappings.map((m) => [m.id, m.size, m.pages])).toEqual([['dma[i]', 4096, [0]]]);
  });

  it('two pages of one buffer mapped separately do not overlap: no dma-debug error at all', () => {
    expect(traceSteps(file, 'map_two', 4).filter((l) => l.startsWith('dma_map_page'))).toEqual([
      'dma_map_page id=a first=0 nr=1 size=4096 dir=DMA_FROM_DEVICE',
      'dma_map_page id=b first=2 nr=2 size=8192 dir=DMA_FROM_DEVICE',
    ]);
    const p = simulated(file, 'map_two', 4);
    expect(p.steps.flatMap((s) => s.violations)).toEqual([]);
    const both = p.steps.find((s) => s.dma?.mappings.length === 2);
    expect(both?.dma?.mappings.map((m) => [m.id, m.pages])).toEqual([
      ['a', [0]],
      ['b', [2, 3]],
    ]);
    expect(p.steps.at(-1)?.dma?.counters).toMatchObject({ error_count: 0, num_free_entries: 65536 });
    expect(p.steps.at(-1)?.pages.map((x) => [x.refcount, x.dirty])).toEqual([
      [1, true],
      [1, true],
      [1, true],
      [1, true],
    ]);
  });
});

describe('the words a trace from C uses', () => {
  it('a handle stored through a pointer is escaped to that lvalue; a returned one to the caller', () => {
    const file = analyse(DMA);
    const escapes = (fn: string): string[] => traceSteps(file, fn, 2).filter((l) => l.startsWith('escape'));
    expect(escapes('map_out')).toEqual(['escape id=addr to=*out']);
    expect(escapes('map_ret')).toEqual(['escape id=addr to=caller']);
  });

  it('no placeholder word in any step extracted from the examples', () => {
    const dir = path.join(__dirname, '..', '..', 'examples');
    const words: string[] = [];
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.c'))) {
      const file = analyse(readFileSync(path.join(dir, name), 'utf8'));
      for (const target of simulationTargets(file)) {
        const fn = findFunction(file, target.name);
        for (const p of fn ? extractTraces(file, fn).paths : [])
          for (const s of p.trace.steps) if (typeof s.args.to === 'string') words.push(s.args.to);
      }
    }
    expect(words.length).toBeGreaterThan(5);
    expect(words.filter((w) => /^(anobject|thecaller|afunction|an?[A-Z]|the[a-z])/.test(w))).toEqual([]);
  });
});
