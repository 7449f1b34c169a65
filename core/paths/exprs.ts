/**
 * Conditions and right-hand sides compiled once into a small tree of plain objects. The path
 * engine evaluates the same `if (ret < 0)` on every path through it — thousands of times in a
 * DMA-heavy driver — and walking tree-sitter nodes (each access crosses into native code and
 * allocates) each time dominated the run. Compiled once per function, evaluation touches only JS.
 */
import type { SyntaxNode } from '../parse/syntax';
import { wrappersWithRole } from '../catalog/wrappers';
import { canonical, numberValue, unwrap } from '../analysis/expr';

export type Expr = ExprBody & {
  /**
   * The expression's canonical text when it has no side effects (no call other than likely()
   * and friends, no assignment, no `++`): the key under which a path remembers a decided
   * condition. Null otherwise.
   */
  readonly fact: string | null;
};

type ExprBody =
  | { readonly k: 'num'; readonly value: number }
  /** `-EFAULT` and friends. */
  | { readonly k: 'errno' }
  | { readonly k: 'ident'; readonly name: string }
  /** `a->b.c`: looked up by its canonical text; `base` is the object expression. */
  | { readonly k: 'field'; readonly name: string; readonly base: Expr | null }
  | { readonly k: 'call'; readonly id: number; readonly fn: string; readonly args: readonly Expr[] }
  | { readonly k: 'assign'; readonly right: Expr | null; readonly parts: readonly Expr[] }
  | { readonly k: 'not'; readonly arg: Expr }
  | { readonly k: 'binary'; readonly op: string; readonly left: Expr; readonly right: Expr }
  /** Anything else: only its sub-expressions matter (for which resources it mentions). */
  | { readonly k: 'other'; readonly parts: readonly Expr[] };

const ERRNO = /^E[A-Z0-9]+$/;

/** Compiled expressions of one tree, keyed by node id (ids are unique within a tree). */
export class ExprCache {
  private readonly byId = new Map<number, Expr>();

  of(node: SyntaxNode): Expr {
    const cached = this.byId.get(node.id);
    if (cached) return cached;
    const expr = compile(node);
    this.byId.set(node.id, expr);
    return expr;
  }
}

/** Calls that only pass their argument's truth through (and may sit inside a fact). */
export const FACT_WRAPPERS: ReadonlySet<string> = wrappersWithRole('fact');

/**
 * How deep an expression is compiled: below this, a sub-expression is an unknown value. Kernel
 * conditions nest a few levels; a generated `a && a && …` of thousands overflowed the stack here
 * and in every evaluator that walks the compiled tree.
 */
const MAX_DEPTH = 200;

function compile(syntax: SyntaxNode, depth = 0): Expr {
  if (depth > MAX_DEPTH) return { k: 'other', parts: [], fact: null };
  const node = unwrap(syntax);
  const { body, pure } = compileBody(node, depth + 1);
  return { ...body, fact: pure ? canonical(node) : null };
}

function compileBody(node: SyntaxNode, depth: number): { body: ExprBody; pure: boolean } {
  const n = numberValue(node);
  if (n !== null) return { body: { k: 'num', value: n }, pure: true };
  switch (node.type) {
    case 'identifier': {
      const name = node.text;
      if (name === 'NULL' || name === 'false') return { body: { k: 'num', value: 0 }, pure: true };
      if (name === 'true') return { body: { k: 'num', value: 1 }, pure: true };
      // What a failed dma_map_single() returns (all ones; the engine's failed handle is -1).
      if (name === 'DMA_MAPPING_ERROR') return { body: { k: 'num', value: -1 }, pure: true };
      return { body: { k: 'ident', name }, pure: true };
    }
    case 'null':
      return { body: { k: 'num', value: 0 }, pure: true };
    case 'unary_expression': {
      const op = node.child(0)?.type;
      const arg = node.childForFieldName('argument');
      if (op === '-' && arg && unwrap(arg).type === 'identifier' && ERRNO.test(unwrap(arg).text))
        return { body: { k: 'errno' }, pure: true };
      if (op === '!' && arg) {
        const inner = compile(arg, depth);
        return { body: { k: 'not', arg: inner }, pure: inner.fact !== null };
      }
      return other(node, depth);
    }
    case 'call_expression': {
      const fn = node.childForFieldName('function')?.text ?? '';
      const args = (node.childForFieldName('arguments')?.namedChildren ?? []).map((c) => compile(c, depth));
      return {
        body: { k: 'call', id: node.id, fn, args },
        pure: FACT_WRAPPERS.has(fn) && args.every((a) => a.fact !== null),
      };
    }
    case 'assignment_expression': {
      const right = node.childForFieldName('right');
      return {
        body: {
          k: 'assign',
          right: right ? compile(right, depth) : null,
          parts: node.namedChildren.map((c) => compile(c, depth)),
        },
        pure: false,
      };
    }
    case 'binary_expression': {
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right) return other(node, depth);
      const l = compile(left, depth);
      const r = compile(right, depth);
      return {
        body: { k: 'binary', op: node.childForFieldName('operator')?.type ?? '', left: l, right: r },
        pure: l.fact !== null && r.fact !== null,
      };
    }
    case 'pointer_expression':
    case 'subscript_expression': {
      // `*out` and `ring->dma[i]` are looked up by their text, like fields (`&x` is not a place).
      if (node.type === 'pointer_expression' && node.child(0)?.type !== '*') return other(node, depth);
      const base = other(node, depth);
      return { body: { k: 'field', name: canonical(node), base: { ...base.body, fact: null } }, pure: base.pure };
    }
    case 'field_expression': {
      const base = node.childForFieldName('argument');
      const compiled = base ? compile(base, depth) : null;
      return {
        body: { k: 'field', name: canonical(node), base: compiled },
        pure: compiled === null || compiled.fact !== null,
      };
    }
    default:
      return other(node, depth);
  }
}

function other(node: SyntaxNode, depth: number): { body: ExprBody; pure: boolean } {
  const parts = node.namedChildren.map((c) => compile(c, depth));
  return {
    body: { k: 'other', parts },
    pure: node.type !== 'update_expression' && parts.every((p) => p.fact !== null),
  };
}
