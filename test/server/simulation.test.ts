/**
 * The server's simulation helpers: the line of each step of a trace, the parameters as core's
 * options, the versions the panel offers, and the Markdown table (escaped for table cells).
 */
import { describe, expect, it } from 'vitest';
import { parseTrace } from '../../core/trace/parse';
import { simulateTraceDocument } from '../../core/index';
import { kernelVersionsWith, simOptions } from '../../server/simulation';

describe('the .pinsim line of each step (recorded by the parser)', () => {
  it('counts step lines only: not setup, comments, blank lines; a # inside quotes is not a comment', () => {
    const text = [
      '# a comment',
      'kernel 6.12',
      '',
      'pages 2 base   # two pages',
      'branch "x # not a comment" true',
      '   # indented comment',
      'pin_user_pages nr=1 @3:4  # pinned',
      'branch "say \\"hi\\" # still not" false',
      'return 0',
    ].join('\n');
    const parsed = parseTrace(text);
    if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
    expect(parsed.trace.steps.map((s) => s.traceLine)).toEqual([5, 7, 8, 9]);
    const sim = simulateTraceDocument(text, undefined, '6.12');
    expect(sim.ok && sim.traceLines).toEqual([5, 7, 8, 9]);
  });
});

describe('simOptions', () => {
  it('maps the panel parameters onto core options, clamping the page count', () => {
    expect(simOptions(undefined)).toEqual({});
    expect(simOptions({ pages: 99999, pageKind: 'thp', acquire: { kind: 'partial', taken: 2.7 } })).toEqual({
      pages: 4096,
      pageKind: 'thp',
      acquireOutcome: { partial: 2 },
    });
    expect(simOptions({ pages: 0, acquire: { kind: 'error' } })).toEqual({ pages: 1, acquireOutcome: 'error' });
    expect(simOptions({ acquire: { kind: 'full' } })).toEqual({ acquireOutcome: 'full' });
  });
});

describe('kernelVersionsWith', () => {
  it("the version-defining and LTS kernels, the document's own among them, oldest first", () => {
    const list = kernelVersionsWith('6.9');
    expect(list).toContain('6.9');
    expect(list.indexOf('6.6')).toBeLessThan(list.indexOf('6.9'));
    expect(list.indexOf('6.9')).toBeLessThan(list.indexOf('6.12'));
    expect(list[0]).toBe('4.14');
  });
});

describe('the Markdown table', () => {
  it('escapes what would break a table cell, keeps the call as code', () => {
    const sim = simulateTraceDocument(
      'kernel 6.12\nfunction a_b\npages 1 base\nbranch "x | y" true\npin_user_pages nr=1 flags=FOLL_WRITE|FOLL_LONGTERM\nput_page page=0\n',
      undefined,
      '6.12',
    );
    if (!sim.ok) throw new Error('did not simulate');
    const lines = sim.markdown.split('\n');
    expect(lines[0]).toBe('**a\\_b()** · Linux 6.12 · path 1 — **mismatch**');
    expect(lines).toContain('| 1 | | `branch "x \\| y" true` | | 0 / 0 | p0 1 | |');
    expect(lines.find((l) => l.startsWith('| 2 |'))).toBe(
      '| 2 | | `pin_user_pages(nr=1, flags=FOLL_WRITE\\|FOLL_LONGTERM)` | 1 | 1 / 0 | p0 1025 P | |',
    );
    expect(lines.find((l) => l.startsWith('| 3 |'))).toMatch(
      /\| 3 \| \| `put_page\(page=0\)` \| \| 1 \/ 0 \| p0 1024 P \| ⚠ \*\*release-mismatch\*\*: put\\_page\(\) on pinned page 0/,
    );
    // Every row has the same number of cells.
    const cells = (l: string): number => l.replace(/\\\|/g, '').split('|').length;
    const rows = lines.filter((l) => l.startsWith('|'));
    expect(new Set(rows.map(cells)).size).toBe(1);
  });
});
