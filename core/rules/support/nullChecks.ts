/**
 * Tests of a DMA mapping handle against 0 (`!h`, `h == 0`, `h == NULL`, and `h`, `h != 0` as
 * success tests). dma-mapping-null-check reports them; dma-mapping-unchecked stays silent where
 * one exists, because the null-check finding says it better.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { walk } from '../../parse/syntax';
import { canonical, unwrap } from '../../analysis/expr';
import type { CfgNode } from '../../analysis/cfg';
import type { DmaOp } from '../../analysis/ops';
import type { FunctionAnalysis } from '../../analysis/types';
import { handleMaps } from './dmaOps';
import { defsAtTest, reachingDefs } from './handleDefs';

export interface NullCheck {
  readonly node: SyntaxNode;
  /** The CFG node whose condition holds the test. */
  readonly at: CfgNode;
  readonly handle: string;
  /** `h` or `h != 0`: the test is true when the handle is non-zero. */
  readonly negated: boolean;
}

function nullChecksIn(fn: FunctionAnalysis, handles: ReadonlySet<string>): NullCheck[] {
  const found: NullCheck[] = [];
  const conditions: { expr: SyntaxNode; at: CfgNode }[] = [];
  for (const n of fn.cfg.nodes)
    for (const e of n.succs)
      if (e.cond && !conditions.some((c) => c.expr === e.cond?.expr)) conditions.push({ expr: e.cond.expr, at: n });
  const isZero = (n: SyntaxNode): boolean => {
    const u = unwrap(n);
    return (u.type === 'number_literal' && Number(u.text) === 0) || u.text === 'NULL' || u.type === 'null';
  };
  for (const { expr: c, at } of conditions) {
    walk(c, (n) => {
      if (n.type === 'unary_expression' && n.child(0)?.type === '!') {
        const arg = n.childForFieldName('argument');
        if (arg && handles.has(canonical(arg))) found.push({ node: n, at, handle: canonical(arg), negated: false });
        return false;
      }
      if (n.type === 'binary_expression') {
        const op = n.childForFieldName('operator')?.type;
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        if ((op === '==' || op === '!=') && l && r) {
          const handleSide =
            handles.has(canonical(l)) && isZero(r) ? l : handles.has(canonical(r)) && isZero(l) ? r : null;
          if (handleSide) found.push({ node: n, at, handle: canonical(handleSide), negated: op === '!=' });
          return false;
        }
      }
      if (
        (n.type === 'identifier' || n.type === 'field_expression') &&
        n.id === unwrap(c).id &&
        handles.has(canonical(n))
      ) {
        found.push({ node: n, at, handle: canonical(n), negated: true });
      }
      return true;
    });
  }
  return found;
}

/** A test against 0 that is the failure check of a mapping, with that mapping. */
export interface FailureNullCheck extends NullCheck {
  readonly map: DmaOp;
}

const failureCache = new WeakMap<FunctionAnalysis, readonly FailureNullCheck[]>();

/**
 * The tests against 0 that are the failure check of a mapping (issue 11, "a driver's own meaning
 * of 0"): every value the handle can hold at the test comes from a map, and one of those maps
 * reaches it with no dma_mapping_error() on the way. A handle that may also hold 0 on purpose
 * (`dma_handle = 0` for "bounce buffer in use", a slot never mapped, a field read before its map)
 * or that was checked already (a deliberate remap because the device cannot use bus address 0)
 * makes the test the driver's own business.
 */
export function failureNullChecks(fn: FunctionAnalysis): readonly FailureNullCheck[] {
  let found = failureCache.get(fn);
  if (found) return found;
  const out: FailureNullCheck[] = [];
  found = out;
  failureCache.set(fn, found);
  const handles = new Set(handleMaps(fn).map((m) => m.key as string));
  if (handles.size === 0) return found;
  const defsByKey = new Map<string, ReturnType<typeof reachingDefs>>();
  for (const check of nullChecksIn(fn, handles)) {
    let facts = defsByKey.get(check.handle);
    if (!facts) {
      facts = reachingDefs(fn, check.handle);
      defsByKey.set(check.handle, facts);
    }
    const defs = defsAtTest(fn, facts, check.at, check.handle);
    if (defs.length === 0 || defs.some((d) => d.map === null)) continue;
    const unchecked = defs.find((d) => !d.checked);
    if (unchecked?.map) out.push({ ...check, map: unchecked.map });
  }
  return found;
}
