/**
 * A local array published before pages go into it (issue 11, class 2: "a global published before
 * the pin"). mm/gup_test.c's pin_longterm_test_start() does `pin_longterm_test_pages = pages;` and
 * then pins into `pages`: the pins belong to the global, which pin_longterm_test_stop() releases,
 * not to the function. A store of the array after the pin is an escape the path walk already
 * sees; a store before it is not, because nothing was held yet when it ran.
 */
import type { SyntaxNode } from '../parse/syntax';
import { walk } from '../parse/syntax';
import { unwrap } from './expr';
import type { StorageContext } from './storage';

const cache = new WeakMap<SyntaxNode, Map<string, number>>();

/** The first offset at which each local is stored into a global or a struct field. */
function publications(ctx: StorageContext): Map<string, number> {
  const body = ctx.fn.body;
  let found = cache.get(body);
  if (found) return found;
  const first = new Map<string, number>();
  found = first;
  cache.set(body, first);
  walk(body, (n) => {
    if (n.type !== 'assignment_expression' || n.childForFieldName('operator')?.type !== '=') return true;
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!left || !right) return true;
    const value = unwrap(right);
    if (value.type !== 'identifier' || !ctx.fn.locals.has(value.text)) return true;
    const target = unwrap(left);
    const isGlobal = target.type === 'identifier' && !ctx.fn.locals.has(target.text) && ctx.globals.has(target.text);
    if ((isGlobal || target.type === 'field_expression') && !first.has(value.text)) first.set(value.text, n.startIndex);
    return true;
  });
  return found;
}

/** Whether the local `key` was stored into a global or a field before `offset`. */
export function publishedBefore(ctx: StorageContext, key: string, offset: number): boolean {
  const at = publications(ctx).get(key);
  return at !== undefined && at < offset;
}
