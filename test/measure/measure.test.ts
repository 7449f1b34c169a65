/**
 * The measuring instruments (bench/recall, scripts/triage-*, scripts/selfcheck-unchecked): the
 * parts that decide a number — the stratified allocation, the precision arithmetic, the worksheet
 * reader, the found-within-±2-lines rule, the unchecked-file test — and that the stored recall
 * texts are what a rebuild from the kernel tree gives.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLASS_RULES, foundBy } from '../../scripts/recall.mjs';
import { extractFunction, lineOf } from '../../scripts/recall-build.mjs';
import { mapsWithoutCheck } from '../../scripts/selfcheck-unchecked.mjs';
import {
  allocate,
  mulberry32,
  parsePopulation,
  parseWorksheet,
  precision,
  shuffle,
  wilson,
} from '../../scripts/triage-lib.mjs';
import { excerpt, functionAround } from '../../scripts/triage-sample.mjs';

const root = path.resolve(__dirname, '..', '..');

describe('triage sample allocation', () => {
  it('takes every finding of a small rule, a floor for each large one, the rest by share', () => {
    const take = allocate({ a: 134, b: 51, c: 29, d: 7, e: 1 }, { size: 100, smallRule: 10, floor: 3 });
    expect(take).toEqual({ a: 55, b: 23, c: 14, d: 7, e: 1 });
    expect(Object.values(take).reduce((s, n) => s + n, 0)).toBe(100);
  });
  it('never takes more than a rule has', () => {
    expect(allocate({ a: 12, b: 11 }, { size: 100, smallRule: 10, floor: 3 })).toEqual({ a: 12, b: 11 });
  });
  it('draws the same sample for the same seed and another for another seed', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect(shuffle(items, mulberry32(7))).toEqual(shuffle(items, mulberry32(7)));
    expect(shuffle(items, mulberry32(7))).not.toEqual(shuffle(items, mulberry32(8)));
  });
});

describe('triage score', () => {
  const sheet = [
    '| rule | findings | sampled |',
    '| --- | ---: | ---: |',
    '| `x-rule` | 90 | 3 |',
    '| `y-rule` | 10 | 1 |',
    '',
    '### F001 · x-rule',
    'verdict: real',
    'reason: mapped at 12, unchecked at 14',
    '### F002 · x-rule',
    'verdict: wrong',
    'reason: checked by the helper',
    '### F003 · x-rule',
    'verdict: real',
    'reason: yes',
    '### F004 · y-rule',
    'verdict:',
    'reason:',
  ].join('\n');
  it('reads verdicts and the population table', () => {
    const entries = parseWorksheet(sheet);
    expect(entries.map((e) => [e.id, e.rule, e.verdict])).toEqual([
      ['F001', 'x-rule', 'real'],
      ['F002', 'x-rule', 'wrong'],
      ['F003', 'x-rule', 'real'],
      ['F004', 'y-rule', ''],
    ]);
    expect(parsePopulation(sheet)).toEqual({ 'x-rule': 90, 'y-rule': 10 });
  });
  it('weights each rule by its share of all findings', () => {
    const entries = parseWorksheet(sheet).map((e) => (e.id === 'F004' ? { ...e, verdict: 'wrong' } : e));
    const p = precision(entries, parsePopulation(sheet));
    expect(p.byRule).toEqual({ 'x-rule': { real: 2, wrong: 1 }, 'y-rule': { real: 0, wrong: 1 } });
    expect(p.overall).toBe(0.5);
    expect(p.weighted).toBeCloseTo(0.9 * (2 / 3), 10);
  });
  it('refuses a worksheet with a missing verdict', () => {
    const file = path.join(root, 'test', 'measure', 'unfilled.fixture.md');
    let status = 0;
    try {
      execFileSync(process.execPath, [path.join(root, 'scripts', 'triage-score.mjs'), file], { stdio: 'pipe' });
    } catch (e) {
      status = (e as { status: number }).status;
    }
    expect(status).toBe(2);
  });
  it('gives the Wilson interval', () => {
    const [lo, hi] = wilson(19, 20);
    expect(lo).toBeCloseTo(0.7639, 3);
    expect(hi).toBeCloseTo(0.9911, 3);
  });
});

describe('recall matching', () => {
  const rules = CLASS_RULES['map-leak-error-path'] as string[];
  it('finds a defect within ±2 lines, on the finding or a related line, of a fitting rule only', () => {
    expect(foundBy({ line: 10 }, rules, [{ line: 12, rule: 'dma-mapping-leak' }])?.line).toBe(12);
    expect(foundBy({ line: 10 }, rules, [{ line: 13, rule: 'dma-mapping-leak' }])).toBeUndefined();
    expect(foundBy({ line: 10 }, rules, [{ line: 40, rule: 'dma-mapping-leak', related: [{ line: 9 }] }])?.line).toBe(
      40,
    );
    expect(foundBy({ line: 10 }, rules, [{ line: 10, rule: 'dma-mapping-unchecked' }])).toBeUndefined();
  });
  it('extracts a kernel-style function and numbers a defect line', () => {
    const text = 'static int\nf(int a)\n{\n\treturn a;\n}\n\nint g(void)\n{\n\treturn f(1);\n}\n';
    expect(extractFunction(text, 'g', 't').text).toBe('int g(void)\n{\n\treturn f(1);\n}');
    expect(extractFunction(text, 'f', 't').start).toBe(0);
    expect(lineOf(text, 'return', 2, 't')).toBe(9);
  });
});

describe('self-check', () => {
  it('counts a file that maps and never checks, not one that checks or only mentions it', () => {
    expect(mapsWithoutCheck('x = dma_map_single(d, p, n, DMA_TO_DEVICE);')).toBe(true);
    expect(mapsWithoutCheck('x = dma_map_page(d, p, 0, n, dir); if (dma_mapping_error(d, x)) return;')).toBe(false);
    expect(mapsWithoutCheck('x = dma_map_single(d, p, n, dir); /* dma_mapping_error(d, x) */')).toBe(true);
    expect(mapsWithoutCheck('/* dma_map_single(d, p, n, dir) */')).toBe(false);
  });
});

describe('worksheet excerpt', () => {
  it('shows a short function whole and marks the finding', () => {
    const lines = ['int f(void)', '{', '\tint x = 1;', '\treturn x;', '}'];
    expect(functionAround(lines, 'f', 3)).toEqual([0, 4]);
    expect(excerpt(lines, { line: 4, function: 'f' })).toBe(
      [' 1  int f(void)', ' 2  {', ' 3  \tint x = 1;', '>4  \treturn x;', ' 5  }'].join('\n'),
    );
  });
});

const tree = '/work/kernel/linux-source-6.12';
describe.skipIf(!existsSync(tree))(`recall set texts (rebuilt from ${tree})`, () => {
  it('are exactly what recall-build gives, and every case is in the manifest', () => {
    const out = execFileSync(
      process.execPath,
      [path.join(root, 'scripts', 'recall-build.mjs'), '--check', '--tree', tree],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toMatch(/ 0 failed/);
    const manifest = JSON.parse(readFileSync(path.join(root, 'bench', 'recall', 'manifest.json'), 'utf8')) as {
      splits: Record<'dev' | 'held-out', unknown[]>;
    };
    expect(manifest.splits.dev.length + manifest.splits['held-out'].length).toBeGreaterThan(0);
  });
});
