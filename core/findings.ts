/**
 * What a rule reports. Plain data, no editor types: the server maps it to LSP diagnostics and
 * code actions, the CLI to gcc/JSON/SARIF lines.
 *
 * Spans are UTF-16 offsets into the document (what JavaScript strings, tree-sitter's string
 * input and LSP all count in). Line/column ranges are 1-based; `endColumn` is exclusive, as in
 * SARIF (the column of the character after the region).
 */
import type { RuleId } from './rules/index';

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface LineColumnRange {
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** A replacement of `span` in the document by `newText`. Edits of one fix never overlap. */
export interface TextEdit {
  readonly span: Span;
  readonly newText: string;
}

export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
  /**
   * Safe fixes keep the code's meaning apart from the bug they fix and may be applied without a
   * human looking (`pinscope lint --fix`, `source.fixAll.pinscope`). Unsafe ones are offered, not
   * applied.
   */
  readonly safe: boolean;
}

export interface RelatedLocation {
  readonly span: Span;
  readonly range: LineColumnRange;
  readonly message: string;
  /**
   * Set when the place is in another file (a header's helper whose summary the finding used,
   * issue 12): that file's path, as the tree index gave it; `range` is in that file and `span`
   * means nothing. Absent for a place in the finding's own document.
   */
  readonly file?: string;
}

/** One step of the path a path-sensitive finding was found on. */
export interface PathStep {
  readonly span: Span;
  readonly range: LineColumnRange;
  readonly label: string;
}

export interface Finding {
  readonly rule: RuleId;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly range: LineColumnRange;
  readonly related: readonly RelatedLocation[];
  /** The kernel documentation section the rule follows. */
  readonly docsUrl: string;
  readonly fixes: readonly Fix[];
  /** The function the finding is in, when it is in one. */
  readonly function?: string;
  /** For path findings: the steps of the path, in order. */
  readonly path?: readonly PathStep[];
}

/** Whether the document could be analysed completely; editors show partial analyses. */
export interface AnalysisNote {
  readonly kind: 'parse-errors' | 'budget' | 'too-large' | 'binary' | 'encoding';
  readonly message: string;
  readonly span?: Span;
  readonly range?: LineColumnRange;
}
