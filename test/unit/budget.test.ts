/**
 * The analysis budget (core/analysis/budget.ts) through the lint entry: a deadline on a clock the
 * caller passes, and deterministic caps on CFG statements, path steps and open states. When one is
 * spent the file keeps the findings made so far and says, per function, what was not checked.
 */
import { describe, expect, it } from 'vitest';
import { lintText, parseKernelVersion, type AnalysisBudget, type KernelVersion } from '../../core/index';

const kernelVersion = parseKernelVersion('6.12') as KernelVersion;

/** `leaky()` leaks a pin; `branchy()` has `n` unrelated ifs after its pin (many states, many steps). */
function file(n: number): string {
  const ifs = Array.from({ length: n }, (_, i) => `\tif (a & ${1 << (i % 30)}) demo(${i});\n`).join('');
  return [
    'static int leaky(unsigned long addr)',
    '{',
    '\tstruct page *p[1];',
    '\tif (pin_user_pages_fast(addr, 1, 0, p) != 1)',
    '\t\treturn -EFAULT;',
    '\treturn 0;',
    '}',
    '',
    'static int branchy(unsigned long addr, int a)',
    '{',
    '\tstruct page *q[1];',
    '\tint r = pin_user_pages_fast(addr, 1, 0, q);',
    ifs,
    '\tif (r == 1)',
    '\t\tunpin_user_page(q[0]);',
    '\treturn 0;',
    '}',
    '',
  ].join('\n');
}

function lint(text: string, budget?: AnalysisBudget): { findings: string[]; notes: string[] } {
  const r = lintText(text, budget ? { kernelVersion, budget } : { kernelVersion });
  return {
    findings: r.findings.map((f) => `${f.rule} ${f.range.line}:${f.range.column} ${f.function ?? ''}`),
    notes: r.notes.map((n) => `${n.kind} ${n.range?.line ?? '?'}: ${n.message}`),
  };
}

describe('the analysis budget', () => {
  const text = file(12);

  it('unbounded: both functions analysed, one leak, no note', () => {
    expect(lint(text)).toEqual({ findings: ['missing-release 6:2 leaky'], notes: [] });
  });

  it('out of statements: the first function is kept, the second is not analysed and says so', () => {
    expect(lint(text, { maxNodes: 8 })).toEqual({
      findings: ['missing-release 6:2 leaky'],
      notes: ['budget 9: branchy(): analysis budget exhausted (too many statements in the file); not analysed'],
    });
  });

  it('out of path steps: the walk stops where it is and the note counts what was done', () => {
    expect(lint(text, { maxSteps: 40 }).notes).toEqual([
      'budget 9: branchy(): analysis budget exhausted (too many path steps in the file); analysed 2 paths (33 steps), the rest was not checked',
    ]);
  });

  it('too many open states: stopped before the worklist grows past the cap', () => {
    const r = lint(text, { maxStates: 4 });
    expect(r.findings).toEqual(['missing-release 6:2 leaky']);
    expect(r.notes).toEqual([
      'budget 9: branchy(): analysis budget exhausted (too many paths open at once); analysed 0 paths (10 steps), the rest was not checked',
    ]);
  });

  it('out of time, on the clock the caller passes (read every 256 units of work, not at each)', () => {
    let reads = 0;
    const clock = (): number => ++reads;
    const r = lint(file(400), { now: clock, deadline: 5 });
    expect(r.notes).toEqual([
      'budget 9: branchy(): analysis budget exhausted (out of time); analysed 0 paths (463 steps), the rest was not checked',
    ]);
    expect(r.findings).toEqual(['missing-release 6:2 leaky']);
    expect(reads).toBe(5);
  });
});
