/**
 * Kernel C is C plus a layer of macros that a plain C grammar cannot know: sparse annotations
 * (`__user`, `__iomem`), section and inlining markers (`__init`, `__always_inline`), and attribute
 * macros with arguments (`__free(kfree)`, `__acquires(lock)`). In a parameter list or a declaration
 * each of them turns into an ERROR node and can take the whole function down with it.
 *
 * We do not run a preprocessor. We overwrite these tokens with spaces instead, so the text that is
 * parsed has exactly the same length, lines and columns as the document: every offset the parser
 * reports is an offset into the user's file, and every fix can be computed against the original.
 * Which names are annotations is kernel vocabulary: core/catalog/annotations.ts.
 */
import { BARE_ANNOTATIONS, CALL_ANNOTATIONS, TYPE_ARGUMENT_MACROS } from '../catalog/annotations';

const callSet = new Set<string>(CALL_ANNOTATIONS);
/** One regular expression for all annotations: the engine scans for them, not every identifier. */
const ANNOTATION = new RegExp(
  `(?<![A-Za-z0-9_])(?:${[...BARE_ANNOTATIONS, ...CALL_ANNOTATIONS].sort((a, b) => b.length - a.length).join('|')})(?![A-Za-z0-9_])`,
  'g',
);

/** A quick byte check so that files without any `__`/`asmlinkage`/`noin…` skip the scan. */
function mayHaveAnnotations(text: string): boolean {
  return text.includes('__') || text.includes('asmlinkage') || text.includes('noin') || text.includes('notrace');
}

/** Ranges of a text to overwrite with spaces (line breaks kept), collected first and applied once. */
type Blanks = [number, number][];

/** `text` with every range in `blanks` spaced out; `text` itself when there is none. Splitting a
 * 100 KB file into one string per character and joining it back cost more than the scan. */
function applyBlanks(text: string, blanks: Blanks): string {
  if (blanks.length === 0) return text;
  blanks.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let at = 0;
  for (const [start, end] of blanks) {
    const from = Math.max(start, at);
    if (end <= from) continue;
    parts.push(text.slice(at, from), text.slice(from, end).replace(/[^\n\r]/g, ' '));
    at = end;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Index just past the parenthesised group that starts at or after `from` (skipping blanks), or -1. */
function matchParens(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  if (text[i] !== '(') return -1;
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) return i + 1;
    } else if (c === ';' || c === '{') {
      return -1; // unbalanced within a statement: leave it to the parser
    }
  }
  return -1;
}

/**
 * Returns `text` with kernel annotations replaced by spaces (same length, same line breaks), or
 * `text` itself when there is nothing to blank.
 */
export function blankKernelAnnotations(text: string): string {
  if (!mayHaveAnnotations(text)) return text;
  const blanks: Blanks = [];
  ANNOTATION.lastIndex = 0;
  for (let m = ANNOTATION.exec(text); m !== null; m = ANNOTATION.exec(text)) {
    const word = m[0];
    const start = m.index;
    const end = start + word.length;
    if (callSet.has(word)) {
      const close = matchParens(text, end);
      if (close < 0) continue;
      blanks.push([start, close]);
      ANNOTATION.lastIndex = close;
    } else {
      blanks.push([start, end]);
    }
  }
  return applyBlanks(text, blanks);
}

/**
 * A call of a macro that takes a type as an argument: a type is not an expression, so the call
 * does not parse. Blanking the `struct`/`union` keyword inside turns the type into a plain
 * identifier, which does.
 */
const TYPE_ARGUMENT_CALL = new RegExp(`\\b(?:${TYPE_ARGUMENT_MACROS.join('|')})\\s*\\(`, 'g');

export function blankTypeArguments(text: string): string {
  if (!text.includes('struct') && !text.includes('union')) return text;
  const blanks: Blanks = [];
  TYPE_ARGUMENT_CALL.lastIndex = 0;
  for (let m = TYPE_ARGUMENT_CALL.exec(text); m !== null; m = TYPE_ARGUMENT_CALL.exec(text)) {
    const open = m.index + m[0].length - 1;
    const close = matchParens(text, open);
    if (close < 0) continue;
    const inner = text.slice(open, close);
    const keyword = /\b(struct|union)\s+(?=[A-Za-z_])/g;
    for (let k = keyword.exec(inner); k !== null; k = keyword.exec(inner)) {
      blanks.push([open + k.index, open + k.index + (k[1] as string).length]);
    }
  }
  return applyBlanks(text, blanks);
}

interface Directive {
  readonly kind: string;
  readonly arg: string;
  readonly lineStart: number;
  readonly lineEnd: number;
}

/** The same directive, found across the whole text in one pass (`m` flag: ^ and $ per line). */
const DIRECTIVES = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else|endif)\b([^\n]*)$/gm;

function directives(text: string): Directive[] {
  const found: Directive[] = [];
  DIRECTIVES.lastIndex = 0;
  for (let m = DIRECTIVES.exec(text); m !== null; m = DIRECTIVES.exec(text)) {
    found.push({ kind: m[1] as string, arg: (m[2] ?? '').trim(), lineStart: m.index, lineEnd: m.index + m[0].length });
  }
  return found;
}

/**
 * Blanks `#if 0` bodies always, and, when `alternates` is set, every `#else`/`#elif` branch: the
 * fallback used when the text does not parse because braces are balanced only per configuration
 * (`#ifdef A \n if (x) { \n #else \n if (y) { \n #endif`). Keeping only the first branch of each
 * conditional gives one consistent configuration, as `ctags` and `unifdef -k` do.
 */
export function blankConditionals(text: string, alternates: boolean): string {
  if (!text.includes('#')) return text;
  const list = directives(text);
  if (list.length === 0) return text;
  const blanks: Blanks = [];
  // Stack of open conditionals: whether we are blanking inside it, and from where.
  const stack: { blanking: boolean; from: number; outerBlanking: boolean }[] = [];
  const blanking = (): boolean => stack.length > 0 && (stack[stack.length - 1] as { blanking: boolean }).blanking;
  for (const d of list) {
    switch (d.kind) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        const outer = blanking();
        const isZero = d.kind === 'if' && /^0\b/.test(d.arg);
        stack.push({ blanking: outer || isZero, from: d.lineEnd, outerBlanking: outer });
        break;
      }
      case 'elif':
      case 'else': {
        const top = stack[stack.length - 1];
        if (!top) break;
        if (top.blanking && !top.outerBlanking) {
          // End of a blanked `#if 0` body: blank it, and keep this branch.
          blanks.push([top.from, d.lineStart]);
          top.blanking = false;
        } else if (!top.outerBlanking && alternates) {
          top.blanking = true;
        }
        top.from = d.lineStart;
        break;
      }
      case 'endif': {
        const top = stack.pop();
        if (top && top.blanking && !top.outerBlanking) blanks.push([top.from, d.lineStart]);
        break;
      }
    }
  }
  return applyBlanks(text, blanks);
}

/** Every word a preparation pass looks for: the annotations, the type-taking macros and the keywords they blank. */
const PREPARED_WORD = new RegExp(
  `(?<![A-Za-z0-9_])(?:${[...BARE_ANNOTATIONS, ...CALL_ANNOTATIONS, ...TYPE_ARGUMENT_MACROS, 'struct', 'union']
    .sort((a, b) => b.length - a.length)
    .join('|')})(?![A-Za-z0-9_])`,
);

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/** The whole lines of `text` around `[start, end)`. */
function linesAround(text: string, start: number, end: number): string {
  const from = text.lastIndexOf('\n', start - 1) + 1;
  const to = text.indexOf('\n', end);
  return text.slice(from, to < 0 ? text.length : to);
}

/**
 * `after`'s preparation, from the preparation `prepared` of `before` (in the same mode) when the
 * one change between them cannot change what any pass blanks; null when it might (then prepare
 * the whole text). A whole preparation was 1-1.5 ms of every edit of a 100 KB file, per mode.
 *
 * The passes look at directive lines (`#`), at the words of PREPARED_WORD and at the brackets
 * `(`, `)`, `;` and `{` that end their argument scans; they never read strings or comments. So
 * when the changed text holds no such bracket, and the lines it touches, in both texts, and the
 * lines of its nearest non-blank neighbours hold no `#` and no such word, every match of every
 * pass is the same match, moved. The change itself is then blanked exactly when it lies inside
 * a blanked range: such a range (a conditional's dropped branch, an annotation with its
 * arguments) reaches the change's nearest non-blank neighbours on both sides (a dropped branch
 * ends at a directive line, which has a `#`), so the change is copied as it is when both
 * neighbours are copied as they are, and null is returned otherwise.
 */
export function preparedAfterChange(
  before: string,
  prepared: string,
  after: string,
  change: { start: number; oldEnd: number; newEnd: number },
): string | null {
  const removed = before.slice(change.start, change.oldEnd);
  const inserted = after.slice(change.start, change.newEnd);
  if (/[#();{]/.test(removed) || /[#();{]/.test(inserted)) return null;
  let left = change.start - 1;
  while (left >= 0 && isSpace(before.charCodeAt(left))) left--;
  let right = change.oldEnd;
  while (right < before.length && isSpace(before.charCodeAt(right))) right++;
  if (left < 0 || right >= before.length) return null;
  if (prepared[left] !== before[left] || prepared[right] !== before[right]) return null;
  const lines = [linesAround(before, left, right), linesAround(after, left, right - change.oldEnd + change.newEnd)];
  if (lines.some((l) => l.includes('#') || PREPARED_WORD.test(l))) return null;
  return prepared.slice(0, change.start) + inserted + prepared.slice(change.oldEnd);
}
