/**
 * dma-map-sg-unchecked — "dma_map_sg() returns the number of DMA address segments mapped … or 0
 * in case of failure" (dma-api.rst); there is no dma_mapping_error() for scatterlists, so a result
 * that is ignored, or kept and never tested, programs the device with no segments.
 */
import type { SyntaxNode } from '../parse/syntax';
import { walk } from '../parse/syntax';
import { wrappersWithRole } from '../catalog/wrappers';
import { canonical, unwrap } from '../analysis/expr';
import type { Finding, Span } from '../findings';
import type { DmaOp } from '../analysis/ops';
import { dmaFunctions } from './support/dmaOps';
import { signOnlyCheckOf } from './support/signOnlyCheck';
import { countTests } from './support/errnoCount';
import { fnName, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

export const dmaMapSgUnchecked = defineRule({
  id: 'dma-map-sg-unchecked',
  meta: {
    title: 'dma_map_sg() returning 0 (scsi_dma_map() a negative value) not handled',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaStreaming',
    fixable: 'none',
    description:
      'The result of dma_map_sg() is not checked for 0 (failure), or that of scsi_dma_map() for a negative value (failure), before it is used.',
    catches:
      'dma_map_sg()/dma_map_sg_attrs() whose result is ignored, used as a segment count without a `== 0` (or `<= 0`) check on the path, or checked only with `< 0` (it is never negative). scsi_dma_map() (the SCSI mid-layer pair, drivers/scsi/scsi_lib_dma.c) whose result is ignored, or kept and never tested for a negative value (`< 0`, `<= 0`, `> 0`, `BUG_ON(n < 0)`, …) nor returned as it is: it returns -ENOMEM on failure and 0 for a command without data, so `!n` alone lets the failure through.',
    why: '"dma_map_sg() returns the number of DMA address segments mapped … or 0 in case of failure." There is no dma_mapping_error() for scatterlists; an unchecked 0 programs the device with no segments, or with stale ones. scsi_dma_map() "Returns the number of sg lists actually used, zero if the sg lists is NULL, or -ENOMEM if the mapping failed": an unchecked -ENOMEM sends the command with unmapped addresses, or a negative segment count.',
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
      if (map.api.returns === 'count-or-errno') {
        const f = errnoCountFinding(
          fn.info.body,
          map,
          ignored,
          target,
          fn.info.locals.get(target ?? '')?.isUnsigned === true,
        );
        if (f) findings.push(finding({ span: spanOf(map.node), function: fn.info.name, ...f }));
        continue;
      }
      // `n = dma_map_sg(...); if (n < 0)`: a check that cannot see the failure (0) is no check.
      const signOnly =
        !ignored && target !== null && map.api.returns === 'count' ? signOnlyCheckOf(map.node, target) : null;
      if (signOnly && target !== null && !returnsCount(fn.info.body, target)) {
        findings.push(
          finding({
            span: spanOf(signOnly),
            function: fn.info.name,
            message: `\`${signOnly.text}\` does not catch a failed ${fnName(map.name)}: it returns 0 on failure, never a negative value ("dma_map_sg() returns the number of DMA address segments mapped … or 0 in case of failure"). Test \`${target}\` for 0.`,
            related: [{ span: spanOf(map.node), message: `the ${fnName(map.name)} whose failure is missed` }],
          }),
        );
        continue;
      }
      if (!ignored && (target === null || isTested(fn.info.body, target))) continue;
      // Returned to the caller, as it is or as what a loop over it counted (bnx2fc_map_sg()
      // returns the descriptors it filled, 0 for no segments, and its caller turns 0 into
      // -ENOMEM): the check is the caller's.
      if (!ignored && target !== null && returnsCount(fn.info.body, target)) continue;
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

/**
 * scsi_dma_map() (a count, 0 for a command without data, or -ENOMEM): its result ignored, or
 * kept and never tested for a negative value (`!n` alone lets -ENOMEM through as a count), unless
 * the function returns it for its caller to test.
 */
function errnoCountFinding(
  body: SyntaxNode,
  map: DmaOp,
  ignored: boolean,
  target: string | null,
  unsigned: boolean,
): { message: string; related?: { span: Span; message: string }[] } | null {
  const quote =
    '"Returns the number of sg lists actually used, zero if the sg lists is NULL, or -ENOMEM if the mapping failed"';
  if (ignored)
    return {
      message: `The result of ${fnName(map.name)} is ignored: it is -ENOMEM when the mapping failed (${quote}), and the command's scatterlist then holds no DMA addresses. Check it for a negative value.`,
    };
  // Returned as it is, the caller sees -ENOMEM. Not what a loop over it counted: a failed map
  // runs the loop zero times, and 0 says "no data", not the failure (bnx2i_map_scsi_sg()).
  if (target === null || returnsCount(body, target, false)) return null;
  const { negative, zeroOnly } = countTests(body, target);
  if (negative) return null;
  // An unsigned local cannot hold -ENOMEM as a negative value: `n < 0` would never be true.
  const advice = unsigned
    ? `Keep it in a signed int and test it for < 0 (\`${target}\` is unsigned, so \`${target} < 0\` is never true).`
    : `Test \`${target} < 0\`.`;
  if (zeroOnly)
    return {
      message: `\`${target}\` = ${fnName(map.name)} is tested only for 0 (\`${zeroOnly.text}\`), which is a command without data, not a failure: it returns -ENOMEM when the mapping failed (${quote}), and a negative count passes that test. ${advice}`,
      related: [{ span: spanOf(zeroOnly), message: 'the test that lets -ENOMEM through' }],
    };
  return {
    message: `\`${target}\` = ${fnName(map.name)} is never checked for a negative value before it is used: it returns -ENOMEM when the mapping failed (${quote}), and the command's scatterlist then holds no DMA addresses. ${advice}`,
  };
}

const TEST_WRAPPERS = wrappersWithRole('test');

/**
 * Whether the function returns the count `place` holds: `return place;`, or (when `counted`)
 * `return v;` where v starts at 0 and only grows inside loops whose header names the count
 * (`for_each_sg(sgl, sg, sg_count, i) { … bd_count += sg_frags; }`), so it is 0 when the mapping failed.
 */
function returnsCount(body: SyntaxNode, place: string, counted = true): boolean {
  const returned: string[] = [];
  walk(body, (n) => {
    if (n.type !== 'return_statement') return true;
    const v = n.namedChildren[0];
    if (v && unwrap(v).type === 'identifier') returned.push(unwrap(v).text);
    return false;
  });
  // `return place;` counts when nothing but the map assigns it (spi-mxs's `ret` is reused for
  // the status, and the count never reaches the caller).
  if (returned.includes(place)) return assignmentsTo(body, place) === 1;
  return counted && returned.length > 0 && returned.every((v) => countedOver(body, v, place));
}

/** What an assignment (`=`, `+=`) or update (`++`) writes; null for other nodes. */
function writtenBy(node: SyntaxNode): SyntaxNode | null {
  if (node.type === 'assignment_expression') return node.childForFieldName('left');
  if (node.type === 'update_expression') return node.childForFieldName('argument');
  return null;
}

/** How many assignments (`=`, `+=`, `++`) write `place` in `body`. */
function assignmentsTo(body: SyntaxNode, place: string): number {
  let n = 0;
  walk(body, (node) => {
    const target = writtenBy(node);
    if (target && canonical(target) === place) n++;
    return true;
  });
  return n;
}

/** `v` is 0 before the loops and changed only inside loops whose header mentions `count`. */
function countedOver(body: SyntaxNode, v: string, count: string): boolean {
  const mentions = new RegExp(`\\b${count.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
  let startsAtZero = false;
  let ok = true;
  walk(body, (n) => {
    if (!ok) return false;
    if (n.type === 'init_declarator' && n.childForFieldName('declarator')?.text === v) {
      startsAtZero = n.childForFieldName('value')?.text === '0';
      return false;
    }
    if (writtenBy(n)?.text !== v) return true;
    if (!insideLoopOver(n, mentions)) ok = false;
    return false;
  });
  return ok && startsAtZero;
}

/** Whether `n` is inside a loop whose header (or a macro loop's call) mentions the count. */
function insideLoopOver(n: SyntaxNode, mentions: RegExp): boolean {
  for (let p = n.parent; p && p.type !== 'function_definition'; p = p.parent) {
    if (p.type === 'for_statement' || p.type === 'while_statement') {
      const header = p.text.slice(0, (p.childForFieldName('body')?.startIndex ?? p.endIndex) - p.startIndex);
      if (mentions.test(header)) return true;
    }
    // `scsi_for_each_sg(sc, sg, n, i) { … }`: a call statement, then the block it governs.
    if (p.type === 'compound_statement') {
      const header = p.previousNamedSibling;
      if (
        header?.type === 'expression_statement' &&
        header.namedChildren[0]?.type === 'call_expression' &&
        mentions.test(header.text)
      )
        return true;
    }
  }
  return false;
}

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
