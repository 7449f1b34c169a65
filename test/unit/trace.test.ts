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
import { findCorpus } from '../../scripts/corpus';
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
  const corpus = `${findCorpus(process.cwd()).dir ?? '/nonexistent'}/cases/10-fpga-dfl-afu-partial-pin-leak/before.c`;
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

const errorsOf = (text: string): string[] => {
  const r = parseTrace(text);
  return r.ok ? [] : r.errors.map((e) => `${e.line}:${e.column}: ${e.message}`);
};

describe('whitespace and invisible characters (issue 10: the tokenizer looped forever on them)', () => {
  // pinsim-nbsp.pinsim and pinsim-formfeed.pinsim from ../shared/repro, generated here.
  it('a no-break space between words is an error at its column', () => {
    expect(errorsOf('kernel 6.12\npages 4 base\nreturn\u00a00\n')).toEqual([
      '3:7: unexpected no-break space (U+00A0): separate words with spaces or tabs',
    ]);
  });

  it('a form feed at the end of a line is an error at its column (control characters never pass)', () => {
    expect(errorsOf('kernel 6.12\f\npages 4 base\nreturn 0\n')).toEqual([
      '1:12: unexpected form feed (U+000C): control characters are not allowed in a trace',
    ]);
  });

  const invisible: [number, string][] = [
    [0x0b, 'vertical tab (U+000B)'],
    [0x85, 'next line (U+0085)'],
    [0x1680, 'Ogham space mark (U+1680)'],
    [0x2000, 'space (U+2000)'],
    [0x200a, 'space (U+200A)'],
    [0x200b, 'zero-width space (U+200B)'],
    [0x2028, 'line separator (U+2028)'],
    [0x2029, 'paragraph separator (U+2029)'],
    [0x202f, 'narrow no-break space (U+202F)'],
    [0x205f, 'medium mathematical space (U+205F)'],
    [0x3000, 'ideographic space (U+3000)'],
    [0xfeff, 'zero-width no-break space (byte order mark) (U+FEFF)'],
    [0xd800, 'unpaired surrogate (U+D800)'],
  ];
  it.each(invisible.map(([code, name]) => ({ code, name })))(
    '$name between two words is an error naming it',
    ({ code, name }) => {
      const [error] = errorsOf(`pages 1 base\nget_page${String.fromCharCode(code)}page=0\n`);
      expect(error).toMatch(new RegExp(`^2:9: unexpected ${name.replace(/[()+]/g, '\\$&')}: `));
    },
  );

  it('inside a quoted condition or a comment, a no-break space is text; a control character is not', () => {
    const r = parseTrace('# a\u00a0label\nbranch "a\u00a0b" true # c\u3000d\n');
    expect(r.ok && r.trace.steps[0]).toMatchObject({ text: 'a\u00a0b', comment: 'c\u3000d' });
    expect(r.ok && r.trace.comments).toEqual(['a\u00a0label']);
    expect(errorsOf('branch "a\u0007b" true\n')).toEqual([
      '1:10: unexpected character U+0007 in a string: control characters are not allowed in a trace',
    ]);
    expect(errorsOf('return 0 # \u001b[31mred\n')).toEqual([
      '1:12: unexpected escape (U+001B) in a comment: control characters are not allowed in a trace',
    ]);
  });

  it('CRLF, a lone CR and a leading byte order mark: lines as editors count them', () => {
    const r = parseTrace('\ufeffkernel 6.12\r\npages 2 base\rget_page page=1\r\nreturn 0');
    expect(r.ok && r.trace.steps.map((s) => [s.call, s.traceLine])).toEqual([
      ['get_page', 3],
      ['return', 4],
    ]);
    expect(errorsOf('kernel 6.12\r\n\rbogus\r\n')).toEqual(['3:1: unknown call "bogus"']);
  });

  it('characters outside the BMP are fine in a word; errors show invisible characters escaped', () => {
    const r = parseTrace('handoff first=0 nr=1 to=\u{1F600}\n');
    expect(r.ok && r.trace.steps[0]?.args.to).toBe('\u{1F600}');
    expect(errorsOf('frob\u{E0001}nicate\n')).toEqual([
      '1:5: unexpected character U+E0001: separate words with spaces or tabs',
    ]);
    expect(errorsOf(`${'x'.repeat(100)}\n`)).toEqual([`1:1: unknown call "${'x'.repeat(60)}…"`]);
  });
});

describe('bounds (issue 10: pages, nents, steps and text were unbounded)', () => {
  it('pinsim-pages-1e9.pinsim: the page count and nr are out of range, nothing is allocated', () => {
    expect(errorsOf('kernel 6.12\npages 1000000000 base\npin_user_pages nr=1000000000\nreturn 0\n')).toEqual([
      '2:7: 1000000000 pages: a trace simulates at most 4096 pages',
      '3:19: nr: 1000000000 is out of range: from 0 to 4096 (a trace simulates at most 4096 pages)',
    ]);
    expect(errorsOf('pages 4096 base\npages 512 thp\n')).toEqual([
      '2:7: 512 pages (4096 already set up): a trace simulates at most 4096 pages',
    ]);
  });

  it('pinsim-dma-nents.pinsim: nents and a DMA size are out of range', () => {
    const text = [
      'kernel 6.12',
      'pages 4 base',
      'dma_map_sg id=s first=0 nents=1000000000 dir=DMA_TO_DEVICE -> 1000000000',
      'dma_unmap_sg id=s nents=1000000000 dir=DMA_TO_DEVICE',
      'dma_map_single id=m size=4294967297 dir=DMA_TO_DEVICE',
      'return 0',
    ].join('\n');
    expect(errorsOf(text)).toEqual([
      '3:31: nents: 1000000000 is out of range: from 0 to 65536 (a trace maps at most 65536 scatterlist entries at once)',
      '4:25: nents: 1000000000 is out of range: from 0 to 65536 (a trace maps at most 65536 scatterlist entries at once)',
      '5:26: size: 4294967297 is out of range: from 0 to 4294967296 (a trace maps at most 4 GiB at once)',
    ]);
    expect(errorsOf('dma_map_sg id=s first=0 nents=4 dir=DMA_TO_DEVICE -> 99999999999999999999\n')).toEqual([
      '1:54: result: 99999999999999999999 is out of range: from -4095 to 65536 (a result is a count of pages or segments, or an errno)',
    ]);
  });

  it('refcounts, counts and source positions are range-checked', () => {
    expect(
      errorsOf(
        'pages 1 base refcount=2147483648\nget_page page=0 times=2147483648\nunpin_user_pages nr=-5000\nreturn 0 @0\nreturn 0 @1:99999999999\n',
      ),
    ).toEqual([
      '1:23: refcount: 2147483648 is out of range: from 0 to 2147483647 (values are 32-bit)',
      "2:23: times: 2147483648 is out of range: from 0 to 2147483647 (a folio's refcount is a 32-bit atomic_t)",
      '3:21: nr: -5000 is out of range: from -4095 to 4096 (a count is an errno or a number of pages)',
      '4:11: source line: 0 is out of range: from 1 to 2147483647 (a position in a C file)',
      '5:13: source column: 99999999999 is out of range: from 1 to 2147483647 (a position in a C file)',
    ]);
  });

  it('200,000 steps (gen-pinsim-big.py): one error at the first step past 100,000, and the rest is not read', () => {
    const text = `kernel 6.12\npages 4 base\n${'get_page page=0\nput_page page=0\n'.repeat(100_000)}return 0\n`;
    expect(errorsOf(text)).toEqual(['100003:1: too many steps: a trace has at most 100000']);
  });

  it('steps × pages beyond what the simulation records: an error at the first step past it', () => {
    // 4096 pages: (n + 1) × 4096 ≤ 1,000,000 allows 243 steps.
    const text = `pages 4096 base\n${'get_page page=0\n'.repeat(300)}`;
    expect(errorsOf(text)).toEqual([
      '245:1: too many steps for 4096 pages: the simulation records the state of every page after every step, at most 1000000 page states, so 243 steps',
    ]);
  });

  it('a text longer than 16 Mi characters is refused before it is read; errors stop at 200', () => {
    expect(errorsOf(`# ${'x'.repeat(16 * 1024 * 1024)}`)).toEqual([
      '1:1: the trace is 16777218 characters long; pinscope reads traces of up to 16777216',
    ]);
    const errors = errorsOf('bogus\n'.repeat(1000));
    expect(errors).toHaveLength(201);
    expect(errors.at(-1)).toBe('200:1: stopped after 200 errors: the rest of the trace is not read');
  });

  it('a return with quotes and escapes prints back the way it was read', () => {
    const r = parseTrace('return f("a \\"b\\"", c)\n');
    expect(r.ok && r.trace.steps[0]?.text).toBe('f("a \\"b\\"", c)');
    if (!r.ok) return;
    const again = parseTrace(printTrace(r.trace));
    expect(again.ok && again.trace.steps[0]?.text).toBe('f("a \\"b\\"", c)');
  });
});
