/**
 * The syntax-tree shape the analysis relies on. It is the subset of tree-sitter's `SyntaxNode`
 * that core uses, declared here so that only `parser.ts` knows which parser produced it: a second
 * backend (web-tree-sitter for a browser build, say) only has to produce nodes of this shape.
 *
 * Offsets (`startIndex`/`endIndex`) are UTF-16 code units into the text that was parsed, which is
 * the same length and line structure as the document (see `prepare.ts`).
 */
export interface Point {
  readonly row: number;
  readonly column: number;
}

export interface SyntaxNode {
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Point;
  readonly endPosition: Point;
  readonly parent: SyntaxNode | null;
  readonly children: SyntaxNode[];
  readonly namedChildren: SyntaxNode[];
  readonly childCount: number;
  readonly namedChildCount: number;
  readonly firstChild: SyntaxNode | null;
  readonly firstNamedChild: SyntaxNode | null;
  readonly lastChild: SyntaxNode | null;
  readonly nextSibling: SyntaxNode | null;
  readonly nextNamedSibling: SyntaxNode | null;
  readonly previousSibling: SyntaxNode | null;
  readonly previousNamedSibling: SyntaxNode | null;
  readonly isNamed: boolean;
  readonly isMissing: boolean;
  readonly isError: boolean;
  readonly hasError: boolean;
  readonly id: number;
  child(index: number): SyntaxNode | null;
  childForFieldName(fieldName: string): SyntaxNode | null;
  childrenForFieldName(fieldName: string): SyntaxNode[];
  descendantsOfType(types: string | string[]): SyntaxNode[];
  /** A cursor for fast traversal: no node objects are made until one is asked for. */
  walk(): TreeCursor;
  descendantForIndex(index: number): SyntaxNode;
  namedDescendantForIndex(startIndex: number, endIndex: number): SyntaxNode;
}

/**
 * Nodes whose children are top-level items (function definitions, declarations): the file, `#if`
 * blocks and their arms, `extern "C" { … }`. Top-level ERROR nodes hold items too, but are items
 * themselves to an incremental parse.
 */
export const TOP_LEVEL_CONTAINERS: ReadonlySet<string> = new Set([
  'translation_unit',
  'preproc_if',
  'preproc_ifdef',
  'preproc_else',
  'preproc_elif',
  'preproc_elifdef',
  'linkage_specification',
  'declaration_list',
]);

/** tree-sitter's TreeCursor, the parts core uses. */
export interface TreeCursor {
  readonly nodeType: string;
  readonly nodeIsMissing: boolean;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly currentNode: SyntaxNode;
  gotoFirstChild(): boolean;
  /**
   * To the first child that ends after `index`. The binding returns the child's position among
   * the children (0 is a success) or null when there is none; its typings say boolean.
   */
  gotoFirstChildForIndex(index: number): number | boolean | null;
  gotoNextSibling(): boolean;
  gotoParent(): boolean;
}

/** A change to a document, in the offsets and rows/columns of the old and new texts. */
export interface TreeEdit {
  startIndex: number;
  oldEndIndex: number;
  newEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  newEndPosition: Point;
}

export interface SyntaxTree {
  readonly rootNode: SyntaxNode;
  edit(edit: TreeEdit): SyntaxTree;
}

/** Where the parser gave up on part of the text: an ERROR node or a token it had to invent. */
export interface ParseProblem {
  readonly kind: 'error' | 'missing';
  readonly startIndex: number;
  readonly endIndex: number;
  /** For `missing`: the token tree-sitter inserted (e.g. `;`). */
  readonly token?: string;
}

/**
 * Walks a tree depth-first, calling `visit` for every node; `visit` returns false to skip a
 * subtree. Uses a tree cursor: with the Node-API binding, reading `children` builds a JS object for
 * every child, which dominated analysis time before this walked with a cursor.
 */
export function walk(node: SyntaxNode, visit: (node: SyntaxNode) => boolean | void): void {
  const cursor = node.walk();
  for (;;) {
    const descend = visit(cursor.currentNode) !== false;
    if (descend && cursor.gotoFirstChild()) continue;
    let depthGuard = 0;
    for (;;) {
      // A cursor made from `node` treats it as the root: no siblings there, no parent above it.
      if (cursor.gotoNextSibling()) break;
      if (!cursor.gotoParent()) return;
      if (++depthGuard > 1_000_000) return;
    }
  }
}

/**
 * Like `walk`, but only node types are looked at until `wanted(type)` says a node is worth
 * materialising: for scans that need a few node kinds out of a whole file.
 */
export function walkTypes(
  node: SyntaxNode,
  wanted: (type: string) => 'visit' | 'skip' | 'descend' | 'visit-descend',
  visit: (node: SyntaxNode) => void,
): void {
  const cursor = node.walk();
  let depth = 0;
  for (;;) {
    const decision = wanted(cursor.nodeType);
    if (decision === 'visit' || decision === 'visit-descend') visit(cursor.currentNode);
    if ((decision === 'descend' || decision === 'visit-descend') && cursor.gotoFirstChild()) {
      depth++;
      continue;
    }
    for (;;) {
      if (depth === 0) return;
      if (cursor.gotoNextSibling()) break;
      cursor.gotoParent();
      depth--;
    }
  }
}

/**
 * Visits every node of one of `types` under `node` (itself included), in document order, descending
 * into the matches too: walkTypes' `X ? 'visit-descend' : 'descend'` shape. tree-sitter finds them
 * in one native walk (`descendantsOfType`), where a cursor walk from JavaScript crosses into the
 * binding three or four times per node of the body; such walks over whole function bodies were a
 * tenth of a whole-tree lint's CPU (profile in docs/benchmarks.md, "Whole-tree lint").
 */
export function forEachOfType(node: SyntaxNode, types: readonly string[], visit: (node: SyntaxNode) => void): void {
  for (const found of node.descendantsOfType([...types])) visit(found);
}

/** ERROR nodes and MISSING tokens under `root`, in document order. */
export function parseProblems(root: SyntaxNode): ParseProblem[] {
  return parseProblemsWithin(root, null);
}

/** Whether `gotoFirstChildForIndex` moved (see TreeCursor). */
const movedDown = (result: number | boolean | null): boolean => result !== null && result !== false;

/**
 * The parse problems that touch one of `ranges` (offsets, ends inclusive; null: everywhere):
 * after an incremental parse, only where the tree changed is walked (the rest is the old tree).
 */
export function parseProblemsWithin(
  root: SyntaxNode,
  ranges: readonly { start: number; end: number }[] | null,
): ParseProblem[] {
  const problems: ParseProblem[] = [];
  if (!root.hasError) return problems;
  const visit = (node: SyntaxNode): boolean => {
    if (node.isError) {
      problems.push({ kind: 'error', startIndex: node.startIndex, endIndex: node.endIndex });
      return true;
    }
    if (node.isMissing) {
      problems.push({ kind: 'missing', startIndex: node.startIndex, endIndex: node.endIndex, token: node.type });
      return false;
    }
    return node.hasError;
  };
  if (ranges === null) {
    walk(root, visit);
    return problems;
  }
  if (ranges.length === 0) return problems;
  // The walk of `walk`, pruned by the cursor's offsets before a node is materialised, and jumping
  // to the first child that can touch a range: a file's top level has hundreds of items, and
  // visiting each of them was most of the time an edit's parse spent here (1-2 ms per mode).
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of ranges) {
    lo = Math.min(lo, r.start);
    hi = Math.max(hi, r.end);
  }
  const touches = (start: number, end: number): boolean => ranges.some((r) => end >= r.start && start <= r.end);
  const cursor = root.walk();
  for (;;) {
    const descend = touches(cursor.startIndex, cursor.endIndex) && visit(cursor.currentNode);
    // Children ending before `lo` touch nothing (two characters of slack: ends are inclusive).
    if (descend && movedDown(cursor.gotoFirstChildForIndex(Math.max(0, lo - 2)))) continue;
    for (;;) {
      // Siblings come in order: one that starts after `hi` and all after it touch nothing.
      if (cursor.gotoNextSibling() && cursor.startIndex <= hi) break;
      if (!cursor.gotoParent()) return problems;
    }
  }
}
