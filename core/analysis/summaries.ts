/**
 * Summaries of the file's own functions, so that a call to a helper defined in the same file acts
 * like the GUP calls inside it: `lock_pages(kbufs, n, pages, nr, &pinned)` acquires into its third
 * argument and reports the count through its fifth; `unlock_pages(pages, n)` releases its first
 * argument, n pages. Only parameters are summarised: fields are matched file-wide by their keys.
 */
import type { SyntaxNode } from '../parse/syntax';
import { walk } from '../parse/syntax';
import type { Family } from '../catalog/gup';
import { identifierName, unwrap } from './expr';
import type { Cfg } from './cfg';
import type { FunctionInfo } from './functions';
import { lookupVariable } from './functions';
import type { AcquireOp, CountSpec, OpContext, PageOp, ReleaseOp, UseOp } from './pageOps';
import { storageOf } from './storage';

export type CountOut = { readonly kind: 'return' } | { readonly kind: 'param'; readonly index: number } | null;

export interface AcquireSummary {
  readonly paramIndex: number;
  readonly countOut: CountOut;
  readonly nrParam: number | null;
  readonly inner: AcquireOp;
}

export interface ReleaseSummary {
  readonly paramIndex: number;
  readonly family: Family | null;
  readonly countParam: number | null;
  readonly single: boolean;
  readonly dirty: 'no' | 'yes' | 'arg';
  readonly dirtyParam: number | null;
  readonly inner: ReleaseOp;
}

export interface UseSummary {
  readonly paramIndex: number;
  readonly inner: UseOp;
}

export interface HelperSummary {
  readonly name: string;
  readonly acquires: readonly AcquireSummary[];
  readonly releases: readonly ReleaseSummary[];
  readonly uses: readonly UseSummary[];
  /** The page operations a call to this helper performs, in the caller's terms. */
  opsAt(call: SyntaxNode, args: readonly SyntaxNode[], ctx: OpContext): PageOp[];
}

export type HelperSummaries = ReadonlyMap<string, HelperSummary>;

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
    if (node.type === 'return_statement' && identifierName(node.namedChildren[0]) === resultVar) {
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

function countParamOf(fn: FunctionInfo, count: CountSpec): number | null {
  return count.kind === 'expr' ? paramIndexOf(fn, identifierName(count.node)) : null;
}

/** Summarises one function from its graph; null when it does nothing to pages it is given. */
export function summarize(fn: FunctionInfo, cfg: Cfg): HelperSummary | null {
  const acquires: AcquireSummary[] = [];
  const releases: ReleaseSummary[] = [];
  const uses: UseSummary[] = [];
  for (const node of cfg.nodes) {
    for (const op of node.ops) {
      if (op.kind === 'acquire' && op.pages && op.pages.paramIndex >= 0) {
        acquires.push({
          paramIndex: op.pages.paramIndex,
          countOut: op.helper ? (op.helper.countOutParam !== null ? countOutOf(fn, op.result.variable) : null) : countOutOf(fn, op.result.variable),
          nrParam: op.nr ? paramIndexOf(fn, identifierName(op.nr)) : null,
          inner: op,
        });
      } else if (op.kind === 'release' && op.pages && op.pages.paramIndex >= 0) {
        releases.push({
          paramIndex: op.pages.paramIndex,
          family: op.family,
          countParam: countParamOf(fn, op.count),
          single: op.count.kind === 'one',
          dirty: op.dirty,
          dirtyParam: op.dirtyArg ? paramIndexOf(fn, identifierName(op.dirtyArg)) : null,
          inner: op,
        });
      } else if (op.kind === 'use' && op.pages.paramIndex >= 0) {
        uses.push({ paramIndex: op.pages.paramIndex, inner: op });
      }
    }
  }
  if (acquires.length === 0 && releases.length === 0 && uses.length === 0) return null;
  const name = fn.name;
  return {
    name, acquires, releases, uses,
    opsAt(call, args, ctx) {
      const ops: PageOp[] = [];
      for (const a of acquires) {
        const arg = args[a.paramIndex];
        const pages = arg ? storageOf(arg, ctx) : null;
        const countArg = a.countOut?.kind === 'param' ? args[a.countOut.index] : undefined;
        const countVar = countArg ? identifierName(unwrap(countArg).type === 'pointer_expression' ? unwrap(countArg).childForFieldName('argument') : countArg) : null;
        let result: AcquireOp['result'] = { variable: null, declared: null };
        if (a.countOut?.kind === 'return') {
          const parent = call.parent;
          if (parent?.type === 'assignment_expression') {
            const v = identifierName(parent.childForFieldName('left'));
            if (v) result = { variable: v, declared: lookupVariable(ctx.fn, ctx.globals, v) ?? null };
          } else if (parent?.type === 'init_declarator') {
            const v = identifierName(parent.childForFieldName('declarator'));
            if (v) result = { variable: v, declared: ctx.fn.locals.get(v) ?? null };
          }
        }
        ops.push({
          ...a.inner, node: call, name, args, pages, nr: a.nrParam !== null ? args[a.nrParam] ?? null : null, single: false,
          flagsArg: null, result,
          helper: { name, countOutParam: a.countOut?.kind === 'param' ? a.countOut.index : null, inner: a.inner.node },
          ...(countVar ? { heldCount: countVar } : {}),
        });
      }
      for (const r of releases) {
        const arg = args[r.paramIndex];
        const pages = arg ? storageOf(arg, ctx) : null;
        const countArg = r.countParam !== null ? args[r.countParam] : undefined;
        const count: CountSpec = r.single ? { kind: 'one' } : countArg ? { kind: 'expr', node: countArg } : { kind: 'unknown' };
        const dirtyArg = r.dirtyParam !== null ? args[r.dirtyParam] ?? null : r.inner.dirtyArg;
        const op: ReleaseOp = { kind: 'release', node: call, name, api: null, family: r.family, pages, count, dirty: r.dirty, dirtyArg, via: 'in-file' };
        ops.push(op);
      }
      for (const u of uses) {
        const arg = args[u.paramIndex];
        const pages = arg ? storageOf(arg, ctx) : null;
        if (pages) ops.push({ kind: 'use', node: call, use: u.inner.use, pages, viaHelper: name });
      }
      return ops;
    },
  };
}
