/**
 * dma-map-sg-unchecked — "dma_map_sg() returns the number of DMA address segments mapped … or 0
 * in case of failure" (dma-api.rst); there is no dma_mapping_error() for scatterlists, so a result
 * that is ignored, or kept and never tested, programs the device with no segments.
 */
import type { SyntaxNode } from '../parse/syntax';
import { walk } from '../parse/syntax';
import { wrappersWithRole } from '../catalog/wrappers';
import { canonical } from '../analysis/expr';
import type { Finding } from '../findings';
import { dmaFunctions } from './support/dmaOps';
import { fnName, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

export const dmaMapSgUnchecked = defineRule({
  id: 'dma-map-sg-unchecked',
  meta: {
    title: 'dma_map_sg() returning 0 not handled',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaStreaming',
    fixable: 'none',
    description: 'The result of dma_map_sg() is not checked for 0 (failure) before it is used.',
    catches:
      'dma_map_sg()/dma_map_sg_attrs() whose result is ignored, or used as a segment count without a `== 0` (or `<= 0`) check on the path.',
    why: '"dma_map_sg() returns the number of DMA address segments mapped … or 0 in case of failure." There is no dma_mapping_error() for scatterlists; an unchecked 0 programs the device with no segments, or with stale ones.',
    wrong:
      'count = dma_map_sg(dev, sgl, nents, DMA_TO_DEVICE);\nfor_each_sg(sgl, sg, count, i) hw_add(sg_dma_address(sg));',
    right: 'count = dma_map_sg(dev, sgl, nents, DMA_TO_DEVICE);\nif (!count)\n\treturn -ENOMEM;',
    fix: 'No automatic fix.',
  },
  check,
});

function check({ file, finding }: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const { fn, ops } of dmaFunctions(file)) {
    // A helper's maps (summaries.ts) fail through the helper's status, not a segment count.
    for (const map of ops.filter((o) => o.api.role === 'map' && o.api.type === 'sg' && !o.viaHelper)) {
      const ignored = map.node.parent?.type === 'expression_statement';
      // Kept in a variable or a field: is that place ever tested? Used any other way (returned,
      // passed straight on, compared in place), the caller or the expression deals with it.
      const target = map.resultKey;
      if (!ignored && (target === null || isTested(fn.info.body, target))) continue;
      if (!ignored && map.api.returns !== 'count') continue;
      findings.push(
        finding({
          span: spanOf(map.node),
          function: fn.info.name,
          message: ignored
            ? `The result of ${fnName(map.name)} is ignored: it is ${map.api.returns === 'count' ? 'the number of DMA segments, 0 when the mapping failed' : '0 or -errno'}. There is no dma_mapping_error() for scatterlists; check the result.`
            : `\`${target}\` = ${fnName(map.name)} is never checked for 0 (failure) before it is used: "dma_map_sg() returns … 0 in case of failure". An unchecked 0 programs the device with no segments, or with stale ones.`,
        }),
      );
    }
  }
  return findings;
}

const TEST_WRAPPERS = wrappersWithRole('test');

/**
 * Whether `place` (a variable or a canonical field) is tested anywhere in `body`: `!x`, compared,
 * or used as a condition (`if (x)`, `x ? a : b`, `x && ...`, `unlikely(!x)`).
 */
function isTested(body: SyntaxNode, place: string): boolean {
  let tested = false;
  const is = (n: SyntaxNode | null | undefined): boolean => n !== null && n !== undefined && canonical(n) === place;
  walk(body, (n) => {
    if (tested) return false;
    switch (n.type) {
      case 'unary_expression':
        if (n.child(0)?.type === '!' && is(n.childForFieldName('argument'))) tested = true;
        break;
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.type ?? '';
        if (
          ['==', '!=', '<', '<=', '>', '>=', '&&', '||'].includes(op) &&
          (is(n.childForFieldName('left')) || is(n.childForFieldName('right')))
        )
          tested = true;
        break;
      }
      case 'if_statement':
      case 'while_statement':
      case 'conditional_expression': {
        const condition = n.childForFieldName('condition');
        if (condition && is(condition)) tested = true;
        break;
      }
      case 'call_expression':
        if (
          TEST_WRAPPERS.has(n.childForFieldName('function')?.text ?? '') &&
          is(n.childForFieldName('arguments')?.namedChildren[0])
        )
          tested = true;
        break;
      default:
        break;
    }
    return true;
  });
  return tested;
}
