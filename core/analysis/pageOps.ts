/**
 * Classifies call sites and assignments into page operations: acquire, release, use of the data,
 * dirtying, extra references, and escapes (ownership leaving the function). Everything the rules
 * and the simulation know about a statement comes from here; the catalog decides what each
 * function name means.
 */
import type { SyntaxNode } from '../parse/syntax';
import {
  acquireApi,
  paramIndex,
  releaseApi,
  signatureAt,
  type AcquireApi,
  type Family,
  type ReleaseApi,
  type Signature,
} from '../catalog/gup';
import { dirtyCall, EXTRA_REFERENCE_CALLS, pageUse, type DirtyCall, type PageUse } from '../catalog/pageUse';
import type { KernelVersion } from '../catalog/version';
import { callArguments, calleeName, callsIn, canonical, unwrap } from './expr';
import { walkTypes } from '../parse/syntax';
import { resolveFlags, type FlagSet, type MacroDef } from './flags';
import { lookupVariable, type FunctionInfo, type Variable } from './functions';
import { derivedPageOf, storageOf, type AliasTable, type StorageContext, type StorageRef } from './storage';
import { isNullPointer } from './expr';
import type { HelperSummaries } from './summaries';
import { dmaApi, dmaParam, type DmaApi, type DmaParam } from '../catalog/dma';

/** Where the acquire's result goes: a variable, or nowhere (used directly in a condition). */
export interface ResultBinding {
  readonly variable: string | null;
  /** The variable's declaration, for gup-result-unsigned. */
  readonly declared: Variable | null;
}

export type CountSpec =
  { readonly kind: 'one' } | { readonly kind: 'expr'; readonly node: SyntaxNode } | { readonly kind: 'unknown' };

interface OpBase {
  /** The call (or assignment / return) the operation comes from. */
  readonly node: SyntaxNode;
}

export interface AcquireOp extends OpBase {
  readonly kind: 'acquire';
  readonly name: string;
  readonly api: AcquireApi;
  readonly signature: Signature | undefined;
  readonly args: readonly SyntaxNode[];
  readonly family: Family;
  readonly pages: StorageRef | null;
  readonly nr: SyntaxNode | null;
  /** nr is the literal 1 (single page): there is no partial result. */
  readonly single: boolean;
  /** `pages` is NULL: the call only faults the range in and takes no references. */
  readonly prefault: boolean;
  readonly flagsArg: SyntaxNode | null;
  readonly flags: FlagSet;
  readonly result: ResultBinding;
  /** Set when the acquire is a call to an in-file function that acquires into a parameter. */
  readonly helper?: {
    readonly name: string;
    readonly countOutParam: number | null;
    readonly returnsCount: boolean;
    readonly inner: SyntaxNode;
  };
  /**
   * For helpers that report their count through an out-parameter (`lock_pages(..., &pinned)`):
   * the variable that holds the number of pages taken, on success and on failure alike.
   */
  readonly heldCount?: string;
}

export interface ReleaseOp extends OpBase {
  readonly kind: 'release';
  readonly name: string;
  readonly api: ReleaseApi | null;
  /** null when a helper's family is unknown. */
  readonly family: Family | null;
  readonly pages: StorageRef | null;
  readonly count: CountSpec;
  readonly dirty: 'no' | 'yes' | 'arg';
  readonly dirtyArg: SyntaxNode | null;
  /** How the release was recognised: a catalogued call, an in-file helper, or a helper by name. */
  readonly via: 'catalog' | 'in-file' | 'by-name';
  /** Set when the release is a whole loop (`for (i = 0; i < n; i++) put_page(p[i]);`). */
  readonly bulk?: BulkLoop;
}

export interface UseOp extends OpBase {
  readonly kind: 'use';
  readonly use: PageUse;
  readonly pages: StorageRef;
  /** Through an in-file helper: its name. */
  readonly viaHelper?: string;
}

export interface DirtyOp extends OpBase {
  readonly kind: 'dirty';
  readonly dirty: DirtyCall;
  readonly pages: StorageRef;
}

export interface ExtraRefOp extends OpBase {
  readonly kind: 'extra-ref';
  readonly name: string;
  readonly pages: StorageRef;
}

export type EscapeHow = 'field' | 'global' | 'out-param' | 'return' | 'call';

export interface EscapeOp extends OpBase {
  readonly kind: 'escape';
  readonly pages: StorageRef;
  readonly how: EscapeHow;
  /** Where the pages went (`obj->pages`) for field/global/out-param stores. */
  readonly target: StorageRef | null;
  readonly callee?: string;
}

/**
 * A DMA API call (core/catalog/dma.ts). `key` is what identifies the mapping or allocation the
 * call creates, releases, checks or syncs: the handle variable of a single mapping, the
 * scatterlist or sg_table, the CPU address of a coherent allocation, the pool.
 */
export interface DmaOp extends OpBase {
  readonly kind: 'dma';
  readonly name: string;
  readonly api: DmaApi;
  readonly args: readonly SyntaxNode[];
  readonly key: string | null;
  readonly dev: SyntaxNode | null;
  readonly size: SyntaxNode | null;
  /** The DMA_* direction constant as written, or null when it is not a constant. */
  readonly dir: string | null;
  readonly dirNode: SyntaxNode | null;
  /** sg maps, unmaps and syncs: the nents argument. */
  readonly nents: SyntaxNode | null;
  /** The buffer mapped (ptr, page, sg, sgt) or freed (cpu_addr, vaddr). */
  readonly buffer: SyntaxNode | null;
  /** For coherent allocations and pool blocks: where the DMA address is returned (`&dma`). */
  readonly handleOut: string | null;
  /** For pool blocks, creates and destroys: the pool. */
  readonly pool: string | null;
  readonly result: ResultBinding;
  /** Where the call's value goes: the variable, or the field or `*out` it is assigned to. */
  readonly resultKey: string | null;
}

/** A DMA handle used (passed on, stored, written to the device) rather than checked or unmapped. */
export interface DmaUseOp extends OpBase {
  readonly kind: 'dma-use';
  readonly key: string;
  /** `check`: handed to a helper that calls dma_mapping_error() on it (`enic_dma_map_check()`). */
  readonly how: 'use' | 'store' | 'call' | 'return' | 'check';
  readonly callee?: string;
}

export type PageOp = AcquireOp | ReleaseOp | UseOp | DirtyOp | ExtraRefOp | EscapeOp | DmaOp | DmaUseOp;

/** A loop that applies the same page operations to every element `base[i]`, i from 0 to count. */
export interface BulkLoop {
  readonly loop: SyntaxNode;
  readonly index: string;
  readonly count: SyntaxNode;
  readonly base: StorageRef;
  /** `if (cond) set_page_dirty*(p)` inside the loop: cond; or 'always'; or null when not dirtied. */
  readonly dirty: { readonly condition: SyntaxNode | null; readonly op: DirtyCall; readonly node: SyntaxNode } | null;
}

export interface OpContext extends StorageContext {
  readonly version: KernelVersion;
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly text: string;
  readonly helpers: HelperSummaries;
  readonly definedFunctions: ReadonlySet<string>;
  /** In-file functions that call dma_mapping_error() on a parameter: name → that parameter's index. */
  readonly mappingCheckers?: ReadonlyMap<string, number>;
}

export function storageContext(
  fn: FunctionInfo,
  globals: ReadonlyMap<string, Variable>,
  aliases: AliasTable,
): StorageContext {
  return { fn, globals, aliases };
}

/** Names of undefined helpers that, by their name, release the user pages they are given. */
const RELEASE_HELPER = /^_*(?:\w*_)?(?:put|unpin|release|unlock)(?:_\w*)?_pages?$/;
const NOT_RELEASE_HELPERS = new Set([
  'free_pages',
  '__free_pages',
  'put_pages_list',
  'release_pages',
  'lock_pages',
  'unlock_page',
  'get_pages',
  'free_page',
  'put_page',
  'unpin_user_page',
  'folio_unlock',
  'page_unlock',
]);

function helperFamilyByName(name: string): Family | null {
  if (/unpin/.test(name)) return 'pin';
  if (/(^|_)put(_|$)/.test(name)) return 'get';
  return null;
}

function isPageTyped(v: Variable | undefined): boolean {
  return !!v && /\b(page|folio)\b/.test(v.typeText) && (v.pointerDepth > 0 || v.isArray);
}

/** Whether `ref` plausibly holds pages (so passing it to an unknown function is an escape). */
export function holdsPages(ref: StorageRef, ctx: StorageContext): boolean {
  if (ref.baseKind === 'field') return /page|pvec|folio/i.test(ref.key.split(/->|\./).pop() ?? '');
  const v = lookupVariable(ctx.fn, ctx.globals, ref.key.replace(/^\*/, ''));
  return isPageTyped(v);
}

/** The left side of `x = call(...)` (through parentheses and casts), or null when the value goes elsewhere. */
function assignmentTarget(call: SyntaxNode): SyntaxNode | null {
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

function resultBinding(call: SyntaxNode, ctx: OpContext): ResultBinding {
  const target = assignmentTarget(call);
  if (target?.type === 'identifier') {
    return { variable: target.text, declared: lookupVariable(ctx.fn, ctx.globals, target.text) ?? null };
  }
  let node = call;
  while (node.parent && (node.parent.type === 'parenthesized_expression' || node.parent.type === 'cast_expression'))
    node = node.parent;
  const parent = node.parent;
  if (parent?.type === 'init_declarator' && parent.childForFieldName('value')?.id === node.id) {
    const declarator = parent.childForFieldName('declarator');
    if (declarator?.type === 'identifier') {
      return { variable: declarator.text, declared: ctx.fn.locals.get(declarator.text) ?? null };
    }
  }
  return { variable: null, declared: null };
}

function argFor(
  args: readonly SyntaxNode[],
  signature: Signature | undefined,
  role: Parameters<typeof paramIndex>[1],
  fallback: number,
): SyntaxNode | null {
  const index = signature ? paramIndex(signature, role) : fallback;
  return index >= 0 ? (args[index] ?? null) : null;
}

function classifyAcquire(call: SyntaxNode, name: string, api: AcquireApi, ctx: OpContext): AcquireOp {
  const args = callArguments(call);
  // Arguments are read with the signature of the configured version; when the call does not fit
  // that version (api-version reports it), the newest signature is the best guess.
  const signature = signatureAt(api, ctx.version) ?? api.signatures[api.signatures.length - 1];
  const fitting =
    signature && signature.params.length === args.length
      ? signature
      : (bestSignatureFor(api, args.length) ?? signature);
  const pagesArg = argFor(
    args,
    fitting,
    api.returns === 'bool' ? 'pagep' : api.name === 'memfd_pin_folios' ? 'folios' : 'pages',
    -1,
  );
  const nrArg =
    api.returns === 'bool' || api.returns === 'page'
      ? null
      : argFor(
          args,
          fitting,
          api.name === 'memfd_pin_folios' ? 'max_folios' : api.returns === 'bytes' ? 'maxpages' : 'nr_pages',
          -1,
        );
  const flagsArg = argFor(args, fitting, 'gup_flags', -1);
  const flags = flagsArg
    ? resolveFlags(flagsArg, { fn: ctx.fn, macros: ctx.macros, text: ctx.text })
    : { occurrences: [], unknown: false };
  let pages = pagesArg ? storageOf(pagesArg, ctx) : null;
  if (pages && api.returns === 'bytes' && pages.node.type === 'pointer_expression') {
    // iov_iter_extract_pages(i, &pages, ...) allocates or fills *pages: the storage is `pages`.
    pages = { ...pages, element: false };
  }
  const result = resultBinding(call, ctx);
  if (api.returns === 'page' && result.variable) {
    // get_dump_page() returns the page: the variable it lands in is the storage.
    const ref = storageOf(
      call.parent?.type === 'assignment_expression' ? (call.parent.childForFieldName('left') as SyntaxNode) : call,
      ctx,
    );
    pages = ref ?? {
      key: result.variable,
      fileKey: null,
      node: call,
      element: false,
      baseKind: 'local',
      paramIndex: -1,
      structName: null,
    };
  }
  const prefault = pagesArg !== null && isNullPointer(pagesArg);
  const single =
    api.returns === 'bool' ||
    api.returns === 'page' ||
    (nrArg !== null && unwrap(nrArg).type === 'number_literal' && Number(unwrap(nrArg).text) === 1);
  return {
    kind: 'acquire',
    node: call,
    name,
    api,
    signature: fitting,
    args,
    family: api.family,
    pages: prefault ? null : pages,
    nr: nrArg,
    single,
    prefault,
    flagsArg,
    flags,
    result,
  };
}

function bestSignatureFor(api: { readonly signatures: readonly Signature[] }, argc: number): Signature | undefined {
  return [...api.signatures].reverse().find((s) => s.params.length === argc);
}

function classifyRelease(call: SyntaxNode, name: string, api: ReleaseApi, ctx: OpContext): ReleaseOp {
  const args = callArguments(call);
  const signature = signatureAt(api, ctx.version) ?? api.signatures[api.signatures.length - 1];
  const target = args[0] ?? null;
  const pages = target ? storageOf(target, ctx) : null;
  let count: CountSpec = { kind: 'unknown' };
  if (api.target === 'page' || (api.target === 'folio' && api.name !== 'unpin_user_folio')) count = { kind: 'one' };
  else {
    const countArg = argFor(
      args,
      signature,
      api.target === 'folios' ? 'nfolios' : api.name === 'release_pages' ? 'nr' : 'npages',
      1,
    );
    if (countArg) count = { kind: 'expr', node: countArg };
  }
  const dirtyArg = api.dirty === 'arg' ? argFor(args, signature, 'make_dirty', 2) : null;
  return {
    kind: 'release',
    node: call,
    name,
    api,
    family: api.family,
    pages,
    count,
    dirty: api.dirty,
    dirtyArg,
    via: 'catalog',
  };
}

function dmaArg(api: DmaApi, args: readonly SyntaxNode[], role: DmaParam): SyntaxNode | null {
  const i = dmaParam(api, role);
  return i >= 0 ? (args[i] ?? null) : null;
}

/** `sgt->sgl` (or `sgt.sgl`) and `sgt` name the same scatter-gather table. */
export function sgTableKey(key: string): string {
  return key.replace(/(?:->|\.)sgl$/, '');
}

/** `&sgt` and `sgt` name the same table; `obj->dma` and `obj -> dma` the same handle. */
function dmaKey(node: SyntaxNode | null): string | null {
  if (!node) return null;
  const n = unwrap(node);
  if (n.type === 'pointer_expression' && n.child(0)?.type === '&') {
    const inner = n.childForFieldName('argument');
    return inner ? canonical(inner) : null;
  }
  if (n.type === 'number_literal' || n.type === 'call_expression') return null;
  return canonical(n);
}

function classifyDma(call: SyntaxNode, name: string, api: DmaApi, ctx: OpContext): DmaOp {
  const args = callArguments(call);
  const result = resultBinding(call, ctx);
  const resultKey = result.variable ?? assignedField(call);
  const dirNode = dmaArg(api, args, 'dir');
  const dirText = dirNode ? unwrap(dirNode).text : null;
  const dir = dirText && /^DMA_(BIDIRECTIONAL|TO_DEVICE|FROM_DEVICE|NONE)$/.test(dirText) ? dirText : null;
  let key: string | null = null;
  let buffer: SyntaxNode | null = null;
  switch (api.role) {
    case 'map':
      buffer = dmaArg(
        api,
        args,
        api.type === 'sg'
          ? api.returns === 'status'
            ? 'sgt'
            : 'sg'
          : api.params.includes('page')
            ? 'page'
            : api.params.includes('phys')
              ? 'phys'
              : 'ptr',
      );
      key = api.type === 'sg' ? dmaKey(buffer) : resultKey;
      break;
    case 'unmap':
    case 'sync':
      key = dmaKey(dmaArg(api, args, api.type === 'sg' ? (api.params.includes('sgt') ? 'sgt' : 'sg') : 'addr'));
      break;
    case 'check':
      key = dmaKey(dmaArg(api, args, 'addr'));
      break;
    case 'alloc':
      key = resultKey;
      break;
    case 'free':
      buffer = dmaArg(
        api,
        args,
        api.params.includes('cpu_addr')
          ? 'cpu_addr'
          : api.params.includes('vaddr')
            ? 'vaddr'
            : api.params.includes('sgt')
              ? 'sgt'
              : 'page',
      );
      key = dmaKey(buffer);
      break;
    case 'pool-create':
      key = resultKey;
      break;
    case 'pool-destroy':
      key = dmaKey(dmaArg(api, args, 'pool'));
      break;
    default:
      key = null;
  }
  return {
    kind: 'dma',
    node: call,
    name,
    api,
    args,
    key,
    dev: dmaArg(api, args, 'dev'),
    size: dmaArg(api, args, 'size'),
    dir,
    dirNode,
    nents: dmaArg(api, args, 'nents'),
    buffer,
    handleOut: api.role === 'alloc' ? dmaKey(dmaArg(api, args, 'handle')) : null,
    pool: api.type === 'pool' && api.role !== 'pool-create' ? dmaKey(dmaArg(api, args, 'pool')) : null,
    result,
    resultKey,
  };
}

/** `obj->dma = dma_map_single(...)`: the field the result goes to. */
function assignedField(call: SyntaxNode): string | null {
  const target = assignmentTarget(call);
  return target && target.type !== 'identifier' ? canonical(target) : null;
}

/** Operations for one call expression; empty when the call is not about pages. */
function classifyCall(call: SyntaxNode, ctx: OpContext): PageOp[] {
  const name = calleeName(call);
  if (!name) return [];
  const dma = dmaApi(name);
  if (dma) {
    const ops: PageOp[] = [classifyDma(call, name, dma, ctx)];
    // dma_map_page(dev, pages[i], ...) also hands the page to DMA (page-use catalog).
    const use = pageUse(name);
    const arg = use ? callArguments(call)[use.pageArg] : undefined;
    const pages = arg ? storageOf(arg, ctx) : null;
    if (use && pages) ops.push({ kind: 'use', node: call, use, pages });
    return ops;
  }
  const acquire = acquireApi(name);
  if (acquire) return [classifyAcquire(call, name, acquire, ctx)];
  const release = releaseApi(name);
  if (release) return [classifyRelease(call, name, release, ctx)];
  const args = callArguments(call);
  const use = pageUse(name);
  if (use) {
    const arg = args[use.pageArg];
    const pages = arg ? storageOf(arg, ctx) : null;
    return pages ? [{ kind: 'use', node: call, use, pages }] : [];
  }
  const dirty = dirtyCall(name);
  if (dirty) {
    const pages = args[0] ? storageOf(args[0], ctx) : null;
    return pages ? [{ kind: 'dirty', node: call, dirty, pages }] : [];
  }
  if (EXTRA_REFERENCE_CALLS.includes(name)) {
    const pages = args[0] ? storageOf(args[0], ctx) : null;
    return pages ? [{ kind: 'extra-ref', node: call, name, pages }] : [];
  }
  const summary = ctx.helpers.get(name);
  if (summary) return summary.opsAt(call, args, ctx);
  if (!ctx.definedFunctions.has(name) && RELEASE_HELPER.test(name) && !NOT_RELEASE_HELPERS.has(name)) {
    const pagesIndex = args.findIndex((a) => {
      const ref = storageOf(a, ctx);
      return ref !== null && holdsPages(ref, ctx);
    });
    const pagesArg = pagesIndex >= 0 ? args[pagesIndex] : undefined;
    if (pagesArg) {
      const pages = storageOf(pagesArg, ctx);
      const countArg = args[pagesIndex + 1];
      return [
        {
          kind: 'release',
          node: call,
          name,
          api: null,
          family: helperFamilyByName(name),
          pages,
          count: countArg ? { kind: 'expr', node: countArg } : { kind: 'unknown' },
          dirty: 'no',
          dirtyArg: null,
          via: 'by-name',
        },
      ];
    }
  }
  // Pages passed to a function pinscope knows nothing about: ownership may leave here. So may a
  // page's pfn or address (`memory_failure(pfn, MF_COUNT_INCREASED)`).
  const escapes: PageOp[] = [];
  if (isHarmlessCall(name)) return escapes;
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

/** Calls that take a page array but never keep it (allocation and bookkeeping helpers). */
const HARMLESS_CALLS = new Set([
  'kfree',
  'kvfree',
  'vfree',
  'memset',
  'sizeof',
  'page_to_pfn',
  'page_folio',
  'PageDirty',
  'PageHuge',
  'PageCompound',
  'lock_page',
  'unlock_page',
  'folio_lock',
  'folio_unlock',
  'page_count',
  'page_ref_count',
  'folio_ref_count',
  'dump_page',
  'pr_debug',
  'pr_err',
  'pr_info',
  'dev_dbg',
  'dev_err',
  'dev_warn',
  'WARN_ON',
  'WARN_ON_ONCE',
  'BUG_ON',
  'trace_printk',
  'kmemleak_ignore',
  'page_to_nid',
  'PageReserved',
  'is_zone_device_page',
  'compound_head',
  'compound_order',
  'folio_nr_pages',
  'folio_size',
  'page_size',
  'PageAnon',
  'IS_ERR',
  'PTR_ERR',
  'IS_ERR_OR_NULL',
  'unlikely',
  'likely',
  'ARRAY_SIZE',
  'min',
  'max',
  'min_t',
  'max_t',
  'flush_dcache_page',
  'struct_size',
  'array_size',
  'size_mul',
  'flex_array_size',
  'sendpage_ok',
  'page_to_pfn',
  'page_to_phys',
  'page_address',
  'folio_test_large',
  'PageHighMem',
  'PageSlab',
  'page_mapping',
  'folio_mapping',
  'is_zero_page',
  'is_zero_pfn',
  'kmap',
  'kunmap',
  'kmap_local_page',
  'kunmap_local',
  'kmap_atomic',
  'kunmap_atomic',
  'page_folio',
  'folio_page_idx',
  'PageTransHuge',
  'folio_order',
  'get_page',
  'put_page',
]);

function isHarmlessCall(name: string): boolean {
  return HARMLESS_CALLS.has(name) || /^(pr_|dev_|netdev_|trace_|WARN|BUG)/.test(name);
}

/** `x = pages` stores: the pages escape into a field, a global or through an out-parameter. */
function classifyStore(assign: SyntaxNode, ctx: OpContext): EscapeOp | null {
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

const valueCache = new WeakMap<FunctionInfo, Set<string>>();

/**
 * Variables and fields that carry a DMA mapping or allocation in a function: a map's handle, a
 * coherent or pool allocation's CPU address and its `&dma` handle, a mapped scatterlist. Where
 * one of these goes (stored, passed on, returned) is where ownership may leave the function.
 */
export function dmaValuesOf(fn: FunctionInfo): Set<string> {
  let values = valueCache.get(fn);
  if (values) return values;
  const found = new Set<string>();
  values = found;
  if (fn.body.text.includes('dma_')) {
    walkTypes(
      fn.body,
      (type) => (type === 'call_expression' ? 'visit-descend' : 'descend'),
      (node) => {
        const api = dmaApi(calleeName(node) ?? '');
        if (!api || (api.role !== 'map' && api.role !== 'alloc' && api.role !== 'pool-create')) return;
        const args = callArguments(node);
        if (
          api.returns === 'handle' ||
          api.returns === 'cpu-addr' ||
          api.returns === 'pool' ||
          api.returns === 'sgt' ||
          api.returns === 'page'
        ) {
          const target = assignmentTarget(node);
          if (target) found.add(canonical(target));
          else {
            let outer = node;
            while (
              outer.parent &&
              (outer.parent.type === 'parenthesized_expression' || outer.parent.type === 'cast_expression')
            )
              outer = outer.parent;
            const d = outer.parent?.type === 'init_declarator' ? outer.parent.childForFieldName('declarator') : null;
            if (d) found.add(d.text);
          }
        }
        if (api.role === 'alloc') {
          const handle = dmaKey(dmaArg(api, args, 'handle'));
          if (handle) found.add(handle);
        }
        if (api.type === 'sg' && api.role === 'map') {
          const sg = dmaKey(dmaArg(api, args, api.returns === 'status' ? 'sgt' : 'sg'));
          if (sg) found.add(sg);
        }
      },
    );
  }
  valueCache.set(fn, found);
  return found;
}

const rootCache = new WeakMap<FunctionInfo, readonly string[]>();

/** The variables the function's DMA values start from (`req` for `req->dma`), once per function. */
function dmaValueRoots(fn: FunctionInfo): readonly string[] {
  let roots = rootCache.get(fn);
  if (!roots) {
    roots = [
      ...new Set(
        [...dmaValuesOf(fn)].map((v) => /[A-Za-z_]\w*/.exec(v)?.[0]).filter((r): r is string => r !== undefined),
      ),
    ];
    rootCache.set(fn, roots);
  }
  return roots;
}

/**
 * Calls that take a DMA value without taking ownership: the DMA API's own checks, unmaps, syncs
 * and frees, logging, and scatterlist accessors that only read the list.
 */
const DMA_INERT_CALLS = new Set([
  'for_each_sg',
  'for_each_sgtable_sg',
  'for_each_sgtable_dma_sg',
  'for_each_sgtable_page',
  'for_each_sgtable_dma_page',
  'sg_dma_address',
  'sg_dma_len',
  'sg_next',
  'sg_page',
  'sg_virt',
  'sg_phys',
  'sg_nents',
  'sg_nents_for_len',
  'sg_copy_to_buffer',
  'sg_copy_from_buffer',
  'sg_pcopy_to_buffer',
  'sg_pcopy_from_buffer',
  'sg_is_last',
  'sg_free_table',
  'sg_free_append_table',
  'sg_init_table',
  'sg_init_one',
  'sg_set_page',
  'sg_set_buf',
  'sg_mark_end',
  'memset',
  'memcpy',
  'memcpy_toio',
  'memcpy_fromio',
  'sizeof',
  'IS_ERR',
  'IS_ERR_OR_NULL',
  'likely',
  'unlikely',
  'printk',
  'print_hex_dump',
  'print_hex_dump_bytes',
  'print_hex_dump_debug',
  'dump_stack',
]);

/** Calls that take a DMA value without keeping it: the DMA API itself, logging, sg accessors. */
function handleIsInert(call: SyntaxNode): boolean {
  const name = calleeName(call) ?? '';
  // The DMA API's own calls: checks, unmaps, syncs and frees take the value without keeping it;
  // a map or alloc names it as its output (`&dma`).
  if (dmaApi(name)) return true;
  return DMA_INERT_CALLS.has(name) || /^(pr_|dev_|netdev_|trace_|WARN|BUG|dbg|printk)/.test(name);
}

/** Helpers that check a mapping for the caller: in-file ones that call dma_mapping_error(), and names that say so. */
const CHECKER_NAME = /(?:^|_)(?:dma_)?(?:mapping|map)_?(?:error|err|check)$|dma_check/i;

export function isMappingChecker(name: string, ctx: OpContext): boolean {
  return ctx.mappingCheckers?.has(name) === true || (name !== 'dma_mapping_error' && CHECKER_NAME.test(name));
}

/** Expressions that can name a DMA value: `h`, `obj->h`, `*out`, `ring->h[i]`. */
const VALUE_NODE_TYPES = new Set(['identifier', 'field_expression', 'pointer_expression', 'subscript_expression']);

/**
 * Where a region uses a DMA handle: written to the device, passed on, stored, returned. Checks,
 * unmaps, syncs and comparisons with 0 (the null-check rule's business) are not uses.
 */
function dmaUses(region: SyntaxNode, ctx: OpContext): DmaUseOp[] {
  const values = dmaValuesOf(ctx.fn);
  if (values.size === 0) return [];
  // Most statements mention none of them: a text check is far cheaper than the walk below.
  const text = region.text;
  if (!dmaValueRoots(ctx.fn).some((root) => text.includes(root))) return [];
  const uses: DmaUseOp[] = [];
  const top = region.parent?.type === 'return_statement' ? 'return' : 'use';
  // `how` is what happens to a value met below: passed to a call, stored (also through
  // arithmetic: `desc->addr = dma + off`), returned, or only used. Inert calls see no use.
  type How = Exclude<DmaUseOp['how'], 'check'> | 'inert';
  const visit = (n: SyntaxNode, how: How, callee: string | null): void => {
    if (n.type === 'call_expression') {
      const inert = handleIsInert(n);
      const fn = n.childForFieldName('function');
      const name = calleeName(n) ?? (fn ? canonical(fn) : null);
      const args = n.childForFieldName('arguments');
      if (args) for (const c of args.namedChildren) visit(c, inert ? 'inert' : 'call', name);
      return;
    }
    if (n.type === 'compound_statement' && region.type !== 'parenthesized_expression') return;
    if (n.type === 'assignment_expression') {
      const right = n.childForFieldName('right');
      if (right) visit(right, how === 'call' || how === 'inert' ? how : 'store', callee);
      return;
    }
    if (n.type === 'init_declarator') {
      const value = n.childForFieldName('value');
      if (value) visit(value, how === 'call' || how === 'inert' ? how : 'store', callee);
      return;
    }
    if (VALUE_NODE_TYPES.has(n.type) && values.has(canonical(n))) {
      const parent = n.parent;
      // A test of the value (`!h`, `h == 0`) is the null-check rule's business, not a use.
      if (
        parent?.type === 'unary_expression' ||
        (parent?.type === 'binary_expression' &&
          ['==', '!='].includes(parent.childForFieldName('operator')?.type ?? ''))
      )
        return;
      if (how === 'inert') return;
      const checked = how === 'call' && callee !== null && isMappingChecker(callee, ctx);
      uses.push({
        kind: 'dma-use',
        node: n,
        key: canonical(n),
        how: checked ? 'check' : how,
        ...(how === 'call' && callee ? { callee } : {}),
      });
      return;
    }
    for (const c of n.namedChildren) visit(c, how, callee);
  };
  visit(region, top, null);
  return uses;
}

/**
 * Page operations in an expression region (a condition, an expression statement, a declaration,
 * a return value), in evaluation order. Nested statements are not entered: the CFG visits them.
 */
export function opsIn(region: SyntaxNode, ctx: OpContext): PageOp[] {
  const ops: PageOp[] = [];
  for (const call of callsIn(region)) ops.push(...classifyCall(call, ctx));
  const assignments: SyntaxNode[] = [];
  const visit = (n: SyntaxNode): void => {
    if (n.type === 'assignment_expression') assignments.push(n);
    for (const child of n.namedChildren) {
      if (child.type === 'compound_statement' && n.type !== 'parenthesized_expression') continue;
      visit(child);
    }
  };
  visit(region);
  for (const a of assignments) {
    const store = classifyStore(a, ctx);
    if (store) ops.push(store);
  }
  ops.push(...dmaUses(region, ctx));
  if (region.type === 'init_declarator' || region.type === 'declaration') {
    // `obj->pages = pages` written as an initialiser of a field pointer is rare; locals are aliases.
  }
  if (region.parent?.type === 'return_statement') {
    const ref = storageOf(region, ctx);
    if (ref && holdsPages(ref, ctx))
      ops.push({ kind: 'escape', node: region, pages: ref, how: 'return', target: null });
    else {
      const derived = derivedPageOf(region, ctx);
      if (derived) ops.push({ kind: 'escape', node: region, pages: derived, how: 'return', target: null });
    }
  }
  return ops;
}
