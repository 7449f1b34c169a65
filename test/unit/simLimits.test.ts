/**
 * The simulation's bounds (issue 10): the reproducers of ../shared/repro as generated inputs, each
 * with its exact outcome — a clean error where a limit is reached, and work that is measured as a
 * count (entries dma-debug's lookups visit, page states recorded), never as wall time.
 */
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../core/fileAnalysis/analyzeFile';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { defaultParser } from '../../core/lint';
import {
  checkSimOptions,
  extractTraces,
  findFunction,
  formatStepTable,
  MAX_RECORDED_STATES,
  MAX_STEPS,
  simulateFunction,
  simulateTraceText,
  TraceLimitError,
} from '../../core/sim/index';
import { Machine, simulateTrace } from '../../core/sim/machine';
import type { Trace, TraceStep } from '../../core/trace/types';
import { traceFromJson } from '../../core/trace/print';

describe('long traces', () => {
  it(`${MAX_STEPS} steps simulate (no stack overflow), unchanged pages keep their state objects`, () => {
    const text = `kernel 6.12\npages 4 base\n${'get_page page=0\nput_page page=0\n'.repeat(MAX_STEPS / 2 - 1)}get_page page=1\nreturn 0\n`;
    const sim = simulateTraceText(text);
    if (!sim.ok) throw new Error(sim.errors[0]?.message);
    const path = sim.report.paths[0];
    expect(path?.steps).toHaveLength(MAX_STEPS);
    expect(path?.steps.at(-2)?.pages.map((p) => p.refcount)).toEqual([1, 2, 1, 1]);
    expect(path?.outcome).toBe('leak');
    // Pages 2 and 3 never change: every step shares the one state object each had at the start.
    const objects = new Set(path?.steps.flatMap((s) => [s.pages[2], s.pages[3]]));
    expect(objects.size).toBe(2);
    expect(new Set(path?.steps.map((s) => s.pages[2]))).toEqual(new Set([path?.initial.pages[2]]));
    // The step table (a spread of 200k rows overflowed the stack here): a header, then a row per step.
    const table = formatStepTable(sim.report).split('\n');
    expect(table.filter((l) => /^\s*\d+\s/.test(l))).toHaveLength(MAX_STEPS + 1);
  });
});

describe('DMA mappings', () => {
  const maps = (n: number, dir: string): string =>
    Array.from({ length: n }, (_, i) => `dma_map_single id=m${i} size=4096 dir=${dir}\n`).join('');

  it('50,000 live mappings (gen-pinsim-big.py): a clean error at the step that would record too much', () => {
    const text = `kernel 6.12\npages 4 base\n${maps(50_000, 'DMA_TO_DEVICE')}return 0\n`;
    // What is recorded: 4 pages before the first step, then 4 pages and k live mappings after step k.
    let recorded = 4;
    let k = 0;
    while (recorded <= MAX_RECORDED_STATES) recorded += 4 + ++k;
    expect(k).toBe(1410);
    const sim = simulateTraceText(text);
    expect(sim.ok ? [] : sim.errors).toEqual([
      {
        line: k + 2,
        column: 1,
        message: `step ${k}: the simulation records the state of every page and live DMA mapping after every step, at most ${MAX_RECORDED_STATES}; with 4 pages and ${k} live DMA mappings the trace goes past that here: use fewer pages, unmap what is not needed, or split the trace`,
      },
    ]);
  });

  it('the machine itself is linear in mappings: 50,000 maps of one page, overlap checks, CPU accesses and an unbind', () => {
    const trace: Trace = { comments: [], memory: [{ count: 4, kind: 'base', movable: false }], steps: [] };
    const machine = new Machine(trace);
    const n = 50_000;
    machine.step({ call: 'pin_user_pages_fast', args: { nr: 4 } });
    let errors = 0;
    for (let i = 0; i < n; i++) {
      const r = machine.step({
        call: 'dma_map_page',
        args: { id: `m${i}`, first: 0, nr: 1, size: 4096, dir: 'DMA_FROM_DEVICE' },
      });
      errors += r.violations.filter((v) => v.kernelMessage?.includes('EEXIST')).length;
      machine.step({ call: 'access', args: { first: 1, nr: 1, mode: 'read' } });
    }
    const unbind = machine.step({ call: 'unbind', args: {} });
    expect(errors).toBe(n - 1);
    expect(unbind.violations[0]?.kernelMessage).toMatch(
      /pending DMA allocations while released from device \[count=50000\]/,
    );
    // Before the indexes each map scanned every live mapping: n²/2 = 1.25 billion visits.
    expect(machine.dma.visits).toBeLessThanOrEqual(3 * n);
    expect(machine.snapshot().dma?.mappings).toEqual([]);
  });

  it('mapped, checked and unmapped 10,000 times: each step sees one live mapping', () => {
    const steps = Array.from(
      { length: 10_000 },
      (_, i) =>
        `dma_map_single id=m${i} size=4096 dir=DMA_FROM_DEVICE\ndma_mapping_error id=m${i}\ndma_unmap_single id=m${i} size=4096 dir=DMA_FROM_DEVICE\n`,
    );
    const sim = simulateTraceText(`kernel 6.12\npages 1 base\n${steps.join('')}return 0\n`);
    if (!sim.ok) throw new Error(sim.errors[0]?.message);
    const path = sim.report.paths[0];
    expect(path?.outcome).toBe('clean');
    expect(new Set(path?.steps.map((s) => s.dma?.mappings.length))).toEqual(new Set([0, 1]));
    expect(path?.steps.at(-1)?.dma?.counters).toEqual({
      error_count: 0,
      num_errors: 1,
      num_free_entries: 65536,
      min_free_entries: 65535,
      nr_total_entries: 65536,
    });
  });
});

describe('options and traces from outside the parser', () => {
  const version = parseKernelVersion('6.12') as KernelVersion;
  const source = `
static int pin(unsigned long addr, struct page **pages)
{
	int ret = pin_user_pages_fast(addr, 4, FOLL_WRITE, pages);
	if (ret < 0)
		return ret;
	unpin_user_pages(pages, ret);
	return 0;
}
`;

  it('--pages 1e9 and friends: one message, before anything is allocated', () => {
    expect(checkSimOptions({ pages: 1e9 })).toBe('pages: expected a whole number from 1 to 4096, not 1000000000');
    expect(checkSimOptions({ pages: 4096, acquireOutcome: { partial: 0 } })).toBe(
      'partial: expected a whole number of pages from 1, not 0',
    );
    expect(checkSimOptions({ path: 1.5 })).toBe('path: expected a path number from 1, not 1.5');
    expect(checkSimOptions({ pages: 4096, pageKind: 'thp', path: 3 })).toBeNull();
    const file = analyzeFile(defaultParser().parse(source), version);
    const report = simulateFunction(file, 'pin', { pages: 1e9 });
    expect([report.paths, report.notes]).toEqual([
      [],
      ['pages: expected a whole number from 1 to 4096, not 1000000000'],
    ]);
    const fn = findFunction(file, 'pin');
    expect(() => extractTraces(file, fn as NonNullable<typeof fn>, { pages: -5 })).toThrow(
      new TraceLimitError('pages: expected a whole number from 1 to 4096, not -5'),
    );
  });

  it('a trace made in memory or read from JSON is checked before the machine sees it', () => {
    const huge: Trace = { comments: [], memory: [{ count: 1e9, kind: 'base', movable: false }], steps: [] };
    expect(() => simulateTrace(huge)).toThrow(
      new TraceLimitError('memory: expected a page count from 1 to 4096, not 1000000000'),
    );
    const hostile = traceFromJson({ version: 1, memory: [], steps: [{ call: 'get_page' }] });
    expect(() => simulateTrace(hostile as Trace)).toThrow(
      new TraceLimitError('step 1: expected a call and its arguments'),
    );
    const many: TraceStep[] = Array.from({ length: MAX_STEPS + 1 }, () => ({ call: 'branch', args: {} }));
    expect(() => simulateTrace({ comments: [], memory: [], steps: many })).toThrow(
      new TraceLimitError(`${MAX_STEPS + 1} steps; a trace has at most ${MAX_STEPS}`),
    );
  });
});
