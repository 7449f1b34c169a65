/**
 * Fuzzing the C front end: kernel-shaped C from examples/, mutated the ways real edits and bad
 * input break it — tokens deleted, duplicated or swapped, braces unbalanced, `#ifdef`/`#else`/
 * `#endif` lines inserted — and linted whole (parse, analysis, paths, rules). Every input must
 * lint without throwing, every note must carry a range inside the text, and every finding's span
 * and range must lie in the text and agree.
 *
 * A fixed seed: a failure names its iteration and reproduces. `npm test` runs FUZZ_DEFAULT
 * inputs (a few seconds); `PINSCOPE_FUZZ_ITERATIONS=N` (npm run fuzz) runs N.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineIndex, lintText, parseKernelVersion, type KernelVersion } from '../../core/index';
import { mulberry32 } from '../../scripts/triage-lib.mjs';

const FUZZ_DEFAULT = 200;
const SEED = 0x9e3779b9;
const iterations = Number(process.env.PINSCOPE_FUZZ_ITERATIONS ?? FUZZ_DEFAULT);
const kernelVersion = parseKernelVersion('6.12') as KernelVersion;
const examplesDir = path.join(__dirname, '..', '..', 'examples');
const seeds = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.c'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(path.join(examplesDir, f), 'utf8') }));

const TOKEN = /[A-Za-z_]\w*|\d+|->|[{}()[\];,*&=<>!+\-|]/g;
const DIRECTIVES = ['#ifdef CONFIG_DEMO\n', '#else\n', '#endif\n', '#if 0\n', '#ifndef X\n'];

/** One mutation of `text`: what it did, and the result. */
function mutate(text: string, next: () => number): { what: string; text: string } {
  const tokens = [...text.matchAll(TOKEN)];
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
  const t = pick(tokens);
  const at = t.index;
  const end = at + t[0].length;
  switch (Math.floor(next() * 6)) {
    case 0:
      return { what: `delete ${t[0]}@${at}`, text: text.slice(0, at) + text.slice(end) };
    case 1:
      return { what: `duplicate ${t[0]}@${at}`, text: text.slice(0, end) + ` ${t[0]}` + text.slice(end) };
    case 2: {
      const u = pick(tokens);
      if (u.index <= end) return { what: 'swap (none)', text };
      return {
        what: `swap ${t[0]}@${at} ${u[0]}@${u.index}`,
        text: text.slice(0, at) + u[0] + text.slice(end, u.index) + t[0] + text.slice(u.index + u[0].length),
      };
    }
    case 3:
      return { what: `insert { @${at}`, text: `${text.slice(0, at)}{${text.slice(at)}` };
    case 4:
      return { what: `insert } @${at}`, text: `${text.slice(0, at)}}${text.slice(at)}` };
    default: {
      const line = text.lastIndexOf('\n', at) + 1;
      const d = pick(DIRECTIVES);
      return { what: `insert ${d.trim()} @${line}`, text: text.slice(0, line) + d + text.slice(line) };
    }
  }
}

/** What is wrong with one lint result, as readable lines (none when everything is in place). */
function problems(text: string): string[] {
  const lines = new LineIndex(text);
  const lineCount = text.split('\n').length;
  const result = lintText(text, { kernelVersion });
  const out: string[] = [];
  const spanOk = (s: { start: number; end: number }): boolean =>
    s.start >= 0 && s.start <= s.end && s.end <= text.length;
  for (const n of result.notes) {
    if (n.span && !spanOk(n.span)) out.push(`note span ${JSON.stringify(n.span)}: ${n.message}`);
    if (!n.range || n.range.line < 1 || n.range.endLine > lineCount || n.range.column < 1)
      out.push(`note range ${JSON.stringify(n.range)}: ${n.message}`);
  }
  for (const f of result.findings) {
    if (!spanOk(f.span)) out.push(`${f.rule} span ${JSON.stringify(f.span)}`);
    else if (JSON.stringify(lines.range(f.span)) !== JSON.stringify(f.range))
      out.push(`${f.rule} range ${JSON.stringify(f.range)} is not its span's ${JSON.stringify(lines.range(f.span))}`);
  }
  return out;
}

describe(`the C front end on ${iterations} mutated kernel-shaped files (seed ${SEED})`, () => {
  it('lints every one without throwing; notes and findings point inside the text', () => {
    const next = mulberry32(SEED);
    const failures: string[] = [];
    let mutations = 0;
    for (let i = 0; i < iterations; i++) {
      const seed = seeds[i % seeds.length] as { name: string; text: string };
      let text = seed.text;
      const done: string[] = [];
      const count = 1 + Math.floor(next() * 4);
      for (let k = 0; k < count; k++) {
        const m = mutate(text, next);
        text = m.text;
        done.push(m.what);
      }
      mutations += count;
      let found: string[];
      try {
        found = problems(text);
      } catch (e) {
        found = [`threw ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`];
      }
      for (const p of found) failures.push(`#${i} ${seed.name} [${done.join('; ')}]: ${p}`);
    }
    expect(failures).toEqual([]);
    expect(mutations).toBeGreaterThanOrEqual(iterations);
  });
});
