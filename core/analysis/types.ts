/**
 * One function as the analysis sees it: its declarations, the context its operations were
 * classified in, and its control-flow graph. The path engine (core/paths/) reads these; the
 * file-level analysis (core/fileAnalysis/) builds them.
 */
import type { Cfg } from './cfg';
import type { FunctionInfo } from './functions';
import type { OpContext } from './ops';

export interface FunctionAnalysis {
  readonly info: FunctionInfo;
  readonly ctx: OpContext;
  readonly cfg: Cfg;
}

/** The function takes pages, or creates a DMA mapping, allocation or pool: it has paths worth walking. */
export function holdsResources(fn: FunctionAnalysis): boolean {
  return fn.cfg.nodes.some((n) =>
    n.ops.some(
      (op) =>
        op.kind === 'acquire' ||
        (op.kind === 'dma' &&
          (op.api.role === 'map' || op.api.role === 'alloc' || op.api.role === 'pool-create') &&
          !op.api.managed),
    ),
  );
}
