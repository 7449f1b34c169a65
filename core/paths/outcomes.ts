/**
 * The outcomes an acquire starts with and what they mean for holding: shared by the page and DMA
 * transfers and by the file analysis (a helper that releases on every path keeps nothing).
 */
import type { AcquireOp, DmaOp } from '../analysis/ops';
import type { Resource } from './types';
import { ALL_OUTCOMES, type Outcome } from './values';

/** Outcomes an acquire can have before any branch looks at it. */
export function initialOutcomes(op: AcquireOp | DmaOp): Outcome[] {
  // A DMA mapping or allocation either failed (DMA_MAPPING_ERROR, 0 segments, NULL) or holds.
  if (op.kind === 'dma') return op.api.returns === 'status' ? ['neg', 'full'] : ['zero', 'full'];
  // get_dump_page() returns NULL or the page; get_user_page_fast_only() false or true.
  if (op.api.returns === 'page' || op.api.returns === 'bool') return ['zero', 'full'];
  if (op.heldCount) return ['neg', 'full'];
  if (op.single) return ['neg', 'full'];
  if (op.api.returns === 'bytes') return ['neg', 'full'];
  return [...ALL_OUTCOMES];
}

/** Whether pages may be held under these outcomes. */
export function mayHold(res: Resource, outcomes: readonly Outcome[]): boolean {
  if (res.op.kind === 'dma') return outcomes.includes('full');
  if (res.op.heldCount) return true; // the helper reports what it holds, success or not
  return outcomes.includes('partial') || outcomes.includes('full');
}
