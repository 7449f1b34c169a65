/**
 * A function's DMA calls (maps, unmaps, syncs, allocations) as the DMA rules read them. Ten rules
 * ask for the same functions' DMA ops, so they are collected once per file analysis.
 */
import type { SyntaxNode } from '../../parse/syntax';
import type { FileAnalysis } from '../../fileAnalysis/types';
import type { FunctionAnalysis } from '../../analysis/types';
import { sgTableKey, type DmaOp } from '../../analysis/ops';

const opsCache = new WeakMap<FunctionAnalysis, readonly DmaOp[]>();

/** The function's DMA ops in CFG order (once per function). */
export function dmaOps(fn: FunctionAnalysis): readonly DmaOp[] {
  let ops = opsCache.get(fn);
  if (!ops) {
    const found: DmaOp[] = [];
    for (const n of fn.cfg.nodes) for (const op of n.ops) if (op.kind === 'dma') found.push(op);
    ops = found;
    opsCache.set(fn, ops);
  }
  return ops;
}

export interface DmaFunction {
  readonly fn: FunctionAnalysis;
  /** Its DMA ops in CFG order; never empty. */
  readonly ops: readonly DmaOp[];
}

const functionsCache = new WeakMap<FileAnalysis, readonly DmaFunction[]>();

/** The file's functions that make DMA calls, with those calls (once per file). */
export function dmaFunctions(file: FileAnalysis): readonly DmaFunction[] {
  let found = functionsCache.get(file);
  if (!found) {
    found = file.functions.map((fn) => ({ fn, ops: dmaOps(fn) })).filter((f) => f.ops.length > 0);
    functionsCache.set(file, found);
  }
  return found;
}

/** Maps that return a handle (dma_map_single/page/resource) and keep it somewhere. */
export function handleMaps(fn: FunctionAnalysis): DmaOp[] {
  return dmaOps(fn).filter((o) => o.api.role === 'map' && o.api.returns === 'handle' && o.key !== null);
}

/** `sgt.sgl` and `sgt` are the same table for matching maps with unmaps. */
export function sgKey(key: string | null): string | null {
  return key === null ? null : sgTableKey(key);
}

/** The maps of `key` (of one API type, when given) among `ops`. */
export function mapsFor(ops: readonly DmaOp[], key: string | null, type?: string): DmaOp[] {
  if (key === null) return [];
  return ops.filter(
    (o) =>
      o.api.role === 'map' &&
      (o.key === key || sgKey(o.key) === sgKey(key)) &&
      (type === undefined || o.api.type === type),
  );
}

/** The source text of a node, as written (for fixes that repeat an argument). */
export function sourceText(file: FileAnalysis, node: SyntaxNode): string {
  return file.parsed.text.slice(node.startIndex, node.endIndex);
}
