/**
 * One edit between two versions of a text, found as their common prefix and suffix: what
 * tree-sitter's incremental parse is told (parse/parser.ts) and what the editor session moves
 * findings by (session/move.ts).
 */

export interface TextChange {
  readonly start: number;
  /** End of the replaced text in the old text. */
  readonly oldEnd: number;
  /** End of the replacement in the new text. */
  readonly newEnd: number;
}

/** The smallest single change that turns `before` into `after`, or null when they are equal. */
export function changeBetween(before: string, after: string): TextChange | null {
  if (before === after) return null;
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (
    tail < max - start &&
    before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)
  )
    tail++;
  return { start, oldEnd: before.length - tail, newEnd: after.length - tail };
}
