/**
 * Small, pure helpers over C expression nodes: callee names, arguments, stripping parentheses and
 * casts, and a canonical text for l-values so that `region->pages` and `region -> pages` compare
 * equal.
 */
import type { SyntaxNode } from '../parse/syntax';
import { forEachOfType } from '../parse/syntax';

/** Removes parentheses, casts and `__force`-style wrappers around an expression. */
export function unwrap(node: SyntaxNode): SyntaxNode {
  let current = node;
  for (;;) {
    if (current.type === 'parenthesized_expression') {
      const inner = current.namedChildren[0];
      if (!inner) return current;
      current = inner;
    } else if (current.type === 'cast_expression') {
      const value = current.childForFieldName('value');
      if (!value) return current;
      current = value;
    } else {
      return current;
    }
  }
}

/** The called function's name for `f(...)`, or null for calls through pointers and expressions. */
export function calleeName(call: SyntaxNode): string | null {
  if (call.type !== 'call_expression') return null;
  const fn = call.childForFieldName('function');
  if (!fn) return null;
  const target = unwrap(fn);
  return target.type === 'identifier' ? target.text : null;
}

/** The argument expressions of a call, in order (comments dropped). */
export function callArguments(call: SyntaxNode): SyntaxNode[] {
  const list = call.childForFieldName('arguments');
  if (!list) return [];
  return list.namedChildren.filter((n) => n.type !== 'comment');
}

/** Canonical text of an expression: whitespace and comments dropped, `(*a).b` kept as written. */
export function canonical(node: SyntaxNode): string {
  return canonicalText(unwrap(node).text);
}

export function canonicalText(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s+/g, '');
}

/** Whether `node` is a plain identifier (after unwrapping), and its name. */
export function identifierName(node: SyntaxNode | null | undefined): string | null {
  if (!node) return null;
  const n = unwrap(node);
  return n.type === 'identifier' ? n.text : null;
}

/** Number literal value, when `node` is a (possibly negated) decimal/hex literal. */
export function numberValue(node: SyntaxNode | null | undefined): number | null {
  if (!node) return null;
  const n = unwrap(node);
  if (n.type === 'number_literal') {
    const text = n.text.replace(/[uUlL]+$/, '');
    const value = Number(text);
    return Number.isFinite(value) ? value : null;
  }
  if (n.type === 'unary_expression' && n.child(0)?.type === '-') {
    const inner = numberValue(n.childForFieldName('argument'));
    return inner === null ? null : -inner;
  }
  return null;
}

/** Whether an expression is the null pointer (`NULL`, `0`, `(void *)0`). */
export function isNullPointer(node: SyntaxNode | null | undefined): boolean {
  if (!node) return false;
  const n = unwrap(node);
  if (n.type === 'null' || (n.type === 'identifier' && n.text === 'NULL')) return true;
  return numberValue(n) === 0;
}

/**
 * All call expressions under `node` in evaluation order (arguments before the call that takes
 * them), not descending into nested statements other than GNU statement expressions.
 */
export function callsIn(node: SyntaxNode): SyntaxNode[] {
  const found = blockFreeNodesOfType(node, CALLS);
  // Post-order by position: a call ends after every call inside it, and before the calls that
  // follow it; with no parse problem (no zero-width MISSING token) no two calls end together.
  if (found) return found.sort((a, b) => a.endIndex - b.endIndex);
  // Post-order (children left to right, then the node) is the reverse of pre-order taken right
  // to left: collected with a stack, so the depth of the expression is not the call stack's.
  const reversed: SyntaxNode[] = [];
  const stack = [node];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n.type === 'call_expression') reversed.push(n);
    for (const child of n.namedChildren) {
      if (child.type === 'compound_statement' && n.type !== 'parenthesized_expression') continue;
      stack.push(child);
    }
  }
  return reversed.reverse();
}

/**
 * Tokens a node of a type always holds, one of them at least (tree-sitter-c's grammar): a region
 * whose text (with no parse problem, so no zero-width MISSING token) holds none of them has no such
 * node, and tree-sitter need not be asked.
 */
const TOKENS_OF: Readonly<Record<string, readonly string[]>> = {
  call_expression: ['('],
  assignment_expression: ['='],
  init_declarator: ['='],
  update_expression: ['++', '--'],
};

const CALLS = ['call_expression'];

/**
 * The nodes of `types` under `node` (itself included), in document order, when no nested statement
 * block can be under it; null when one may be (the caller walks then). Without a block the
 * statement walks, which stop at blocks, see every descendant, and tree-sitter's native type-filtered
 * walk (one call instead of one per node, the most frequent walk of a whole-tree lint) finds the same
 * nodes. A block starts with a `{` token; a subtree with a parse problem could hold one whose `{` is
 * a MISSING token, so such a subtree takes the walk (`{` in a string or comment only sends the node
 * the slow way). A region holding none of the tokens its types need has none of them: tree-sitter
 * is not asked.
 */
function blockFreeNodesOfType(node: SyntaxNode, types: readonly string[]): SyntaxNode[] | null {
  if (node.hasError) return null;
  const text = node.text;
  if (text.includes('{')) return null;
  if (types.every((t) => TOKENS_OF[t]?.every((token) => !text.includes(token)))) return [];
  return node.descendantsOfType([...types]);
}

/**
 * The named nodes of `types` under `node` (itself included), in document order, not entering
 * nested statement blocks other than GNU statement expressions: `forEachInExpression` collecting
 * those types, without a native call per node when the region holds no block.
 */
export function expressionNodesOfType(node: SyntaxNode, types: readonly string[]): SyntaxNode[] {
  const blockFree = blockFreeNodesOfType(node, types);
  if (blockFree) return blockFree;
  const found: SyntaxNode[] = [];
  forEachInExpression(node, (n) => {
    if (types.includes(n.type)) found.push(n);
  });
  return found;
}

/**
 * Visits `node` and its named descendants in pre-order (document order) without recursion, not
 * entering nested statement blocks (other than GNU statement expressions): the expression walks
 * of a statement. `visit` returns false to skip a node's children.
 */
export function forEachInExpression(node: SyntaxNode, visit: (n: SyntaxNode) => boolean | void): void {
  const stack = [node];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (visit(n) === false) continue;
    const children = n.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i] as SyntaxNode;
      if (child.type === 'compound_statement' && n.type !== 'parenthesized_expression') continue;
      stack.push(child);
    }
  }
}

/**
 * Every plain `left = right;` assignment under `body` (not `+=`), in order. Only assignment nodes
 * are materialised: walking every node of a long function dominated the scans that need this.
 */
export function forEachAssignment(
  body: SyntaxNode,
  visit: (left: SyntaxNode, right: SyntaxNode, assignment: SyntaxNode) => void,
): void {
  forEachOfType(body, ['assignment_expression'], (node) => {
    if (node.childForFieldName('operator')?.type !== '=') return;
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (left && right) visit(left, right, node);
  });
}
