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
import { canonical, numberValue, unwrap } from '../analysis/expr';

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
  | { readonly kind: 'pageof'; readonly res: number };

export function symEquals(a: Sym, b: Sym): boolean {
  switch (a.kind) {
    case 'const':
      return b.kind === 'const' && a.value === b.value;
    case 'neg':
      return false;
    case 'result':
    case 'nr':
    case 'held':
      return b.kind === a.kind && b.res === a.res;
    case 'var':
      return b.kind === 'var' && b.name === a.name;
    case 'opaque':
      return b.kind === 'opaque' && b.id === a.id;
    case 'nonnull':
      return false;
    case 'pageof':
      return b.kind === 'pageof' && b.res === a.res;
  }
}

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
  }
}

/** What the engine knows about resources when it evaluates an expression. */
export interface ValueContext {
  /** Variable environment on this path. */
  lookup(name: string): Sym | undefined;
  /** The resource whose acquire call is `call` (a GUP call used directly in a condition). */
  resourceOfCall(call: SyntaxNode): number | null;
  /** The count a resource was asked for, as a value (so `ret != npages` can be decided). */
  nrOf(res: number): Sym | null;
  /** The resource that was asked for exactly this value, if any. */
  resourceWithNr(value: Sym): number | null;
  /** What a failed acquire returns: 0 (NULL, no pages), or -1 (DMA_MAPPING_ERROR). */
  failedValue(res: number): number;
  /** Fresh opaque value. */
  fresh(): Sym;
}

const ERRNO = /^E[A-Z0-9]+$/;
const TRANSPARENT_CALLS = new Set(['likely', 'unlikely', 'WARN_ON', 'WARN_ON_ONCE', 'BUG_ON', 'READ_ONCE', 'WARN_ON_SMP']);

/** The value of an expression on the current path. */
export function evaluate(expr: SyntaxNode, ctx: ValueContext): Sym {
  const node = unwrap(expr);
  const n = numberValue(node);
  if (n !== null) return { kind: 'const', value: n };
  switch (node.type) {
    case 'identifier': {
      if (node.text === 'NULL' || node.text === 'false') return { kind: 'const', value: 0 };
      if (node.text === 'true') return { kind: 'const', value: 1 };
      return ctx.lookup(node.text) ?? { kind: 'var', name: node.text };
    }
    case 'unary_expression': {
      const op = node.child(0)?.type;
      const arg = node.childForFieldName('argument');
      if (op === '-' && arg && unwrap(arg).type === 'identifier' && ERRNO.test(unwrap(arg).text)) return { kind: 'neg' };
      return ctx.fresh();
    }
    case 'call_expression': {
      const res = ctx.resourceOfCall(node);
      if (res !== null) return { kind: 'result', res };
      const fn = node.childForFieldName('function')?.text ?? '';
      if (fn === 'ERR_PTR') return { kind: 'neg' };
      if (fn === 'PTR_ERR') {
        return { kind: 'neg' };
      }
      return ctx.fresh();
    }
    case 'assignment_expression': {
      const right = node.childForFieldName('right');
      return right ? evaluate(right, ctx) : ctx.fresh();
    }
    case 'conditional_expression':
      return ctx.fresh();
    case 'field_expression':
      return ctx.lookup(canonical(node)) ?? { kind: 'var', name: canonical(node) };
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
      if (o === 'full') return nrExact !== null ? { kind: 'exact', value: nrExact } : { kind: 'nr', res: s.res, exact: null };
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
    default: {
      const r = ctx.resourceWithNr(s);
      if (r !== null) {
        const nr = ctx.nrOf(r);
        return nr?.kind === 'const' ? { kind: 'exact', value: nr.value } : { kind: 'nr', res: r, exact: null };
      }
      return { kind: 'sym', key: symKey(s) };
    }
  }
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
  return null;
}

function compare(op: string, a: Num, b: Num): Truth {
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
  const node = unwrap(expr);
  switch (node.type) {
    case 'unary_expression': {
      const op = node.child(0)?.type;
      const arg = node.childForFieldName('argument');
      if (op === '!' && arg) return not(truth(arg, ctx, outcomes));
      break;
    }
    case 'binary_expression': {
      const op = node.childForFieldName('operator')?.type ?? '';
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right) return 'unknown';
      if (op === '&&') {
        const l = truth(left, ctx, outcomes);
        if (l === false) return false;
        const r = truth(right, ctx, outcomes);
        if (r === false) return false;
        return l === true && r === true ? true : 'unknown';
      }
      if (op === '||') {
        const l = truth(left, ctx, outcomes);
        if (l === true) return true;
        const r = truth(right, ctx, outcomes);
        if (r === true) return true;
        return l === false && r === false ? false : 'unknown';
      }
      if (['<', '<=', '>', '>=', '==', '!='].includes(op)) {
        return compare(op, toNum(evaluate(left, ctx), outcomes, ctx), toNum(evaluate(right, ctx), outcomes, ctx));
      }
      return 'unknown';
    }
    case 'call_expression': {
      const fn = node.childForFieldName('function')?.text ?? '';
      const args = node.childForFieldName('arguments')?.namedChildren ?? [];
      if (TRANSPARENT_CALLS.has(fn) && args[0]) return truth(args[0], ctx, outcomes);
      if (fn === 'IS_ERR_VALUE' && args[0]) return compare('<', toNum(evaluate(args[0], ctx), outcomes, ctx), { kind: 'exact', value: 0 });
      if (fn === 'dma_mapping_error' && args[1]) {
        // True exactly when the handle is DMA_MAPPING_ERROR: the mapping failed.
        const v = evaluate(args[1], ctx);
        if (v.kind === 'result' && outcomes.has(v.res)) return outcomes.get(v.res) === 'zero';
        return 'unknown';
      }
      if (fn === 'IS_ERR' || fn === 'IS_ERR_OR_NULL') {
        const v = args[0] ? toNum(evaluate(args[0], ctx), outcomes, ctx) : { kind: 'unknown' as const };
        if (v.kind === 'neg') return true;
        return 'unknown';
      }
      break;
    }
    default:
      break;
  }
  // A value used as a condition: true when non-zero.
  return compare('!=', toNum(evaluate(node, ctx), outcomes, ctx), { kind: 'exact', value: 0 });
}

/** Resources whose result an expression mentions (to know which outcomes a branch splits). */
export function resourcesIn(expr: SyntaxNode, ctx: ValueContext): Set<number> {
  const found = new Set<number>();
  const visit = (n: SyntaxNode): void => {
    if (n.type === 'identifier' || n.type === 'field_expression') {
      const s = n.type === 'identifier' ? ctx.lookup(n.text) : ctx.lookup(canonical(n));
      if (s && (s.kind === 'result')) found.add(s.res);
      if (n.type === 'identifier') return;
    }
    if (n.type === 'call_expression') {
      const r = ctx.resourceOfCall(n);
      if (r !== null) {
        found.add(r);
        return;
      }
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(expr);
  return found;
}
