/**
 * Summaries of the file's own helpers, computed in rounds so that a helper that calls a helper
 * is summarised too. A helper that releases what it takes on every path (it pins and unpins batch
 * by batch) is not an acquirer for its callers: deciding that walks its paths, which is why this
 * loop sits above the path engine.
 */
import type { BudgetMeter } from '../analysis/budget';
import type { FunctionInfo } from '../analysis/functions';
import type { AcquireOp, HelperSummaries, HelperSummary } from '../analysis/ops';
import { NO_HELPERS, summarize } from '../analysis/summaries';
import type { FunctionAnalysis } from '../analysis/types';
import { enumeratePaths, mayHold } from '../paths/engine';

/** The function releases what `op` takes before every return: it keeps nothing for its callers. */
function releasedOnEveryPath(fn: FunctionAnalysis, op: AcquireOp, meter: BudgetMeter): boolean {
  const paths = enumeratePaths(fn, { maxSteps: 5_000, maxPaths: 64 }, undefined, meter);
  if (paths.partial || paths.paths.length === 0) return false;
  return paths.paths.every((p) =>
    p.resources.every((r) => r.res.op !== op || r.status === 'released' || !mayHold(r.res, r.outcomes)),
  );
}

/**
 * The functions analysed with their helpers' summaries known: the first round without any, then
 * up to two more, rebuilding only the functions that call a summarised helper. `analyse` gives
 * null when the budget ran out building the function: it is skipped in the first round, and keeps
 * its earlier analysis in later ones.
 */
export function withHelperSummaries(
  relevant: readonly FunctionInfo[],
  calls: ReadonlyMap<FunctionInfo, ReadonlySet<string>>,
  analyse: (info: FunctionInfo, helpers: HelperSummaries) => FunctionAnalysis | null,
  meter: BudgetMeter,
  external: HelperSummaries = NO_HELPERS,
): { functions: FunctionAnalysis[]; helpers: HelperSummaries; skipped: FunctionInfo[]; summarised: Set<string> } {
  // Other files' summaries (the tree index) are known from the first round; the file's own
  // helpers shadow them by name.
  let helpers: HelperSummaries = external;
  const summarised = new Set<string>();
  const skipped: FunctionInfo[] = [];
  let functions: FunctionAnalysis[] = [];
  for (const info of relevant) {
    const f = analyse(info, helpers);
    if (f) functions.push(f);
    else skipped.push(info);
  }
  for (let round = 0; round < 2 && !meter.exhausted; round++) {
    const next = new Map<string, HelperSummary>(external);
    let own = 0;
    for (const f of functions) {
      const s = summarize(f.info, f.cfg, (op) => releasedOnEveryPath(f, op, meter));
      if (s) {
        next.set(f.info.name, s);
        own++;
      } else next.delete(f.info.name);
    }
    if (own === 0) break;
    const changed = functions.map((f) => f.info.name).filter((n) => next.has(n) && next.get(n) !== external.get(n));
    for (const name of changed) summarised.add(name);
    helpers = next;
    functions = functions.map((f) =>
      [...(calls.get(f.info) ?? [])].some((n) => changed.includes(n) && n !== f.info.name)
        ? (analyse(f.info, helpers) ?? f)
        : f,
    );
  }
  return { functions, helpers, skipped, summarised };
}
