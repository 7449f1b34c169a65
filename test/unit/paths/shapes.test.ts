/**
 * Pathological shapes, generated here (no large files checked in): 2,000 nested ifs (a stack
 * overflow in the CFG builder when it recursed), an 800-label goto ladder (45 s in liveness,
 * whose fixed point ran over single nodes) and a 1,000-arm else-if chain (20 s finding the code
 * each branch steps around). Each must finish with exact findings and a number of steps linear in
 * its size; counts, never wall time, are asserted.
 */
import { describe, expect, it } from 'vitest';
import { lintText, parseKernelVersion, type KernelVersion } from '../../../core/index';
import { pathsOf } from './support';

const kernelVersion = parseKernelVersion('6.12') as KernelVersion;
const HEAD = '{\n\tstruct page *p[1];\n\tint r = pin_user_pages_fast(0, 1, 0, p);\n';

export function nestedIfs(n: number): string {
  return `void f(int a)\n${HEAD}${'\tif (a) {\n'.repeat(n)}\t\tr++;\n${'\t}\n'.repeat(n)}}\n`;
}

export function gotoLadder(n: number): string {
  let s = `int f(int a)\n${HEAD}`;
  for (let i = 0; i < n; i++) s += `L${i}:\n\tif (a == ${i})\n\t\tgoto L${(i * 719) % n};\n`;
  return `${s}\treturn r;\n}\n`;
}

export function elseIfChain(n: number): string {
  let s = `int f(int a)\n${HEAD}\tif (a == 0)\n\t\treturn 0;\n`;
  for (let i = 1; i < n; i++) s += `\telse if (a == ${i})\n\t\treturn -${i};\n`;
  return `${s}\treturn r;\n}\n`;
}

function lint(text: string): { findings: string[]; notes: string[] } {
  const r = lintText(text, { kernelVersion });
  return {
    findings: r.findings.map(
      (f) => `${f.rule} ${f.range.line}:${f.range.column}-${f.range.endLine}:${f.range.endColumn}`,
    ),
    notes: r.notes.map((n) => n.message),
  };
}

describe('pathological shapes finish, in linear work', () => {
  it('2,000 nested ifs: the leak at the end of the function, one node and one step per if', () => {
    const src = nestedIfs(2000);
    expect(lint(src)).toEqual({ findings: ['missing-release 4006:1-4006:2'], notes: [] });
    const paths = pathsOf(src, 'f');
    expect({ nodes: paths.fn.cfg.nodes.length, steps: paths.steps, partial: paths.partial }).toEqual({
      nodes: 2005,
      steps: 2006,
      partial: false,
    });
  });

  it('an 800-label goto ladder: four steps per label', () => {
    const src = gotoLadder(800);
    expect(lint(src)).toEqual({ findings: ['missing-release 2405:2-2405:11'], notes: [] });
    const paths = pathsOf(src, 'f');
    expect({ nodes: paths.fn.cfg.nodes.length, steps: paths.steps, partial: paths.partial }).toEqual({
      nodes: 2405,
      steps: 3207,
      partial: false,
    });
  });

  it('a 1,000-arm else-if chain: three steps per arm', () => {
    const src = elseIfChain(1000);
    expect(lint(src)).toEqual({ findings: ['missing-release 6:3-6:12'], notes: [] });
    const paths = pathsOf(src, 'f');
    expect({ nodes: paths.fn.cfg.nodes.length, steps: paths.steps, partial: paths.partial }).toEqual({
      nodes: 2005,
      steps: 3005,
      partial: false,
    });
  });

  it('steps grow linearly: twice the ladder, twice the steps (within a few)', () => {
    const small = pathsOf(gotoLadder(200), 'f').steps;
    const large = pathsOf(gotoLadder(400), 'f').steps;
    expect(large - 2 * small).toBeLessThanOrEqual(8);
  });
});

describe('deep expressions do not overflow the stack', () => {
  const n = 5000;
  const sum = Array.from({ length: n }, () => 'a').join(' + ');
  // [what, body, the rules reported]: the pages handed to foo() escape, so no leak there.
  const cases: [string, string, string[]][] = [
    [
      'a 5,000-operand && condition',
      `\tif (${Array.from({ length: n }, () => 'a').join(' && ')})\n\t\treturn -1;\n`,
      ['missing-release'],
    ],
    ['a 5,000-operand sum stored and passed on', `\tint x;\n\tx = ${sum};\n\tfoo(p, ${sum});\n`, []],
    [
      '5,000 FOLL_WRITE flags or-ed',
      `\tr = pin_user_pages_fast(0, 1, ${Array.from({ length: n }, () => 'FOLL_WRITE').join(' | ')}, p);\n`,
      ['missing-release'],
    ],
    ['5,000 nested parentheses', `\tif (${'('.repeat(n)}a${')'.repeat(n)})\n\t\treturn -1;\n`, ['missing-release']],
  ];
  for (const [what, body, rules] of cases) {
    it(what, () => {
      const src = `int f(int a)\n${HEAD}${body}\treturn r;\n}\n`;
      expect(lint(src).findings.map((f) => f.split(' ')[0])).toEqual(rules);
    });
  }
});
