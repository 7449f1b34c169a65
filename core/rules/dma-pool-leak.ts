/**
 * dma-pool-leak — dma_pool_destroy() while blocks from the pool are still allocated on the path:
 * mm/dmapool.c reports the pool busy and leaks its pages (dma-api.rst, "Part Ib - Using small
 * DMA-coherent buffers"). Found by the path engine.
 */
import type { Finding } from '../findings';
import { fnName, lineOf } from './support/finding';
import { dmaIssueFindings } from './support/pathIssues';
import { heldIn } from './support/dmaNames';
import { defineRule, type RuleContext } from './support/rule';

export const dmaPoolLeak = defineRule({
  id: 'dma-pool-leak',
  meta: {
    title: 'dma_pool_destroy() with allocations outstanding',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaPool',
    fixable: 'none',
    description:
      'dma_pool_destroy() is called while blocks allocated from the pool on this path are still outstanding.',
    catches:
      'A path on which dma_pool_alloc()/dma_pool_zalloc() blocks are not dma_pool_free()d before dma_pool_destroy() of the same pool.',
    why: 'dma_pool_destroy() reports "dma_pool_destroy %s, %p busy" and leaks the pages still in use; the device may still DMA into them.',
    wrong: 'v = dma_pool_alloc(pool, GFP_KERNEL, &dma);\n...\ndma_pool_destroy(pool);',
    right: 'dma_pool_free(pool, v, dma);\ndma_pool_destroy(pool);',
    fix: 'No automatic fix.',
  },
  check,
});

function check({ file, finding }: RuleContext): Finding[] {
  return dmaIssueFindings(file, 'pool-leak', (issue, { op, related, base }) =>
    finding({
      span: issue.at.span,
      related,
      ...base,
      message: `dma_pool_destroy() runs while the block${heldIn(op)} from ${fnName(op.name)} (line ${lineOf(file, op.node)}) is still allocated on this path: "dma_pool_destroy %s, %p busy", and the device may still DMA into it. dma_pool_free() it first.`,
    }),
  );
}
