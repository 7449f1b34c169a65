/**
 * `handle == DMA_MAPPING_ERROR` (or `!=`) on the handle of a map in the same function: the value
 * test is right, but only dma_mapping_error() tells dma-debug the mapping was checked, so the
 * unmap still reports "device driver failed to check map error" (dma-api-howto.rst, "Handling
 * Errors": "drivers must check the result with dma_mapping_error()"). Upstream fixes of this
 * shape: "serial: amba-pl011: prefer dma_mapping_error() over explicit address checking".
 */
import type { SyntaxNode } from '../../parse/syntax';
import { forEachOfType } from '../../parse/syntax';
import { canonical, unwrap } from '../../analysis/expr';
import type { FunctionAnalysis } from '../../analysis/types';
import type { DmaOp } from '../../analysis/ops';
import { handleMaps } from './dmaOps';

export interface ConstantCheck {
  /** The comparison `h == DMA_MAPPING_ERROR`. */
  readonly node: SyntaxNode;
  readonly op: '==' | '!=';
  /** The handle side. */
  readonly handle: SyntaxNode;
  /** The map that made the handle (the nearest one before the comparison). */
  readonly map: DmaOp;
}

/** The function's comparisons of a mapping handle with DMA_MAPPING_ERROR. */
export function constantChecks(fn: FunctionAnalysis): ConstantCheck[] {
  if (!fn.info.body.text.includes('DMA_MAPPING_ERROR')) return [];
  const maps = handleMaps(fn);
  if (maps.length === 0) return [];
  const found: ConstantCheck[] = [];
  forEachOfType(fn.info.body, ['binary_expression'], (n) => {
    const op = n.childForFieldName('operator')?.type;
    if (op !== '==' && op !== '!=') return;
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!left || !right) return;
    const isConstant = (x: SyntaxNode): boolean => unwrap(x).text === 'DMA_MAPPING_ERROR';
    const handle = isConstant(right) ? left : isConstant(left) ? right : null;
    if (!handle) return;
    const key = canonical(unwrap(handle));
    const map = maps.filter((m) => m.key === key && m.node.startIndex < n.startIndex).at(-1);
    // Only when it is the failure check: a function that also calls dma_mapping_error() on the
    // handle, or sets it to DMA_MAPPING_ERROR as a "not mapped" mark, uses the constant as a
    // sentinel (mtk_poll_rx()).
    if (map && !sentinelUse(fn.info.body.text, key)) found.push({ node: n, op, handle: unwrap(handle), map });
  });
  return found;
}

function sentinelUse(body: string, key: string): boolean {
  const k = `(?<![\\w.>])${key.replace(/[^\w]/g, '\\$&').replace(/\\-\\>/g, '\\s*->\\s*')}`;
  return new RegExp(
    `dma_mapping_error\\s*\\([^;]*${k}\\b|${k}\\s*=\\s*DMA_MAPPING_ERROR|${k}\\s*=[^=;]*\\?[^;]*DMA_MAPPING_ERROR`,
  ).test(body);
}
