/**
 * The `.pinsim` language: every malformed line gets its own line:col error and nothing is
 * simulated; extract → print → parse → print round-trips; JSON carries the same content.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../core/fileAnalysis/analyzeFile';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { defaultParser } from '../../core/lint';
import { extractTraces, findFunction, simulateTraceText } from '../../core/sim/index';
import { parseTrace } from '../../core/trace/parse';
import { printTrace, traceFromJson, traceToJson } from '../../core/trace/print';

describe('parse errors', () => {
  it('reports each malformed line with its line and column, and parses nothing', () => {
    const text = [
      '# a broken trace',
      'kernel six',
      'pages 8 thp',
      'pages 4 base',
      'pin_user_pages_fast nr=four flags=FOLL_WRITE',
      'pin_user_pages_fast nr=4 flags=FOLL_WIRTE',
      'unpin_user_pages first=0 nr=4 bogus=1',
      'frobnicate page=0',
      'branch "ret < 0" maybe',
      'put_page page=0 @12:x',
      'branch "unterminated',
      'pin_user_pages_fast nr=4 -> many',
      'unpin_user_page page=0',
    ].join('\n');
    const r = parseTrace(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`)).toEqual([
      '2:8: expected a kernel version like 6.12',
      '3:7: thp folios hold 512 pages: the count must be a multiple of 512',
      '5:24: nr: expected a non-negative integer, not "four"',
      '6:32: flags: unknown FOLL_* flag "FOLL_WIRTE"',
      '7:31: unpin_user_pages takes no "bogus" (it takes first, nr, via)',
      '8:1: unknown call "frobnicate"',
      '9:18: expected true or false after the condition',
      '10:17: malformed source location "@12:x": expected @LINE or @LINE:COLUMN',
      '11:8: unterminated string: expected a closing "',
      '12:29: expected a result after "->": a page count or an errno like -EFAULT',
    ]);
    const sim = simulateTraceText(text);
    expect(sim.ok).toBe(false);
  });

  it('refuses memory setup after the first step', () => {
    const r = parseTrace('pin_user_pages_fast nr=1\npages 4 base\n');
    expect(r.ok ? [] : r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`)).toEqual([
      '2:1: memory setup ("pages") must come before the first step',
    ]);
  });
});

describe('round trips', () => {
  const version = parseKernelVersion('5.10') as KernelVersion;
  const corpus = '../shared/corpus/cases/10-fpga-dfl-afu-partial-pin-leak/before.c';
  const source = (() => {
    try {
      return readFileSync(corpus, 'utf8');
    } catch {
      return readFileSync('examples/partial-pin.c', 'utf8');
    }
  })();
  const fnName = source.includes('afu_dma_pin_pages') ? 'afu_dma_pin_pages' : 'region_pin_pages';

  it('extract → print → parse → print gives the same text, for every path', () => {
    const file = analyzeFile(defaultParser().parse(source), version);
    const fn = findFunction(file, fnName);
    expect(fn).toBeDefined();
    const { paths } = extractTraces(file, fn as NonNullable<typeof fn>);
    expect(paths.length).toBeGreaterThan(2);
    for (const p of paths) {
      const printed = printTrace(p.trace);
      const reparsed = parseTrace(printed);
      expect(reparsed.ok, printed).toBe(true);
      if (!reparsed.ok) continue;
      expect(printTrace(reparsed.trace)).toBe(printed);
      // The parser also records each step's line in the text; the rest is the same trace.
      const lines = printed.split('\n');
      for (const step of reparsed.trace.steps)
        expect(lines[(step.traceLine ?? 0) - 1]?.startsWith(step.call)).toBe(true);
      expect(reparsed.trace.steps.map(({ traceLine, ...s }) => (void traceLine, s))).toEqual(p.trace.steps);
    }
  });

  it('JSON holds the same trace', () => {
    const text = `# hand written
kernel 6.12
function demo
pages 512 thp movable
pin_user_pages_fast nr=512 flags=FOLL_WRITE|FOLL_LONGTERM -> 512   @10:3  # all of it
branch "ret != 512" false                                      @11:6
unpin_user_pages first=0 nr=512 via=demo_release               @12
return 0
`;
    const r = parseTrace(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const back = traceFromJson(JSON.parse(JSON.stringify(traceToJson(r.trace))));
    expect(back).toEqual({ ...r.trace, steps: r.trace.steps.map(({ traceLine, ...s }) => (void traceLine, s)) });
    expect(r.trace.steps[0]).toEqual({
      call: 'pin_user_pages_fast',
      args: { nr: 512, flags: 'FOLL_WRITE|FOLL_LONGTERM' },
      result: 512,
      line: 10,
      column: 3,
      comment: 'all of it',
      traceLine: 5,
    });
    expect(r.trace.steps.map((s) => s.traceLine)).toEqual([5, 6, 7, 8]);
    expect(r.trace.memory).toEqual([{ count: 512, kind: 'thp', movable: true }]);
  });
});
