/**
 * Symbolic values for path analysis: just enough to decide branches on a GUP result and to compare
 * release counts with what was pinned. A value is a number, "some -errno", the result of acquire r,
 * the count acquire r was asked for, the pages an in-file helper reports holding, a named variable
 * we know nothing about, or an opaque value unequal to everything else.
 *
 * The outcome of an acquire is a set drawn from four cases (mm/gup.c kernel-doc):
 *   neg      -errno, nothing taken
 *   zero     0, nothing taken ("0 return value is possible when the fault would need to be retried")
 *   partial  0 < ret < nr_pages: ret pages taken, the rest not
 *   full     ret == nr_pages
 */
import type { SyntaxNode } from '../parse/syntax';
import { wrappersWithRole } from '../catalog/wrappers';
import type { Expr, ExprCache } from './exprs';

export type Outcome = 'neg' | 'zero' | 'partial' | 'full';
export const ALL_OUTCOMES: readonly Outcome[] = ['neg', 'zero', 'partial', 'full'];

export type Sym =
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'neg' }
  | { readonly kind: 'result'; readonly res: number }
  | { readonly kind: 'nr'; readonly res: number }
  | { readonly kind: 'held'; readonly res: number }
  | { readonly kind: 'var'; readonly name: string }
  | { readonly kind: 'opaque'; readonly id: number }
  /** A pointer known not to be NULL (an allocation checked on this path, a page GUP filled). */
  | { readonly kind: 'nonnull' }
  /** The page variable acquire `res` fills (`&page`): non-NULL when the acquire succeeded. */
  | { readonly kind: 'pageof'; readonly res: number }
  /** `dma_mapping_error(dev, h)` for mapping `res`: -ENOMEM when it failed, 0 when it did not. */
  | { readonly kind: 'mapfail'; readonly res: number };

export function symKey(s: Sym): string {
  switch (s.kind) {
    case 'const':
      return `c${s.value}`;
    case 'neg':
      return 'neg';
    case 'result':
    case 'nr':
    case 'held':
      return `${s.kind}${s.res}`;
    case 'var':
      return `v:${s.name}`;
    case 'opaque':
      return `o${s.id}`;
    case 'nonnull':
      return 'nn';
    case 'pageof':
      return `p${s.res}`;
    case 'mapfail':
      return `f${s.res}`;
  }
}

/** What the engine knows about resources when it evaluates an expression. */
export interface ValueContext {
  /** Variable environment on this path. */
  lookup(name: string): Sym | undefined;
  /** The resource whose acquire call has node id `callId` (a GUP call used directly in a condition). */
  resourceOfCall(callId: number): number | null;
  /** The count a resource was asked for, as a value (so `ret != npages` can be decided). */
  nrOf(res: number): Sym | null;
  /** The resource that was asked for exactly this value, if any. */
  resourceWithNr(value: Sym): number | null;
  /** What a failed acquire returns: 0 (NULL, no pages), or -1 (DMA_MAPPING_ERROR). */
  failedValue(res: number): number;
  /** Fresh opaque value. */
  fresh(): Sym;
  /** The function's compiled expressions. */
  readonly exprs: ExprCache;
  /** A helper that checks a DMA mapping for its caller, like dma_mapping_error() itself. */
  isMappingChecker(fn: string): boolean;
  /** What this path already decided about a side-effect-free condition (by its canonical text). */
  fact(key: string): boolean | undefined;
  /** The number a constant name stands for when the file says it (`#define DEMO_OP 3`); else null. */
  constantValue?(name: string): number | null;
  /** The alignment a value is known to have (coherent memory: a page); 1 when unknown. */
  alignment?(e: Expr): number;
}

/** Calls whose truth is their argument's (`unlikely(x)`, `WARN_ON(x)`). */
const TRANSPARENT_CALLS = wrappersWithRole('condition');

/** The value of an expression on the current path. */
export function evaluate(expr: SyntaxNode, ctx: ValueContext): Sym {
  return valueOf(ctx.exprs.of(expr), ctx);
}

function valueOf(e: Expr, ctx: ValueContext): Sym {
  switch (e.k) {
    case 'num':
      return { kind: 'const', value: e.value };
    case 'errno':
      return { kind: 'neg' };
    case 'ident':
      return ctx.lookup(e.name) ?? { kind: 'var', name: e.name };
    case 'field':
      return ctx.lookup(e.name) ?? { kind: 'var', name: e.name };
    case 'call': {
      const res = ctx.resourceOfCall(e.id);
      if (res !== null) return { kind: 'result', res };
      if (e.fn === 'ERR_PTR' || e.fn === 'PTR_ERR') return { kind: 'neg' };
      // `ret = dma_mapping_error(dev, h); if (ret) ...`: the value remembers which mapping.
      const checked = checkedMapping(e, ctx);
      if (checked !== null) return { kind: 'mapfail', res: checked };
      return ctx.fresh();
    }
    case 'assign':
      return e.right ? valueOf(e.right, ctx) : ctx.fresh();
    case 'binary':
      return lowBits(e, ctx) ?? ctx.fresh();
    default:
      return ctx.fresh();
  }
}

export type Truth = boolean | 'unknown';

function not(t: Truth): Truth {
  return t === 'unknown' ? t : !t;
}

/** A value reduced for comparison under one assumed outcome per resource. */
type Num =
  | { readonly kind: 'exact'; readonly value: number }
  | { readonly kind: 'neg' }
  | { readonly kind: 'partial'; readonly res: number }
  | { readonly kind: 'nr'; readonly res: number; readonly exact: number | null }
  | { readonly kind: 'sym'; readonly key: string }
  /** Some value greater than zero (a non-NULL pointer). */
  | { readonly kind: 'pos' }
  /** A named constant (`IOAT_OP_XOR`, `DMA_TO_DEVICE`) whose number the file does not give. */
  | { readonly kind: 'named'; readonly name: string }
  | { readonly kind: 'unknown' };

function toNum(s: Sym, outcomes: ReadonlyMap<number, Outcome>, ctx: ValueContext): Num {
  switch (s.kind) {
    case 'const':
      return { kind: 'exact', value: s.value };
    case 'neg':
      return { kind: 'neg' };
    case 'result': {
      const o = outcomes.get(s.res);
      const nr = ctx.nrOf(s.res);
      const nrExact = nr?.kind === 'const' ? nr.value : null;
      if (o === 'neg') return { kind: 'neg' };
      if (o === 'zero') return { kind: 'exact', value: ctx.failedValue(s.res) };
      if (o === 'partial') return { kind: 'partial', res: s.res };
      if (o === 'full')
        return nrExact !== null ? { kind: 'exact', value: nrExact } : { kind: 'nr', res: s.res, exact: null };
      return { kind: 'sym', key: symKey(s) };
    }
    case 'nr': {
      const nr = ctx.nrOf(s.res);
      return nr?.kind === 'const' ? { kind: 'exact', value: nr.value } : { kind: 'nr', res: s.res, exact: null };
    }
    case 'nonnull':
      return { kind: 'pos' };
    case 'pageof':
      return outcomes.get(s.res) === 'full' ? { kind: 'pos' } : { kind: 'unknown' };
    case 'mapfail': {
      const o = outcomes.get(s.res);
      return o === 'zero'
        ? { kind: 'neg' }
        : o === 'full'
          ? { kind: 'exact', value: 0 }
          : { kind: 'sym', key: symKey(s) };
    }
    case 'var': {
      const n = ctx.constantValue?.(s.name) ?? null;
      if (n !== null) return { kind: 'exact', value: n };
      if (isConstantName(s.name)) return { kind: 'named', name: s.name };
      return symNum(s, ctx);
    }
    default:
      return symNum(s, ctx);
  }
}

/** A variable or opaque value: the count a resource was asked for, or a symbol. */
function symNum(s: Sym, ctx: ValueContext): Num {
  const r = ctx.resourceWithNr(s);
  if (r !== null) {
    const nr = ctx.nrOf(r);
    return nr?.kind === 'const' ? { kind: 'exact', value: nr.value } : { kind: 'nr', res: r, exact: null };
  }
  return { kind: 'sym', key: symKey(s) };
}

/** Signed three-way comparison a ? b: -1, 0, 1, or null when unknown. */
function order(a: Num, b: Num): -1 | 0 | 1 | null {
  if (a.kind === 'exact' && b.kind === 'exact') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === 'pos' && b.kind === 'exact' && b.value <= 0) return 1;
  if (b.kind === 'pos' && a.kind === 'exact' && a.value <= 0) return -1;
  if (a.kind === 'neg') {
    if (b.kind === 'neg') return null;
    if (b.kind === 'exact' && b.value >= 0) return -1;
    if (b.kind === 'partial' || b.kind === 'nr') return -1;
    return null;
  }
  if (b.kind === 'neg') {
    const r = order(b, a);
    return r === null ? null : (-r as -1 | 0 | 1);
  }
  if (a.kind === 'partial') {
    if (b.kind === 'exact' && b.value <= 0) return 1;
    if (b.kind === 'nr' && b.res === a.res) return -1;
    if (b.kind === 'exact' && b.value === 1) return null;
    return null;
  }
  if (b.kind === 'partial') {
    const r = order(b, a);
    return r === null ? null : (-r as -1 | 0 | 1);
  }
  if (a.kind === 'nr' && b.kind === 'nr') return a.res === b.res ? 0 : null;
  if (a.kind === 'nr' && b.kind === 'exact' && b.value <= 0) return 1; // nr_pages >= 1 when anything was asked for
  if (b.kind === 'nr' && a.kind === 'exact' && a.value <= 0) return -1;
  if (a.kind === 'sym' && b.kind === 'sym' && a.key === b.key) return 0;
  if (a.kind === 'named' && b.kind === 'named' && a.name === b.name) return 0;
  return null;
}

function compare(op: string, a: Num, b: Num): Truth {
  // Two different members of one family of constants (`op == IOAT_OP_XOR` after `op =
  // IOAT_OP_XOR_VAL`) are different numbers; their order is not known.
  if (a.kind === 'named' && b.kind === 'named' && (op === '==' || op === '!=')) {
    if (a.name === b.name) return op === '==';
    if (sameFamily(a.name, b.name)) return op === '!=';
  }
  const o = order(a, b);
  if (o === null) {
    // Equality against a partial result can still be decided when the other side is nr.
    return 'unknown';
  }
  switch (op) {
    case '<':
      return o < 0;
    case '<=':
      return o <= 0;
    case '>':
      return o > 0;
    case '>=':
      return o >= 0;
    case '==':
      return o === 0;
    case '!=':
      return o !== 0;
    default:
      return 'unknown';
  }
}

/** Truth of a condition on this path, assuming the given outcome for each resource. */
export function truth(expr: SyntaxNode, ctx: ValueContext, outcomes: ReadonlyMap<number, Outcome>): Truth {
  return truthOf(ctx.exprs.of(expr), ctx, outcomes);
}

function truthOf(e: Expr, ctx: ValueContext, outcomes: ReadonlyMap<number, Outcome>): Truth {
  // `if (a && b) ... if (a && c)`: the path already knows `a`.
  if (e.fact !== null) {
    const known = ctx.fact(e.fact);
    if (known !== undefined) return known;
  }
  const num = (x: Expr): Num => toNum(valueOf(x, ctx), outcomes, ctx);
  switch (e.k) {
    case 'not':
      return not(truthOf(e.arg, ctx, outcomes));
    case 'binary': {
      if (e.op === '&&') {
        const l = truthOf(e.left, ctx, outcomes);
        if (l === false) return false;
        const r = truthOf(e.right, ctx, outcomes);
        if (r === false) return false;
        return l === true && r === true ? true : 'unknown';
      }
      if (e.op === '||') {
        const l = truthOf(e.left, ctx, outcomes);
        if (l === true) return true;
        const r = truthOf(e.right, ctx, outcomes);
        if (r === true) return true;
        return l === false && r === false ? false : 'unknown';
      }
      if (COMPARISONS.has(e.op)) {
        let l = num(e.left);
        let r = num(e.right);
        // `for (i = 0; i < MAX_NODES; i++)`: a bound spelled as a constant is positive, so the
        // loop runs at least once. Only for ordering, never for equality (enum values can be 0).
        if (e.op !== '==' && e.op !== '!=') {
          if ((l.kind === 'sym' || l.kind === 'named') && positiveConstant(e.left)) l = { kind: 'pos' };
          if ((r.kind === 'sym' || r.kind === 'named') && positiveConstant(e.right)) r = { kind: 'pos' };
        }
        return compare(e.op, l, r);
      }
      // `ptr & 0xff` and other arithmetic: true when the value is non-zero (below).
      if (e.op !== '&') return 'unknown';
      break;
    }
    case 'call': {
      const first = e.args[0];
      if (TRANSPARENT_CALLS.has(e.fn) && first) return truthOf(first, ctx, outcomes);
      if (e.fn === 'IS_ERR_VALUE' && first) return compare('<', num(first), { kind: 'exact', value: 0 });
      const checked = checkedMapping(e, ctx);
      if (checked !== null) {
        // True exactly when the handle is DMA_MAPPING_ERROR: the mapping failed.
        return outcomes.has(checked) ? outcomes.get(checked) === 'zero' : 'unknown';
      }
      if (e.fn === 'dma_mapping_error' || ctx.isMappingChecker(e.fn)) return 'unknown';
      if (e.fn === 'IS_ERR' || e.fn === 'IS_ERR_OR_NULL') {
        return first && num(first).kind === 'neg' ? true : 'unknown';
      }
      break;
    }
    default:
      break;
  }
  // A value used as a condition: true when non-zero.
  return compare('!=', num(e), { kind: 'exact', value: 0 });
}

/** The mapping a `dma_mapping_error(dev, h)` (or a checker helper) call tests, or null. */
function checkedMapping(e: Extract<Expr, { k: 'call' }>, ctx: ValueContext): number | null {
  if (e.fn === 'dma_mapping_error') {
    const v = e.args[1] ? valueOf(e.args[1], ctx) : null;
    return v?.kind === 'result' ? v.res : null;
  }
  if (!ctx.isMappingChecker(e.fn)) return null;
  for (const a of e.args) {
    const v = valueOf(a, ctx);
    if (v.kind === 'result') return v.res;
  }
  return null;
}

const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '!=']);

/** A macro constant (`MAX_NB_NODE`) or an `ARRAY_SIZE()`/`sizeof`: some value above zero. */
function positiveConstant(e: Expr): boolean {
  if (e.k === 'ident') return /^[A-Z][A-Z0-9_]+$/.test(e.name);
  return e.k === 'call' && (e.fn === 'ARRAY_SIZE' || e.fn === 'sizeof');
}

/** Resources whose result an expression mentions (to know which outcomes a branch splits). */
export function resourcesIn(expr: SyntaxNode, ctx: ValueContext): Set<number> {
  const found = new Set<number>();
  const visit = (e: Expr): void => {
    switch (e.k) {
      case 'ident':
      case 'field': {
        const s = ctx.lookup(e.name);
        if (s?.kind === 'result' || s?.kind === 'mapfail') found.add(s.res);
        if (e.k === 'field' && e.base) visit(e.base);
        return;
      }
      case 'call': {
        const r = ctx.resourceOfCall(e.id);
        if (r !== null) found.add(r);
        else for (const a of e.args) visit(a);
        return;
      }
      case 'not':
        visit(e.arg);
        return;
      case 'binary':
        visit(e.left);
        visit(e.right);
        return;
      case 'assign':
      case 'other':
        for (const p of e.parts) visit(p);
        return;
      default:
        return;
    }
  };
  visit(ctx.exprs.of(expr));
  return found;
}

/** `ALL_CAPS` names: enumerators and macro constants. */
function isConstantName(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name) && name !== 'NULL';
}

/**
 * Whether two constant names are members of one family — a common prefix up to an underscore of
 * at least three characters (`IOAT_OP_XOR`, `IOAT_OP_XOR_VAL`; `DMA_TO_DEVICE`, `DMA_FROM_DEVICE`),
 * as enumerators of one enum are. `PAGE_SIZE` and `SZ_4K` are not: they may be the same number.
 */
function sameFamily(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const prefix = a.slice(0, i);
  const cut = prefix.lastIndexOf('_');
  return cut >= 2;
}

/**
 * `ptr & 0xff` where ptr is known aligned past the mask (coherent memory is page aligned,
 * dma-api-howto.rst: "the CPU virtual address and the DMA address are both guaranteed to be aligned
 * to the smallest PAGE_SIZE order"): 0.
 */
function lowBits(e: Extract<Expr, { k: 'binary' }>, ctx: ValueContext): Sym | null {
  if (e.op !== '&' || !ctx.alignment) return null;
  for (const [value, mask] of [
    [e.left, e.right],
    [e.right, e.left],
  ] as const) {
    if (mask.k !== 'num' || mask.value <= 0) continue;
    const align = ctx.alignment(value);
    if (align > 1 && mask.value < align) return { kind: 'const', value: 0 };
  }
  return null;
}

/** Whether two values are equal on this path: true, false, or unknown. */
export function symsEqual(a: Sym, b: Sym, ctx: ValueContext): Truth {
  const none = new Map<number, Outcome>();
  return compare('==', toNum(a, none, ctx), toNum(b, none, ctx));
}
