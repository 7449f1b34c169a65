/**
 * Tests of a DMA mapping handle against 0 (`!h`, `h == 0`, `h == NULL`, and `h`, `h != 0` as
 * success tests). dma-mapping-null-check reports them; dma-mapping-unchecked stays silent where
 * one exists, because the null-check finding says it better.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { walk } from '../../parse/syntax';
import { canonical, unwrap } from '../../analysis/expr';
import type { FunctionAnalysis } from '../../analysis/types';

export interface NullCheck {
  readonly node: SyntaxNode;
  readonly handle: string;
  /** `h` or `h != 0`: the test is true when the handle is non-zero. */
  readonly negated: boolean;
}

export function nullChecksIn(fn: FunctionAnalysis, handles: ReadonlySet<string>): NullCheck[] {
  const found: NullCheck[] = [];
  const conditions: SyntaxNode[] = [];
  for (const n of fn.cfg.nodes)
    for (const e of n.succs) if (e.cond && !conditions.includes(e.cond.expr)) conditions.push(e.cond.expr);
  const isZero = (n: SyntaxNode): boolean => {
    const u = unwrap(n);
    return (u.type === 'number_literal' && Number(u.text) === 0) || u.text === 'NULL' || u.type === 'null';
  };
  for (const c of conditions) {
    walk(c, (n) => {
      if (n.type === 'unary_expression' && n.child(0)?.type === '!') {
        const arg = n.childForFieldName('argument');
        if (arg && handles.has(canonical(arg))) found.push({ node: n, handle: canonical(arg), negated: false });
        return false;
      }
      if (n.type === 'binary_expression') {
        const op = n.childForFieldName('operator')?.type;
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        if ((op === '==' || op === '!=') && l && r) {
          const handleSide =
            handles.has(canonical(l)) && isZero(r) ? l : handles.has(canonical(r)) && isZero(l) ? r : null;
          if (handleSide) found.push({ node: n, handle: canonical(handleSide), negated: op === '!=' });
          return false;
        }
      }
      if (
        (n.type === 'identifier' || n.type === 'field_expression') &&
        n.id === unwrap(c).id &&
        handles.has(canonical(n))
      ) {
        found.push({ node: n, handle: canonical(n), negated: true });
      }
      return true;
    });
  }
  return found;
}
