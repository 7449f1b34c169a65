/**
 * The checks a count-or-errno map result needs: scsi_dma_map() returns the number of mapped
 * segments, 0 when the command has no data, and -ENOMEM when dma_map_sg() failed
 * (drivers/scsi/scsi_lib_dma.c: "Returns the number of sg lists actually used, zero if the sg
 * lists is NULL, or -ENOMEM if the mapping failed."). Only a test that tells a negative value
 * apart catches the failure; `!n` and `n == 0` see the command without data, not the failure.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { walk } from '../../parse/syntax';
import { canonical, numberValue, unwrap } from '../../analysis/expr';

/** How the body tests the count kept in `place`. */
export interface CountTests {
  /** A test that tells a negative value apart: `n < 0`, `n <= 0`, `n > 0`, `0 > n`, `n == -ENOMEM`. */
  readonly negative: SyntaxNode | null;
  /** The first test only for 0 (`!n`, `n == 0`, `n != 0`, `if (n)`), or null. */
  readonly zeroOnly: SyntaxNode | null;
}

const ORDER = new Set(['<', '<=', '>', '>=']);

/** A negative errno constant: `-ENOMEM`, `-EIO`. */
function isNegativeErrno(n: SyntaxNode | null): boolean {
  if (!n) return false;
  const u = unwrap(n);
  return (
    u.type === 'unary_expression' &&
    u.child(0)?.type === '-' &&
    /^E[A-Z]+$/.test(u.childForFieldName('argument')?.text ?? '')
  );
}

/**
 * Whether the ordering `place OP bound` (`left` is the place when `placeLeft`) separates the
 * negative values from the counts: against 0 any order does (`n < 0`, `n <= 0`, `n > 0`,
 * `n >= 0`); against 1, `n < 1` and `n >= 1` do.
 */
function separatesNegative(op: string, bound: number | null, placeLeft: boolean): boolean {
  if (bound === 0) return true;
  if (bound !== 1) return false;
  // Normalised to `place OP 1`.
  const o = placeLeft ? op : ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const)[op as '<'];
  return o === '<' || o === '>=';
}

export function countTests(body: SyntaxNode, place: string): CountTests {
  const is = (n: SyntaxNode | null | undefined): boolean => n !== null && n !== undefined && canonical(n) === place;
  let negative: SyntaxNode | null = null;
  let zeroOnly: SyntaxNode | null = null;
  walk(body, (n) => {
    if (negative) return false;
    switch (n.type) {
      case 'unary_expression':
        if (n.child(0)?.type === '!' && is(n.childForFieldName('argument'))) zeroOnly ??= n;
        break;
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.type ?? '';
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (!is(left) && !is(right)) break;
        const other = is(left) ? right : left;
        const bound = other ? numberValue(other) : null;
        if (ORDER.has(op) && separatesNegative(op, bound, is(left))) negative = n;
        else if ((op === '==' || op === '!=') && isNegativeErrno(other)) negative = n;
        else if ((op === '==' || op === '!=') && bound === 0) zeroOnly ??= n;
        else if ((op === '&&' || op === '||') && (is(left) || is(right))) zeroOnly ??= n;
        break;
      }
      case 'if_statement':
      case 'while_statement':
      case 'conditional_expression': {
        const condition = n.childForFieldName('condition');
        if (condition && is(condition)) zeroOnly ??= condition;
        break;
      }
      default:
        break;
    }
    return true;
  });
  return { negative, zeroOnly };
}
