/**
 * Operations in a region of code: every call classified (DMA API, GUP acquire or release, page
 * use, dirtying, extra reference, in-file helper, release helper by name, or an escape), then the
 * stores of pages, the uses of DMA handles and a returned page. Everything the rules and the
 * simulation know about a statement comes from here; the catalog decides what each name means.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { acquireApi, releaseApi } from '../../catalog/gup';
import { dirtyCall, EXTRA_REFERENCE_CALLS, pageUse } from '../../catalog/pageUse';
import { dmaApi } from '../../catalog/dma';
import { callArguments, calleeName, callsIn, expressionNodesOfType } from '../expr';
import { storageOf } from '../storage';
import { helperOpsAt } from '../summaries';
import { classifyDma, dmaUses } from './dma';
import { callEscapes, classifyStore, returnEscapes } from './escape';
import { classifyAcquire, classifyRelease, classifyReleaseByName } from './gup';
import type { Op, OpContext } from './types';

export type * from './types';
export { isMappingChecker, sgTableKey } from './dma';

/** Operations for one call expression; empty when the call is not about pages. */
function classifyCall(call: SyntaxNode, ctx: OpContext): Op[] {
  const name = calleeName(call);
  if (!name) return [];
  const dma = dmaApi(name);
  if (dma) {
    const ops: Op[] = [classifyDma(call, name, dma, ctx)];
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
  if (summary) return helperOpsAt(summary, call, args, ctx);
  // Another file's macro that renames a DMA call: the call it stands for.
  const wrapper = ctx.wrappers?.get(name);
  const wrapped = wrapper ? dmaApi(wrapper.api) : undefined;
  if (wrapper && wrapped) return [classifyDma(call, wrapped.name, wrapped, ctx, wrapper)];
  const byName = classifyReleaseByName(call, name, args, ctx);
  if (byName) return [byName];
  return callEscapes(call, name, args, ctx);
}

/**
 * Operations in an expression region (a condition, an expression statement, a declaration, a
 * return value — `returned`), in evaluation order. Nested statements are not entered: the CFG
 * visits them. (Asking the tree for `region.parent` instead costs a walk from the root each time.)
 */
export function opsIn(region: SyntaxNode, ctx: OpContext, returned = false): Op[] {
  const ops: Op[] = [];
  for (const call of callsIn(region)) ops.push(...classifyCall(call, ctx));
  for (const a of expressionNodesOfType(region, ['assignment_expression'])) {
    const store = classifyStore(a, ctx);
    if (store) ops.push(store);
  }
  ops.push(...dmaUses(region, ctx, returned));
  ops.push(...returnEscapes(region, ctx, returned));
  return ops;
}
