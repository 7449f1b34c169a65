/**
 * Where a call's value goes: the variable it is assigned or initialised to (`ret = gup(...)`,
 * `int n = dma_map_sg(...)`), or the field it is stored in (`obj->dma = dma_map_single(...)`).
 */
import type { SyntaxNode } from '../../parse/syntax';
import { canonical, unwrap } from '../expr';
import { lookupVariable } from '../functions';
import type { OpContext, ResultBinding } from './types';

/** The left side of `x = call(...)` (through parentheses and casts), or null when the value goes elsewhere. */
export function assignmentTarget(call: SyntaxNode): SyntaxNode | null {
  let node = call;
  let parent = node.parent;
  while (parent && (parent.type === 'parenthesized_expression' || parent.type === 'cast_expression')) {
    node = parent;
    parent = parent.parent;
  }
  if (parent?.type === 'assignment_expression' && parent.childForFieldName('right')?.id === node.id) {
    const left = parent.childForFieldName('left');
    return left ? unwrap(left) : null;
  }
  return null;
}

export function resultBinding(call: SyntaxNode, ctx: OpContext): ResultBinding {
  const target = assignmentTarget(call);
  if (target?.type === 'identifier') {
    return { variable: target.text, declared: lookupVariable(ctx.fn, ctx.globals, target.text) ?? null };
  }
  let node = call;
  while (node.parent && (node.parent.type === 'parenthesized_expression' || node.parent.type === 'cast_expression'))
    node = node.parent;
  const parent = node.parent;
  if (parent?.type === 'init_declarator' && parent.childForFieldName('value')?.id === node.id) {
    const declarator = declaredVariable(parent.childForFieldName('declarator'));
    if (declarator) {
      return { variable: declarator.text, declared: ctx.fn.locals.get(declarator.text) ?? null };
    }
  }
  return { variable: null, declared: null };
}

/** `obj->dma = dma_map_single(...)`: the field the result goes to. */
export function assignedField(call: SyntaxNode): string | null {
  const target = assignmentTarget(call);
  return target && target.type !== 'identifier' ? canonical(target) : null;
}

/**
 * The variable an init declarator declares: `v` of `v = …` and of `*v = …` (`void *v =
 * dma_alloc_coherent(…)`, `struct dma_pool *pool = dma_pool_create(…)`); null for arrays and
 * anything else.
 */
export function declaredVariable(declarator: SyntaxNode | null): SyntaxNode | null {
  let d = declarator;
  while (d?.type === 'pointer_declarator') d = d.childForFieldName('declarator');
  return d?.type === 'identifier' ? d : null;
}
