/**
 * Recognises loops that do the same thing to every page of an array:
 *
 *     for (i = 0; i < n; i++) put_page(pages[i]);
 *     for (i = 0; i < nr; i++) {
 *             struct page *page = obj->pages[i];
 *             if (dirty)
 *                     SetPageDirty(page);
 *             put_page(page);
 *     }
 *     while (i--) unpin_user_page(pages[i]);
 *
 * Such a loop is one release of `n` pages (plus a dirtying, plus a use). Treating it as one
 * operation gives the path analysis the right count, and gives the fixes a whole statement to
 * replace with `unpin_user_pages(pages, n)` or `unpin_user_pages_dirty_lock(pages, n, dirty)`.
 */
import type { SyntaxNode } from '../parse/syntax';
import { dirtyCall, pageUse } from '../catalog/pageUse';
import { releaseApi } from '../catalog/gup';
import { callArguments, calleeName, canonical, identifierName, numberValue, unwrap } from './expr';
import type { BulkLoop, OpContext, Op, ReleaseOp } from './ops';
import { storageOf, type StorageRef } from './storage';

interface LoopShape {
  readonly index: string;
  readonly count: SyntaxNode;
  readonly body: SyntaxNode;
}

function isIncrementOf(update: SyntaxNode | null, index: string): boolean {
  if (!update) return false;
  const u = unwrap(update);
  if (u.type === 'update_expression')
    return identifierName(u.childForFieldName('argument')) === index && u.text.includes('++');
  if (u.type === 'assignment_expression') {
    return (
      identifierName(u.childForFieldName('left')) === index &&
      u.childForFieldName('operator')?.type === '+=' &&
      numberValue(u.childForFieldName('right')) === 1
    );
  }
  return false;
}

function startsAtZero(init: SyntaxNode | null, index: string): boolean {
  if (!init) return false;
  if (init.type === 'assignment_expression') {
    return (
      identifierName(init.childForFieldName('left')) === index && numberValue(init.childForFieldName('right')) === 0
    );
  }
  if (init.type === 'declaration') {
    for (const d of init.childrenForFieldName('declarator')) {
      if (d.type === 'init_declarator' && d.childForFieldName('declarator')?.text === index)
        return numberValue(d.childForFieldName('value')) === 0;
    }
  }
  return false;
}

function forShape(node: SyntaxNode): LoopShape | null {
  const condition = node.childForFieldName('condition');
  const body = node.childForFieldName('body');
  if (!condition || !body) return null;
  const c = unwrap(condition);
  if (c.type !== 'binary_expression') return null;
  const op = c.childForFieldName('operator')?.type;
  const left = c.childForFieldName('left');
  const right = c.childForFieldName('right');
  if (!left || !right) return null;
  let index: string | null = null;
  let count: SyntaxNode | null = null;
  if ((op === '<' || op === '!=') && identifierName(left)) {
    index = identifierName(left);
    count = right;
  } else if (op === '>' && identifierName(right)) {
    index = identifierName(right);
    count = left;
  }
  if (!index || !count) return null;
  if (!startsAtZero(node.childForFieldName('initializer'), index)) return null;
  if (!isIncrementOf(node.childForFieldName('update'), index)) return null;
  return { index, count, body };
}

/** `while (i--)`, `while (i-- > 0)`, `while (--i >= 0)`: the first i elements, backwards. */
function whileShape(node: SyntaxNode): LoopShape | null {
  const condition = node.childForFieldName('condition');
  const body = node.childForFieldName('body');
  if (!condition || !body) return null;
  let c = unwrap(condition);
  if (c.type === 'binary_expression') {
    const op = c.childForFieldName('operator')?.type;
    const right = numberValue(c.childForFieldName('right'));
    const left = c.childForFieldName('left');
    if (!left || !((op === '>' && right === 0) || (op === '>=' && right === 0 && unwrap(left).text.startsWith('--'))))
      return null;
    c = unwrap(left);
  }
  if (c.type !== 'update_expression' || !c.text.includes('--')) return null;
  const arg = c.childForFieldName('argument');
  const index = identifierName(arg);
  if (!index || !arg) return null;
  return { index, count: arg, body };
}

function statementsOf(body: SyntaxNode): SyntaxNode[] {
  const list = body.type === 'compound_statement' ? body.namedChildren : [body];
  return list.filter((s) => s.type !== 'comment');
}

/** The array a `base[index]` expression indexes, when the subscript is exactly the loop index. */
function indexedArray(expr: SyntaxNode, index: string): SyntaxNode | null {
  const e = unwrap(expr);
  if (e.type !== 'subscript_expression') return null;
  const subscript = e.childForFieldName('index');
  if (!subscript || identifierName(subscript) !== index) return null;
  return e.childForFieldName('argument');
}

/** The loop's element: `pages[i]` directly, or a local loaded from it in the body. */
function elementKey(arg: SyntaxNode, index: string, locals: Map<string, string>): string | null {
  const array = indexedArray(arg, index);
  if (array) return canonical(array);
  const name = identifierName(arg);
  return name !== null ? (locals.get(name) ?? null) : null;
}

export function bulkLoop(node: SyntaxNode, ctx: OpContext): Op[] | null {
  const shape =
    node.type === 'for_statement' ? forShape(node) : node.type === 'while_statement' ? whileShape(node) : null;
  if (!shape) return null;
  const { index, count, body } = shape;
  const elementLocals = new Map<string, string>();
  let baseNode: SyntaxNode | null = null;
  let baseKey: string | null = null;
  const releases: { name: string; call: SyntaxNode }[] = [];
  const uses: { call: SyntaxNode; name: string }[] = [];
  let dirty: BulkLoop['dirty'] = null;

  const sameBase = (key: string | null, arrayNode: SyntaxNode | null): boolean => {
    if (key === null) return false;
    if (baseKey === null) {
      baseKey = key;
      baseNode = arrayNode;
      return true;
    }
    return baseKey === key;
  };

  const elementCall = (stmt: SyntaxNode): { call: SyntaxNode; name: string } | null => {
    if (stmt.type !== 'expression_statement') return null;
    const call = stmt.namedChildren[0];
    if (!call || call.type !== 'call_expression') return null;
    const name = calleeName(call);
    const arg = callArguments(call)[0];
    if (!name || !arg) return null;
    const key = elementKey(arg, index, elementLocals);
    const array = indexedArray(arg, index);
    return sameBase(key, array) ? { call, name } : null;
  };

  for (const stmt of statementsOf(body)) {
    if (stmt.type === 'declaration') {
      // `struct page *page = base[i];`
      const d = stmt.childrenForFieldName('declarator')[0];
      const value = d?.type === 'init_declarator' ? d.childForFieldName('value') : null;
      let name = d?.type === 'init_declarator' ? d.childForFieldName('declarator') : null;
      while (name && name.type === 'pointer_declarator') name = name.childForFieldName('declarator');
      const array = value ? indexedArray(value, index) : null;
      if (!array || !name || name.type !== 'identifier' || !sameBase(canonical(array), array)) return null;
      elementLocals.set(name.text, canonical(array));
      continue;
    }
    if (stmt.type === 'if_statement' && !stmt.childForFieldName('alternative')) {
      const consequence = stmt.childForFieldName('consequence');
      const inner = consequence ? statementsOf(consequence) : [];
      const only = inner.length === 1 ? elementCall(inner[0] as SyntaxNode) : null;
      const op = only ? dirtyCall(only.name) : undefined;
      if (!only || !op || dirty) return null;
      const condition = stmt.childForFieldName('condition');
      const conditionText = condition ? unwrap(condition).text.replace(/\s+/g, '') : '';
      // `if (!PageDirty(page)) set_page_dirty_lock(page);` dirties every page.
      const always = /^!(PageDirty|folio_test_dirty)\(/.test(conditionText);
      dirty = { condition: always || !condition ? null : unwrap(condition), op, node: only.call };
      continue;
    }
    if (stmt.type === 'expression_statement' && stmt.namedChildren[0]?.type === 'assignment_expression') {
      // `pages[i] = NULL;` after the release.
      const assign = stmt.namedChildren[0];
      const left = assign.childForFieldName('left');
      const array = left ? indexedArray(left, index) : null;
      if (!array || !sameBase(canonical(array), array)) return null;
      continue;
    }
    const call = elementCall(stmt);
    if (!call) return null;
    if (releaseApi(call.name)) releases.push(call);
    else if (dirtyCall(call.name)) {
      if (dirty) return null;
      dirty = {
        condition: null,
        op: dirtyCall(call.name) as NonNullable<ReturnType<typeof dirtyCall>>,
        node: call.call,
      };
    } else if (pageUse(call.name)) uses.push(call);
    else return null;
  }
  if (releases.length > 1 || (releases.length === 0 && uses.length === 0) || baseNode === null) return null;
  const base: StorageRef | null = storageOf(baseNode, ctx);
  if (!base) return null;
  const array: StorageRef = { ...base, element: false };
  const bulk: BulkLoop = { loop: node, index, count, base: array, dirty };
  const ops: Op[] = [];
  for (const u of uses) {
    const use = pageUse(u.name);
    if (use) ops.push({ kind: 'use', node: u.call, use, pages: array });
  }
  if (dirty) ops.push({ kind: 'dirty', node: dirty.node, dirty: dirty.op, pages: array });
  const release = releases[0];
  if (release) {
    const api = releaseApi(release.name);
    if (api) {
      const op: ReleaseOp = {
        // Located at the release call; the fix replaces the whole loop (bulk.loop).
        kind: 'release',
        node: release.call,
        name: release.name,
        api,
        family: api.family,
        pages: array,
        count: { kind: 'expr', node: count },
        dirty: dirty ? (dirty.condition ? 'arg' : 'yes') : 'no',
        dirtyArg: dirty?.condition ?? null,
        via: 'catalog',
        bulk,
      };
      ops.push(op);
    }
  }
  return ops;
}
