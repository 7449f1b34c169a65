/**
 * An unmap, free or sync judged against the maps it meets on the function's paths — never against
 * a map in a branch it cannot follow (`if (src == dst) map BIDI; else map TO_DEVICE`). The pairs
 * come from the path walk (core/paths/cache.ts), done once per function for all rules.
 */
import type { FileAnalysis } from '../../fileAnalysis/types';
import type { FunctionAnalysis } from '../../analysis/types';
import type { DmaOp } from '../../analysis/ops';
import { holdsResources, pathsOf } from '../../fileAnalysis/paths';

export interface Disagreement<V> {
  readonly op: DmaOp;
  /** The first map the op meets. */
  readonly map: DmaOp;
  /** How the op disagrees with that map. */
  readonly verdict: V;
}

/**
 * The ops of `ops` that disagree with every map they meet, on each of their paths (`compare`
 * returns null where an op and a map agree), with the verdict against the first map.
 */
export function disagreements<V>(
  file: FileAnalysis,
  fn: FunctionAnalysis,
  ops: readonly DmaOp[],
  compare: (op: DmaOp, map: DmaOp) => V | null,
): Disagreement<V>[] {
  if (ops.length === 0 || !holdsResources(fn)) return [];
  const pairs = pathsOf(file, fn).dmaPairs;
  const out: Disagreement<V>[] = [];
  for (const op of ops) {
    const verdicts = [...(pairs.get(op) ?? [])].map((map) => ({ map, verdict: compare(op, map) }));
    if (verdicts.length === 0 || verdicts.some((v) => v.verdict === null)) continue;
    const [first] = verdicts as { map: DmaOp; verdict: V }[];
    if (first) out.push({ op, map: first.map, verdict: first.verdict });
  }
  return out;
}
