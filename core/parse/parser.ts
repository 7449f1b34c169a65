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
}

export interface CParser {
  /**
   * Parses `text`. With `previous` (the parse of an earlier version of the same document) the
   * old tree is edited and re-used, as tree-sitter's incremental parsing intends; `previous` must
   * not be used afterwards, because its tree now describes the new text.
   */
  parse(text: string, previous?: ParsedSource): ParsedSource;
}

function prepare(text: string, mode: PrepareMode): string {
  return blankConditionals(blankTypeArguments(blankKernelAnnotations(text)), mode === 'first-branch');
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

export function createCParser(): CParser {
  const parser = new Parser();
  parser.setLanguage(C as unknown as Parser.Language);

  const run = (parsedText: string, old?: Parser.Tree): Parser.Tree =>
    parser.parse(parsedText, old ?? null, { bufferSize: BUFFER_SIZE });

  const result = (text: string, parsedText: string, tree: Parser.Tree, mode: PrepareMode): ParsedSource => {
    const root = tree.rootNode as unknown as SyntaxNode;
    return { text, parsedText, tree: tree as unknown as SyntaxTree, root, problems: parseProblems(root), mode };
  };

  return {
    parse(text: string, previous?: ParsedSource): ParsedSource {
      if (previous) {
        const parsedText = prepare(text, previous.mode);
        const edit = diffEdit(previous.parsedText, parsedText);
        if (edit === null) return { ...previous, text };
        const old = previous.tree as unknown as Parser.Tree;
        old.edit(edit);
        return result(text, parsedText, run(parsedText, old), previous.mode);
      }
      const allBranches = prepare(text, 'all-branches');
      const first = result(text, allBranches, run(allBranches), 'all-branches');
      if (errorCount(first.problems) === 0 || !/^[ \t]*#[ \t]*(else|elif)\b/m.test(text)) return first;
      const firstBranch = prepare(text, 'first-branch');
      const second = result(text, firstBranch, run(firstBranch), 'first-branch');
      return errorCount(second.problems) < errorCount(first.problems) ? second : first;
    },
  };
}
