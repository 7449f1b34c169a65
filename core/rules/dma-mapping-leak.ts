/**
 * dma-mapping-leak — a streaming mapping, coherent allocation, pool block or pool neither released
 * nor handed off on some path (dma-debug: "device driver has pending DMA allocations while
 * released from device"). Found by the path engine.
 */
import type { FileAnalysis } from '../fileAnalysis/types';
import type { DmaOp } from '../analysis/ops';
import type { Finding } from '../findings';
import { fnName, lineOf } from './support/finding';
import { dmaIssueFindings } from './support/pathIssues';
import { heldIn } from './support/dmaNames';
import { defineRule, type RuleContext } from './support/rule';

export const dmaMappingLeak = defineRule({
  id: 'dma-mapping-leak',
  meta: {
    title: 'DMA mapping or coherent allocation leaked on some path',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaDebug',
    fixable: 'none',
    description: 'A streaming mapping or coherent allocation is neither released nor stored on some path.',
    catches:
      "A path from a successful dma_map_*(), dma_alloc_*() or dma_pool_alloc() to a return on which the mapping is neither unmapped (freed) nor handed on. Handed on means stored in a struct or through an out-parameter, returned, or passed to a function that this function does not unmap it after: ownership has left, and the rule stays silent, on error returns too. One exception: a mapping kept in the caller's object (a parameter's scatterlist or field) that the function unmaps itself further on is reported at a failing return that does not unmap it — the caller, told the call failed, has no reason to undo it — unless the object goes to another call on the way there, or the unmap that path passes is under a test of its own. A leak that only happens when a loop runs zero times is not reported. scsi_dma_map(cmd) keeps its mapping in the command, which its completion unmaps: it is reported only on a return of an errno (or a negative constant) or of SCSI_MLQUEUE_*_BUSY after the map succeeded, when no scsi_dma_unmap(cmd) ran and the command was not passed on or stored, and no function of the file that calls this one calls scsi_dma_unmap().",
    why: 'Leaked mappings exhaust IOVA space and swiotlb bounce buffers; on a PCI device, dma-debug reports "device driver has pending DMA allocations while released from device" at unbind (its unbind check runs only on the buses that register for it: PCI and pseries VIO).',
    wrong:
      'addr = dma_map_single(dev, buf, len, DMA_TO_DEVICE);\nif (dma_mapping_error(dev, addr))\n\treturn -ENOMEM;\nif (start_hw(dev, addr))\n\treturn -EIO;\t/* mapping leaks */\nwait_hw(dev);\ndma_unmap_single(dev, addr, len, DMA_TO_DEVICE);',
    right: 'if (start_hw(dev, addr)) {\n\tdma_unmap_single(dev, addr, len, DMA_TO_DEVICE);\n\treturn -EIO;\n}',
    fix: 'No automatic fix.',
  },
  check,
});

function check({ file, finding }: RuleContext): Finding[] {
  return dmaIssueFindings(file, 'leak', (issue, { op, related, base }) =>
    finding({ span: issue.at.span, related, ...base, message: leakMessage(file, op, issue.at.label) }),
  );
}

/** What leaks, in the words that fit it: a mapping, coherent memory, a pool block, a pool. */
function leakMessage(file: FileAnalysis, op: DmaOp, at: string): string {
  const where = `${fnName(op.name)} (line ${lineOf(file, op.node)})`;
  // dma-debug's unbind check runs only on buses registered with dma_debug_add_bus(): PCI and pseries
  // VIO (kernel/dma/debug.c; kernel-semantics.md, dma-debug error class 10), not platform or USB.
  const unbind =
    'on a PCI device, dma-debug reports it when the driver is unbound: "device driver has pending DMA allocations while released from device"';
  const name = heldIn(op);
  switch (op.api.role) {
    case 'pool-create':
      return `The pool${name} from ${where} is neither destroyed nor handed off on this path before \`${at}\`: its pages stay allocated. Call dma_pool_destroy().`;
    case 'alloc':
      if (op.api.type === 'pool')
        return `The block${name} from ${where} is neither returned with dma_pool_free() nor handed off on this path before \`${at}\`: the pool can no longer be destroyed cleanly ("dma_pool_destroy %s, %p busy").`;
      return `The ${op.api.type === 'noncoherent' ? 'non-coherent' : 'coherent'} memory${name} from ${where} is neither freed nor handed off on this path before \`${at}\`: it stays allocated; ${unbind}.`;
    default:
      // scsi_dma_map(cmd): an error return gives the command back, and the mid-layer requeues or fails it.
      if (op.api.keptIn !== undefined)
        return `The mapping of \`${op.key ?? 'the command'}\` from ${where} is neither unmapped nor handed off on this path before \`${at}\`, which gives the command back unaccepted: nothing unmaps it (a requeued command is mapped again), and it keeps its IOVA space (and any swiotlb bounce buffer). Call ${fnName(op.api.release ?? 'scsi_dma_unmap')} first.`;
      return `The mapping${name} from ${where} is neither unmapped nor handed off on this path before \`${at}\`: it keeps its IOVA space (and any swiotlb bounce buffer); ${unbind}.`;
  }
}
