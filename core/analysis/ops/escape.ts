/**
 * Escapes: where ownership of pages may leave the function — stored in a field, a global or
 * through an out-parameter, returned, or passed to a function pinscope knows nothing about
 * (also as an identity of the page: its pfn or address).
 */
import type { SyntaxNode } from '../../parse/syntax';
import { keepsNoPages } from '../../catalog/helpers';
import { unwrap } from '../expr';
import { derivedPageOf, holdsPages, storageOf } from '../storage';
import type { EscapeOp, OpContext } from './types';

/**
 * Pages (or a page's pfn or address) passed to a function pinscope knows nothing about:
 * ownership may leave here (`memory_failure(pfn, MF_COUNT_INCREASED)`).
 */
export function callEscapes(call: SyntaxNode, name: string, args: readonly SyntaxNode[], ctx: OpContext): EscapeOp[] {
  const escapes: EscapeOp[] = [];
  if (keepsNoPages(name)) return escapes;
  for (const a of args) {
    const ref = storageOf(a, ctx);
    if (ref && holdsPages(ref, ctx)) {
      escapes.push({ kind: 'escape', node: call, pages: ref, how: 'call', target: null, callee: name });
      continue;
    }
    const derived = derivedPageOf(a, ctx);
    if (derived) escapes.push({ kind: 'escape', node: call, pages: derived, how: 'call', target: null, callee: name });
  }
  return escapes;
}

/** `x = pages` stores: the pages escape into a field, a global or through an out-parameter. */
export function classifyStore(assign: SyntaxNode, ctx: OpContext): EscapeOp | null {
  if (assign.childForFieldName('operator')?.type !== '=') return null;
  const left = assign.childForFieldName('left');
  const right = assign.childForFieldName('right');
  if (!left || !right) return null;
  let source = storageOf(right, ctx);
  if (!source || !holdsPages(source, ctx)) {
    // `obj->pfn = page_to_pfn(page)`, `*hpa = __pa(page_address(page))`: the page goes with it.
    source = derivedPageOf(right, ctx);
    if (!source) return null;
  }
  const target = storageOf(left, ctx);
  if (!target || target.key === source.key) return null;
  const l = unwrap(left);
  if (target.baseKind === 'field') return { kind: 'escape', node: assign, pages: source, how: 'field', target };
  if (target.baseKind === 'global') return { kind: 'escape', node: assign, pages: source, how: 'global', target };
  if (target.baseKind === 'deref' || (l.type === 'pointer_expression' && target.baseKind === 'param')) {
    return { kind: 'escape', node: assign, pages: source, how: 'out-param', target };
  }
  if (l.type === 'subscript_expression' && target.baseKind === 'param') {
    return { kind: 'escape', node: assign, pages: source, how: 'out-param', target };
  }
  return null;
}

/** `return pages;`: the pages (or an identity of them) leave to the caller. */
export function returnEscapes(region: SyntaxNode, ctx: OpContext, returned: boolean): EscapeOp[] {
  if (!returned) return [];
  const ref = storageOf(region, ctx);
  if (ref && holdsPages(ref, ctx)) return [{ kind: 'escape', node: region, pages: ref, how: 'return', target: null }];
  const derived = derivedPageOf(region, ctx);
  return derived ? [{ kind: 'escape', node: region, pages: derived, how: 'return', target: null }] : [];
}
