/**
 * The one module that knows which parser core uses: tree-sitter with tree-sitter-c, through the
 * Node-API bindings. Everything else in core sees `SyntaxNode`/`SyntaxTree` from `syntax.ts`.
 *
 * A parse goes in two steps: `prepare` blanks kernel annotations (offset-preserving, see
 * prepare.ts), then tree-sitter parses. When the result has ERROR nodes and the file has
 * `#else`/`#elif` branches, we parse once more with only the first branch of each conditional and
 * keep whichever tree has fewer errors: braces that balance per configuration are the most common
 * reason kernel C does not parse as plain C.
 */
import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import { blankConditionals, blankKernelAnnotations, blankTypeArguments, preparedAfterChange } from './prepare';
import { blankBodies, topLevelFunctions, type LexicalFunction } from './focus';
import { changeBetween, changeWithin, type TextChange } from '../text/change';
import {
  parseProblems,
  parseProblemsWithin,
  type ParseProblem,
  type Point,
  type SyntaxNode,
  type SyntaxTree,
  TOP_LEVEL_CONTAINERS,
} from './syntax';

export type PrepareMode = 'all-branches' | 'first-branch';

export interface ParsedSource {
  /** The document as the user wrote it. Fixes copy text from here, never from `parsedText`. */
  readonly text: string;
  /** What the parser saw: `text` with annotations blanked; same length and line breaks. */
  readonly parsedText: string;
  readonly tree: SyntaxTree;
  readonly root: SyntaxNode;
  readonly problems: readonly ParseProblem[];
  readonly mode: PrepareMode;
  /** Set when the parse was focused: some function bodies were blanked before parsing. */
  readonly focus?: FocusedParse;
  /**
   * The parse in the other mode, when both were made and this one had fewer errors: kept so that
   * the next incremental parse decides between the modes exactly as a fresh parse would.
   */
  readonly other?: ParsedSource;
  /**
   * Set when this tree is the tree of `from` (the previous text, parsed in the same mode) with only
   * one top-level item, `[start, oldEnd)` of `from`, parsed again as `[start, newEnd)`: every node
   * outside it is the old one, where it was (before `start`) or moved by `newEnd - oldEnd` (after).
   * What the analysis read outside that item can be kept (core/fileAnalysis/walks.ts).
   */
  readonly reused?: ReusedTree;
}

/** See ParsedSource.reused. */
export interface ReusedTree {
  readonly from: string;
  readonly start: number;
  readonly oldEnd: number;
  readonly newEnd: number;
}

export interface FocusedParse {
  /** Function bodies blanked (their definitions are still in the tree, with empty bodies). */
  readonly blanked: number;
  /** The same document parsed in full, for the rare question about a blanked body (memoized). */
  full(): ParsedSource;
}

export interface ParseOptions {
  /**
   * Parse only some function bodies: given the file's top-level functions (found by a lexical
   * scan of `scannedText`, the document with preprocessor conditionals resolved but annotations
   * not yet blanked), returns the indices of those to keep. For batch lint, where a tree is
   * thrown away after the rules ran; never for an editor's incremental parse.
   */
  readonly focus?: (functions: readonly LexicalFunction[], scannedText: string) => ReadonlySet<number>;
  /**
   * Asked by tree-sitter while it parses (every hundred or so parser operations): true stops the
   * parse, which then throws `ParseStopped`. This is how a parse in a worker thread is given a
   * time budget: terminating the thread inside the native parse aborts the whole process
   * (`terminate called after throwing an instance of 'Napi::Error'`), stopping the parse does not.
   */
  readonly shouldStop?: () => boolean;
  /**
   * The change from `from` to the text being parsed, when the caller has found it already (the
   * editor session finds it once per edit: it used to be found four times in here and once more
   * by the session, 0.5-1 ms each on drivers/scsi/st.c). Used when `from` is `previous`'s text.
   */
  readonly edit?: KnownEdit;
}

/** A change of the text `from`, as changeBetween(from, text) gives it. */
export interface KnownEdit {
  readonly from: string;
  readonly change: TextChange | null;
}

/** The parse was stopped by `ParseOptions.shouldStop`; no tree was built. */
export class ParseStopped extends Error {
  constructor() {
    super('the parse was stopped before it finished');
    this.name = 'ParseStopped';
  }
}

export interface CParser {
  /**
   * Parses `text`. With `previous` (the parse of an earlier version of the same document) the
   * old tree is edited and re-used, as tree-sitter's incremental parsing intends; `previous` must
   * not be used afterwards, because its tree now describes the new text.
   */
  parse(text: string, previous?: ParsedSource, options?: ParseOptions): ParsedSource;
}

type Focus = NonNullable<ParseOptions['focus']>;

/** The change from `previous`'s text, found once for both modes (their texts are the document's). */
function foundOnce(previous: ParsedSource, text: string, known: KnownEdit | undefined): KnownEdit {
  return known && known.from === previous.text
    ? known
    : { from: previous.text, change: changeBetween(previous.text, text) };
}

/** ParsedSource.reused for a tree that changed only inside `edit`'s item. */
function reusedBy(previous: ParsedSource, edit: Parser.Edit): { reused: ReusedTree } {
  return {
    reused: { from: previous.text, start: edit.startIndex, oldEnd: edit.oldEndIndex, newEnd: edit.newEndIndex },
  };
}

/** What the parser sees of `text` in `mode`, from `previous` (its parse in that mode), and the change to it. */
function preparedEdit(
  previous: ParsedSource,
  text: string,
  mode: PrepareMode,
  known: KnownEdit | undefined,
): { parsedText: string; change: TextChange | null } {
  const textChange = known && known.from === previous.text ? known.change : changeBetween(previous.text, text);
  if (textChange === null) return { parsedText: previous.parsedText, change: null };
  const spliced = preparedAfterChange(previous.text, previous.parsedText, text, textChange);
  // A spliced text differs from the old one only inside the text's change: no need to compare the rest.
  if (spliced !== null) return { parsedText: spliced, change: changeWithin(previous.parsedText, spliced, textChange) };
  const parsedText = prepare(text, mode).text;
  return { parsedText, change: changeBetween(previous.parsedText, parsedText) };
}

/**
 * What the parser sees. Conditionals first: the focus scan needs `#if 0` blocks gone to find
 * balanced bodies; then the bodies the focus drops are blanked, so the annotation passes (the
 * slow part of preparing) run over mostly blank text.
 */
function prepare(text: string, mode: PrepareMode, focus?: Focus): { text: string; blanked: number } {
  let t = blankConditionals(text, mode === 'first-branch');
  let blanked = 0;
  const functions = focus ? topLevelFunctions(t) : null;
  if (focus && functions) {
    const keep = focus(functions, t);
    const drop = functions.filter((_, i) => !keep.has(i));
    t = blankBodies(t, drop);
    blanked = drop.length;
  }
  return { text: blankTypeArguments(blankKernelAnnotations(t)), blanked };
}

function errorCount(problems: readonly ParseProblem[]): number {
  let n = 0;
  for (const p of problems) if (p.kind === 'error') n++;
  return n;
}

function pointAt(text: string, index: number): Point {
  let row = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/** The point of `index`, from the point `from` of the earlier index `at` (the same text before both). */
function pointAfter(text: string, at: number, from: Point, index: number): Point {
  let row = from.row;
  let lineStart = at - from.column;
  for (let i = text.indexOf('\n', at); i >= 0 && i < index; i = text.indexOf('\n', i + 1)) {
    row++;
    lineStart = i + 1;
  }
  return { row, column: index - lineStart };
}

/** A change of `before` into `after` as tree-sitter wants it (the lines before it counted once, not three times). */
function editOf(before: string, after: string, change: TextChange): Parser.Edit {
  const start = pointAt(before, change.start);
  return {
    startIndex: change.start,
    oldEndIndex: change.oldEnd,
    newEndIndex: change.newEnd,
    startPosition: start,
    oldEndPosition: pointAfter(before, change.start, start, change.oldEnd),
    newEndPosition: pointAfter(after, change.start, start, change.newEnd),
  };
}

/**
 * The top-level item (a function definition, a declaration, an ERROR at top level; inside
 * `#if` blocks too) that strictly holds `[start, end)` of the old text, as its `[start, end)`;
 * null when the change reaches an item's first or last character, or lies between items.
 */
function itemAround(root: SyntaxNode, start: number, end: number): { start: number; end: number } | null {
  const path: SyntaxNode[] = [];
  for (let n: SyntaxNode | null = root.descendantForIndex(start); n; n = n.parent) path.push(n);
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i] as SyntaxNode;
    if (TOP_LEVEL_CONTAINERS.has(n.type)) continue;
    return start > n.startIndex && end < n.endIndex ? { start: n.startIndex, end: n.endIndex } : null;
  }
  return null;
}

/** `change` (inside the item `fn` of the old text) as a change of the whole item. */
function widened(change: TextChange, fn: { start: number; end: number }): TextChange {
  const delta = change.newEnd - change.oldEnd;
  return { start: fn.start, oldEnd: fn.end, newEnd: fn.end + delta };
}

/** Parse problems of the old text where they are after `edit` (those inside it are dropped). */
function movedProblems(problems: readonly ParseProblem[], edit: Parser.Edit): ParseProblem[] {
  const delta = edit.newEndIndex - edit.oldEndIndex;
  return problems.flatMap((p) => {
    if (p.endIndex <= edit.startIndex) return [p];
    if (p.startIndex >= edit.oldEndIndex)
      return [{ ...p, startIndex: p.startIndex + delta, endIndex: p.endIndex + delta }];
    return [];
  });
}

/**
 * The parse problems of `tree`, the old tree `old` edited by `edit` and parsed again; `before`
 * are the old problems moved by the edit. Only where tree-sitter says the tree changed (and in the
 * edit itself) can they differ. Null when the text must be parsed afresh: the edit was not a whole
 * item's (`wide`) or the tree changed outside it, and the problems there are not the old ones.
 */
function problemsAfter(
  before: readonly ParseProblem[],
  tree: Parser.Tree,
  old: Parser.Tree,
  edit: Parser.Edit,
  wide: boolean,
): { problems: readonly ParseProblem[]; confined: boolean } | null {
  const ranges = [
    ...tree.getChangedRanges(old).map((r) => ({ start: r.startIndex, end: r.endIndex })),
    { start: edit.startIndex, end: edit.newEndIndex },
  ];
  const near = (p: ParseProblem): boolean => ranges.some((r) => p.endIndex >= r.start && p.startIndex <= r.end);
  const within = parseProblemsWithin(tree.rootNode, ranges);
  if (wide && ranges.every((r) => r.start >= edit.startIndex && r.end <= edit.newEndIndex))
    return {
      problems: [...before.filter((p) => !near(p)), ...within].sort(
        (a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex,
      ),
      confined: true,
    };
  return sameProblems(before.filter(near), within) ? { problems: before, confined: false } : null;
}

/** The same problems, in any order. */
function sameProblems(a: readonly ParseProblem[], b: readonly ParseProblem[]): boolean {
  const key = (p: ParseProblem): string => `${p.kind}:${p.startIndex}:${p.endIndex}:${p.token ?? ''}`;
  const keys = (ps: readonly ParseProblem[]): string => ps.map(key).sort().join();
  return a.length === b.length && keys(a) === keys(b);
}

/** tree-sitter reads a JS string through a callback; a larger buffer means fewer calls on big files. */
const BUFFER_SIZE = 1 << 16;

export interface CParserOptions {
  /**
   * Called with true just before tree-sitter's native parse starts and with false when it has
   * returned (each of the one or two parses a document takes). A worker thread must not be
   * terminated in between: the native parse calls back into JavaScript, and a termination there
   * aborts the whole process. Thread owners record it where the terminating thread can read it
   * (a SharedArrayBuffer) and ask the parse to stop (`shouldStop`) instead.
   */
  readonly onNativeParse?: (inside: boolean) => void;
  /**
   * Called after each native parse that built a tree, with the length of the text parsed.
   * tree-sitter's node binding keeps a tree in native memory that V8 is never told about and
   * frees it only when V8 collects the tree's wrapper; a thread that parses many files uses this
   * to collect garbage as that memory grows (batch/nativeMemory.ts).
   */
  readonly onTreeBuilt?: (chars: number) => void;
}

/**
 * How an edited document is parsed (parseMode, inside): `text` parsed in `mode`, re-using
 * `previous` (a parse of the old text in the same mode) when there is one. tree-sitter's error recovery can end differently when it re-uses a tree (it
 * re-uses a statement a fresh parse would have recovered through), so:
 *  - an edit strictly inside one top-level item (a function definition, or what a broken one
 *    parsed as) is given to tree-sitter as an edit of the whole item: nothing inside it is
 *    re-used, and it is parsed as a fresh parse parses it, from the same place with the same
 *    text before it. When the tree changed only inside that item, that is the tree (replayed
 *    against fresh parses on six kernel files: 1,901 of 1,901 equal, where re-using the
 *    statements gave 5 different trees in 2,400 edits; test/unit/parse.test.ts replays more);
 *  - otherwise, when the parse problems are not the old ones (moved by the edit), the text is
 *    parsed afresh, so that an edit always gives the tree a fresh parse gives.
 * Both keep an edit inside a function from costing a whole parse of the file (22 ms of CPU for
 * drivers/scsi/st.c, once per preprocessor mode), which typing inside a function nearly always
 * did: a half-typed statement is a parse error.
 */
export function createCParser(options: CParserOptions = {}): CParser {
  const parser = new Parser();
  parser.setLanguage(C);
  const mark = options.onNativeParse;

  // tree-sitter's node binding keeps every progress callback it is given alive for good (a
  // persistent reference per parse that is never released), so the parser has one small callback
  // that reads the current parse's `shouldStop`, and passes it only when there is one.
  let stop: (() => boolean) | undefined;
  const progressCallback = (): boolean => stop?.() === true;
  const native = (parsedText: string, old?: Parser.Tree): Parser.Tree => {
    if (!stop) return parser.parse(parsedText, old ?? null, { bufferSize: BUFFER_SIZE });
    const tree = parser.parse(parsedText, old ?? null, { bufferSize: BUFFER_SIZE, progressCallback }) as
      Parser.Tree | undefined;
    if (tree) return tree;
    // A halted parse resumes where it stopped on the next call unless the parser is reset.
    parser.reset();
    throw new ParseStopped();
  };
  const run = (parsedText: string, old?: Parser.Tree): Parser.Tree => {
    mark?.(true);
    try {
      // Asked once more after the mark: a stop requested by a thread that read "not inside" just
      // before the mark is seen here, before the native code starts.
      if (stop?.() === true) throw new ParseStopped();
      const tree = native(parsedText, old);
      options.onTreeBuilt?.(parsedText.length);
      return tree;
    } finally {
      mark?.(false);
    }
  };

  const result = (text: string, parsedText: string, tree: Parser.Tree, mode: PrepareMode): ParsedSource => {
    const root = tree.rootNode as unknown as SyntaxNode;
    return { text, parsedText, tree, root, problems: parseProblems(root), mode };
  };

  const parseFresh = (text: string, mode: PrepareMode, focus?: Focus): { parsed: ParsedSource; blanked: number } => {
    const prepared = prepare(text, mode, focus);
    return { parsed: result(text, prepared.text, run(prepared.text), mode), blanked: prepared.blanked };
  };

  const parse = (text: string, previous?: ParsedSource, options: ParseOptions = {}): ParsedSource => {
    stop = options.shouldStop;
    try {
      return parseWith(text, previous, options);
    } finally {
      stop = undefined;
    }
  };

  /** `text` parsed in `mode`, re-using `previous` (see above createCParser). */
  const parseMode = (
    text: string,
    mode: PrepareMode,
    previous: ParsedSource | undefined,
    known: KnownEdit | undefined,
  ): ParsedSource => {
    if (!previous) return parseFresh(text, mode).parsed;
    const { parsedText, change } = preparedEdit(previous, text, mode, known);
    if (change === null) return { ...previous, text, other: undefined, reused: undefined };
    const fn = itemAround(previous.root, change.start, change.oldEnd);
    const edit = editOf(previous.parsedText, parsedText, fn ? widened(change, fn) : change);
    const old = previous.tree as unknown as Parser.Tree;
    const before = movedProblems(previous.problems, edit);
    old.edit(edit);
    const tree = run(parsedText, old);
    const after = problemsAfter(before, tree, old, edit, fn !== null);
    if (after === null) return parseFresh(text, mode).parsed;
    const { problems, confined } = after;
    // Only the item changed: the rest of the tree is the old one (moved by the edit).
    return {
      text,
      parsedText,
      tree,
      root: tree.rootNode,
      problems,
      mode,
      ...(confined ? reusedBy(previous, edit) : {}),
    };
  };

  /**
   * An edited document, decided as a fresh parse decides (below): the all-branches parse, and
   * when it has errors and the file has #else/#elif, the first-branch parse too, each re-using
   * the old tree of its mode.
   */
  const reparse = (text: string, previous: ParsedSource, known: KnownEdit | undefined): ParsedSource => {
    const old = (mode: PrepareMode): ParsedSource | undefined =>
      previous.mode === mode ? previous : previous.other?.mode === mode ? previous.other : undefined;
    const edit = foundOnce(previous, text, known);
    const all = parseMode(text, 'all-branches', old('all-branches'), edit);
    if (errorCount(all.problems) === 0 || !/^[ \t]*#[ \t]*(else|elif)\b/m.test(text)) return all;
    const first = parseMode(text, 'first-branch', old('first-branch'), edit);
    return errorCount(first.problems) < errorCount(all.problems) ? { ...first, other: all } : { ...all, other: first };
  };

  const parseWith = (text: string, previous: ParsedSource | undefined, options: ParseOptions): ParsedSource => {
    if (previous && !previous.focus) return reparse(text, previous, options.edit);
    let best = parseFresh(text, 'all-branches', options.focus);
    let other: ParsedSource | undefined;
    if (errorCount(best.parsed.problems) > 0 && /^[ \t]*#[ \t]*(else|elif)\b/m.test(text)) {
      const second = parseFresh(text, 'first-branch', options.focus);
      if (errorCount(second.parsed.problems) < errorCount(best.parsed.problems)) {
        other = best.parsed;
        best = second;
      } else other = second.parsed;
    }
    if (best.blanked === 0) return other && !options.focus ? { ...best.parsed, other } : best.parsed;
    let full: ParsedSource | null = null;
    return { ...best.parsed, focus: { blanked: best.blanked, full: () => (full ??= parse(text)) } };
  };

  return { parse };
}
