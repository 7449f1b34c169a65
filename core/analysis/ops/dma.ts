/**
 * DMA API calls as operations (core/catalog/dma.ts): what each map, unmap, sync, check, alloc,
 * free or pool call creates, releases or touches, keyed by what identifies the mapping; and the
 * uses of a DMA handle (stored, passed on, returned), where ownership may leave the function.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { forEachOfType } from '../../parse/syntax';
import { DMA_DIRECTIONS, dmaApi, dmaParam, sgParam, type DmaApi, type DmaParam } from '../../catalog/dma';
import { keepsNoDmaHandle, looksLikeMappingChecker, printsOnly, sgSetterStores } from '../../catalog/helpers';
import { callArguments, calleeName, canonical, unwrap } from '../expr';
import type { FunctionInfo } from '../functions';
import { assignedField, assignmentTarget, declaredVariable, resultBinding } from './results';
import type { DmaOp, DmaUseOp, OpContext } from './types';
import type { WrapperMacro } from '../summaryTypes';

function dmaArg(api: DmaApi, args: readonly (SyntaxNode | null)[], role: DmaParam): SyntaxNode | null {
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

/**
 * The arguments of the catalogued call a wrapper macro expands to, in the API's order: the
 * caller's argument where the macro passes a parameter, null where the macro writes text (whose
 * text is in `written`).
 */
function wrapperArgs(
  wrapper: WrapperMacro,
  args: readonly SyntaxNode[],
): { args: (SyntaxNode | null)[]; written: (string | null)[] } {
  return {
    args: wrapper.args.map((a) => ('param' in a ? (args[a.param] ?? null) : null)),
    written: wrapper.args.map((a) => ('text' in a ? a.text : null)),
  };
}

/**
 * The operation of a DMA API call — or of a call of another file's macro that only renames one
 * (`wrapper`: `xdrv_map(dev, buf, len)` for `dma_map_single(dev, buf, len, DMA_TO_DEVICE)`).
 */
export function classifyDma(
  call: SyntaxNode,
  name: string,
  api: DmaApi,
  ctx: OpContext,
  wrapper?: WrapperMacro,
): DmaOp {
  const written = callArguments(call);
  const mapped = wrapper ? wrapperArgs(wrapper, written) : null;
  const args: readonly (SyntaxNode | null)[] = mapped ? mapped.args : written;
  const result = resultBinding(call, ctx);
  const resultKey = result.variable ?? assignedField(call);
  const dirNode = dmaArg(api, args, 'dir');
  const dirIndex = dmaParam(api, 'dir');
  const dirText = dirNode ? unwrap(dirNode).text : dirIndex >= 0 ? (mapped?.written[dirIndex] ?? null) : null;
  const dir = dirText && (DMA_DIRECTIONS as readonly string[]).includes(dirText) ? dirText : null;
  let key: string | null;
  let buffer: SyntaxNode | null = null;
  switch (api.role) {
    case 'map':
      buffer = dmaArg(
        api,
        args,
        api.type === 'sg'
          ? sgParam(api)
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
      key = dmaKey(dmaArg(api, args, api.type === 'sg' ? sgParam(api) : 'addr'));
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
    args: written,
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

const valueCache = new WeakMap<FunctionInfo, Set<string>>();

/**
 * Variables and fields that carry a DMA mapping or allocation in a function: a map's handle, a
 * coherent or pool allocation's CPU address and its `&dma` handle, a mapped scatterlist. Where
 * one of these goes (stored, passed on, returned) is where ownership may leave the function.
 */
function dmaValuesOf(fn: FunctionInfo, wrappers?: ReadonlyMap<string, WrapperMacro>): Set<string> {
  const cached = valueCache.get(fn);
  if (cached) return cached;
  const found = new Set<string>();
  const text = fn.body.text;
  if (text.includes('dma_') || (wrappers && [...wrappers.keys()].some((w) => text.includes(w)))) {
    forEachOfType(fn.body, ['call_expression'], (node) => {
      const callee = calleeName(node) ?? '';
      const wrapper = wrappers?.get(callee);
      const api = dmaApi(wrapper ? wrapper.api : callee);
      if (!api || (api.role !== 'map' && api.role !== 'alloc' && api.role !== 'pool-create')) return;
      const args = wrapper ? wrapperArgs(wrapper, callArguments(node)).args : callArguments(node);
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
          const d =
            outer.parent?.type === 'init_declarator'
              ? declaredVariable(outer.parent.childForFieldName('declarator'))
              : null;
          if (d) found.add(d.text);
        }
      }
      if (api.role === 'alloc') {
        const handle = dmaKey(dmaArg(api, args, 'handle'));
        if (handle) found.add(handle);
      }
      if (api.type === 'sg' && api.role === 'map') {
        const sg = dmaKey(dmaArg(api, args, sgParam(api)));
        if (sg) found.add(sg);
      }
    });
  }
  valueCache.set(fn, found);
  return found;
}

const rootCache = new WeakMap<FunctionInfo, readonly string[]>();

/** The variables the function's DMA values start from (`req` for `req->dma`), once per function. */
function dmaValueRoots(fn: FunctionInfo, wrappers?: ReadonlyMap<string, WrapperMacro>): readonly string[] {
  let roots = rootCache.get(fn);
  if (!roots) {
    roots = [
      ...new Set(
        [...dmaValuesOf(fn, wrappers)]
          .map((v) => /[A-Za-z_]\w*/.exec(v)?.[0])
          .filter((r): r is string => r !== undefined),
      ),
    ];
    rootCache.set(fn, roots);
  }
  return roots;
}

/** Calls that take a DMA value without keeping it: the DMA API itself, logging, sg accessors. */
function handleIsInert(call: SyntaxNode, wrappers?: ReadonlyMap<string, WrapperMacro>): boolean {
  const name = calleeName(call) ?? '';
  if (wrappers?.has(name)) return true; // it stands for a DMA API call
  // The DMA API's own calls: checks, unmaps, syncs and frees take the value without keeping it;
  // a map or alloc names it as its output (`&dma`).
  if (dmaApi(name)) return true;
  return keepsNoDmaHandle(name);
}

/** Helpers that check a mapping for the caller: in-file ones that call dma_mapping_error(), and names that say so. */
export function isMappingChecker(name: string, ctx: OpContext): boolean {
  return ctx.mappingCheckers?.has(name) === true || looksLikeMappingChecker(name);
}

/** Expressions that can name a DMA value: `h`, `obj->h`, `*out`, `ring->h[i]`. */
const VALUE_NODE_TYPES = new Set(['identifier', 'field_expression', 'pointer_expression', 'subscript_expression']);

/**
 * Where a region uses a DMA handle: written to the device, passed on, stored, returned. Checks,
 * unmaps, syncs and comparisons with 0 (the null-check rule's business) are not uses.
 */
export function dmaUses(region: SyntaxNode, ctx: OpContext, returned: boolean): DmaUseOp[] {
  const values = dmaValuesOf(ctx.fn, ctx.wrappers);
  if (values.size === 0) return [];
  // Most statements mention none of them: a text check is far cheaper than the walk below.
  const text = region.text;
  if (!dmaValueRoots(ctx.fn, ctx.wrappers).some((root) => text.includes(root))) return [];
  const uses: DmaUseOp[] = [];
  const top = returned ? 'return' : 'use';
  // `how` is what happens to a value met below: passed to a call, stored (also through
  // arithmetic: `desc->addr = dma + off`), returned, or only used. Inert calls see no use.
  type How = Exclude<DmaUseOp['how'], 'check'> | 'inert';
  // Depth first, in document order, with a stack: expressions may nest deeper than the call stack.
  // `truth`: the node's value is only tested for being non-zero (no .parent walks: each one is a
  // descent from the root).
  interface Frame {
    readonly n: SyntaxNode;
    readonly how: How;
    readonly callee: string | null;
    readonly truth: boolean;
    /** Under the right side of an assignment: what a call computes from the value is stored. */
    readonly stored: boolean;
    /** Inside the arguments of a DMA API call or a print: nested calls take nothing either. */
    readonly swallowed: boolean;
  }
  const stack: Frame[] = [{ n: region, how: top, callee: null, truth: false, stored: false, swallowed: false }];
  let stored = false;
  let swallowed = false;
  const push = (nodes: readonly SyntaxNode[], how: How, callee: string | null, truth = false): void => {
    for (let i = nodes.length - 1; i >= 0; i--)
      stack.push({ n: nodes[i] as SyntaxNode, how, callee, truth, stored, swallowed });
  };
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { n, how, callee, truth } = frame;
    stored = frame.stored;
    swallowed = frame.swallowed;
    if (n.type === 'call_expression') {
      const inert = handleIsInert(n, ctx.wrappers);
      const fn = n.childForFieldName('function');
      const name = calleeName(n) ?? (fn ? canonical(fn) : null);
      const args = n.childForFieldName('arguments');
      // Inside a DMA API call or a logging call, nested calls take nothing either: in
      // `addr = dma_map_page(dev, pfn_to_page(addr), …)` the `addr` read is the PFN the variable
      // held before the map gives it a handle.
      // (Not through likely()/unlikely() and other transparent wrappers: what they wrap happens.)
      if (args) {
        swallowed = frame.swallowed || (name !== null && (dmaApi(name) !== undefined || printsOnly(name)));
        const argHow = inert || frame.swallowed ? 'inert' : 'call';
        // `sg_set_buf(sg_ptr, block, len)` into an entry that is not this function's own (`&sg`
        // of a local list is): the buffer is stored in that list, whose owner frees it.
        const storedArg = name !== null && !frame.swallowed ? sgSetterStores(name) : -1;
        const entry = storedArg >= 0 ? args.namedChildren[0] : undefined;
        if (entry && !namesLocalObject(entry, ctx)) {
          const list = args.namedChildren;
          for (let i = list.length - 1; i >= 0; i--)
            stack.push({
              n: list[i] as SyntaxNode,
              how: i === storedArg ? 'store' : argHow,
              callee: name,
              truth: false,
              stored,
              swallowed,
            });
        } else push(args.namedChildren, argHow, name);
      }
      continue;
    }
    if (n.type === 'compound_statement' && region.type !== 'parenthesized_expression') continue;
    if (n.type === 'assignment_expression' || n.type === 'init_declarator') {
      const right = n.childForFieldName(n.type === 'assignment_expression' ? 'right' : 'value');
      // `desc->data_ptr = pd = dma_map_single(…)`: the inner assignment's new value is stored in
      // the descriptor too (a second local, `dma_addr = dma_handle = …`, is not a store).
      const inner = right && n.type === 'assignment_expression' ? unwrap(right) : null;
      const innerLeft = inner?.type === 'assignment_expression' ? inner.childForFieldName('left') : null;
      const outerLeft = n.childForFieldName('left');
      if (
        innerLeft &&
        outerLeft &&
        !(outerLeft.type === 'identifier' && ctx.fn.locals.has(outerLeft.text)) &&
        VALUE_NODE_TYPES.has(innerLeft.type) &&
        values.has(canonical(innerLeft)) &&
        how !== 'call' &&
        how !== 'inert'
      )
        uses.push({ kind: 'dma-use', node: innerLeft, key: canonical(innerLeft), how: 'store' });
      if (right) {
        stored = true;
        push([right], how === 'call' || how === 'inert' ? how : 'store', callee);
      }
      continue;
    }
    if (VALUE_NODE_TYPES.has(n.type) && values.has(canonical(n))) {
      // A test of the value (`!h`, `h == 0`, `if (h)`, `h && …`) is the null-check rule's
      // business, not a use: nothing reaches the device through a truth test.
      if (truth || how === 'inert') continue;
      const checked = how === 'call' && callee !== null && isMappingChecker(callee, ctx);
      uses.push({
        kind: 'dma-use',
        node: n,
        key: canonical(n),
        how: checked ? 'check' : how,
        ...(how === 'call' && callee ? { callee } : {}),
        ...(how === 'call' && stored ? { computed: true } : {}),
      });
      continue;
    }
    if (n.type === 'conditional_expression') {
      // `h ? a : b` tests h and uses a or b.
      const condition = n.childForFieldName('condition');
      for (const c of [...n.namedChildren].reverse())
        stack.push({ n: c, how, callee, truth: c.id === condition?.id, stored, swallowed });
      continue;
    }
    push(n.namedChildren, how, callee, testsItsOperands(n, n.id === region.id, truth));
  }
  return uses;
}

/** `&sg`, `sg` or `sgl[i]` of a variable declared in this function (not a pointer into another object). */
function namesLocalObject(node: SyntaxNode, ctx: OpContext): boolean {
  const n = unwrap(node);
  const inner = n.type === 'pointer_expression' && n.child(0)?.type === '&' ? n.childForFieldName('argument') : null;
  const base = inner ? unwrap(inner) : n.type === 'subscript_expression' ? n.childForFieldName('argument') : null;
  const local = base?.type === 'identifier' ? ctx.fn.locals.get(base.text) : undefined;
  return local !== undefined && !local.isStatic;
}

/**
 * Whether `n`'s operands are only tested for being non-zero: `!x`, `x == y`, `x && y`, `x ? :`,
 * the parentheses of an if/while/do condition (a region that is a parenthesized expression), and
 * parentheses inside a test.
 */
function testsItsOperands(n: SyntaxNode, isRegion: boolean, truth: boolean): boolean {
  switch (n.type) {
    case 'unary_expression':
      return n.child(0)?.type === '!';
    case 'binary_expression':
      return ['==', '!=', '&&', '||'].includes(n.childForFieldName('operator')?.type ?? '');
    case 'parenthesized_expression':
      return truth || isRegion;
    default:
      return false;
  }
}
