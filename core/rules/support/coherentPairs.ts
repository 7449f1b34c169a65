/**
 * Coherent memory allocated in one function and freed in another, paired by the place that keeps
 * it: the same struct field (`he_dev->tpdrq_base`, with its handle field `tpdrq_phys`) or the same
 * global (`crypt_virt`). dma-debug checks the free against the allocation ("device driver frees
 * DMA memory with different size"); the ring setup and teardown of a driver are seldom one
 * function (atm/he.c he_stop(), ixp4xx_crypto.c release_ixp_crypto()).
 *
 * A free is judged here only when its own function allocates nothing into that place, and only
 * against allocations of the same field and handle field; it is a mismatch when it differs from
 * every one of them (a field allocated at two sizes is freed with either). The freeing function
 * need not be one the analysis builds a graph for (teardown functions only free).
 */
import type { SyntaxNode } from '../../parse/syntax';
import { forEachOfType } from '../../parse/syntax';
import { callArguments, calleeName, unwrap } from '../../analysis/expr';
import type { FunctionInfo } from '../../analysis/functions';
import type { FileAnalysis } from '../../fileAnalysis/types';
import type { FunctionAnalysis } from '../../analysis/types';
import type { DmaOp } from '../../analysis/ops';
import { COHERENT_FREE_NAMES, dmaApi, dmaParam, type DmaApi, type DmaParam } from '../../catalog/dma';
import { dmaFunctions } from './dmaOps';
import { sizePoly, sizesDiffer } from './sizeValue';

export interface CoherentSizeMismatch {
  /** The function that frees, and the free call. */
  readonly fnInfo: FunctionInfo;
  readonly free: SyntaxNode;
  readonly freeName: string;
  readonly freeSize: SyntaxNode;
  /** The allocation it is judged against (the first of the same place). */
  readonly alloc: DmaOp;
  readonly allocFn: FunctionAnalysis;
}

/**
 * `.tpdrq_base` for `he_dev->tpdrq_base` or `&he_dev->tpdrq_base`; a global's name (declared in
 * the file, or at least not a local or parameter of the function); else null.
 */
function placeKey(text: string | null, fn: FunctionInfo, file: FileAnalysis): string | null {
  if (!text) return null;
  const t = text.replace(/^&\s*/, '').replace(/\s+/g, '');
  const field = /(?:->|\.)([A-Za-z_]\w*)$/.exec(t);
  if (field) return `.${field[1]}`;
  if (!/^[A-Za-z_]\w*$/.test(t)) return null;
  const local = fn.locals.get(t);
  if (local && !local.isStatic) return null;
  if (fn.params.some((p) => p.name === t)) return null;
  return file.globals.has(t) || !local ? t : null;
}

function argOf(args: readonly SyntaxNode[], api: DmaApi, role: DmaParam): SyntaxNode | null {
  const i = dmaParam(api, role);
  return i >= 0 ? (args[i] ?? null) : null;
}

function textOf(node: SyntaxNode | null): string | null {
  return node ? unwrap(node).text : null;
}

interface FreeCall {
  readonly fn: FunctionInfo;
  readonly node: SyntaxNode;
  readonly name: string;
  readonly size: SyntaxNode;
  readonly place: string;
  readonly handle: string | null;
}

/** The coherent frees of every function of the file (also those the analysis builds no graph for). */
function coherentFrees(file: FileAnalysis): FreeCall[] {
  const out: FreeCall[] = [];
  const mentions = (text: string): boolean => COHERENT_FREE_NAMES.some((n) => text.includes(n));
  if (!mentions(file.parsed.text)) return out;
  for (const { info } of file.definitions) {
    if (!mentions(info.body.text)) continue;
    forEachOfType(info.body, ['call_expression'], (call) => {
      const name = calleeName(call) ?? '';
      const api = dmaApi(name);
      if (!api || api.role !== 'free' || api.type !== 'coherent' || api.managed) return;
      const args = callArguments(call);
      const size = argOf(args, api, 'size');
      const place = placeKey(textOf(argOf(args, api, 'cpu_addr')), info, file);
      if (size && place)
        out.push({
          fn: info,
          node: call,
          name,
          size,
          place,
          handle: placeKey(textOf(argOf(args, api, 'handle')), info, file),
        });
    });
  }
  return out;
}

interface CoherentAlloc {
  readonly op: DmaOp;
  readonly fn: FunctionAnalysis;
  /** Where the memory is kept, and its handle (placeKey). */
  readonly place: string;
  readonly handle: string | null;
}

/** The file's (unmanaged) coherent allocations kept in a struct field or a global. */
function coherentAllocs(file: FileAnalysis): CoherentAlloc[] {
  const allocs: CoherentAlloc[] = [];
  for (const { fn, ops } of dmaFunctions(file)) {
    for (const op of ops) {
      if (op.api.type !== 'coherent' || op.api.role !== 'alloc' || op.api.managed) continue;
      const place = placeKey(op.resultKey, fn.info, file);
      if (place)
        allocs.push({ op, fn, place, handle: placeKey(textOf(argOf(op.args, op.api, 'handle')), fn.info, file) });
    }
  }
  return allocs;
}

export function coherentSizeMismatches(file: FileAnalysis): CoherentSizeMismatch[] {
  const allocs = coherentAllocs(file).filter((a) => a.op.size);
  if (allocs.length === 0) return [];
  const out: CoherentSizeMismatch[] = [];
  for (const f of coherentFrees(file)) {
    const same = allocs.filter(
      (a) => a.place === f.place && a.handle === f.handle && a.op.api.release === f.name && a.fn.info !== f.fn,
    );
    // An allocation of the same place in the freeing function: the path pairing judges that one.
    if (same.length === 0 || allocs.some((a) => a.place === f.place && a.fn.info === f.fn)) continue;
    const freeSize = sizePoly(f.size, f.fn, file.globals, file.macros);
    const differs = same.every((a) =>
      sizesDiffer(freeSize, sizePoly(a.op.size as SyntaxNode, a.fn.info, file.globals, file.macros)),
    );
    const first = same[0];
    if (differs && first)
      out.push({ fnInfo: f.fn, free: f.node, freeName: f.name, freeSize: f.size, alloc: first.op, allocFn: first.fn });
  }
  return out;
}

export interface CoherentHandleMismatch {
  readonly fnInfo: FunctionInfo;
  readonly free: SyntaxNode;
  readonly freeName: string;
  /** The allocation whose memory the free names, and the one whose handle it gives. */
  readonly alloc: DmaOp;
  readonly allocFn: FunctionAnalysis;
  readonly other: DmaOp;
  readonly otherFn: FunctionAnalysis;
}

/**
 * A coherent free that gives the memory of one allocation and the handle of another
 * (`dma_free_coherent(dev, sz, p->a, p->b_dma)` where the file allocates `p->a` with `&p->a_dma` and
 * `p->b` with `&p->b_dma`): dma-debug looks the allocation up by its handle and reports "device
 * driver frees DMA memory with different CPU address"; the wrong IOVA range is torn down. Judged
 * only when every allocation into the memory's place keeps its handle elsewhere than the free's
 * handle, and some allocation into another place keeps its handle exactly there.
 */
export function coherentHandleMismatches(file: FileAnalysis): CoherentHandleMismatch[] {
  const allocs = coherentAllocs(file).filter((a) => a.handle !== null);
  if (allocs.length < 2) return [];
  const out: CoherentHandleMismatch[] = [];
  for (const f of coherentFrees(file)) {
    if (f.handle === null) continue;
    const mine = allocs.filter((a) => a.place === f.place && a.op.api.release === f.name);
    if (mine.length === 0 || mine.some((a) => a.handle === f.handle)) continue;
    const other = allocs.find((a) => a.place !== f.place && a.handle === f.handle && a.op.api.release === f.name);
    const first = mine[0];
    if (other && first)
      out.push({
        fnInfo: f.fn,
        free: f.node,
        freeName: f.name,
        alloc: first.op,
        allocFn: first.fn,
        other: other.op,
        otherFn: other.fn,
      });
  }
  return out;
}
