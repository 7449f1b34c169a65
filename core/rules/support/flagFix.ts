/**
 * Adding a FOLL_* flag to a GUP call's flags argument, as written: `0` → `FLAG`, `X` → `X | FLAG`,
 * a conditional in parentheses. missing-foll-write and missing-longterm offer it.
 */
import type { AcquireOp } from '../../analysis/ops';
import type { Fix } from '../../findings';
import { spanOf } from './finding';

export function addFlagFix(op: AcquireOp, flag: string, text: string, safe: boolean): Fix | null {
  const arg = op.flagsArg;
  if (!arg) return null;
  const written = text.slice(arg.startIndex, arg.endIndex);
  const newText =
    written.trim() === '0'
      ? flag
      : arg.type === 'conditional_expression'
        ? `(${written}) | ${flag}`
        : `${written} | ${flag}`;
  return { title: `Add ${flag}`, edits: [{ span: spanOf(arg), newText }], safe };
}
