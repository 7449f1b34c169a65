/**
 * The return transfer: what each `return` says (error, success, unknown, void — by its value
 * under the path's outcomes, by `?:` arms, and by the kernel's `if (ret) return ret;`
 * convention), and at the function's exit, which resources the path still holds: the leaks.
 * Pages kept in the caller's objects leave with them on success; a DMA handle that left the
 * function is its new owner's to free; an object this function built goes with its own release.
 */
import type { SyntaxNode } from '../../parse/syntax';
import type { CfgNode } from '../../analysis/cfg';
import { identifierName, unwrap } from '../../analysis/expr';
import { baseKey } from '../../analysis/storage';
import { skippedConsumer } from '../liveness';
import { mayHold } from '../outcomes';
import { oneLine, spanOf, type ResState, type State } from '../state';
import type { Resource, ReturnStatus } from '../types';
import { evaluate, resourcesIn, truth, type Outcome } from '../values';
import { memoKey, type FunctionWalk } from '../walk';
import { saysDeliberateLeak } from '../../catalog/helpers';
import { SCSI_MIDLAYER_BUSY } from '../../catalog/conventions';
import { dmaCallKept, nonLocalUnmappedHere } from './dma';
import { handedOffUnseen, tornDownBeforeExit } from './handoff';
import type { TransferModule } from './module';

function returnStatus(walk: FunctionWalk, value: SyntaxNode | null | undefined, state: State): ReturnStatus {
  if (!value) return 'void';
  const u = unwrap(value);
  if (u.type === 'conditional_expression') return conditionalStatus(walk, u, state);
  const v = evaluate(value, walk.valueContext(state));
  switch (v.kind) {
    case 'neg':
      return 'error';
    case 'const':
      if (v.value < 0) return 'error';
      if (v.value === 0 && walk.returnsPointer) return 'error';
      return 'success';
    case 'result': {
      const outcomes = state.res[v.res]?.outcomes ?? [];
      if (outcomes.length > 0 && outcomes.every((o) => o === 'neg')) return 'error';
      if (outcomes.length > 0 && outcomes.every((o) => o === 'partial' || o === 'full')) return 'success';
      return 'unknown';
    }
    default:
      return 'unknown';
  }
}

/**
 * `if (ret) return ret;`, `if (ret < 0) … return ret;`: an int the path tested non-zero or
 * negative, which by the kernel's convention is an error even though its value is unknown.
 */
function testedAsError(walk: FunctionWalk, value: SyntaxNode | null | undefined, state: State): boolean {
  const name = value ? identifierName(value) : null;
  return (
    name !== null &&
    !walk.returnsPointer &&
    (state.facts.get(name) === true || state.facts.get(`${name}<0`) === true || state.facts.get(`${name}!=0`) === true)
  );
}

/**
 * `return pinned < 0 ? pinned : -EFAULT;` and `return ret ? : -EFAULT;`: the status under each
 * outcome the path still allows; one status when they all agree.
 */
function conditionalStatus(walk: FunctionWalk, node: SyntaxNode, state: State): ReturnStatus {
  const condition = node.childForFieldName('condition');
  const consequence = node.childForFieldName('consequence');
  const alternative = node.childForFieldName('alternative');
  if (!condition || !alternative) return 'unknown';
  const ctx = walk.valueContext(state);
  const ids = [...resourcesIn(condition, ctx)].filter((id) => (state.res[id]?.outcomes.length ?? 0) > 0);
  const armStatus = (arm: SyntaxNode, outcome: Map<number, Outcome>): ReturnStatus => {
    const v = evaluate(arm, ctx);
    if (v.kind === 'neg' || (v.kind === 'const' && v.value < 0)) return 'error';
    if (v.kind === 'result') {
      const o = outcome.get(v.res);
      if (o === 'neg') return 'error';
      if (o === 'partial' || o === 'full') return 'success';
    }
    if (v.kind === 'const') return v.value === 0 && walk.returnsPointer ? 'error' : 'success';
    return 'unknown';
  };
  const statuses = new Set<ReturnStatus>();
  const outcomes =
    ids.length === 1
      ? (state.res[ids[0] as number] as ResState).outcomes.map((o) => new Map([[ids[0] as number, o]]))
      : [new Map<number, Outcome>()];
  for (const o of outcomes) {
    const t = truth(condition, ctx, o);
    // `a ? : b` yields the condition itself when it is true.
    const whenTrue = consequence ?? condition;
    if (t === true || t === 'unknown') statuses.add(armStatus(whenTrue, o));
    if (t === false || t === 'unknown') statuses.add(armStatus(alternative, o));
  }
  return statuses.size === 1 ? ([...statuses][0] as ReturnStatus) : 'unknown';
}

function applyReturn(walk: FunctionWalk, node: CfgNode, input: State): State {
  const status = returnStatus(walk, node.returnValue, input);
  const text = node.returnValue ? oneLine(node.returnValue.text, 40) : '';
  const errorLike = status === 'unknown' && testedAsError(walk, node.returnValue, input);
  const busy = status === 'unknown' && midlayerBusy(walk, node.returnValue, input);
  return walk.event(input, 'return', node, spanOf(node.syntax as SyntaxNode), `return${text ? ` ${text}` : ''}`, {
    returnStatus: status,
    returnText: text,
    ...(errorLike ? { errorByConvention: true } : {}),
    ...(busy ? { midlayerBusy: true } : {}),
  }).state;
}

/** `return SCSI_MLQUEUE_HOST_BUSY;`, or a variable the path set to one. */
function midlayerBusy(walk: FunctionWalk, value: SyntaxNode | null | undefined, state: State): boolean {
  if (!value) return false;
  const v = evaluate(value, walk.valueContext(state));
  return v.kind === 'var' && SCSI_MIDLAYER_BUSY.test(v.name);
}

/** The path at the exit: an `end of function` return when it fell off the end, and its leaks. */
function atExit(walk: FunctionWalk, input: State): State {
  let state = input;
  const last = state.events[state.events.length - 1];
  let status: ReturnStatus = last?.kind === 'return' ? (last.returnStatus ?? 'unknown') : 'void';
  if (last?.kind !== 'return') {
    // Fell off the end of the function.
    const body = walk.fn.info.body;
    const end = { start: Math.max(body.endIndex - 1, body.startIndex), end: body.endIndex };
    state = {
      ...state,
      events: [
        ...state.events,
        { kind: 'return', nodeId: walk.cfg.exit, span: end, label: 'end of function', returnStatus: 'void' },
      ],
    };
    status = 'void';
  }
  const exitIndex = state.events.length - 1;
  const failing = status === 'error' || last?.errorByConvention === true;
  const busy = last?.kind === 'return' && last.midlayerBusy === true;
  for (const r of walk.resources) {
    const rs = state.res[r.id];
    if (!rs || rs.status === 'released' || rs.maybeReleased) continue;
    if (!rs.carried && !mayHold(r, rs.outcomes)) continue;
    // scsi_dma_map(cmd): the command keeps the mapping and its completion unmaps it. Only a
    // return that gives the command back unaccepted — an error, or "busy" to the mid-layer,
    // which requeues it and maps it again — owes the unmap, and only when no caller in this
    // file unmaps the command itself.
    // An error here is an errno or a negative constant the path returns: an int only tested
    // non-zero (`if (bd_count) … return bd_count;`) may be a count.
    const keptIn = r.op.kind === 'dma' && r.op.api.keptIn !== undefined;
    const owed = status === 'error' || busy;
    if (keptIn && (!owed || callerReleases(walk, r))) continue;
    if (!leaks(walk, r, rs, state, status, keptIn ? owed : failing)) continue;
    if (!failing && mappedBufferReturned(r, last?.kind === 'return' ? (last.returnText ?? '') : '')) continue;
    if (r.op.kind === 'dma' && saysItLeaks(walk, r, state.events[exitIndex]?.span.start ?? -1)) continue;
    if (!failing && handedOffUnseen(walk, r)) continue;
    if (
      tornDownBeforeExit(
        walk,
        r,
        state.events[exitIndex]?.span.start ?? -1,
        state.events[exitIndex - 1]?.span.end ?? -1,
      )
    )
      continue;
    state = walk.issue(state, 'leak', r, exitIndex, { returnStatus: status });
  }
  return state;
}

const CALLER_RELEASES = memoKey<Map<string, boolean>>('a caller in the file releases what the function maps');

/**
 * Whether a function of this file that calls this one (directly or through others of the file)
 * calls the mapping's release (`scsi_dma_unmap()`): then an error of this function may be undone
 * there (`if (foo_build_sg(ha, cmd)) { scsi_dma_unmap(cmd); return SCSI_MLQUEUE_HOST_BUSY; }`),
 * and which of its errors it undoes is not told here.
 */
function callerReleases(walk: FunctionWalk, r: Resource): boolean {
  const release = r.op.kind === 'dma' ? r.op.api.release : undefined;
  if (release === undefined) return false;
  const byRelease = walk.memo(CALLER_RELEASES, () => new Map<string, boolean>());
  const known = byRelease.get(release);
  if (known !== undefined) return known;
  let unit = walk.fn.info.node;
  while (unit.parent) unit = unit.parent;
  const functions: { name: string; body: string }[] = [];
  for (const d of unit.namedChildren) {
    if (d.type !== 'function_definition') continue;
    const name = /\b([A-Za-z_]\w*)\s*\(/.exec(d.childForFieldName('declarator')?.text ?? '')?.[1];
    if (name) functions.push({ name, body: d.childForFieldName('body')?.text ?? '' });
  }
  const calls = (body: string, name: string): boolean => new RegExp(`\\b${name}\\s*\\(`).test(body);
  const seen = new Set([walk.fn.info.name]);
  let frontier = [walk.fn.info.name];
  let found = false;
  while (frontier.length > 0 && !found) {
    const next: string[] = [];
    for (const f of functions) {
      if (seen.has(f.name) || !frontier.some((callee) => calls(f.body, callee))) continue;
      seen.add(f.name);
      if (calls(f.body, release)) found = true;
      next.push(f.name);
    }
    frontier = next;
  }
  byRelease.set(release, found);
  return found;
}

/** Whether a resource still held at the exit is this function's leak. */
function leaks(
  walk: FunctionWalk,
  r: Resource,
  rs: ResState,
  state: State,
  status: ReturnStatus,
  failing: boolean,
): boolean {
  // iov_iter_extract_pages() pins only user-backed iterators: without a release anywhere in
  // the function the code is not handling pins at all (kernel iterators), so say nothing.
  if (r.op.kind === 'acquire' && r.op.api.conditionalPin && !releasesKey(walk, r.key)) return false;
  const ownedElsewhere = rs.status === 'escaped' || r.nonLocal;
  if (ownedElsewhere && status !== 'error' && r.op.kind !== 'dma') return false;
  // A DMA mapping or allocation whose handle left the function (a struct, a descriptor, a
  // helper, the caller) is freed by whoever owns it now — often the remove or completion
  // path — on error returns too: the rule stays silent (issue 6, "Bad input").
  if (
    ownedElsewhere &&
    r.op.kind === 'dma' &&
    !dmaCallKept(walk, r, rs, state, failing) &&
    !nonLocalUnmappedHere(walk, r, rs, failing, state)
  )
    return false;
  // The mapping leaks only because a loop that would have handed it on ran zero times
  // (`for (i = 0; i < n; i++) ring[i].dma = dma + i * sz;` with n unknown): not a finding.
  if (r.op.kind === 'dma' && skippedConsumer(walk, r, state)) return false;
  // On an error return, pages stored in (or pinned straight into) an object this function
  // created itself go with that object: its own release path (kref_put(), a destroy
  // helper) drops them. The convention binds objects the caller owns.
  if (status === 'error' && inLocalObject(walk, r, rs, state)) return false;
  if (status === 'error' && heldByObjectWithRelease(walk, r)) return false;
  return true;
}

/**
 * Pins a same-file helper put into a field of the caller's object (`pfn_reader_fill_span(pfns)`
 * pins into `pfns->user.upages`) when another function of the file releases that field — the
 * object's release or destroy (`pfn_reader_release_pins()`): the helper succeeded and the object
 * holds the pins from then on, so an error this function returns later leaves them to the object's
 * owner, whose error path destroys it. Pins taken by this function itself stay its own to undo.
 */
function heldByObjectWithRelease(walk: FunctionWalk, r: Resource): boolean {
  const op = r.op;
  if (op.kind !== 'acquire' || !op.helper || op.pages?.baseKind !== 'field') return false;
  const base = /^([A-Za-z_]\w*)/.exec(op.pages.key)?.[1];
  if (base === undefined || !walk.fn.info.params.some((p) => p.name === base)) return false;
  const field = lastField(op.pages.fileKey ?? op.pages.key);
  if (field === null) return false;
  for (const summary of walk.fn.ctx.helpers.values()) {
    if (summary.name === op.helper.name || summary.name === walk.fn.info.name) continue;
    if (summary.releases.some((rel) => rel.fieldSuffix !== null && lastField(rel.fileKey ?? rel.fieldSuffix) === field))
      return true;
  }
  return false;
}

/** The last field name of a key: `pfn_reader_user::upages` and `->user.upages+n` are `upages`. */
function lastField(key: string): string | null {
  return /(?:::|->|\.)([A-Za-z_]\w*)$/.exec(baseKey(key).trim())?.[1] ?? null;
}

/**
 * A mapping of a buffer that the function returns, or that lives in the object it returns, goes
 * with it: its owner unmaps it rebuilding the handle from the buffer. IOMMU page tables do this
 * (dma == phys): exynos-iommu's domain_alloc maps `domain->pgtable`, returns `&domain->domain` and
 * later unmaps `virt_to_phys(domain->pgtable)`; io-pgtable-arm and sun50i-iommu return the table.
 */
function mappedBufferReturned(r: Resource, returned: string): boolean {
  if (r.op.kind !== 'dma' || r.op.api.role !== 'map' || !r.op.buffer || !returned) return false;
  const buffer = unwrap(r.op.buffer);
  if (buffer.type !== 'field_expression' && buffer.type !== 'identifier') return false;
  const base = /^[A-Za-z_]\w*/.exec(buffer.text)?.[0];
  // `return domain;`, `return &domain->domain;`, `return (void *)table;` — not `return f(domain->len)`.
  const bare = returned.trim().replace(/^\((?:[\w\s]+\*?)\)\s*/, '');
  return base !== undefined && new RegExp(`^&?\\s*${base}(?:\\s*(?:->|\\.)\\s*\\w+)*$`).test(bare);
}

const LEAK_COMMENT = /\/\*[^]*?\*\/|\/\/[^\n]*/g;

/**
 * The author says so: a comment that the function leaks on purpose, between the allocation and
 * the return and at most ten lines above it (hpsa_message(): "we leak the DMA buffer here ... no
 * choice since the controller could still complete the command"). A deliberate leak is not a
 * finding a maintainer wants.
 */
function saysItLeaks(walk: FunctionWalk, r: Resource, exitAt: number): boolean {
  const text = walk.fn.ctx.text;
  const from = Math.max(r.op.node.endIndex, walk.fn.info.body.startIndex);
  if (exitAt <= from) return false;
  const lines = text.slice(from, exitAt).split('\n');
  const near = lines.slice(-11).join('\n');
  for (const m of near.matchAll(LEAK_COMMENT)) if (saysDeliberateLeak(m[0])) return true;
  return false;
}

function inLocalObject(walk: FunctionWalk, r: Resource, rs: ResState, state: State): boolean {
  const targets: string[] = [];
  if (r.op.kind === 'acquire' && r.op.pages?.baseKind === 'field') targets.push(r.op.pages.key);
  if (r.op.kind === 'dma' && r.nonLocal && r.key) targets.push(r.key);
  if (rs.status === 'escaped' && rs.changedAt !== null) {
    const e = state.events[rs.changedAt];
    if (e?.op?.kind === 'escape' && e.op.target) targets.push(e.op.target.key);
    if (rs.escapeHow === 'handed-off') return true; // a bio/sg/skb built here owns them now
  }
  return (
    targets.length > 0 &&
    targets.every((key) => {
      const base = /^([A-Za-z_]\w*)/.exec(key)?.[1];
      return base !== undefined && walk.fn.info.locals.has(base);
    })
  );
}

const RELEASED_KEYS = memoKey<ReadonlySet<string>>('storage keys the function releases');

/** Whether the function releases `key` anywhere. */
function releasesKey(walk: FunctionWalk, key: string | null): boolean {
  if (!key) return false;
  const keys = walk.memo(RELEASED_KEYS, () => {
    const found = new Set<string>();
    for (const n of walk.cfg.nodes)
      for (const op of n.ops) if (op.kind === 'release' && op.pages) found.add(baseKey(op.pages.key));
    return found;
  });
  return keys.has(baseKey(key));
}

export const returnTransfer: TransferModule = {
  name: 'returns',
  atReturn: applyReturn,
  atExit,
};
