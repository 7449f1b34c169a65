/**
 * Summaries of the file's own functions, so that a call to a helper defined in the same file acts
 * like the GUP calls inside it: `lock_pages(kbufs, n, pages, nr, &pinned)` acquires into its third
 * argument and reports the count through its fifth; `unlock_pages(pages, n)` releases its first
 * argument, n pages. Only parameters are summarised: fields are matched file-wide by their keys.
 */
import type { SyntaxNode } from '../parse/syntax';
import { walk } from '../parse/syntax';
import type { Family } from '../catalog/gup';
import { canonical, identifierName, unwrap } from './expr';
import type { Cfg } from './cfg';
import type { FunctionInfo } from './functions';
import { lookupVariable } from './functions';
import type { AcquireOp, CountSpec, HelperSummaries, HelperSummary, Op, OpContext, ReleaseOp, UseOp } from './ops';
import { storageOf, type StorageRef } from './storage';

export type CountOut = { readonly kind: 'return' } | { readonly kind: 'param'; readonly index: number } | null;

/** Where in a parameter the pages are: the parameter itself, or a field of it (`->pgs`). */
interface ParamPlace {
  readonly paramIndex: number;
  /** `->pages` when the pages are a field of the parameter; null for the parameter itself. */
  readonly fieldSuffix: string | null;
}

export interface AcquireSummary extends ParamPlace {
  readonly countOut: CountOut;
  readonly nrParam: number | null;
  readonly inner: AcquireOp;
}

export interface ReleaseSummary extends ParamPlace {
  readonly family: Family | null;
  readonly countParam: number | null;
  readonly single: boolean;
  readonly dirty: 'no' | 'yes' | 'arg';
  readonly dirtyParam: number | null;
  readonly inner: ReleaseOp;
}

export interface UseSummary extends ParamPlace {
  readonly inner: UseOp;
}

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

/** The parameter (and field of it) a storage belongs to, or null for locals and globals. */
function paramPlace(fn: FunctionInfo, ref: StorageRef | null): ParamPlace | null {
  if (!ref) return null;
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
  place: ParamPlace,
  inner: StorageRef,
  arg: SyntaxNode | undefined,
  ctx: OpContext,
  call: SyntaxNode,
): StorageRef | null {
  if (!arg) return null;
  if (place.fieldSuffix === null) return storageOf(arg, ctx);
  const a = unwrap(arg);
  const key =
    a.type === 'pointer_expression' && a.child(0)?.type === '&'
      ? `${canonical(a.childForFieldName('argument') as SyntaxNode)}${place.fieldSuffix.replace(/^->/, '.')}`
      : `${canonical(a)}${place.fieldSuffix}`;
  return {
    key,
    fileKey: inner.fileKey,
    node: call,
    element: false,
    baseKind: 'field',
    paramIndex: -1,
    structName: inner.structName,
  };
}

/**
 * Summarises one function from its graph; null when it does nothing to pages it is given.
 * `selfContained(acquire)` says whether the function releases those pages itself on every path
 * (process_vm_rw_single_vec() pins and unpins batch by batch): such a function is not an acquirer.
 */
export function summarize(
  fn: FunctionInfo,
  cfg: Cfg,
  selfContained: (op: AcquireOp) => boolean = () => false,
): HelperSummary | null {
  const acquires: AcquireSummary[] = [];
  const releases: ReleaseSummary[] = [];
  const uses: UseSummary[] = [];
  for (const node of cfg.nodes) {
    for (const op of node.ops) {
      const place =
        op.kind === 'acquire' || op.kind === 'release'
          ? paramPlace(fn, op.pages)
          : op.kind === 'use'
            ? paramPlace(fn, op.pages)
            : null;
      if (!place) continue;
      if (op.kind === 'acquire' && op.pages) {
        if (selfContained(op)) continue;
        acquires.push({
          ...place,
          countOut: op.helper
            ? op.helper.countOutParam !== null
              ? countOutOf(fn, op.result.variable)
              : null
            : countOutOf(fn, op.result.variable),
          nrParam: op.nr ? paramIndexOf(fn, identifierName(op.nr)) : null,
          inner: op,
        });
      } else if (op.kind === 'release' && op.pages) {
        releases.push({
          ...place,
          family: op.family,
          countParam: countParamOf(fn, op.count),
          single: op.count.kind === 'one',
          dirty: op.dirty,
          dirtyParam: op.dirtyArg ? paramIndexOf(fn, identifierName(op.dirtyArg)) : null,
          inner: op,
        });
      } else if (op.kind === 'use') {
        uses.push({ ...place, inner: op });
      }
    }
  }
  // A helper that takes pages and releases them on its own error paths is an acquirer: its
  // cleanup is not a release its callers perform.
  const acquired = new Set(acquires.map((a) => `${a.paramIndex}${a.fieldSuffix ?? ''}`));
  for (let i = releases.length - 1; i >= 0; i--) {
    const r = releases[i] as ReleaseSummary;
    if (acquired.has(`${r.paramIndex}${r.fieldSuffix ?? ''}`)) releases.splice(i, 1);
  }
  if (acquires.length === 0 && releases.length === 0 && uses.length === 0) return null;
  const name = fn.name;
  return {
    name,
    opsAt: (call, args, ctx) => [
      ...acquires.map((a) => acquireAt(name, a, call, args, ctx)),
      ...releases.map((r) => releaseAt(name, r, call, args, ctx)),
      ...uses.flatMap((u): Op[] => {
        const pages = placeAt(u, u.inner.pages, args[u.paramIndex], ctx, call);
        return pages ? [{ kind: 'use', node: call, use: u.inner.use, pages, viaHelper: name }] : [];
      }),
    ],
  };
}

/** A call of helper `name` that acquires into a parameter: the acquire in the caller's terms. */
function acquireAt(
  name: string,
  a: AcquireSummary,
  call: SyntaxNode,
  args: readonly SyntaxNode[],
  ctx: OpContext,
): AcquireOp {
  const arg = args[a.paramIndex];
  const pages = a.inner.pages ? placeAt(a, a.inner.pages, arg, ctx, call) : null;
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
  const nr = a.nrParam !== null ? (args[a.nrParam] ?? null) : null;
  const single =
    a.inner.single || (nr !== null && unwrap(nr).type === 'number_literal' && Number(unwrap(nr).text) === 1);
  return {
    ...a.inner,
    node: call,
    name,
    args,
    pages,
    nr,
    single,
    flagsArg: null,
    result,
    helper: {
      name,
      countOutParam: a.countOut?.kind === 'param' ? a.countOut.index : null,
      returnsCount: a.countOut?.kind === 'return',
      inner: a.inner.node,
    },
    ...(countVar ? { heldCount: countVar } : {}),
  };
}

/** A call of helper `name` that releases a parameter: the release in the caller's terms. */
function releaseAt(
  name: string,
  r: ReleaseSummary,
  call: SyntaxNode,
  args: readonly SyntaxNode[],
  ctx: OpContext,
): ReleaseOp {
  const arg = args[r.paramIndex];
  const pages = r.inner.pages ? placeAt(r, r.inner.pages, arg, ctx, call) : null;
  const countArg = r.countParam !== null ? args[r.countParam] : undefined;
  const count: CountSpec = r.single
    ? { kind: 'one' }
    : countArg
      ? { kind: 'expr', node: countArg }
      : { kind: 'unknown' };
  const dirtyArg = r.dirtyParam !== null ? (args[r.dirtyParam] ?? null) : r.inner.dirtyArg;
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
    via: 'in-file',
  };
}
