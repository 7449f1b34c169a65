/**
 * A failure check of a segment count that tests only the sign: `n = dma_map_sg(...); if (n < 0)`.
 * "dma_map_sg() returns the number of DMA address segments mapped … or 0 in case of failure"
 * (Documentation/core-api/dma-api.rst, "Streaming DMA mappings"): it is never negative, so such a
 * check lets the failure through. Upstream fixed a series of these in 2022 ("Fix dma_map_sg error
 * check", HSI omap_ssi_port among them).
 */
import type { SyntaxNode } from '../../parse/syntax';
import { walk } from '../../parse/syntax';
import { canonical, numberValue } from '../../analysis/expr';

/**
 * The sign-only comparison that checks the count `map` stored in `place`, when the first test of
 * `place` after the map's statement (in the statements that follow it in its block, up to the next
 * assignment to `place`) is one, and no other test of `place` follows it there: then nothing on
 * that stretch tells 0 (the failure) apart. Null otherwise, and whenever the shape is anything else
 * (the check in another block, a loop, a helper), so that the rule's other tests decide.
 */
export function signOnlyCheckOf(map: SyntaxNode, place: string): SyntaxNode | null {
  const statement = statementOf(map);
  if (!statement) return null;
  let signOnly: SyntaxNode | null = null;
  for (let s = statement.nextNamedSibling; s; s = s.nextNamedSibling) {
    const { sign, other, writes } = testsIn(s, place);
    if (other) return null;
    if (!signOnly) signOnly = sign;
    if (writes) break;
  }
  return signOnly;
}

/** The statement of the block that holds `node` (`n = dma_map_sg(...);`). */
function statementOf(node: SyntaxNode): SyntaxNode | null {
  let n: SyntaxNode = node;
  while (n.parent && n.parent.type !== 'compound_statement') {
    if (n.type === 'function_definition') return null;
    n = n.parent;
  }
  return n.parent ? n : null;
}

/**
 * The tests of `place` in `node`: the first sign-only comparison (`place < 0`, `0 > place`,
 * `place >= 0`, `0 <= place`), whether any other test reads it (`!place`, `place == 0`,
 * `place <= 0`, `if (place)`, …), and whether `node` assigns it.
 */
function testsIn(node: SyntaxNode, place: string): { sign: SyntaxNode | null; other: boolean; writes: boolean } {
  const is = (n: SyntaxNode | null | undefined): boolean => n !== null && n !== undefined && canonical(n) === place;
  let sign: SyntaxNode | null = null;
  let other = false;
  let writes = false;
  walk(node, (n) => {
    switch (n.type) {
      case 'assignment_expression':
        if (is(n.childForFieldName('left'))) writes = true;
        break;
      case 'unary_expression':
        if (n.child(0)?.type === '!' && is(n.childForFieldName('argument'))) other = true;
        break;
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.type ?? '';
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (!['==', '!=', '<', '<=', '>', '>=', '&&', '||'].includes(op)) break;
        if (!is(left) && !is(right)) break;
        const zero = numberValue(is(left) ? right : left) === 0;
        const negativeTest = is(left) ? op === '<' || op === '>=' : op === '>' || op === '<=';
        if (zero && negativeTest) sign ??= n;
        else other = true;
        break;
      }
      case 'if_statement':
      case 'while_statement':
      case 'conditional_expression':
        if (is(n.childForFieldName('condition'))) other = true;
        break;
      default:
        break;
    }
    return true;
  });
  return { sign, other, writes };
}
