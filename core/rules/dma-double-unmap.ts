/**
 * dma-double-unmap — the same mapping unmapped (or coherent memory freed) twice on one path
 * (dma-debug: "device driver tries to free DMA memory it has not allocated"). Found by the path
 * engine.
 */
import type { Finding } from '../findings';
import { fnName, lineOf } from './support/finding';
import { dmaIssueFindings } from './support/pathIssues';
import { defineRule, type RuleContext } from './support/rule';

export const dmaDoubleUnmap = defineRule({
  id: 'dma-double-unmap',
  meta: {
    title: 'DMA mapping unmapped twice',
    severity: 'error',
    group: 'dma',
    doc: 'dmaDebug',
    fixable: 'none',
    description: 'The same DMA mapping is unmapped (or coherent memory freed) twice on one path.',
    catches: 'Two dma_unmap_*/dma_free_* of the same handle on one path without a new mapping in between.',
    why: 'dma-debug: "device driver tries to free DMA memory it has not allocated". With an IOMMU the second unmap can tear down a mapping that now belongs to another buffer.',
    wrong: 'dma_unmap_single(dev, addr, len, DMA_TO_DEVICE);\n...\ndma_unmap_single(dev, addr, len, DMA_TO_DEVICE);',
    right: 'dma_unmap_single(dev, addr, len, DMA_TO_DEVICE);',
    fix: 'No automatic fix.',
  },
  check,
});

function check({ file, finding }: RuleContext): Finding[] {
  return dmaIssueFindings(file, 'double-release', (issue, { op, related, base }) => {
    if (issue.earlier) related.push({ span: issue.earlier.span, message: 'first unmapped here' });
    return finding({
      span: issue.at.span,
      related,
      ...base,
      message: `The ${op.api.role === 'alloc' ? 'allocation' : 'mapping'} from ${fnName(op.name)} is released a second time here${issue.earlier ? ` (first at line ${lineOf(file, issue.earlier.span)})` : ''}: dma-debug "device driver tries to free DMA memory it has not allocated"; with an IOMMU it can tear down someone else's mapping.`,
    });
  });
}
