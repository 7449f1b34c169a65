/**
 * Fuzzing the `.pinsim` language and the simulation (issue 10): mutated traces — from the examples
 * in docs/pinsim.md, the test fixtures, and the traces of every function in examples/ — and every
 * Unicode whitespace, line separator and invisible character, and random code points.
 *
 * For every input: parseTrace returns (never throws), and either gives a trace or errors whose
 * line and column are inside the text; a trace prints back to the same text and simulates, within
 * the step bound, to a report of exactly its steps; nothing throws.
 *
 * Fixed seed. `npm test` runs a short round; `PINSCOPE_FUZZ_ITERATIONS=20000 npm run fuzz` a long
 * one (`PINSCOPE_FUZZ_SEED` picks another seed). The counts are printed at the end.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../../core/fileAnalysis/analyzeFile';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { defaultParser } from '../../core/lint';
import {
  extractTraces,
  findFunction,
  formatStepTable,
  MAX_RECORDED_STATES,
  MAX_STEPS,
  simulateTraceText,
  simulationTargets,
} from '../../core/sim/index';
import { MAX_ERRORS } from '../../core/trace/limits';
import { parseTrace } from '../../core/trace/parse';
import { printTrace } from '../../core/trace/print';
// The seeded generator the triage draw uses (mulberry32): a failure replays from its seed.
import { mulberry32 as generator } from '../../scripts/triage-lib.mjs';

const ROOT = path.join(__dirname, '..', '..');
const ITERATIONS = Number(process.env.PINSCOPE_FUZZ_ITERATIONS ?? 300);
const SEED = Number(process.env.PINSCOPE_FUZZ_SEED ?? 0x51a7);
/** A hang fails the short round at vitest's timeout; a long round gets time in proportion. */
const TIMEOUT = Math.max(60_000, ITERATIONS * 40);

/** Every code point with Unicode's White_Space property, and the invisible ones that look like it. */
const WHITESPACE = [
  ...[0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680],
  ...Array.from({ length: 11 }, (_, i) => 0x2000 + i),
  ...[0x2028, 0x2029, 0x202f, 0x205f, 0x3000],
  ...[0x180e, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff],
];

// ─── The corpus ────────────────────────────────────────────────────────────────────────────────────

function docExamples(): string[] {
  const doc = readFileSync(path.join(ROOT, 'docs', 'pinsim.md'), 'utf8');
  return [...doc.matchAll(/```pinsim\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

function fixtureTraces(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.pinsim')) out.push(readFileSync(full, 'utf8'));
    }
  };
  walk(path.join(ROOT, 'test', 'fixtures'));
  return out;
}

function exampleTraces(): string[] {
  const version = parseKernelVersion('6.12') as KernelVersion;
  const dir = path.join(ROOT, 'examples');
  const out: string[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.c'))) {
    const file = analyzeFile(defaultParser().parse(readFileSync(path.join(dir, name), 'utf8')), version);
    for (const target of simulationTargets(file)) {
      const fn = findFunction(file, target.name);
      for (const p of fn ? extractTraces(file, fn).paths : []) out.push(printTrace(p.trace));
    }
  }
  return out;
}

const CORPUS = [...docExamples(), ...fixtureTraces(), ...exampleTraces()];

// ─── Mutations ─────────────────────────────────────────────────────────────────────────────────────

const SPECIALS = ['"', '#', '@', '=', '->', '\\', ':', '|', '-', '@1:', '=-', '""'];
const NUMBERS = [
  '0',
  '1',
  '-1',
  '4096',
  '4097',
  '65536',
  '65537',
  '2147483647',
  '2147483648',
  '1000000000',
  '99999999999999999999',
  '-4095',
  '-4096',
  '1e9',
  '0x10',
];

type Rng = () => number;

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng() * xs.length)] as T;
}

/** A random code point: whitespace, a special word, anything in the BMP, anything at all, or half a pair. */
function randomText(rng: Rng): string {
  const r = rng();
  if (r < 0.3) return String.fromCodePoint(pick(rng, WHITESPACE));
  if (r < 0.5) return pick(rng, SPECIALS);
  if (r < 0.75) return String.fromCharCode(Math.floor(rng() * 0x10000));
  if (r < 0.95) return String.fromCodePoint(Math.floor(rng() * 0x110000));
  return String.fromCharCode(0xd800 + Math.floor(rng() * 0x800));
}

const MUTATIONS: readonly ((text: string, rng: Rng) => string)[] = [
  (t, rng) => {
    const at = Math.floor(rng() * (t.length + 1));
    return t.slice(0, at) + randomText(rng) + t.slice(at);
  },
  (t, rng) => {
    // Swap one space for another kind of whitespace: what the tokenizer looped on.
    const spaces = [...t.matchAll(/ /g)].map((m) => m.index);
    if (spaces.length === 0) return t;
    const at = pick(rng, spaces);
    return t.slice(0, at) + String.fromCodePoint(pick(rng, WHITESPACE)) + t.slice(at + 1);
  },
  (t, rng) => {
    const at = Math.floor(rng() * t.length);
    return t.slice(0, at) + t.slice(at + 1 + Math.floor(rng() * 8));
  },
  (t, rng) => t.replace(/-?\d+/g, (m) => (rng() < 0.3 ? pick(rng, NUMBERS) : m)),
  (t, rng) => {
    const lines = t.split('\n');
    const i = Math.floor(rng() * lines.length);
    lines.splice(i, 0, ...Array<string>(1 + Math.floor(rng() * 3)).fill(lines[i] ?? ''));
    return lines.join('\n');
  },
  (t, rng) => {
    const lines = t.split('\n');
    lines.splice(Math.floor(rng() * lines.length), 1);
    return lines.join('\n');
  },
  (t, rng) => {
    // A line from another trace, anywhere (steps before setup, DMA calls on GUP traces).
    const other = pick(rng, CORPUS).split('\n');
    const lines = t.split('\n');
    lines.splice(Math.floor(rng() * (lines.length + 1)), 0, pick(rng, other));
    return lines.join('\n');
  },
  (t, rng) => t.slice(0, Math.floor(rng() * (t.length + 1))),
  (t, rng) => (rng() < 0.5 ? t.replace(/\n/g, '\r\n') : t.replace(/\n/g, '\r')),
  (t, rng) => {
    // Many copies of one step: long traces, many mappings of one id.
    const lines = t.split('\n').filter((l) => /^[a-z_]+ /.test(l) && !/^(kernel|pages|function|source)\b/.test(l));
    if (lines.length === 0) return t;
    return `${t}\n${`${pick(rng, lines)}\n`.repeat(1 + Math.floor(rng() * 2000))}`;
  },
];

function mutate(text: string, rng: Rng): string {
  let out = text;
  const n = 1 + Math.floor(rng() * 4);
  for (let i = 0; i < n; i++) out = pick(rng, MUTATIONS)(out, rng);
  return out;
}

// ─── The check every input gets ────────────────────────────────────────────────────────────────────

const counts = { inputs: 0, rejected: 0, parsed: 0, simulated: 0, refusedByLimit: 0, steps: 0 };

/** Lines as LSP counts them (written here, not taken from the parser). */
function lspLines(text: string): string[] {
  return (text.startsWith('\ufeff') ? text.slice(1) : text).split(/\r\n|\r|\n/);
}

function check(text: string): void {
  counts.inputs++;
  const parsed = parseTrace(text);
  if (!parsed.ok) {
    counts.rejected++;
    const lines = lspLines(text);
    expect(parsed.errors.length).toBeGreaterThan(0);
    expect(parsed.errors.length).toBeLessThanOrEqual(MAX_ERRORS + 1);
    for (const e of parsed.errors) {
      const where = `${e.line}:${e.column} ${e.message} in ${JSON.stringify(text.slice(0, 2000))}`;
      expect(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines.length, where).toBe(true);
      const width = (lines[e.line - 1] ?? '').length;
      expect(Number.isInteger(e.column) && e.column >= 1 && e.column <= width + 1, where).toBe(true);
      expect(e.message).toMatch(/^[^\n]+$/);
    }
    return;
  }
  counts.parsed++;
  const trace = parsed.trace;
  expect(trace.steps.length).toBeLessThanOrEqual(MAX_STEPS);
  const printed = printTrace(trace);
  const again = parseTrace(printed);
  expect(again.ok, printed).toBe(true);
  if (again.ok) expect(printTrace(again.trace)).toBe(printed);
  const sim = simulateTraceText(text);
  if (!sim.ok) {
    // Only the recording limit can refuse a trace that parsed.
    counts.refusedByLimit++;
    expect(sim.errors.map((e) => e.message)).toEqual([expect.stringMatching(/records the state of every page/)]);
    return;
  }
  counts.simulated++;
  const simPath = sim.report.paths[0];
  expect(simPath?.steps.length).toBe(trace.steps.length);
  counts.steps += trace.steps.length;
  let recorded = (simPath?.initial.pages.length ?? 0) + (simPath?.initial.dma?.mappings.length ?? 0);
  for (const s of simPath?.steps ?? []) recorded += s.pages.length + (s.dma?.mappings.length ?? 0);
  expect(recorded).toBeLessThanOrEqual(MAX_RECORDED_STATES);
  expect(formatStepTable(sim.report).split('\n').length).toBeGreaterThan(trace.steps.length);
}

afterAll(() => {
  console.log(`pinsim fuzz (seed ${SEED}, ${ITERATIONS} iterations): ${JSON.stringify(counts)}`);
});

describe('pinsim fuzz', () => {
  it(`has a corpus: docs/pinsim.md, the fixtures, the examples' paths`, () => {
    expect(docExamples().length).toBeGreaterThanOrEqual(6);
    expect(fixtureTraces().length).toBeGreaterThanOrEqual(2);
    expect(CORPUS.length).toBeGreaterThan(30);
    for (const text of CORPUS) check(text);
  });

  it('every whitespace and invisible character, at every place on a line', () => {
    const base =
      'kernel 6.12\npages 4 base\npin_user_pages_fast nr=4 flags=FOLL_WRITE -> 4   @12:3  # pin\nbranch "ret != 4" false\nreturn 0\n';
    const line = 'pin_user_pages_fast nr=4 flags=FOLL_WRITE -> 4   @12:3  # pin';
    const offset = base.indexOf(line);
    const comment = line.indexOf('#');
    for (const code of WHITESPACE) {
      const c = String.fromCodePoint(code);
      for (let at = 0; at <= line.length; at++) {
        const text = base.slice(0, offset + at) + c + base.slice(offset + at);
        check(text);
        // Outside the comment, only space and tab separate words; anything else is an error right there.
        if (at < comment && code !== 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) {
          const parsed = parseTrace(text);
          expect(parsed.ok ? [] : parsed.errors.map((e) => `${e.line}:${e.column}`)).toEqual([`3:${at + 1}`]);
        }
      }
    }
  });

  it('random code points anywhere', { timeout: TIMEOUT }, () => {
    const rng = generator(SEED ^ 0xc0de);
    for (let i = 0; i < ITERATIONS; i++) {
      const text = pick(rng, CORPUS);
      const at = Math.floor(rng() * (text.length + 1));
      check(text.slice(0, at) + String.fromCodePoint(Math.floor(rng() * 0x110000)) + text.slice(at));
    }
  });

  it('mutated traces', { timeout: TIMEOUT }, () => {
    const rng = generator(SEED);
    for (let i = 0; i < ITERATIONS; i++) check(mutate(pick(rng, CORPUS), rng));
  });
});
