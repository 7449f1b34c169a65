/**
 * Edits that change no token: a space, a tab or a new line inserted or deleted between two
 * statements of a block or two lines of a comment (an indent typed at a line start, an empty
 * line, and their undos). The
 * analysis reads tokens, where they are, and the text of the nodes it quotes; such an edit leaves
 * every token and every node's text as it was, except the text of the statements that hold the
 * blanks (a block, an `if`, the definition), so the previous results,
 * moved by the edit, are the new ones: no graphs, no rules. What makes that provable, each checked:
 *  - the changed text and what replaces it are blanks, and the blanks around them (the run) hold a
 *    line break before and after the edit (a regular expression that crosses the run, `\s*` or
 *    `[^;]*`, matches the same either way; `.` and `[ \t]` cross neither);
 *  - the run lies before a statement of the edited body, between two children of a block or of
 *    the `if`, `else`, loop, label or `case` that governs it, or between two lines of a block
 *    comment in the body (not inside an expression, a string or a `#` line, and not after a `\`
 *    that continues a line), and the parser saw the same characters there (nothing blanked);
 *  - the parse: the same preprocessor mode, the parser's text equal to the old one but for the
 *    edit, the tree re-used outside the edited definition, no parse problem in it before or after
 *    and every other problem where it was (tree-sitter's error recovery weighs skipped characters
 *    and lines: a tree with errors could change);
 *  - what the session keeps of the body's text (called names, stores, file-wide text) is the same;
 *  - no span of any result lies in the two statements on either side of the run (or in the
 *    comment) or touches it (a fix copies a line's indentation, a deletion takes the blanks around
 *    a statement);
 *  - when the edit adds or removes a line, no unit's texts may quote a line at or after it.
 * test/unit/incremental.test.ts compares the result with a fresh lint after such edits of kernel
 * files, and has tests that fail when the span, quote or parse-problem check is removed (the
 * line-break and holder checks reject nothing there that another check lets through).
 */
import type { ParsedSource } from '../parse/parser';
import type { ParseProblem, SyntaxNode } from '../parse/syntax';
import type { TextChange } from '../text/change';
import { movedOffset, spansOf } from './move';
import type { DocumentVersion, UnitResults } from './recall';
import type { FunctionFacts } from './units';

/** What the edit is checked against: the previous text's parse and results. */
type PreviousText = Pick<DocumentVersion, 'text' | 'problems' | 'mode'> & {
  readonly parsedText: string;
  readonly units: readonly UnitResults[];
};

/**
 * Statements whose children a run of blanks may lie between: a block's statements, the statement
 * an `if`, `else`, loop, label or `case` governs (the run must be followed by a statement).
 */
const HOLDERS = new Set([
  'compound_statement',
  'if_statement',
  'else_clause',
  'while_statement',
  'for_statement',
  'do_statement',
  'labeled_statement',
  'case_statement',
]);
const STATEMENT = /^(?:\w+_statement|declaration|comment)$/;
const BLANKS = /^[ \t\n]*$/;
const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n';

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean =>
  a.size === b.size && [...a].every((x) => b.has(x));

const lineAt = (text: string, offset: number): string => {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const end = text.indexOf('\n', offset);
  return text.slice(start, end < 0 ? text.length : end);
};

const newlines = (t: string): number => t.split('\n').length - 1;

/** The child of `parent` that holds offset `at`, climbing from the token there; null when none does. */
function childHolding(root: SyntaxNode, parent: SyntaxNode, at: number): SyntaxNode | null {
  for (let n: SyntaxNode | null = root.descendantForIndex(at); n; n = n.parent)
    if (n.parent && n.parent.id === parent.id) return n.startIndex <= at && at < n.endIndex ? n : null;
  return null;
}

/**
 * Whether `change` (from `prev.text` to `parsed.text`, strictly inside the body of the definition
 * `before`, which is `after` in the new text) changes no token and no result but for their places
 * (see the file comment).
 */
export function changesNoToken(
  prev: PreviousText,
  parsed: ParsedSource,
  change: TextChange,
  before: FunctionFacts,
  after: FunctionFacts,
): boolean {
  const text = parsed.text;
  const removed = prev.text.slice(change.start, change.oldEnd);
  const added = text.slice(change.start, change.newEnd);
  if (!BLANKS.test(removed) || !BLANKS.test(added)) return false;
  // The run of blanks around the edit, in the new text; the old one is the same but for the edit.
  let runStart = change.start;
  while (runStart > 0 && isBlank(text[runStart - 1])) runStart--;
  let runEnd = change.newEnd;
  while (runEnd < text.length && isBlank(text[runEnd])) runEnd++;
  const delta = change.newEnd - change.oldEnd;
  if (!text.slice(runStart, runEnd).includes('\n')) return false;
  if (!prev.text.slice(runStart, runEnd - delta).includes('\n')) return false;
  // The tokens on either side: inside the body, not a line continuation, not on a `#` line.
  const left = runStart - 1;
  const right = runEnd;
  if (left < after.bodyStart || right >= after.bodyEnd || text[left] === '\\') return false;
  if (/^[ \t]*#/.test(lineAt(text, left)) || /^[ \t]*#/.test(lineAt(text, right))) return false;

  // The parse: the same mode and parser text but for the edit, re-used outside the definition.
  if (parsed.mode !== prev.mode) return false;
  const reused = parsed.reused;
  if (!reused || reused.from !== prev.text || reused.start !== before.start || reused.oldEnd !== before.end)
    return false;
  if (reused.newEnd !== after.end) return false;
  const pt = parsed.parsedText;
  if (
    pt[left] !== text[left] ||
    pt[right] !== text[right] ||
    pt.slice(runStart, runEnd) !== text.slice(runStart, runEnd)
  )
    return false;
  // Compared piece by piece: a concatenation would be copied whole to be compared.
  const was = prev.parsedText;
  if (pt.length !== was.length + delta || pt.slice(change.start, change.newEnd) !== added) return false;
  if (pt.slice(0, change.start) !== was.slice(0, change.start) || pt.slice(change.newEnd) !== was.slice(change.oldEnd))
    return false;
  const inside = (p: ParseProblem, f: FunctionFacts): boolean => p.startIndex < f.end && p.endIndex > f.start;
  if (prev.problems.some((p) => inside(p, before)) || parsed.problems.some((p) => inside(p, after))) return false;
  if (prev.problems.length !== parsed.problems.length) return false;
  const same = prev.problems.every((p, i) => {
    const q = parsed.problems[i] as ParseProblem;
    return (
      p.kind === q.kind &&
      p.token === q.token &&
      movedOffset(change, p.startIndex) === q.startIndex &&
      movedOffset(change, p.endIndex) === q.endIndex
    );
  });
  if (!same) return false;

  // What the session reads from the body's text.
  if (
    before.fileWide !== after.fileWide ||
    !sameSet(before.calls, after.calls) ||
    !sameSet(before.stores, after.stores)
  )
    return false;

  // Between two children of one statement of the body, before a statement (or a block's `}`), or
  // between two lines of a block comment in the body (its text changes, no token does).
  const root = parsed.root;
  let holder: SyntaxNode | null = root.descendantForIndex(left);
  while (holder && !(holder.startIndex <= left && holder.endIndex > right)) holder = holder.parent;
  if (!holder || (!HOLDERS.has(holder.type) && holder.type !== 'comment')) return false;
  if (holder.startIndex < after.bodyStart || holder.endIndex > after.bodyEnd) return false;
  // No result in the two children (or the comment) or touching the run (old offsets): a span of
  // the holder itself, or of a statement around it, overlaps them.
  let from: number;
  let to: number;
  if (holder.type === 'comment') {
    if (!text.startsWith('/*', holder.startIndex)) return false;
    [from, to] = [holder.startIndex, holder.endIndex - delta];
  } else {
    const leftChild = childHolding(root, holder, left);
    const rightChild = childHolding(root, holder, right);
    if (!leftChild || !rightChild || leftChild.endIndex > runStart || rightChild.startIndex < runEnd) return false;
    if (!STATEMENT.test(rightChild.type) && !(rightChild.type === '}' && holder.type === 'compound_statement'))
      return false;
    [from, to] = [leftChild.startIndex, rightChild.endIndex - delta];
  }
  const near = (s: { readonly start: number; readonly end: number }): boolean => s.end >= from && s.start <= to;
  for (const u of prev.units) {
    if (u.findings.some((f) => spansOf(f).some(near))) return false;
    if (u.notes.some((n) => n.span !== undefined && near(n.span))) return false;
    if (u.targets.some((t) => near(t.span))) return false;
  }
  // Lines moved: no message may quote a line at or after the edit.
  if (newlines(removed) !== newlines(added)) {
    const firstLine = newlines(prev.text.slice(0, change.start)) + 1;
    if (prev.units.some((u) => u.quotes >= firstLine)) return false;
  }
  return true;
}
