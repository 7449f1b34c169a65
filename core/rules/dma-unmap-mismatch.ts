/**
 * dma-unmap-mismatch — a mapping released unlike it was made: another function family, direction
 * or size, or coherent memory freed with kfree(). dma-debug checks each at unmap ("device driver
 * frees DMA memory with wrong function / different direction / different size"; dma-api.rst,
 * "Debug drivers use of the DMA-API").
 */
import type { FileAnalysis } from '../fileAnalysis/types';
import type { FunctionAnalysis } from '../analysis/types';
import type { DmaOp } from '../analysis/ops';
import type { Finding, Fix } from '../findings';
import { coherentHandleMismatches, coherentSizeMismatches } from './support/coherentPairs';
import { disagreements } from './support/dmaPairs';
import { dmaFunctions } from './support/dmaOps';
import { fnName, lineOf, spanOf } from './support/finding';
import { dmaIssueFindings } from './support/pathIssues';
import { sizePoly, sizesDiffer } from './support/sizeValue';
import { defineRule, type RuleContext } from './support/rule';

export const dmaUnmapMismatch = defineRule({
  id: 'dma-unmap-mismatch',
  meta: {
    title: 'Unmapped or freed unlike it was mapped',
    severity: 'error',
    group: 'dma',
    doc: 'dmaDebug',
    fixable: 'safe',
    description:
      'A mapping is unmapped with another direction, size or function family than it was mapped with, or coherent memory is freed with the wrong function, size or handle.',
    catches:
      'dma_unmap_single() on a dma_map_page() handle (and every other family pairing), a different DMA direction or size at unmap, dma_free_coherent() with a different size than dma_alloc_coherent() (also when the allocation is in another function of the file and kept in the same struct field or global), dma_free_coherent() given the memory of one allocation of the file and the handle field of another, kfree() of coherent memory. Sizes are compared as numbers where the file says which: its own #defines, `SZ_4K`, `PAGE_SIZE << n` (PAGE_SIZE read as 4096), fixed-size sizeofs; otherwise only sizes of the same shape (same variables, same terms) are compared, so `n * sizeof(struct a)` differs from `n * sizeof(struct b)`.',
    why: 'dma-debug checks each of these: "device driver frees DMA memory with wrong function", "… with different direction", "… with different size". On swiotlb and IOMMU systems a mismatch syncs the wrong bounce buffer or unmaps the wrong IOVA range.',
    wrong:
      'addr = dma_map_page(dev, page, 0, len, DMA_TO_DEVICE);\n...\ndma_unmap_single(dev, addr, len, DMA_FROM_DEVICE);',
    right:
      'addr = dma_map_page(dev, page, 0, len, DMA_TO_DEVICE);\n...\ndma_unmap_page(dev, addr, len, DMA_TO_DEVICE);',
    fix: "Offers the matching unmap/free with the mapping's direction and size. Only one of these is safe (applied by --fix): dma_unmap_page() for dma_unmap_single() and back, because one is a wrapper of the other with the same arguments, so the rename cannot change what the code does. A direction, a size or kfree() → dma_free_coherent() changes what the kernel does (which bounce buffer is copied, how much is unmapped) and is only offered.",
  },
  check,
});

function check({ file, finding }: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const { fn, ops } of dmaFunctions(file)) {
    const releases = ops.filter((o) => o.api.role === 'unmap' || o.api.role === 'free');
    for (const { op, map, verdict } of disagreements(file, fn, releases, (o, m) => compare(file, fn, o, m))) {
      findings.push(
        finding({
          span: spanOf(op.node),
          function: fn.info.name,
          fixes: verdict.fixes,
          related: [{ span: spanOf(map.node), message: `mapped here by ${fnName(map.name)}` }],
          message: `This ${op.api.role === 'free' ? 'free' : 'unmap'} does not match ${fnName(map.name)} (line ${lineOf(file, map.node)}): ${verdict.problems.join('; ')}. dma-debug checks these at unmap: "device driver frees DMA memory with wrong function / different direction / different size".`,
        }),
      );
    }
  }
  // Coherent memory freed in another function than it was allocated in, with another size.
  for (const m of coherentSizeMismatches(file)) {
    const where = `${fnName(m.alloc.name)} in ${fnName(m.allocFn.info.name)}`;
    findings.push(
      finding({
        span: spanOf(m.free),
        function: m.fnInfo.name,
        related: [{ span: spanOf(m.alloc.node), message: `allocated here by ${where}` }],
        message: `This ${fnName(m.freeName)} does not match ${where} (line ${lineOf(file, m.alloc.node)}): the size is ${m.freeSize.text}, the allocation's is ${m.alloc.size?.text ?? 'another'}. dma-debug checks it at free: "device driver frees DMA memory with different size".`,
      }),
    );
  }
  for (const m of coherentHandleMismatches(file)) {
    const where = (op: DmaOp, fn: FunctionAnalysis): string =>
      `${fnName(op.name)}${fn.info === m.fnInfo ? '' : ` in ${fnName(fn.info.name)}`} (line ${lineOf(file, op.node)})`;
    findings.push(
      finding({
        span: spanOf(m.free),
        function: m.fnInfo.name,
        related: [
          { span: spanOf(m.alloc.node), message: `the memory (${m.alloc.resultKey ?? 'it'}) was allocated here` },
          { span: spanOf(m.other.node), message: `the handle given belongs to this allocation` },
        ],
        message: `This ${fnName(m.freeName)} frees the memory of ${where(m.alloc, m.allocFn)} with the handle of another allocation, ${where(m.other, m.otherFn)}: dma-debug looks the allocation up by its handle and reports "device driver frees DMA memory with different CPU address", and the other allocation's IOVA range is the one torn down.`,
      }),
    );
  }
  // Coherent memory given to kfree()/vfree()/free_pages() on a path (found by the path engine).
  findings.push(
    ...dmaIssueFindings(file, 'wrong-free', (issue, { op, related, base }) => {
      const callee = issue.at.op?.kind === 'dma-use' ? (issue.at.op.callee ?? 'kfree') : 'kfree';
      return finding({
        span: issue.at.span,
        related,
        ...base,
        message: `Coherent memory from ${fnName(op.name)} (line ${lineOf(file, op.node)}) is freed with ${fnName(callee)}: free it with ${fnName(op.api.release ?? 'dma_free_coherent')} (same size and handle). dma-debug reports the allocation as leaked.`,
      });
    }),
  );
  return findings;
}

interface Verdict {
  readonly problems: readonly string[];
  readonly fixes: readonly Fix[];
}

/** How an unmap or free disagrees with one map it meets; null when it agrees. */
function compare(file: FileAnalysis, fn: FunctionAnalysis, op: DmaOp, map: DmaOp): Verdict | null {
  const problems: string[] = [];
  const fixes: Fix[] = [];
  const familyOk =
    op.api.type === map.api.type &&
    (map.api.role !== 'map' ||
      map.api.release === op.name ||
      map.api.release?.replace(/_attrs$/, '') === op.name.replace(/_attrs$/, ''));
  if (!familyOk) {
    // dma_map_single and dma_map_page are both "single" entries to dma-debug: it cannot see this one.
    const unseen =
      op.api.type === map.api.type
        ? ' — dma-api.rst pairs each map with its own unmap; dma-debug records both as "single" and does not report it'
        : '';
    problems.push(
      `${fnName(op.name)} does not match ${fnName(map.name)} (use ${fnName(map.api.release ?? 'the matching release')})${unseen}`,
    );
    const callee = op.node.childForFieldName('function');
    if (callee && map.api.release && map.api.release.endsWith('_attrs') === op.name.endsWith('_attrs'))
      fixes.push({
        title: `Use ${map.api.release}()`,
        edits: [{ span: spanOf(callee), newText: map.api.release }],
        // dma_unmap_single() is dma_unmap_single_attrs(), which calls dma_unmap_page_attrs() with
        // the same arguments (include/linux/dma-mapping.h): between those two the rename cannot
        // change what the code does, only what a reader (and dma-api.rst's pairing) sees.
        safe: op.api.type === 'single' && map.api.type === 'single',
      });
  }
  if (op.dir && map.dir && op.dir !== map.dir) {
    problems.push(`the direction is ${op.dir}, the mapping's is ${map.dir}`);
    if (op.dirNode)
      fixes.push({
        title: `Unmap with ${map.dir}`,
        edits: [{ span: spanOf(op.dirNode), newText: map.dir }],
        safe: false,
      });
  }
  if (op.size && map.size) {
    const macros = fn.ctx.macros;
    if (
      sizesDiffer(sizePoly(op.size, fn.info, file.globals, macros), sizePoly(map.size, fn.info, file.globals, macros))
    )
      problems.push(
        `the size is ${op.size.text}, the ${map.api.role === 'alloc' ? 'allocation' : 'mapping'}'s is ${map.size.text}`,
      );
  }
  return problems.length > 0 ? { problems, fixes } : null;
}
