/**
 * core/text/diff.ts: the unified diffs `lint --diff` prints must apply. Each case is checked by
 * `git apply` (outside a repository) turning the old text into the new one, byte for byte.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../core/text/diff';

function applies(oldText: string, newText: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pinscope-diff-'));
  writeFileSync(path.join(dir, 'f.c'), oldText);
  const patch = unifiedDiff(oldText, newText, 'a/f.c', 'b/f.c');
  const r = spawnSync('git', ['apply', '--whitespace=nowarn', '-'], { cwd: dir, input: patch, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return readFileSync(path.join(dir, 'f.c'), 'utf8');
}

const lines = (n: number): string => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join('\n');

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\n', 'a\n', 'a/f', 'b/f')).toBe('');
  });

  it('writes file headers, 3 lines of context and one hunk per distant change', () => {
    const before = `${lines(20)}\n`;
    const after = before.replace('line 2\n', 'line two\n').replace('line 18\n', 'line eighteen\n');
    expect(unifiedDiff(before, after, 'a/f.c', 'b/f.c')).toBe(
      [
        '--- a/f.c',
        '+++ b/f.c',
        '@@ -1,5 +1,5 @@',
        ' line 1',
        '-line 2',
        '+line two',
        ' line 3',
        ' line 4',
        ' line 5',
        '@@ -15,6 +15,6 @@',
        ' line 15',
        ' line 16',
        ' line 17',
        '-line 18',
        '+line eighteen',
        ' line 19',
        ' line 20',
        '',
      ].join('\n'),
    );
    expect(applies(before, after)).toBe(after);
  });

  const cases: [string, string, string][] = [
    ['no final newline, before and after', lines(8), lines(8).replace('line 8', 'line VIII')],
    ['a final newline removed', `${lines(5)}\n`, lines(5)],
    ['a final newline added', lines(5), `${lines(5)}\n`],
    [
      'CRLF line ends',
      `${lines(6).replace(/\n/g, '\r\n')}\r\n`,
      `${lines(6).replace(/\n/g, '\r\n').replace('line 3', 'x')}\r\n`,
    ],
    [
      'lines inserted and deleted',
      `${lines(12)}\n`,
      `${lines(12).replace('line 4\n', '').replace('line 9', 'new\nline 9')}\n`,
    ],
  ];
  for (const [what, before, after] of cases) it(`applies: ${what}`, () => expect(applies(before, after)).toBe(after));
});
