/**
 * Where pages live. A GUP call fills `pages`, `region->pages`, `pvec + pinned` or `&page`; a
 * release names `pages[j]`, `STbp->mapped_pages[i]` or a local `page` that was loaded from one of
 * those. To connect them we reduce every such expression to a *storage key*: the canonical text
 * of the array (or single page variable) it points into, after following simple local aliases
 * (`struct page **p = pvec + n;`, `struct page *page = arr[i];`).
 *
 * Fields get a second, file-wide key — `struct_name::field` — so that a field filled in one
 * function and released in another can be matched across the file.
 */
import type { SyntaxNode } from '../parse/syntax';
import { isPageFieldName } from '../catalog/conventions';
import { wrappersWithRole } from '../catalog/wrappers';
import { canonical, forEachAssignment, unwrap } from './expr';
import { lookupVariable, type FunctionInfo, type Variable } from './functions';

export interface StorageRef {
  /** Function-local identity of the storage (canonical text of the base, aliases followed). */
  readonly key: string;
  /** File-wide identity for struct fields and globals (`st_buffer::mapped_pages`, `::gpages`). */
  readonly fileKey: string | null;
  /** The expression as written. */
  readonly node: SyntaxNode;
  /** The expression names one element (`pages[i]`, a page loaded from the array) not the array. */
  readonly element: boolean;
  /** What the base is. */
  readonly baseKind: 'local' | 'param' | 'field' | 'global' | 'deref';
  /** For params: their index (out-parameters of in-file helpers). */
  readonly paramIndex: number;
  /** The field or global's declaration type name when it is known (`st_buffer`). */
  readonly structName: string | null;
}

export interface AliasTable {
  /** local pointer variable → key of the storage it points into. */
  readonly arrayAlias: ReadonlyMap<string, string>;
  /** local `struct page *` variable loaded from an array element → that array's key. */
  readonly elementAlias: ReadonlyMap<string, string>;
  /**
   * local variable holding an identity of a page (its pfn, physical or kernel address) → the
   * page's storage key. Handing such a value on hands on the page (`memory_failure(pfn,
   * MF_COUNT_INCREASED)`, `*hpa = __pa(page_address(page))`).
   */
  readonly derivedAlias: ReadonlyMap<string, string>;
}

export interface StorageContext {
  readonly fn: FunctionInfo;
  readonly globals: ReadonlyMap<string, Variable>;
  readonly aliases: AliasTable;
}

/** Splits `a->b.c` into its base identifier and the last field name. */
function fieldParts(node: SyntaxNode): { base: SyntaxNode | null; field: string | null } {
  if (node.type !== 'field_expression') return { base: null, field: null };
  const field = node.childForFieldName('field')?.text ?? null;
  let base: SyntaxNode | null = node.childForFieldName('argument');
  while (
    base &&
    (base.type === 'field_expression' ||
      base.type === 'subscript_expression' ||
      base.type === 'parenthesized_expression' ||
      base.type === 'pointer_expression')
  ) {
    base =
      base.type === 'field_expression' || base.type === 'subscript_expression'
        ? base.childForFieldName('argument')
        : base.type === 'pointer_expression'
          ? base.childForFieldName('argument')
          : (base.namedChildren[0] ?? null);
  }
  return { base, field };
}

function fieldRef(node: SyntaxNode, ctx: StorageContext, element: boolean): StorageRef {
  const { base, field } = fieldParts(node);
  let structName: string | null = null;
  if (base && base.type === 'identifier') {
    const v = lookupVariable(ctx.fn, ctx.globals, base.text);
    structName = v?.structName ?? null;
  }
  const key = canonical(node);
  // Without a known struct type, fall back to the written text so that only the same spelling
  // (`region->pages` with `region->pages`) links across functions.
  const fileKey = field ? (structName ? `${structName}::${field}` : `?${key}`) : null;
  return { key, fileKey, node, element, baseKind: 'field', paramIndex: -1, structName };
}

function identifierRef(name: string, node: SyntaxNode, ctx: StorageContext, element: boolean): StorageRef {
  const elementOf = ctx.aliases.elementAlias.get(name);
  if (elementOf !== undefined) {
    return {
      key: elementOf,
      fileKey: fileKeyForKey(elementOf, ctx),
      node,
      element: true,
      baseKind: baseKindForKey(elementOf, ctx),
      paramIndex: paramIndexForKey(elementOf, ctx),
      structName: null,
    };
  }
  const key = resolveAlias(name, ctx.aliases);
  return {
    key,
    fileKey: fileKeyForKey(key, ctx),
    node,
    element,
    baseKind: baseKindForKey(key, ctx),
    paramIndex: paramIndexForKey(key, ctx),
    structName: null,
  };
}

function resolveAlias(name: string, aliases: AliasTable): string {
  let key = name;
  const seen = new Set<string>();
  while (aliases.arrayAlias.has(key) && !seen.has(key)) {
    seen.add(key);
    key = aliases.arrayAlias.get(key) as string;
  }
  return key;
}

function baseKindForKey(fullKey: string, ctx: StorageContext): StorageRef['baseKind'] {
  const key = baseKey(fullKey);
  if (/^[A-Za-z_]\w*$/.test(key)) {
    if (ctx.fn.locals.has(key)) return 'local';
    if (ctx.fn.params.some((p) => p.name === key)) return 'param';
    if (ctx.globals.has(key)) return 'global';
    return 'local';
  }
  if (key.startsWith('*')) return 'deref';
  return 'field';
}

function paramIndexForKey(key: string, ctx: StorageContext): number {
  const stripped = baseKey(key).replace(/^\*/, '');
  return ctx.fn.params.find((p) => p.name === stripped)?.index ?? -1;
}

function fileKeyForKey(fullKey: string, ctx: StorageContext): string | null {
  const key = baseKey(fullKey);
  if (
    /^[A-Za-z_]\w*$/.test(key) &&
    !ctx.fn.locals.has(key) &&
    !ctx.fn.params.some((p) => p.name === key) &&
    ctx.globals.has(key)
  ) {
    return `::${key}`;
  }
  return null;
}

/** How deep storageOf follows an expression before it gives up (null: not a storage it knows). */
const MAX_STORAGE_DEPTH = 100;

/**
 * The storage an expression designates, or null when it is not something pages can live in
 * (a call result, a literal).
 */
export function storageOf(expr: SyntaxNode, ctx: StorageContext, depth = 0): StorageRef | null {
  // Storage is a few levels deep (`obj->pages + n`); a generated `p + a + a + …` of thousands
  // overflowed the stack here.
  if (depth > MAX_STORAGE_DEPTH) return null;
  const node = unwrap(expr);
  switch (node.type) {
    case 'identifier':
      return identifierRef(node.text, node, ctx, false);
    case 'field_expression': {
      // A field whose base resolves to an alias keeps the field: `obj->pages` is its own storage.
      return fieldRef(node, ctx, false);
    }
    case 'subscript_expression': {
      const array = node.childForFieldName('argument');
      if (!array) return null;
      const inner = storageOf(array, ctx, depth + 1);
      return inner ? { ...inner, node, element: true } : null;
    }
    case 'pointer_expression': {
      const op = node.child(0)?.type;
      const arg = node.childForFieldName('argument');
      if (!arg) return null;
      const inner = storageOf(arg, ctx, depth + 1);
      if (!inner) return null;
      if (op === '&') {
        // `&page` is the address of a single-page variable: storage is the variable itself.
        // `&pages[i]` points into the array from element i on: the array at offset i.
        const target = unwrap(arg);
        if (target.type === 'subscript_expression') {
          const index = target.childForFieldName('index');
          const base = { ...inner, node, element: false };
          return index ? withOffset(base, index, '+') : base;
        }
        return { ...inner, node, element: false };
      }
      // `*pages` where `pages` is a `struct page **` out-parameter or cursor.
      if (inner.baseKind === 'param') return { ...inner, key: `*${inner.key}`, node, baseKind: 'deref' };
      return { ...inner, node, element: true };
    }
    case 'binary_expression': {
      const op = node.childForFieldName('operator')?.type;
      if (op !== '+' && op !== '-') return null;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      const l = left ? storageOf(left, ctx, depth + 1) : null;
      if (l && isPointerLike(l, ctx)) return right ? withOffset({ ...l, node }, right, op) : { ...l, node };
      const r = right && op === '+' ? storageOf(right, ctx, depth + 1) : null;
      if (r && isPointerLike(r, ctx)) return left ? withOffset({ ...r, node }, left, '+') : { ...r, node };
      return l ?? null;
    }
    case 'call_expression': {
      // page_folio(page), compound_head(page): the same page (or its folio) under another type.
      const name = node.childForFieldName('function')?.text;
      const arg = node.childForFieldName('arguments')?.namedChildren[0];
      if (name && arg && IDENTITY_CALLS.has(name)) return storageOf(arg, ctx, depth + 1);
      return null;
    }
    case 'update_expression': {
      const arg = node.childForFieldName('argument');
      return arg ? storageOf(arg, ctx, depth + 1) : null;
    }
    default:
      return null;
  }
}

/** Calls that return the same page (or its folio) as their argument. */
const IDENTITY_CALLS = wrappersWithRole('same-page');

/**
 * `pages + n` and `&pages[n]` point into the array at offset n: a storage of its own, so that
 * acquires into two halves of one allocation (`pages_info = pages_stat + n`) stay two resources.
 * A release of the whole array still covers them (see the path engine). Offset 0 is the array.
 */
function withOffset(ref: StorageRef, offset: SyntaxNode, op: string): StorageRef {
  const o = unwrap(offset);
  if (o.type === 'number_literal' && Number(o.text) === 0) return ref;
  if (ref.element) return ref;
  return { ...ref, key: `${ref.key}${op}${canonical(offset)}` };
}

/** The array a (possibly offset) key points into: `pvec+pinned` → `pvec`. */
export function baseKey(key: string): string {
  const plus = key.search(/[+-](?!>)/);
  return plus > 0 ? key.slice(0, plus) : key;
}

/** Calls whose result identifies the page they are given: its pfn, physical or linear address. */
const PAGE_IDENTITY_CALLS = wrappersWithRole('page-identity');

/**
 * Whether `text` can hold what derivedPageOf looks for: a page-identity call's name or a derived
 * alias. Most expressions hold neither, and walking their nodes through the binding was ~2% of a
 * whole-tree lint; the walk's matches all spell one of these names, so the answer is the same.
 */
function mayDerivePage(text: string, ctx: StorageContext): boolean {
  for (const name of PAGE_IDENTITY_CALLS) if (text.includes(name)) return true;
  for (const alias of ctx.aliases.derivedAlias.keys()) if (text.includes(alias)) return true;
  return false;
}

/** The storage of the page an expression is an identity of (`page_to_pfn(p) << PAGE_SHIFT`, `__pa(page_address(p))`). */
export function derivedPageOf(expr: SyntaxNode, ctx: StorageContext): StorageRef | null {
  if (!mayDerivePage(expr.text, ctx)) return null;
  // Pre-order, first match wins; a stack instead of recursion, as expressions may nest deep.
  const stack = [expr];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n.type === 'call_expression') {
      const name = n.childForFieldName('function')?.text ?? '';
      const arg = n.childForFieldName('arguments')?.namedChildren[0];
      if (PAGE_IDENTITY_CALLS.has(name) && arg) {
        const found = storageOf(arg, ctx);
        if (found) return found;
      }
    }
    if (n.type === 'identifier' && ctx.aliases.derivedAlias.has(n.text)) {
      const key = ctx.aliases.derivedAlias.get(n.text) as string;
      return {
        key,
        fileKey: null,
        node: n,
        element: true,
        baseKind: baseKindForKey(key, ctx),
        paramIndex: paramIndexForKey(key, ctx),
        structName: null,
      };
    }
    const children = n.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as SyntaxNode);
  }
  return null;
}

function isPointerLike(ref: StorageRef, ctx: StorageContext): boolean {
  if (ref.baseKind === 'field' || ref.baseKind === 'deref') return true;
  const v = lookupVariable(ctx.fn, ctx.globals, ref.key);
  return v ? v.pointerDepth > 0 || v.isArray : true;
}

/** The variable a `struct page *`-like value expression is loaded from, for element aliases. */
function elementSource(value: SyntaxNode): SyntaxNode | null {
  const v = unwrap(value);
  if (v.type === 'subscript_expression') return v.childForFieldName('argument');
  if (v.type === 'pointer_expression' && v.child(0)?.type === '*') return v.childForFieldName('argument');
  return null;
}

function isPageType(variable: Variable | undefined): boolean {
  return !!variable && /\b(page|folio)\b/.test(variable.typeText);
}

/**
 * Whether an argument is written as pages: its variable is a `struct page *`/`**` or an array of
 * them (`pages[i++]` when `pages` aliases `bio->bi_io_vec`, whose field name says nothing).
 */
export function writtenAsPages(arg: SyntaxNode, ctx: StorageContext): boolean {
  let e = unwrap(arg);
  for (let depth = 0; depth < 8; depth++) {
    if (e.type === 'subscript_expression' || e.type === 'pointer_expression' || e.type === 'update_expression') {
      const inner = e.childForFieldName('argument');
      if (!inner) return false;
      e = unwrap(inner);
      continue;
    }
    break;
  }
  if (e.type !== 'identifier') return false;
  const v = lookupVariable(ctx.fn, ctx.globals, e.text);
  return isPageType(v) && !!v && (v.pointerDepth > 0 || v.isArray);
}

/** Whether `ref` plausibly holds pages (so passing it to an unknown function is an escape). */
export function holdsPages(ref: StorageRef, ctx: StorageContext): boolean {
  if (ref.baseKind === 'field') return isPageFieldName(ref.key.split(/->|\./).pop() ?? '');
  const v = lookupVariable(ctx.fn, ctx.globals, ref.key.replace(/^\*/, ''));
  return isPageType(v) && !!v && (v.pointerDepth > 0 || v.isArray);
}

/**
 * Builds the alias table of a function: locals assigned from another storage. Flow-insensitive on
 * purpose — kernel code re-points cursors (`pages += n`) but rarely re-uses a variable for
 * unrelated arrays, and a flow-sensitive table would not survive goto ladders.
 */
export function buildAliases(fn: FunctionInfo, globals: ReadonlyMap<string, Variable>): AliasTable {
  const arrayAlias = new Map<string, string>();
  const elementAlias = new Map<string, string>();
  const derivedAlias = new Map<string, string>();
  const pending: { name: string; value: SyntaxNode }[] = [];
  for (const v of fn.locals.values()) if (v.init) pending.push({ name: v.name, value: v.init });
  forEachAssignment(fn.body, (left, right) => {
    if (unwrap(left).type === 'identifier') pending.push({ name: unwrap(left).text, value: right });
  });
  const table: AliasTable = { arrayAlias, elementAlias, derivedAlias };
  const ctx: StorageContext = { fn, globals, aliases: table };
  // Two passes so that chains (`a = b; c = a + 1;`) resolve regardless of order.
  for (let pass = 0; pass < 2; pass++) {
    for (const { name, value } of pending) {
      const variable = fn.locals.get(name);
      if (!variable || variable.isArray) continue;
      const derived = derivedPageOf(value, ctx);
      if (derived && !isPageType(variable)) {
        derivedAlias.set(name, derived.key);
        continue;
      }
      // `folio = page_folio(page)`: the same page under another type.
      const v = unwrap(value);
      if (v.type === 'call_expression' && IDENTITY_CALLS.has(v.childForFieldName('function')?.text ?? '')) {
        const target = storageOf(v, ctx);
        if (target && target.key !== name) (target.element ? elementAlias : arrayAlias).set(name, target.key);
        continue;
      }
      if (variable.pointerDepth >= 2) {
        const target = storageOf(value, ctx);
        if (target && target.key !== name && !target.element) arrayAlias.set(name, target.key);
      } else if (variable.pointerDepth === 1 && isPageType(variable)) {
        const source = elementSource(value);
        if (source) {
          const target = storageOf(source, ctx);
          if (target && target.key !== name) elementAlias.set(name, target.key);
        }
      }
    }
  }
  return table;
}
