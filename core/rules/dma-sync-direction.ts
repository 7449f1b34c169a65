/**
 * dma-sync-direction — a dma_sync_*() whose direction contradicts the mapping (dma-debug: "device
 * driver syncs DMA memory with different direction"), and, as a hint, CPU reads of a
 * DMA_FROM_DEVICE buffer before any sync for the CPU (dma-api.rst, dma_sync_single_for_cpu()).
 */
import { walk } from '../parse/syntax';
import type { SyntaxNode } from '../parse/syntax';
import { cpuReadArgument } from '../catalog/cpuAccess';
import { calleeName, canonical } from '../analysis/expr';
import type { FunctionAnalysis } from '../analysis/types';
import type { DmaOp } from '../analysis/ops';
import type { Finding } from '../findings';
import { disagreements } from './support/dmaPairs';
import { dmaFunctions } from './support/dmaOps';
import { fnName, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

export const dmaSyncDirection = defineRule({
  id: 'dma-sync-direction',
  meta: {
    title: 'DMA sync direction contradicts the mapping',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaStreaming',
    fixable: 'none',
    description:
      'A dma_sync_* call uses a direction that contradicts the mapping, or the CPU reads a DMA_FROM_DEVICE buffer without dma_sync_*_for_cpu() first (hint).',
    catches:
      "dma_sync_single_for_cpu()/for_device() and the sg forms with a direction other than the mapping's (unless the mapping is DMA_BIDIRECTIONAL), a for_cpu sync of a DMA_TO_DEVICE mapping; and, as a hint, CPU reads of a DMA_FROM_DEVICE streaming buffer with no for_cpu sync between the device's write and the read.",
    why: 'dma-debug: "device driver syncs DMA memory with different direction", "… syncs device read-only DMA memory for cpu". On non-coherent platforms a missing for_cpu sync reads stale cache lines.',
    wrong:
      'addr = dma_map_single(dev, buf, len, DMA_FROM_DEVICE);\n...\ndma_sync_single_for_cpu(dev, addr, len, DMA_TO_DEVICE);',
    right: 'dma_sync_single_for_cpu(dev, addr, len, DMA_FROM_DEVICE);',
    fix: 'No automatic fix.',
  },
  check,
});

function check(ctx: RuleContext): Finding[] {
  const { file, finding } = ctx;
  const findings: Finding[] = [];
  for (const { fn, ops } of dmaFunctions(file)) {
    const syncs = ops.filter((o) => o.api.role === 'sync');
    for (const { op, map, verdict } of disagreements(file, fn, syncs, compare)) {
      findings.push(
        finding({
          span: spanOf(op.dirNode ?? op.node),
          function: fn.info.name,
          related: [{ span: spanOf(map.node), message: `mapped ${map.dir ?? ''} here` }],
          message: `${fnName(op.name)} uses ${op.dir}, but the mapping is ${map.dir}: dma-debug "device driver ${verdict}". Sync with the mapping's direction.`,
        }),
      );
    }
    findings.push(...cpuReadHints(ctx, fn, ops));
  }
  return findings;
}

/** What dma-debug says about a sync in another direction than its mapping; null when they agree. */
function compare(op: DmaOp, map: DmaOp): string | null {
  if (!op.dir || !map.dir || op.dir === map.dir || map.dir === 'DMA_BIDIRECTIONAL') return null;
  return op.api.sync === 'cpu' && map.dir === 'DMA_TO_DEVICE'
    ? 'syncs device read-only DMA memory for cpu'
    : op.api.sync === 'device' && map.dir === 'DMA_FROM_DEVICE'
      ? 'syncs device write-only DMA memory to device'
      : 'syncs DMA memory with different direction';
}

/** The hint: the CPU reads a DMA_FROM_DEVICE buffer between its map and its unmap or sync for the CPU. */
function cpuReadHints({ finding }: RuleContext, fn: FunctionAnalysis, ops: readonly DmaOp[]): Finding[] {
  const hints: Finding[] = [];
  for (const map of ops.filter(
    (o) => o.api.role === 'map' && o.api.returns === 'handle' && o.dir === 'DMA_FROM_DEVICE' && o.buffer && o.key,
  )) {
    const buffer = canonical(map.buffer as SyntaxNode);
    const ends = ops
      .filter(
        (o) =>
          (o.api.role === 'unmap' || (o.api.role === 'sync' && o.api.sync === 'cpu')) &&
          o.key === map.key &&
          o.node.startIndex > map.node.startIndex,
      )
      .map((o) => o.node.startIndex);
    const firstEnd = ends.length > 0 ? Math.min(...ends) : Infinity;
    walk(fn.info.body, (n) => {
      if (n.type !== 'call_expression' || n.startIndex <= map.node.endIndex || n.startIndex >= firstEnd) return true;
      const callee = calleeName(n) ?? '';
      const args = n.childForFieldName('arguments')?.namedChildren ?? [];
      const reads = cpuReadArgument(callee);
      const source = reads === null ? undefined : args[reads];
      if (source && canonical(source) === buffer && ends.length > 0) {
        hints.push({
          ...finding({
            span: spanOf(n),
            function: fn.info.name,
            related: [{ span: spanOf(map.node), message: 'mapped DMA_FROM_DEVICE here' }],
            message: `The CPU reads \`${buffer}\` while it is still mapped DMA_FROM_DEVICE and before any dma_sync_single_for_cpu(): on non-coherent platforms it may read stale cache lines. Sync for the CPU (or unmap) first.`,
          }),
          severity: 'info',
        });
        return false;
      }
      return true;
    });
  }
  return hints;
}
