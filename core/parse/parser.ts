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
import { blankConditionals, blankKernelAnnotations, blankTypeArguments } from './prepare';
import { blankBodies, topLevelFunctions, type LexicalFunction } from './focus';
import { parseProblems, type ParseProblem, type Point, type SyntaxNode, type SyntaxTree } from './syntax';

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

/** The smallest single edit that turns `before` into `after`: common prefix and suffix removed. */
function diffEdit(before: string, after: string): Parser.Edit | null {
  if (before === after) return null;
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (
    tail < max - start &&
    before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)
  ) {
    tail++;
  }
  const oldEnd = before.length - tail;
  const newEnd = after.length - tail;
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(before, start),
    oldEndPosition: pointAt(before, oldEnd),
    newEndPosition: pointAt(after, newEnd),
  };
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
}

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
      return native(parsedText, old);
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

  const parseWith = (text: string, previous: ParsedSource | undefined, options: ParseOptions): ParsedSource => {
    if (previous && !previous.focus) {
      const parsedText = prepare(text, previous.mode).text;
      const edit = diffEdit(previous.parsedText, parsedText);
      if (edit === null) return { ...previous, text };
      const old = previous.tree as unknown as Parser.Tree;
      old.edit(edit);
      return result(text, parsedText, run(parsedText, old), previous.mode);
    }
    let best = parseFresh(text, 'all-branches', options.focus);
    if (errorCount(best.parsed.problems) > 0 && /^[ \t]*#[ \t]*(else|elif)\b/m.test(text)) {
      const second = parseFresh(text, 'first-branch', options.focus);
      if (errorCount(second.parsed.problems) < errorCount(best.parsed.problems)) best = second;
    }
    if (best.blanked === 0) return best.parsed;
    let full: ParsedSource | null = null;
    return { ...best.parsed, focus: { blanked: best.blanked, full: () => (full ??= parse(text)) } };
  };

  return { parse };
}
