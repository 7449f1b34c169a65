/**
 * The branch transfer: following a conditional edge. A condition the path already decided the
 * other way makes the edge infeasible; one that tests a resource's result narrows its outcomes
 * (`if (ret < 0)` keeps neg on the true edge); `if (x)`/`x == NULL` teaches the path whether x is
 * NULL; and a release stepped around on a branch pinscope cannot decide makes a leak uncertain.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { walk as walkSyntax } from '../../parse/syntax';
import type { CfgEdge, CfgNode, EdgeCondition } from '../../analysis/cfg';
import { canonical, unwrap } from '../../analysis/expr';
import type { Expr } from '../exprs';
import { FACT_WRAPPERS } from '../exprs';
import { bind, oneLine, setRes, spanOf, type ResState, type State } from '../state';
import { resourcesIn, truth, type Outcome } from '../values';
import { memoKey, type FunctionWalk } from '../walk';
import type { TransferModule } from './module';

type Condition = EdgeCondition;

/**
 * Follows a conditional edge and remembers what it decided: the condition, and through `!`,
 * `&&` taken true and `||` taken false, each of its parts. A part the path already decided the
 * other way makes the edge infeasible. Facts are added after the edge is evaluated, so the
 * outcome narrowing below still sees the condition as open.
 */
function branch(walk: FunctionWalk, edge: CfgEdge, input: State): State[] {
  if (!edge.cond) return [input]; // a switch case: the constants transfer decides it
  const cond = edge.cond;
  const learned = new Map<string, boolean>();
  if (!learnFacts(walk.exprs.of(cond.expr), cond.value, input.facts, learned)) return [];
  const out = branchOn(walk, edge, input);
  if (learned.size === 0) return out;
  return out.map((s) => ({ ...s, facts: new Map([...s.facts, ...learned]) }));
}

function branchOn(walk: FunctionWalk, edge: CfgEdge, state: State): State[] {
  const cond = edge.cond as Condition;
  const ctx = walk.valueContext(state);
  const involved = [...resourcesIn(cond.expr, ctx)].filter((id) => (state.res[id]?.outcomes.length ?? 0) > 0);
  const label = `${oneLine(cond.expr.text, 60)}: ${cond.value}`;
  const node = walk.cfg.nodes[nodeOfEdge(walk, edge)] as CfgNode;
  if (involved.length !== 1) {
    const t = truth(cond.expr, ctx, new Map());
    if (t !== 'unknown' && t !== cond.value) return [];
    let { state: s } = walk.event(state, 'branch', node, spanOf(cond.expr), label, {
      branch: { text: oneLine(cond.expr.text, 60), value: cond.value },
    });
    s = refineNulls(s, cond.expr, cond.value);
    if (t === 'unknown') s = skippedReleases(walk, s, edge);
    if (!cond.value && /\biov_iter_extract_will_pin\s*\(/.test(cond.expr.text)) {
      // Not a user-backed iterator: iov_iter_extract_pages() took no pins.
      for (const r of walk.resources)
        if (r.op.kind === 'acquire' && r.op.api.conditionalPin && s.res[r.id])
          s = setRes(s, r.id, { outcomes: ['zero'] });
    }
    return [s];
  }
  const id = involved[0] as number;
  const rs = state.res[id] as ResState;
  let uncertain = false;
  // `if (a && gup(...))` taken false: either `a` was false and the call never ran, or the call
  // failed — in both cases no pages. Decide on the call's operand alone.
  const decider = shortCircuitOperand(cond.expr, cond.value, (e) => resourcesIn(e, ctx).has(id));
  let kept: Outcome[];
  if (decider) {
    // Outcomes under which the call's operand is true did not happen on this edge: `a` was
    // false and the call never ran, which holds no pages either.
    kept = rs.outcomes.filter((o) => truth(decider, ctx, new Map([[id, o]])) !== true);
    if (kept.length === 0) kept = ['zero'];
  } else {
    kept = rs.outcomes.filter((o) => {
      const t = truth(cond.expr, ctx, new Map([[id, o]]));
      if (t === 'unknown') uncertain = true;
      return t === 'unknown' || t === cond.value;
    });
  }
  if (kept.length === 0) return [];
  const { state: s, index } = walk.event(state, 'branch', node, spanOf(cond.expr), label, {
    branch: { text: oneLine(cond.expr.text, 60), value: cond.value },
    res: [id],
  });
  const narrowed = kept.length < rs.outcomes.length;
  let out = setRes(s, id, { outcomes: kept, ...(narrowed ? { decisive: index } : {}) });
  // The maps one helper call makes share its status (iaa_remap_for_verify() maps src, then dst).
  for (const other of sameCallMaps(walk, id))
    if (out.res[other]?.outcomes.length)
      out = setRes(out, other, { outcomes: kept, ...(narrowed ? { decisive: index } : {}) });
  if (uncertain) out = skippedReleases(walk, out, edge);
  return [out];
}

/** The other maps a summarised helper's call makes, besides resource `id` (summaries.ts, dmaOpsAt). */
function sameCallMaps(walk: FunctionWalk, id: number): number[] {
  const r = walk.resources[id];
  if (r?.op.kind !== 'dma' || r.op.api.returns !== 'status' || r.op.node.type !== 'call_expression') return [];
  return walk.resources
    .filter((o) => o.id !== id && o.op.kind === 'dma' && o.op.node.id === r.op.node.id && o.op !== r.op)
    .map((o) => o.id);
}

/** `if (x)`, `if (!x)`, `x == NULL`: what the branch says about the pointer x. */
function refineNulls(state: State, expr: SyntaxNode, value: boolean): State {
  let e = unwrap(expr);
  let positive = value;
  while (e.type === 'unary_expression' && e.child(0)?.type === '!') {
    positive = !positive;
    const arg = e.childForFieldName('argument');
    if (!arg) return state;
    e = unwrap(arg);
  }
  if (e.type === 'binary_expression') {
    const op = e.childForFieldName('operator')?.type;
    const right = e.childForFieldName('right');
    const left = e.childForFieldName('left');
    if ((op === '==' || op === '!=') && right && left && (right.text === 'NULL' || right.text === '0')) {
      positive = op === '!=' ? positive : !positive;
      e = unwrap(left);
    } else return state;
  }
  if (e.type !== 'identifier' && e.type !== 'field_expression') return state;
  const name = e.type === 'identifier' ? e.text : canonical(e);
  const current = state.env.get(name);
  if (current && current.kind !== 'opaque' && current.kind !== 'var' && current.kind !== 'nonnull') return state;
  return bind(state, name, positive ? { kind: 'nonnull' } : { kind: 'const', value: 0 });
}

const ARM_RELEASES = memoKey<Map<CfgEdge, Set<string>>>('keys released in the arm each edge steps around');

/** Keys released inside the arm of an `if` the path did not take. */
function skippedReleases(walk: FunctionWalk, state: State, edge: CfgEdge): State {
  const cache = walk.memo(ARM_RELEASES, () => new Map<CfgEdge, Set<string>>());
  let keys = cache.get(edge);
  if (!keys) {
    keys = armReleases(walk, edge);
    cache.set(edge, keys);
  }
  let out = state;
  for (const key of keys) {
    for (const r of walk.resourcesCovered(out, key)) {
      if ((out.res[r.id] as ResState).status === 'held') out = setRes(out, r.id, { maybeReleased: true });
    }
  }
  return out;
}

/**
 * The part of the code an edge steps around — the other arm of an `if`, or the body of a loop
 * it leaves (a loop releasing `pages[i]` for i < n, left when n is 0) — and the keys released,
 * handed off or stored there.
 */
function armReleases(walk: FunctionWalk, edge: CfgEdge): Set<string> {
  const keys = new Set<string>();
  const arm = (edge.cond as Condition).skips;
  if (!arm) return keys;
  const sites = walk.memo(HAND_OFF_SITES, () => handOffSites(walk));
  // The sites whose statement lies inside the arm: those starting in it (found by bisection) and
  // ending in it. Scanning every node per edge made else-if chains and goto ladders quadratic.
  const armStart = arm.startIndex;
  const armEnd = arm.endIndex;
  let lo = 0;
  let hi = sites.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sites[mid] as HandOffSite).start < armStart) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < sites.length && (sites[i] as HandOffSite).start <= armEnd; i++) {
    const site = sites[i] as HandOffSite;
    if (site.end <= armEnd && (!site.joins || !leavesFrom(arm))) keys.add(site.key);
  }
  return keys;
}

/** Whether the function is left from inside `arm`: a return, or a goto (to an error label). */
function leavesFrom(arm: SyntaxNode): boolean {
  let leaves = false;
  walkSyntax(arm, (n) => {
    if (leaves) return false;
    if (n.type === 'return_statement' || n.type === 'goto_statement') leaves = true;
    return !leaves;
  });
  return leaves;
}

interface HandOffSite {
  /** The statement's span. */
  readonly start: number;
  readonly end: number;
  readonly key: string;
  /**
   * Counts only when the arm falls through to the code after it: an unmap on an arm that returns
   * or jumps away (`if (n > max) { scsi_dma_unmap(cmd); return -EINVAL; }`) belongs to that exit,
   * and the path that steps around it still holds the mapping.
   */
  readonly joins?: boolean;
}

const HAND_OFF_SITES = memoKey<readonly HandOffSite[]>('releases, stores and hand-offs of pages, by position');

/**
 * Every release, store (not a call) and I/O hand-off of pages in the function, and every unmap of
 * a mapping kept in a SCSI command, by statement start.
 */
function handOffSites(walk: FunctionWalk): HandOffSite[] {
  const sites: HandOffSite[] = [];
  for (const n of walk.cfg.nodes) {
    if (!n.syntax) continue;
    const keys: string[] = [];
    const unmaps: string[] = [];
    for (const op of n.ops) {
      if (op.kind === 'release' && op.pages) keys.push(op.pages.key);
      if (op.kind === 'escape' && op.how !== 'call') keys.push(op.pages.key);
      if (op.kind === 'use' && op.use.kind !== 'data') keys.push(op.pages.key);
      // scsi_dma_unmap(cmd) under a test the path cannot relate to the map (`if (mapped)`,
      // `if (scsi_sg_count(cmd))`): the command may have been unmapped on the path that skips it.
      if (op.kind === 'dma' && op.api.role === 'unmap' && op.api.keptIn !== undefined && op.key !== null)
        unmaps.push(op.key);
    }
    if (keys.length === 0 && unmaps.length === 0) continue;
    const start = n.syntax.startIndex;
    const end = n.syntax.endIndex;
    for (const key of keys) sites.push({ start, end, key });
    for (const key of unmaps) sites.push({ start, end, key, joins: true });
  }
  return sites.sort((a, b) => a.start - b.start);
}

const EDGE_SOURCES = memoKey<Map<CfgEdge, number>>('the node each edge leaves');

function nodeOfEdge(walk: FunctionWalk, edge: CfgEdge): number {
  const sources = walk.memo(EDGE_SOURCES, () => {
    const map = new Map<CfgEdge, number>();
    for (const n of walk.cfg.nodes) for (const e of n.succs) map.set(e, n.id);
    return map;
  });
  return sources.get(edge) ?? walk.cfg.entry;
}

/** Adds what taking `e` as `value` decides to `into`; false when it contradicts `known`. */
function learnFacts(e: Expr, value: boolean, known: ReadonlyMap<string, boolean>, into: Map<string, boolean>): boolean {
  if (e.k === 'not') return learnFacts(e.arg, !value, known, into) && record();
  if (e.k === 'call' && FACT_WRAPPERS.has(e.fn) && e.args[0])
    return learnFacts(e.args[0], value, known, into) && record();
  if (e.k === 'binary' && ((e.op === '&&' && value) || (e.op === '||' && !value))) {
    if (!learnFacts(e.left, value, known, into) || !learnFacts(e.right, value, known, into)) return false;
  }
  // `x > 0`, `x < 0`, `x != 0` taken true say that `x` is non-zero, `x == 0` that it is zero:
  // `if (secondlen > 0) …; if (secondlen) …` takes the second branch the same way.
  const zeroTest = e.k === 'binary' && e.right.k === 'num' && e.right.value === 0 ? e.left.fact : null;
  if (zeroTest !== null && value && ['>', '<', '!='].includes((e as { op: string }).op))
    if (!implied(zeroTest, true)) return false;
  if (zeroTest !== null && value && (e as { op: string }).op === '==') if (!implied(zeroTest, false)) return false;
  return record();

  function implied(fact: string, holds: boolean): boolean {
    const before = known.get(fact) ?? into.get(fact);
    if (before !== undefined) return before === holds;
    into.set(fact, holds);
    return true;
  }

  function record(): boolean {
    if (e.fact === null) return true;
    const before = known.get(e.fact) ?? into.get(e.fact);
    if (before !== undefined) return before === value;
    into.set(e.fact, value);
    return true;
  }
}

/**
 * For `A && C` on its false edge (and `A || C` on its true edge) where only C mentions the
 * resource: the operand that decides whether the resource's call ran and succeeded.
 */
function shortCircuitOperand(
  expr: SyntaxNode,
  value: boolean,
  mentions: (e: SyntaxNode) => boolean,
): SyntaxNode | null {
  const e = unwrap(expr);
  if (e.type !== 'binary_expression') return null;
  const op = e.childForFieldName('operator')?.type;
  const left = e.childForFieldName('left');
  const right = e.childForFieldName('right');
  if (!left || !right || mentions(left) || !mentions(right)) return null;
  if (op === '&&' && value === false) return right;
  return null;
}

export const branchTransfer: TransferModule = {
  name: 'branches',
  alongCondition: branch,
};
