/**
 * dma-mapping-null-check — a mapping handle tested against 0. DMA_MAPPING_ERROR is
 * (~(dma_addr_t)0), not 0, and 0 is a valid bus address on many IOMMUs: only dma_mapping_error()
 * tells a failed mapping (dma-api-howto.rst, "Handling Errors").
 */
import type { SyntaxNode } from '../parse/syntax';
import { canonical, unwrap } from '../analysis/expr';
import type { DmaOp } from '../analysis/ops';
import type { Finding, Fix } from '../findings';
import { dmaFunctions, handleMaps, sourceText } from './support/dmaOps';
import { fnName, spanOf } from './support/finding';
import { failureNullChecks, type NullCheck } from './support/nullChecks';
import { defineRule, type RuleContext } from './support/rule';

export const dmaMappingNullCheck = defineRule({
  id: 'dma-mapping-null-check',
  meta: {
    title: 'DMA handle checked against 0 instead of dma_mapping_error()',
    severity: 'error',
    group: 'dma',
    doc: 'dmaHowtoErrors',
    fixable: 'offered',
    description:
      'The mapping handle is checked with `!addr` or `== 0`, which never detects DMA_MAPPING_ERROR (and 0 can be a valid address).',
    catches: '`if (!addr)`, `if (addr == 0)`, `if (addr == NULL)` on the result of dma_map_single/page/resource().',
    why: 'DMA_MAPPING_ERROR is (~(dma_addr_t)0), not 0; 0 is a valid bus address on many IOMMUs. The check misses every failure and rejects a legal mapping.',
    wrong: 'paddr = dma_map_single(dev, skb->data, skb->len, DMA_TO_DEVICE);\nif (!paddr)\n\tcontinue;',
    right:
      'paddr = dma_map_single(dev, skb->data, skb->len, DMA_TO_DEVICE);\nif (dma_mapping_error(dev, paddr))\n\tcontinue;',
    fix: "Offers dma_mapping_error(dev, addr) in place of the test. Never applied by --fix, fix-all or fix-on-save: the replacement changes what the code does whenever the handle is 0 (a mapping at bus address 0 that the old test refused now goes through), and where the test was the driver's own meaning of 0 that the analysis misread (a sentinel for a bounce buffer, a deliberate remap because the hardware cannot use address 0) it would break a working driver. No analysis of one file can prove neither is the case.",
  },
  check,
});

function check({ file, finding }: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const { fn, ops } of dmaFunctions(file)) {
    const handles = new Set(handleMaps(fn).map((m) => m.key as string));
    for (const check of failureNullChecks(fn)) {
      const { map } = check;
      if (guardsRelease(check, ops)) continue;
      const fixes: Fix[] = [];
      if (map.dev) {
        const call = `dma_mapping_error(${sourceText(file, map.dev)}, ${sourceText(file, handleNode(check, handles))})`;
        fixes.push({
          title: 'Use dma_mapping_error()',
          edits: [{ span: spanOf(check.node), newText: check.negated ? `!${call}` : call }],
          safe: false,
        });
      }
      findings.push(
        finding({
          span: spanOf(check.node),
          function: fn.info.name,
          fixes,
          related: [{ span: spanOf(map.node), message: `${fnName(map.name)} handle` }],
          message: `\`${check.node.text.replace(/\s+/g, ' ')}\` tests a ${fnName(map.name)} handle against 0, but a failed mapping returns DMA_MAPPING_ERROR (all ones), and 0 is a valid bus address on many IOMMUs: failures go through unnoticed. Use dma_mapping_error(dev, ${check.handle}).`,
        }),
      );
    }
  }
  return findings;
}

/** The handle as the test writes it: the operand of `!h`, the handle side of `h == 0`, or `h` itself. */
function handleNode(check: NullCheck, handles: ReadonlySet<string>): SyntaxNode {
  const node = check.node;
  if (unwrap(node).type === 'unary_expression') return node.childForFieldName('argument') as SyntaxNode;
  if (node.type === 'binary_expression') {
    const left = node.childForFieldName('left') as SyntaxNode;
    return handles.has(canonical(left)) ? left : (node.childForFieldName('right') as SyntaxNode);
  }
  return node;
}

/**
 * `if (h) dma_unmap_single(dev, h, …)`: the test asks whether a mapping was made (handles start
 * out 0), not whether it failed — the branch where h is non-zero releases it.
 */
function guardsRelease(check: NullCheck, ops: readonly DmaOp[]): boolean {
  let n: SyntaxNode | null = check.node;
  while (n && n.type !== 'if_statement' && n.type !== 'conditional_expression' && n.type !== 'compound_statement')
    n = n.parent;
  if (!n || n.type !== 'if_statement') return false;
  // negated: `h` or `h != 0`, so the consequence runs when h is non-zero; otherwise the else.
  const nonZeroArm = check.negated ? n.childForFieldName('consequence') : n.childForFieldName('alternative');
  if (!nonZeroArm) return false;
  return ops.some(
    (o) =>
      (o.api.role === 'unmap' || o.api.role === 'free') &&
      o.key === check.handle &&
      o.node.startIndex >= nonZeroArm.startIndex &&
      o.node.endIndex <= nonZeroArm.endIndex,
  );
}
