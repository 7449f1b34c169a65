/**
 * Comparing a run's findings with an earlier run's (a baseline, or the same files at an older
 * revision), by file and fingerprint (./fingerprint.ts). The states are SARIF's `baselineState`
 * values (SARIF 2.1.0 §3.27.24): `new` (not in the baseline), `unchanged` (in both), and `absent`
 * (in the baseline only: fixed, or its file no longer linted).
 */

export type BaselineState = 'new' | 'unchanged' | 'absent';

/** A finding as the comparison sees it: the file it is in (one spelling for both runs) and its fingerprint. */
export interface Fingerprinted {
  readonly file: string;
  readonly fingerprint: string;
}

export interface BaselineComparison<B> {
  /** One state per current finding, in the order given: `new` or `unchanged`. */
  readonly states: readonly Exclude<BaselineState, 'absent'>[];
  /** The baseline's findings that the current run no longer has, in the baseline's order. */
  readonly absent: readonly B[];
}

const key = (f: Fingerprinted): string => `${f.file}\0${f.fingerprint}`;

/** Multiset comparison: a fingerprint twice in the current run and once in the baseline is one new finding. */
export function compareWithBaseline<B extends Fingerprinted>(
  current: readonly Fingerprinted[],
  baseline: readonly B[],
): BaselineComparison<B> {
  const remaining = new Map<string, B[]>();
  for (const b of baseline) {
    const list = remaining.get(key(b));
    if (list) list.push(b);
    else remaining.set(key(b), [b]);
  }
  const states = current.map((f) => (remaining.get(key(f))?.shift() !== undefined ? 'unchanged' : 'new'));
  const left = new Set([...remaining.values()].flat());
  return { states, absent: baseline.filter((b) => left.has(b)) };
}
