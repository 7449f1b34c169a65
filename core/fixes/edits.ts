/**
 * Text edits: the source of a node, deleting whole statements cleanly, applying a set of edits to
 * a text.
 */
import type { SyntaxNode } from '../parse/syntax';
import type { Span, TextEdit } from '../findings';

/** The document text of a node (never the annotation-blanked parser text). */
export function sourceOf(text: string, node: SyntaxNode | Span): string {
  const span = 'startIndex' in node ? { start: node.startIndex, end: node.endIndex } : node;
  return text.slice(span.start, span.end);
}

/**
 * The span that deletes `node` with its line when it is alone on its line(s): leading indentation
 * and the trailing newline go too, so no blank line is left behind.
 */
export function statementDeletionSpan(text: string, node: SyntaxNode | Span): Span {
  const span = 'startIndex' in node ? { start: node.startIndex, end: node.endIndex } : node;
  let start = span.start;
  while (start > 0 && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  let end = span.end;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  const ownLine =
    (start === 0 || text[start - 1] === '\n') && (end === text.length || text[end] === '\n' || text[end] === '\r');
  if (!ownLine) return span;
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  return { start, end };
}

class OverlappingEditsError extends Error {}

/** Applies non-overlapping edits (in any order) to `text`. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  let out = '';
  let cursor = 0;
  for (const e of sorted) {
    if (e.span.start < cursor) throw new OverlappingEditsError(`overlapping edits at offset ${e.span.start}`);
    out += text.slice(cursor, e.span.start) + e.newText;
    cursor = e.span.end;
  }
  return out + text.slice(cursor);
}

/** Whether two edit lists can be applied together. */
export function editsOverlap(a: readonly TextEdit[], b: readonly TextEdit[]): boolean {
  for (const x of a) for (const y of b) if (x.span.start < y.span.end && y.span.start < x.span.end) return true;
  return false;
}
