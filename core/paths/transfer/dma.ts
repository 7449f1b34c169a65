/**
 * The DMA transfer (dma-api.rst; dma-debug's error classes, kernel-semantics.md §4.2): maps,
 * coherent allocations, pool blocks and pools create resources; dma_mapping_error() checks them;
 * unmaps, frees and pool destroys release them (a second time is a double unmap; a pool destroyed
 * with a block still out is a pool leak); a handle used before any check is unchecked; coherent
 * memory reaching kfree() is a wrong free. Each unmap, free or sync remembers the maps it met.
 */
import type { CfgNode } from '../../analysis/cfg';
import { calleeName, canonical, forEachAssignment, isNullPointer, unwrap } from '../../analysis/expr';
import { dmaApi } from '../../catalog/dma';
import type { Variable } from '../../analysis/functions';
import { sgTableKey, type DmaOp } from '../../analysis/ops';
import { keepsNoDmaHandle, writesDeviceRegister } from '../../catalog/helpers';
import { isWrongFreeForCoherent, startsWithOwnedAllocation } from '../../catalog/memory';
import { checkedStraightAfter } from '../checkAhead';
import { skippedConsumer } from '../liveness';
import { initialOutcomes, mayHold } from '../outcomes';
import { bind, FRESH, oneLine, setRes, spanOf, type ResState, type State } from '../state';
import type { Resource } from '../types';
import { memoKey, type FunctionWalk } from '../walk';
import type { OpTransfer, TransferModule } from './module';

/** The DMA resources `key` names on this path: by key, `&dma` handle, or the same sg table. */
function dmaResources(walk: FunctionWalk, state: State, key: string | null): Resource[] {
  if (!key) return [];
  // A coherent or pool allocation is known by its CPU address and by its `&dma` handle; a
  // table by `sgt` and by `sgt->sgl`.
  const sg = sgTableKey(key);
  return walk.resources.filter(
    (r) =>
      r.op.kind === 'dma' &&
      (r.key === key || r.op.handleOut === key || (r.key !== null && sgTableKey(r.key) === sg)) &&
      state.res[r.id] !== undefined &&
      state.res[r.id]?.detached !== true,
  );
}

/** Remembers that `op` (an unmap, free or sync) met these maps (maybe none) on a path. */
function pair(walk: FunctionWalk, op: DmaOp, targets: readonly Resource[]): void {
  // Reached with nothing to pair is recorded too: the rules then know no map reaches it.
  let set = walk.dmaPairs.get(op);
  if (!set) walk.dmaPairs.set(op, (set = new Set()));
  for (const t of targets) if (t.op.kind === 'dma') set.add(t.op);
}

/** A DMA API call: maps and allocations create resources, unmaps and frees release them. */
const dmaCall: OpTransfer<'dma'> = (walk, node, op, state) => {
  const api = op.api;
  const label = `${op.name}(${oneLine(op.args.map((a) => a.text).join(', '), 60)})`;
  if ((api.role === 'map' || api.role === 'alloc' || api.role === 'pool-create') && !api.managed)
    return createResource(walk, node, op, state, label);
  if (api.role === 'sync') {
    const targets = dmaResources(walk, state, op.key);
    pair(
      walk,
      op,
      targets.filter((r) => state.res[r.id]?.status !== 'released'),
    );
    return walk.event(state, 'use', node, spanOf(op.node), label, { op, res: targets.map((t) => t.id) }).state;
  }
  if (api.role === 'unmap' || api.role === 'free' || api.role === 'pool-destroy')
    return releaseResource(walk, node, op, state, label);
  if (api.role === 'check') {
    const targets = dmaResources(walk, state, op.key);
    let s = state;
    for (const r of targets) s = setRes(s, r.id, { checked: true });
    return walk.event(s, 'use', node, spanOf(op.node), label, { op, res: targets.map((t) => t.id) }).state;
  }
  return state;
};

/** A map, allocation or pool: a new resource, held, failed or not. */
function createResource(walk: FunctionWalk, node: CfgNode, op: DmaOp, input: State, label: string): State {
  const span = spanOf(op.node);
  if (op.key === null) return walk.event(input, 'acquire', node, span, `${label} — result not kept`, { op }).state;
  const key = op.key;
  let state = input;
  const r = walk.resourceFor(op, node.id, () => ({
    key,
    // scsi_dma_map(cmd): the command is the caller's, but the mapping is this function's to undo
    // until it hands the command on (returns.ts decides when that is owed).
    nonLocal: op.api.keptIn === undefined && dmaKeyIsNonLocal(key, walk.fn.info.locals, walk.fn.info.body.text),
    nrSym: null,
  }));
  // `mapping = dma_map_single(...)` again (another call site): the old mapping is no longer `mapping`.
  for (const other of dmaResources(walk, state, op.key))
    if (other !== r) state = setRes(state, other.id, { detached: true });
  state = setRes(state, r.id, { outcomes: initialOutcomes(op), ...FRESH, detached: false });
  state = walk.event(state, 'acquire', node, span, label, { op, res: [r.id] }).state;
  // `n = dma_map_sg(...)`, `obj->dma = dma_map_single(...)`, `*out = ...`: later tests of
  // that place decide the outcome.
  if (op.resultKey) state = bind(state, op.resultKey, { kind: 'result', res: r.id });
  return state;
}

/** An unmap, free or pool destroy: releases what it names; a destroy also catches busy blocks. */
function releaseResource(walk: FunctionWalk, node: CfgNode, op: DmaOp, input: State, label: string): State {
  const targets = dmaResources(walk, input, op.key);
  pair(
    walk,
    op,
    targets.filter((r) => input.res[r.id]?.status !== 'released'),
  );
  const { state: s1, index } = walk.event(input, 'release', node, spanOf(op.node), label, {
    op,
    res: targets.map((t) => t.id),
  });
  let state = s1;
  for (const r of targets) {
    const rs = state.res[r.id] as ResState;
    if (rs.status === 'released') {
      const earlier = rs.changedAt !== null ? (state.events[rs.changedAt] ?? null) : null;
      state = walk.issue(state, 'double-release', r, index, { earlier });
    } else if (
      op.api.role === 'unmap' &&
      r.op.kind === 'dma' &&
      r.op.api.returns === 'handle' &&
      !rs.checked &&
      !rs.uncheckedReported &&
      rs.outcomes.includes('zero')
    ) {
      // dma-debug: "device driver failed to check map error" at unmap time.
      state = walk.issue(state, 'dma-unchecked', r, index);
      state = setRes(state, r.id, { uncheckedReported: true });
    }
    state = setRes(state, r.id, { status: 'released', changedAt: index });
  }
  return op.api.role === 'pool-destroy' ? busyPoolBlocks(walk, op, state, index) : state;
}

/** dma_pool_destroy() with a block from the pool still allocated on this path: a pool leak. */
function busyPoolBlocks(walk: FunctionWalk, op: DmaOp, input: State, index: number): State {
  let state = input;
  for (const r of walk.resources) {
    const rs = state.res[r.id];
    if (!rs || r.op.kind !== 'dma' || r.op.pool !== op.key || !mayHold(r, rs.outcomes)) continue;
    // Still allocated: held, or only lent to a function while this one frees it itself later.
    const lent =
      rs.status === 'escaped' &&
      rs.escapeHow === 'call' &&
      rs.changedAt !== null &&
      dmaReleasedAfter(walk, r, state.events[rs.changedAt]?.span.start ?? Infinity);
    if (rs.status !== 'held' && !lent) continue;
    // Kept in a struct or a list (freed through it), or freed by a loop this path skipped.
    if (r.nonLocal || skippedConsumer(walk, r, state)) continue;
    state = walk.issue(state, 'pool-leak', r, index);
    // Reported once, here: the busy pool page goes with the destroyed pool.
    state = setRes(state, r.id, { status: 'escaped', changedAt: index, escapeHow: 'pool-destroyed' });
  }
  return state;
}

/** A DMA handle used: checked by a helper, passed on, stored, returned, or only read. */
const dmaUse: OpTransfer<'dma-use'> = (walk, node, op, input) => {
  let state = input;
  const targets = dmaResources(walk, state, op.key);
  if (targets.length === 0) return state;
  // A helper that checks the mapping is also a function it is passed to: it may keep it
  // (iwlwifi's set_tb_with_wa() checks and stores into the TFD).
  if (op.how === 'check') for (const r of targets) state = setRes(state, r.id, { checked: true });
  const how = op.how === 'check' ? 'call' : op.how;
  const label =
    op.how === 'check'
      ? `DMA handle checked by ${op.callee ?? 'a helper'}()`
      : how === 'call'
        ? `DMA handle passed to ${op.callee ?? 'a function'}()`
        : how === 'store'
          ? 'DMA handle stored'
          : how === 'return'
            ? 'DMA handle returned'
            : 'DMA handle used';
  // Stored, returned or passed on: ownership may have left (a call's is settled at the return —
  // see the leak check in returns.ts). An `escape` event then (the simulation hands the mapping
  // over), a `use` otherwise.
  // A register write takes the device address of coherent or pool memory, not the memory: the
  // CPU address still has to be kept to free it (issue 11: "writing its handle to a device
  // register is not a hand-off of the memory").
  const toRegister = how === 'call' && writesDeviceRegister(op.callee ?? '');
  const leavesWith = (r: Resource): boolean =>
    how !== 'use' && !(toRegister && r.op.kind === 'dma' && r.op.api.role === 'alloc');
  const kind = targets.some((r) => leavesWith(r) && state.res[r.id]?.status === 'held') ? 'escape' : 'use';
  const { state: s1, index } = walk.event(state, kind, node, spanOf(op.node), label, {
    op,
    res: targets.map((t) => t.id),
  });
  state = s1;
  for (const r of targets) {
    const rs = state.res[r.id] as ResState;
    if (rs.status !== 'held' && rs.status !== 'escaped') continue;
    // kfree() of coherent memory, on a path where it is coherent memory (`if (hl) buf =
    // kmalloc(...); else buf = dma_alloc_coherent(...);` frees each its own way).
    if (
      op.how === 'call' &&
      isWrongFreeForCoherent(op.callee ?? '') &&
      r.op.kind === 'dma' &&
      r.op.api.role === 'alloc' &&
      r.op.api.type !== 'pool' &&
      r.key === op.key &&
      mayHold(r, rs.outcomes)
    ) {
      state = walk.issue(state, 'wrong-free', r, index);
      state = setRes(state, r.id, { status: 'released', changedAt: index });
      continue;
    }
    // Returned: the caller checks it (or not — its own finding). Stored a line before the check:
    // bookkeeping, not a device use (checkAhead.ts).
    if (
      how !== 'return' &&
      !rs.checked &&
      !rs.uncheckedReported &&
      r.op.kind === 'dma' &&
      r.op.api.returns === 'handle' &&
      rs.outcomes.includes('zero') &&
      !(r.key !== null && checkedStraightAfter(walk, node, op, r.key))
    ) {
      state = walk.issue(state, 'dma-unchecked', r, index);
      state = setRes(state, r.id, { uncheckedReported: true });
    }
    if (leavesWith(r) && (state.res[r.id] as ResState).status === 'held')
      state = setRes(state, r.id, { status: 'escaped', changedAt: index, escapeHow: how });
  }
  return state;
};

/**
 * A mapping passed to a function (not stored, not returned) on a path that ends in an error:
 * still this function's to undo when it unmaps it itself further on — the callee only used it
 * (`if (start(dev, addr)) return -EIO; … dma_unmap_single(dev, addr, …)`). On a success return
 * the callee is taken to own it (a descriptor, a request).
 *
 * An unmap counts only while the variable still holds this mapping: not after it was mapped
 * again (netcp's `dma_addr = dma_map_page(…)` of the next fragment). And when the function
 * unmaps handles it reads back from where it put them (`dma_addr = desc[frag].addr_lo;`, a
 * lookup `pci_dma_addr = ipu6_mmu_iova_to_phys(…)`), what it passed on was handed off: its
 * unwind finds the mapping there, not in the variable.
 */
export function dmaCallKept(walk: FunctionWalk, r: Resource, rs: ResState, state: State, failing: boolean): boolean {
  if (!failing || r.nonLocal || rs.status !== 'escaped' || rs.escapeHow !== 'call' || rs.changedAt === null)
    return false;
  const at = state.events[rs.changedAt];
  if (at === undefined || r.op.kind !== 'dma') return false;
  const unmaps = dmaReleasesOf(walk, r).filter((u) => u.offset > at.span.start);
  const defs = r.key ? assignmentsOf(walk, r.key) : [];
  // The last plain assignment of the key between the hand-over and the unmap, if any.
  const lastDef = (offset: number): KeyAssignment | undefined =>
    defs.filter((d) => d.offset > at.span.start && d.offset < offset).pop();
  if (unmaps.some((u) => lastDef(u.offset)?.source === 'other')) return false;
  return unmaps.some((u) => (u.viaHandle ? true : lastDef(u.offset) === undefined));
}

/**
 * A mapping kept in the caller's object (`sgl` a parameter, `req->dma`) that this function itself
 * unmaps later in its text (the success path, or another error exit): on a failing return that
 * does not unmap it, the function breaks its own rule, and the caller — told that the call failed —
 * has no reason to unmap what it never saw mapped (issue 11: "`return ERR_PTR(...)` is an error
 * return that must release what was mapped, even when the mapped object came in as a parameter").
 * Only while the path has not passed the mapping on (a call or a store), and only when no
 * assignment of the key lies between the map and that unmap (it would unmap something else).
 */
export function nonLocalUnmappedHere(
  walk: FunctionWalk,
  r: Resource,
  rs: ResState,
  failing: boolean,
  state: State,
): boolean {
  const exitAt = state.events[state.events.length - 1]?.span.start ?? -1;
  if (!failing || !r.nonLocal || rs.status !== 'held' || r.op.kind !== 'dma' || r.op.api.role !== 'map' || !r.key)
    return false;
  const mapAt = r.op.node.startIndex;
  const defs = assignmentsOf(walk, r.key).filter((d) => d.offset > mapAt);
  const unmapsItself = dmaReleasesOf(walk, r).some(
    (u) => !u.viaHandle && u.offset > mapAt && !defs.some((d) => d.offset < u.offset),
  );
  return (
    unmapsItself && !objectPassedOn(walk, r.key, r.op.node.endIndex, exitAt) && !skippedGuardedUnmap(walk, r, state)
  );
}

/**
 * Whether the path went past an unmap of `r` that an `if` guards (`if (sreq->nr_src > 0)
 * dma_unmap_sg(…)`, `if (ar->bus_param.dev_type != ATH10K_DEV_TYPE_HL) dma_unmap_single(…)`): the
 * driver decides by its own test whether there is a mapping to undo, and whether that test agrees
 * with the one that made the mapping is more than the path can tell (the values behind `&&` around
 * the map, a bus type). Silence, rather than a finding that rests on the path being feasible.
 */
function skippedGuardedUnmap(walk: FunctionWalk, r: Resource, state: State): boolean {
  const mapAt = r.op.node.startIndex;
  const body = walk.fn.info.body;
  const guards: { start: number; end: number }[] = [];
  for (const u of dmaReleasesOf(walk, r)) {
    if (u.offset <= mapAt) continue;
    for (let p = body.descendantForIndex(u.offset).parent; p && p.id !== body.id; p = p.parent) {
      const condition = p.type === 'if_statement' ? p.childForFieldName('condition') : null;
      if (condition) guards.push({ start: condition.startIndex, end: condition.endIndex });
    }
  }
  return state.events.some(
    (e) =>
      e.branch !== undefined &&
      e.span.start > mapAt &&
      guards.some((g) => e.span.start >= g.start && e.span.end <= g.end),
  );
}

/**
 * Whether a call written between the map and the exit is given the object the mapping lives in
 * (`ahash_unmap(jrdev, edesc, req, …)` for `req->src`): a same-file or foreign helper may unmap it
 * there, which the path does not show. Read from the text, not the path, so it errs towards silence.
 * DMA API calls and prints do not count.
 */
function objectPassedOn(walk: FunctionWalk, key: string, from: number, to: number): boolean {
  const root = /^[A-Za-z_]\w*/.exec(key)?.[0];
  if (root === undefined) return true;
  const mentions = new RegExp(`(?<![\\w.>])${root}\\b`);
  for (const call of walk.fn.info.body.descendantsOfType('call_expression')) {
    if (call.startIndex < from || call.startIndex >= to) continue;
    const name = calleeName(call);
    if (name !== null && (dmaApi(name) !== undefined || keepsNoDmaHandle(name))) continue;
    const args = call.childForFieldName('arguments');
    if (args && mentions.test(args.text)) return true;
  }
  return false;
}

interface DmaRelease {
  readonly offset: number;
  /** Released through the `&dma` handle of an allocation rather than its key. */
  readonly viaHandle: boolean;
}

const DMA_RELEASES = memoKey<Map<number, readonly DmaRelease[]>>('unmaps and frees of each DMA resource');

/** The unmaps and frees of `r`'s key or `&dma` handle in the function, in order (once per resource). */
function dmaReleasesOf(walk: FunctionWalk, r: Resource): readonly DmaRelease[] {
  if (r.op.kind !== 'dma') return [];
  const byResource = walk.memo(DMA_RELEASES, () => new Map<number, readonly DmaRelease[]>());
  let found = byResource.get(r.id);
  if (!found) {
    const out: DmaRelease[] = [];
    for (const n of walk.cfg.nodes) {
      for (const op of n.ops) {
        if (op.kind !== 'dma' || (op.api.role !== 'unmap' && op.api.role !== 'free') || op.key === null) continue;
        if (op.key === r.key) out.push({ offset: op.node.startIndex, viaHandle: false });
        else if (op.key === r.op.handleOut) out.push({ offset: op.node.startIndex, viaHandle: true });
      }
    }
    found = out.sort((a, b) => a.offset - b.offset);
    byResource.set(r.id, found);
  }
  return found;
}

/** Whether the function unmaps or frees `r` (by its key or `&dma` handle) somewhere after `offset`. */
function dmaReleasedAfter(walk: FunctionWalk, r: Resource, offset: number): boolean {
  return dmaReleasesOf(walk, r).some((u) => u.offset > offset);
}

interface KeyAssignment {
  readonly offset: number;
  /** `map`: a DMA map or allocation gives the variable a new mapping; `other`: read back or computed. */
  readonly source: 'map' | 'other';
}

const KEY_ASSIGNMENTS = memoKey<Map<string, readonly KeyAssignment[]>>('plain assignments of each DMA key');

/** The plain `key = …` assignments in the function, in order (`|=` and `+=` keep the mapping). */
function assignmentsOf(walk: FunctionWalk, key: string): readonly KeyAssignment[] {
  const byKey = walk.memo(KEY_ASSIGNMENTS, () => new Map<string, readonly KeyAssignment[]>());
  let found = byKey.get(key);
  if (!found) {
    const out: KeyAssignment[] = [];
    forEachAssignment(walk.fn.info.body, (left, right, assignment) => {
      if (canonical(left) !== key) return;
      const value = unwrap(right);
      const api = value.type === 'call_expression' ? dmaApi(calleeName(value) ?? '') : undefined;
      const source = api && (api.role === 'map' || api.role === 'alloc') ? 'map' : 'other';
      out.push({ offset: assignment.startIndex, source });
    });
    found = out;
    byKey.set(key, found);
  }
  return found;
}

/** A DMA API call, maybe cast: `dma_alloc_coherent(…)`, `(u8 *)dma_pool_alloc(…)`. */
const DMA_CALL = /^(?:\([^()]*\)\s*)?dma\w*\s*\(/;

/**
 * Whether a DMA resource's key names something the function does not own: a field, a global, a
 * parameter, or a local pointer that starts out pointing at someone else's object
 * (`struct sg_table *sgt = obj->sgt;`). Such a mapping or allocation belongs to that object.
 */
function dmaKeyIsNonLocal(key: string, locals: ReadonlyMap<string, Variable>, body: string): boolean {
  if (!/^[A-Za-z_]\w*$/.test(key)) return true;
  const local = locals.get(key);
  if (!local || local.isStatic) return true;
  if (local.pointerDepth === 0) return false;
  // `void *v = dma_alloc_coherent(…)`: initialised by the DMA call that makes the resource.
  if (
    local.init !== null &&
    !isNullPointer(local.init) &&
    !startsWithOwnedAllocation(local.init.text) &&
    !DMA_CALL.test(local.init.text)
  )
    return true;
  // `st = &obj->table;` later in the body: the same, assigned after the declaration.
  const assigned = new RegExp(`(?:^|[^\\w.>])${key}\\s*=(?!=)\\s*([^;]+);`, 'g');
  for (const m of body.matchAll(assigned)) {
    const right = (m[1] ?? '').trim();
    // Not NULL, not an allocation, not the DMA call that makes the resource itself.
    if (right !== 'NULL' && right !== '0' && !startsWithOwnedAllocation(right) && !DMA_CALL.test(right)) return true;
  }
  return false;
}

export const dmaTransfer: TransferModule = {
  name: 'dma',
  ops: { dma: dmaCall, 'dma-use': dmaUse },
};
