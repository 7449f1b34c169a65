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

/** Characters compared at once while the texts agree: string slices compare natively, char codes one by one do not. */
const BLOCK = 1024;

/** The smallest single change that turns `before` into `after`, or null when they are equal. */
export function changeBetween(before: string, after: string): TextChange | null {
  if (before === after) return null;
  const max = Math.min(before.length, after.length);
  // Common prefix and suffix, first a block at a time (an editor's change is one small place in a
  // large file: this was 1-2 ms per edit of drivers/scsi/st.c char by char), then char by char.
  let start = 0;
  while (start + BLOCK <= max && before.slice(start, start + BLOCK) === after.slice(start, start + BLOCK))
    start += BLOCK;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (
    tail + BLOCK <= max - start &&
    before.slice(before.length - tail - BLOCK, before.length - tail) ===
      after.slice(after.length - tail - BLOCK, after.length - tail)
  )
    tail += BLOCK;
  while (
    tail < max - start &&
    before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)
  )
    tail++;
  return { start, oldEnd: before.length - tail, newEnd: after.length - tail };
}

/**
 * `changeBetween(before, after)` when `known` is a change that turns `before` into `after`
 * (the texts agree before `known.start` and after its ends), without comparing what lies outside
 * it again: the common prefix is scanned from `known.start`, the common suffix from `known`'s,
 * with changeBetween's rule that the suffix never overlaps the prefix. Equal to changeBetween's
 * result for any such `known` (test/unit/textChange.test.ts).
 */
export function changeWithin(before: string, after: string, known: TextChange): TextChange | null {
  if (before.length - known.oldEnd !== after.length - known.newEnd) throw new Error('not a change of these texts');
  const max = Math.min(before.length, after.length);
  let start = known.start;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  if (start === max && before.length === after.length) return null;
  let tail = Math.min(before.length - known.oldEnd, max - start);
  while (
    tail < max - start &&
    before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)
  )
    tail++;
  return { start, oldEnd: before.length - tail, newEnd: after.length - tail };
}
