/**
 * Summaries of the file's own functions, so that a call to a helper defined in the same file acts
 * like the GUP calls inside it: `lock_pages(kbufs, n, pages, nr, &pinned)` acquires into its third
 * argument and reports the count through its fifth; `unlock_pages(pages, n)` releases its first
 * argument, n pages. Only parameters are summarised: fields are matched file-wide by their keys.
 */
import type { SyntaxNode } from '../parse/syntax';
import { walk } from '../parse/syntax';
import { acquireApi, signatureAt } from '../catalog/gup';
import { dmaApi } from '../catalog/dma';
import { pageUse } from '../catalog/pageUse';
import { canonical, identifierName, unwrap } from './expr';
import type { Cfg } from './cfg';
import type { FunctionInfo } from './functions';
import { lookupVariable } from './functions';
import type { AcquireOp, CountSpec, DmaOp, HelperSummaries, HelperSummary, Op, OpContext, ReleaseOp } from './ops';
import { resultBinding } from './ops/results';
import { dmaEffects, position } from './dmaSummary';
import { storageOf, type StorageRef } from './storage';
import type { CountOut, HelperAcquire, HelperDmaEffect, HelperRelease, HelperUse, ParamPlace } from './summaryTypes';

export const NO_HELPERS: HelperSummaries = new Map();

function paramIndexOf(fn: FunctionInfo, name: string | null): number | null {
  if (name === null) return null;
  return fn.params.find((p) => p.name === name)?.index ?? null;
}

/** How the helper reports the number of pages it took: `return ret;` or `*count += ret;`. */
function countOutOf(fn: FunctionInfo, resultVar: string | null): CountOut {
  if (resultVar === null) return null;
  let out: CountOut = null;
  walk(fn.body, (node) => {
    if (out) return false;
    if (
      node.type === 'return_statement' &&
      identifierName(node.namedChildren[0]) === resultVar &&
      !underNegativeCheck(node, resultVar)
    ) {
      out = { kind: 'return' };
      return false;
    }
    if (node.type === 'assignment_expression') {
      const op = node.childForFieldName('operator')?.type;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if ((op === '+=' || op === '=') && left && identifierName(right) === resultVar) {
        const l = unwrap(left);
        if (l.type === 'pointer_expression' && l.child(0)?.type === '*') {
          const index = paramIndexOf(fn, identifierName(l.childForFieldName('argument')));
          if (index !== null) {
            out = { kind: 'param', index };
            return false;
          }
        }
      }
    }
    return true;
  });
  return out;
}

/** `return pin_user_pages_fast(…);`: the helper's value is the call's count. */
function returnedDirectly(call: SyntaxNode): boolean {
  let p = call.parent;
  while (p && (p.type === 'parenthesized_expression' || p.type === 'cast_expression')) p = p.parent;
  return p?.type === 'return_statement';
}

/** `if (ret < 0) return ret;` returns an errno, not a count. */
export function underNegativeCheck(ret: SyntaxNode, result: string): boolean {
  let p = ret.parent;
  while (p && p.type === 'compound_statement') p = p.parent;
  if (!p || p.type !== 'if_statement') return false;
  const condition = p.childForFieldName('condition')?.text.replace(/\s+/g, '') ?? '';
  return new RegExp(`^\\(*(?:unlikely\\()?(?:${result}<=?0|IS_ERR_VALUE\\(${result}\\))\\)*$`).test(condition);
}

function countParamOf(fn: FunctionInfo, count: CountSpec): number | null {
  return count.kind === 'expr' ? paramIndexOf(fn, identifierName(count.node)) : null;
}

/** The parameter a local page was made from by its frame number: `struct page *page = pfn_to_page(pfn);`. */
function pfnParamOf(fn: FunctionInfo, ref: StorageRef): number | null {
  if (ref.baseKind !== 'local') return null;
  const init = fn.locals.get(ref.key)?.init;
  const value = init ? unwrap(init) : null;
  if (value?.type !== 'call_expression' || value.childForFieldName('function')?.text !== 'pfn_to_page') return null;
  return paramIndexOf(fn, identifierName(value.childForFieldName('arguments')?.namedChildren[0]));
}

/** The parameter (and field of it) a storage belongs to, or null for locals and globals. */
function paramPlace(fn: FunctionInfo, ref: StorageRef | null): ParamPlace | null {
  if (!ref) return null;
  const byPfn = pfnParamOf(fn, ref);
  if (byPfn !== null) return { paramIndex: byPfn, fieldSuffix: null };
  if (ref.paramIndex >= 0 && ref.baseKind !== 'field') return { paramIndex: ref.paramIndex, fieldSuffix: null };
  if (ref.baseKind === 'field') {
    const m = /^([A-Za-z_]\w*)((?:->|\.).*)$/.exec(ref.key);
    if (!m) return null;
    const index = paramIndexOf(fn, m[1] as string);
    return index === null ? null : { paramIndex: index, fieldSuffix: m[2] as string };
  }
  return null;
}

/** The caller's storage for a summarised place, given the argument it passes. */
function placeAt(
  place: ParamPlace & { readonly fileKey: string | null; readonly structName: string | null },
  arg: SyntaxNode | undefined,
  ctx: OpContext,
  call: SyntaxNode,
): StorageRef | null {
  if (!arg) return null;
  if (place.fieldSuffix === null) return storageOf(arg, ctx);
  return {
    key: keyAt(place, arg),
    fileKey: place.fileKey,
    node: call,
    element: false,
    baseKind: 'field',
    paramIndex: -1,
    structName: place.structName,
  };
}

/** The caller's key for a place: `&obj` with `->pages` is `obj.pages`, `req` with `->dst` is `req->dst`. */
function keyAt(place: ParamPlace, arg: SyntaxNode): string {
  if (place.fieldSuffix === null) return canonical(arg);
  const a = unwrap(arg);
  return a.type === 'pointer_expression' && a.child(0)?.type === '&'
    ? `${canonical(a.childForFieldName('argument') as SyntaxNode)}${place.fieldSuffix.replace(/^->/, '.')}`
    : `${canonical(a)}${place.fieldSuffix}`;
}

/** A literal `true`/`false` (or 1/0) dirty argument inside the helper, as a fixed answer. */
function fixedDirty(op: ReleaseOp): 'no' | 'yes' | 'arg' {
  if (op.dirty !== 'arg') return op.dirty;
  const text = op.dirtyArg ? unwrap(op.dirtyArg).text : '';
  return text === 'true' || text === '1' ? 'yes' : text === 'false' || text === '0' ? 'no' : 'arg';
}

/**
 * Summarises the page side of one function from its graph; null when it does nothing to pages it
 * is given. `selfContained(acquire)` says whether the function releases those pages itself on
 * every path (process_vm_rw_single_vec() pins and unpins batch by batch): such a function is not
 * an acquirer. The DMA side is dmaSummary.ts's.
 */
export function summarize(
  fn: FunctionInfo,
  cfg: Cfg,
  selfContained: (op: AcquireOp) => boolean = () => false,
): HelperSummary | null {
  const acquires: HelperAcquire[] = [];
  const releases: HelperRelease[] = [];
  const uses: HelperUse[] = [];
  for (const node of cfg.nodes) {
    for (const op of node.ops) {
      if (op.kind !== 'acquire' && op.kind !== 'release' && op.kind !== 'use') continue;
      const place = paramPlace(fn, op.pages);
      if (!place || !op.pages) continue;
      const where = { fileKey: op.pages.fileKey, structName: op.pages.structName };
      if (op.kind === 'acquire') {
        if (selfContained(op)) continue;
        acquires.push({
          ...place,
          ...where,
          api: op.api.name,
          family: op.family,
          flags: op.flags,
          prefault: op.prefault,
          single: op.single,
          countOut: op.helper
            ? op.helper.countOutParam !== null
              ? countOutOf(fn, op.result.variable)
              : null
            : returnedDirectly(op.node)
              ? { kind: 'return' }
              : countOutOf(fn, op.result.variable),
          nrParam: op.nr ? paramIndexOf(fn, identifierName(op.nr)) : null,
          at: { start: op.node.startIndex, end: op.node.endIndex },
          ...identityOutOf(cfg, op),
        });
      } else if (op.kind === 'release') {
        releases.push({
          ...place,
          ...where,
          family: op.family,
          countParam: countParamOf(fn, op.count),
          single: op.count.kind === 'one',
          dirty: fixedDirty(op),
          dirtyParam: op.dirtyArg ? paramIndexOf(fn, identifierName(op.dirtyArg)) : null,
          ...(op.via === 'by-name' ? { guessed: true as const } : {}),
          // A whole release loop (`for (i = 0; i < n; i++) put_page(p[i])`) counts where the loop is.
          ...(position(op.bulk ? op.bulk.loop : op.node, fn.body) !== 'straight' ? { conditional: true as const } : {}),
        });
      } else {
        uses.push({ ...place, ...where, use: op.use.name });
      }
    }
  }
  // A helper that takes pages and releases them on its own error paths is an acquirer: its
  // cleanup is not a release its callers perform.
  const acquired = new Set(acquires.map((a) => `${a.paramIndex}${a.fieldSuffix ?? ''}`));
  // So is one that releases by the pfn it took and wrote out (`put_pfn(*pfn_base)` after
  // `vaddr_get_pfns(…, pfn_base, pages)` in vfio_pin_page_external()).
  for (const node of cfg.nodes)
    for (const op of node.ops)
      if (op.kind === 'acquire' && op.identityKey?.startsWith('*')) {
        const index = paramIndexOf(fn, op.identityKey.slice(1));
        if (index !== null) acquired.add(`${index}`);
      }
  const kept = releases.filter((r) => !acquired.has(`${r.paramIndex}${r.fieldSuffix ?? ''}`));
  const dma = dmaEffects(fn, cfg);
  if (acquires.length === 0 && kept.length === 0 && uses.length === 0 && dma.length === 0) return null;
  return { name: fn.name, acquires, releases: kept, uses, dma };
}

/** `*pfn = page_to_pfn(pages[0]);` after the acquire: the out-parameter that names the pages. */
function identityOutOf(cfg: Cfg, acquire: AcquireOp): { identityOut?: number } {
  const key = acquire.pages?.key;
  for (const node of cfg.nodes)
    for (const op of node.ops)
      if (
        op.kind === 'escape' &&
        op.how === 'out-param' &&
        op.pages.key === key &&
        op.target?.baseKind === 'deref' &&
        op.target.paramIndex >= 0 &&
        unwrap(op.node).type === 'assignment_expression' &&
        !/^\s*\*?\s*[A-Za-z_]\w*\s*$/.test(unwrap(op.node).childForFieldName('right')?.text ?? '')
      )
        return { identityOut: op.target.paramIndex };
  return {};
}

/** The operations a call to a summarised helper performs, in the caller's terms. */
export function helperOpsAt(
  summary: HelperSummary,
  call: SyntaxNode,
  args: readonly SyntaxNode[],
  ctx: OpContext,
): Op[] {
  const name = summary.name;
  const ops: Op[] = [];
  for (const a of summary.acquires) {
    const op = acquireAt(name, a, call, args, ctx);
    if (op) ops.push(op);
  }
  for (const r of summary.releases) ops.push(releaseAt(name, r, call, args, ctx, summary.origin !== undefined));
  for (const u of summary.uses) {
    const use = pageUse(u.use);
    const pages = placeAt(u, args[u.paramIndex], ctx, call);
    if (use && pages) ops.push({ kind: 'use', node: call, use, pages, viaHelper: name });
  }
  ops.push(...dmaOpsAt(name, summary.dma, call, args, ctx));
  return ops;
}

/** A call of helper `name` that acquires into a parameter: the acquire in the caller's terms. */
function acquireAt(
  name: string,
  a: HelperAcquire,
  call: SyntaxNode,
  args: readonly SyntaxNode[],
  ctx: OpContext,
): AcquireOp | null {
  const api = acquireApi(a.api);
  if (!api) return null;
  const pages = placeAt(a, args[a.paramIndex], ctx, call);
  const countArg = a.countOut?.kind === 'param' ? args[a.countOut.index] : undefined;
  const countVar = countArg
    ? identifierName(
        unwrap(countArg).type === 'pointer_expression' ? unwrap(countArg).childForFieldName('argument') : countArg,
      )
    : null;
  let result: AcquireOp['result'] = { variable: null, declared: null };
  // The call's own value: the count (countOut 'return') or a status next to an
  // out-parameter count; either way branches on it decide success and failure.
  const parent = call.parent;
  if (parent?.type === 'assignment_expression') {
    const v = identifierName(parent.childForFieldName('left'));
    if (v) result = { variable: v, declared: lookupVariable(ctx.fn, ctx.globals, v) ?? null };
  } else if (parent?.type === 'init_declarator') {
    const v = identifierName(parent.childForFieldName('declarator'));
    if (v) result = { variable: v, declared: ctx.fn.locals.get(v) ?? null };
  }
  const identityArg = a.identityOut !== undefined ? args[a.identityOut] : undefined;
  const identity = identityArg ? outKey(identityArg) : null;
  const nr = a.nrParam !== null ? (args[a.nrParam] ?? null) : null;
  const single = a.single || (nr !== null && unwrap(nr).type === 'number_literal' && Number(unwrap(nr).text) === 1);
  return {
    kind: 'acquire',
    node: call,
    name,
    api,
    signature: signatureAt(api, ctx.version),
    args,
    family: a.family,
    pages,
    nr,
    single,
    prefault: a.prefault,
    flagsArg: null,
    flags: a.flags,
    result,
    helper: {
      name,
      countOutParam: a.countOut?.kind === 'param' ? a.countOut.index : null,
      returnsCount: a.countOut?.kind === 'return',
      inner: a.at,
    },
    ...(countVar ? { heldCount: countVar } : {}),
    ...(identity ? { identityKey: identity } : {}),
  };
}

/** The caller's key for what a helper writes through an out-parameter: `&pfn` → `pfn`, `pfn_base` → `*pfn_base`. */
function outKey(arg: SyntaxNode): string {
  const a = unwrap(arg);
  if (a.type === 'pointer_expression' && a.child(0)?.type === '&')
    return canonical(a.childForFieldName('argument') as SyntaxNode);
  return `*${canonical(a)}`;
}

/** A call of helper `name` that releases a parameter: the release in the caller's terms. */
function releaseAt(
  name: string,
  r: HelperRelease,
  call: SyntaxNode,
  args: readonly SyntaxNode[],
  ctx: OpContext,
  crossFile: boolean,
): ReleaseOp {
  const pages = placeAt(r, args[r.paramIndex], ctx, call);
  const countArg = r.countParam !== null ? args[r.countParam] : undefined;
  const count: CountSpec = r.single
    ? { kind: 'one' }
    : countArg
      ? { kind: 'expr', node: countArg }
      : { kind: 'unknown' };
  const dirtyArg = r.dirtyParam !== null ? (args[r.dirtyParam] ?? null) : null;
  return {
    kind: 'release',
    node: call,
    name,
    api: null,
    family: r.family,
    pages,
    count,
    dirty: r.dirty,
    dirtyArg,
    // Another file's helper: its own release is checked in its file, where no acquire is seen,
    // so the rules judge the call here (release-mismatch).
    via: crossFile ? 'cross-file' : 'in-file',
  };
}

/**
 * A call of helper `name` that maps or unmaps what a parameter names: DMA operations on the
 * caller's key, in the helper's order. A map reports failure through the call's status: its
 * result is the call's, and its outcomes are decided by tests of that status.
 */
function dmaOpsAt(
  name: string,
  effects: readonly HelperDmaEffect[],
  call: SyntaxNode,
  args: readonly SyntaxNode[],
  ctx: OpContext,
): DmaOp[] {
  const ops: DmaOp[] = [];
  const result = resultBinding(call, ctx);
  for (const e of effects) {
    const inner = dmaApi(e.api);
    const arg = args[e.paramIndex];
    if (!inner || !arg) continue;
    // The caller learns of a failed map from the call's value: 0 or -errno ('status'), or 0
    // against non-zero ('zero', decided like a bool).
    const api =
      e.kind === 'map' ? { ...inner, returns: e.failure === 'zero' ? ('bool' as const) : ('status' as const) } : inner;
    ops.push({
      kind: 'dma',
      node: call,
      name: e.api,
      viaHelper: name,
      api,
      args,
      key: keyAt(e, arg),
      dev: null,
      size: null,
      dir: e.dir,
      dirNode: null,
      nents: null,
      buffer: null,
      handleOut: null,
      pool: null,
      result: e.kind === 'map' ? result : { variable: null, declared: null },
      resultKey: e.kind === 'map' ? result.variable : null,
    });
  }
  return ops;
}
