/**
 * Every example (examples/*.c) and every fixture with expectations says in itself what pinscope
 * must report on it: `/* expect: rule-id L:C-L:C *\/` comments, one per finding, or
 * `/* expect: none *\/`. This test lints each file (Linux 6.12) and asserts the exact findings,
 * rule and range (1-based lines and columns, end column exclusive, as in the JSON and SARIF output).
 *
 * The comments sit at the end of the file, after all code, so they never move the lines they
 * point at; the test fails when one does not. test/fixtures/fixed/ is skipped: those files are
 * examples after `--fix` and carry their example's comments verbatim.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { lintText } from '../../core/lint';
import { RULE_IDS } from '../../core/rules/index';

const root = path.join(__dirname, '..', '..');
const v612 = parseKernelVersion('6.12') as KernelVersion;
const EXPECT = /\/\*\s*expect:\s*(.*?)\s*\*\//g;

/** The file's expectations as `rule L:C-L:C` strings, sorted; null when it has none. */
function expectations(text: string, file: string): string[] | null {
  const found = [...text.matchAll(EXPECT)];
  if (found.length === 0) return null;
  // Nothing but comments and white space may follow the first expectation.
  const tail = text.slice(found[0]?.index ?? 0).replace(/\/\*[\s\S]*?\*\//g, '');
  if (tail.trim() !== '') throw new Error(`${file}: expect comments must come after all code, at the end of the file`);
  const rows = found.map((m) => m[1] as string);
  if (rows.length === 1 && rows[0] === 'none') return [];
  for (const row of rows)
    if (!/^[a-z0-9-]+ \d+:\d+-\d+:\d+$/.test(row)) throw new Error(`${file}: bad expectation \`${row}\``);
  return rows.sort();
}

function cFiles(dir: string, skip: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (rel === skip) return [];
    if (statSync(path.join(root, rel)).isDirectory()) return cFiles(rel, skip);
    return name.endsWith('.c') ? [rel] : [];
  });
}

const examples = cFiles('examples', '');
const fixtures = cFiles('test/fixtures', 'test/fixtures/fixed').filter((f) =>
  readFileSync(path.join(root, f), 'utf8').includes('expect:'),
);

describe('examples', () => {
  it('there is one for every rule, and each expects its own rule', () => {
    expect(examples.map((f) => path.basename(f, '.c')).sort()).toEqual([...RULE_IDS].sort());
    for (const file of examples) {
      const rows = expectations(readFileSync(path.join(root, file), 'utf8'), file) ?? [];
      expect(
        rows.map((r) => r.split(' ')[0]),
        file,
      ).toContain(path.basename(file, '.c'));
    }
  });
});

describe('findings are exactly the expect comments', () => {
  for (const file of [...examples, ...fixtures]) {
    it(file, () => {
      const text = readFileSync(path.join(root, file), 'utf8');
      const expected = expectations(text, file);
      expect(expected, `${file} has no /* expect: … */ comment`).not.toBeNull();
      const found = lintText(text, { kernelVersion: v612 }).findings.map(
        (f) => `${f.rule} ${f.range.line}:${f.range.column}-${f.range.endLine}:${f.range.endColumn}`,
      );
      expect(found.sort()).toEqual(expected);
    });
  }
});

describe('the expect comment format', () => {
  it('reads rows, `none`, and refuses comments above code', () => {
    expect(expectations('int x;\n/* expect: a-b 1:2-3:4 */\n/* expect: c-d 5:6-5:9 */\n', 't')).toEqual([
      'a-b 1:2-3:4',
      'c-d 5:6-5:9',
    ]);
    expect(expectations('int x;\n/* expect: none */\n', 't')).toEqual([]);
    expect(expectations('int x;\n', 't')).toBeNull();
    expect(() => expectations('/* expect: a-b 1:2-3:4 */\nint x;\n', 't')).toThrow('after all code');
    expect(() => expectations('int x;\n/* expect: a-b 1:2 */\n', 't')).toThrow('bad expectation');
  });
});
