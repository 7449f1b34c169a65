/**
 * Whether an expression written at one place gives the same value when written again later in
 * the function: what a fix that repeats an argument elsewhere (dma-unmap-sg-nents: the original
 * nents at the unmap) needs before it may call itself safe.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { walk } from '../../parse/syntax';
import { wrappersWithRole } from '../../catalog/wrappers';
import { calleeName, canonical, unwrap } from '../../analysis/expr';

const PURE_CALLS = wrappersWithRole('pure');

/** The places (`n`, `req->nents`) an expression reads, or null when it has a side effect or an unknown call. */
function placesRead(expr: SyntaxNode): string[] | null {
  const places: string[] = [];
  let pure = true;
  walk(unwrap(expr), (n) => {
    if (!pure) return false;
    switch (n.type) {
      case 'identifier':
      case 'field_expression':
        places.push(canonical(n));
        return false;
      case 'call_expression': {
        const name = calleeName(n);
        if (!name || !PURE_CALLS.has(name)) pure = false;
        for (const a of n.childForFieldName('arguments')?.namedChildren ?? []) {
          const inner = placesRead(a);
          if (!inner) pure = false;
          else places.push(...inner);
        }
        return false;
      }
      case 'assignment_expression':
      case 'update_expression':
        pure = false;
        return false;
      default:
        return true;
    }
  });
  return pure ? places : null;
}

/** `a` is `b` or a part of it (`req` of `req->nents`), or `b` a part of `a`. */
function overlaps(a: string, b: string): boolean {
  const within = (x: string, y: string): boolean =>
    x === y || y.startsWith(`${x}->`) || y.startsWith(`${x}.`) || y.startsWith(`${x}[`);
  return within(a, b) || within(b, a);
}

/**
 * `expr` is free of side effects and nothing it reads is written (assigned, incremented, or passed
 * by address) anywhere in `body` after offset `from`, nor is it `except` (a variable the fix must
 * not repeat, such as the map's own result).
 */
export function staysTheSame(expr: SyntaxNode, body: SyntaxNode, from: number, except: string | null): boolean {
  const places = placesRead(expr);
  if (!places || (except !== null && places.some((p) => overlaps(p, except)))) return false;
  let written = false;
  walk(body, (n) => {
    if (written || n.endIndex <= from) return !written && n.endIndex > from;
    let target: SyntaxNode | null = null;
    if (n.type === 'assignment_expression') target = n.childForFieldName('left');
    else if (n.type === 'update_expression') target = n.childForFieldName('argument');
    else if (n.type === 'pointer_expression' && n.child(0)?.type === '&') target = n.childForFieldName('argument');
    if (target && n.startIndex >= from) {
      const t = canonical(unwrap(target));
      if (places.some((p) => overlaps(p, t))) written = true;
    }
    return !written;
  });
  return !written;
}
