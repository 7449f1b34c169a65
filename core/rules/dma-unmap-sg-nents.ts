/**
 * dma-unmap-sg-nents — "The nents argument to dma_unmap_sg must be the same one you passed into
 * dma_map_sg, it should NOT be the value returned from dma_map_sg" (dma-api.rst). The same holds
 * for the sg syncs; dma-debug checks both ("… with different entry count").
 */
import type { SyntaxNode } from '../parse/syntax';
import { canonical } from '../analysis/expr';
import type { Finding } from '../findings';
import { dmaFunctions, mapsFor, sourceText } from './support/dmaOps';
import { countFieldUnmaps } from './support/countFields';
import { fnName, lineOf, spanOf } from './support/finding';
import { staysTheSame } from './support/stableExpr';
import { defineRule, type RuleContext } from './support/rule';

export const dmaUnmapSgNents = defineRule({
  id: 'dma-unmap-sg-nents',
  meta: {
    title: 'dma_unmap_sg() given the mapped count',
    severity: 'error',
    group: 'dma',
    doc: 'dmaStreaming',
    fixable: 'safe',
    description: 'dma_unmap_sg() is passed the count dma_map_sg() returned instead of the original nents.',
    catches:
      '`n = dma_map_sg(dev, sg, nents, dir); … dma_unmap_sg(dev, sg, n, dir);`, also when the count is kept in a struct field (`priv->nent = n;`) and another function of the file unmaps with that field; a field counts only when every store to it in the file is a dma_map_sg() count or 0.',
    why: '"The nents argument to dma_unmap_sg must be the same one you passed into dma_map_sg, it should NOT be the value returned from dma_map_sg." An IOMMU may merge segments; unmapping fewer leaves IOVA space and bounce buffers leaked. dma-debug: "device driver frees DMA sg list with different entry count".',
    wrong:
      'count = dma_map_sg(dev, sgl, nents, DMA_FROM_DEVICE);\n...\ndma_unmap_sg(dev, sgl, count, DMA_FROM_DEVICE);',
    right:
      'count = dma_map_sg(dev, sgl, nents, DMA_FROM_DEVICE);\n...\ndma_unmap_sg(dev, sgl, nents, DMA_FROM_DEVICE);',
    fix: 'Uses the original nents in dma_unmap_sg(). Safe (applied by --fix) when the original expression has no side effect and nothing it reads is written after the map: it then has at the unmap the value it had at the map, which is what working code passes, so only broken code changes. Otherwise (`nents = dma_map_sg(dev, sg, nents, dir)` reuses the variable) it is offered.',
  },
  check,
});

function check({ file, finding }: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const { fn, ops } of dmaFunctions(file)) {
    for (const op of ops.filter(
      (o) => (o.api.role === 'unmap' || o.api.role === 'sync') && o.api.type === 'sg' && o.nents,
    )) {
      const count = op.nents as SyntaxNode;
      const map = mapsFor(ops, op.key, 'sg').find((m) => m.result.variable && m.nents);
      if (!map?.nents || canonical(count) !== map.result.variable) continue;
      const original = sourceText(file, map.nents);
      // `nents = dma_map_sg(dev, sg, nents, dir)`: the original count is gone; repeating the text
      // would change nothing.
      const repeatable = original.trim() !== count.text.trim();
      findings.push(
        finding({
          span: spanOf(count),
          function: fn.info.name,
          related: [{ span: spanOf(map.node), message: `mapped here with nents \`${original}\`` }],
          fixes: !repeatable
            ? []
            : [
                {
                  title: `Pass the original nents (${original})`,
                  edits: [{ span: spanOf(count), newText: original }],
                  safe: staysTheSame(map.nents, fn.info.body, map.node.startIndex, map.result.variable),
                },
              ],
          message: `${fnName(op.name)} is given \`${count.text}\`, the count ${fnName(map.name)} returned, instead of the nents it was given (\`${original}\`): "The nents argument to dma_unmap_sg must be the same one you passed into dma_map_sg". dma-debug: "device driver ${op.api.role === 'sync' ? 'syncs' : 'frees'} DMA sg list with different entry count".`,
        }),
      );
    }
  }
  // The count kept in a struct field by another function of the file.
  for (const u of countFieldUnmaps(file)) {
    findings.push(
      finding({
        span: spanOf(u.nents),
        function: u.fnInfo.name,
        related: [
          {
            span: spanOf(u.map.node),
            message: `the count ${fnName(u.map.name)} returned in ${fnName(u.mapFn.info.name)}`,
          },
          { span: spanOf(u.store), message: `kept in \`${u.nents.text}\` here` },
        ],
        message: `${fnName(u.name)} is given \`${u.nents.text}\`, which holds the count ${fnName(u.map.name)} returned in ${fnName(u.mapFn.info.name)} (line ${lineOf(file, u.map.node)}), not the nents it was given: "The nents argument to dma_unmap_sg must be the same one you passed into dma_map_sg". Keep the original nents for the unmap. dma-debug: "device driver ${u.name.includes('sync') ? 'syncs' : 'frees'} DMA sg list with different entry count".`,
      }),
    );
  }
  return findings;
}
