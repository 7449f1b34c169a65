/**
 * What the analysis of one translation unit gives the rules, the fixes and the simulation: the
 * parse, the analysed functions, the in-file helpers' summaries, and file-wide lookups.
 */
import type { ParsedSource } from '../parse/parser';
import type { SyntaxNode } from '../parse/syntax';
import type { KernelVersion } from '../catalog/version';
import type { BudgetLimit, BudgetMeter } from '../analysis/budget';
import type { MacroDef } from '../analysis/flags';
import type { FunctionInfo, Variable } from '../analysis/functions';
import type { HelperSummaries } from '../analysis/ops';
import type { FunctionAnalysis } from '../analysis/types';
import type { LineIndex } from '../text/lineIndex';
import type { FileWalks } from './walks';

export interface FileAnalysis {
  readonly parsed: ParsedSource;
  readonly version: KernelVersion;
  readonly lines: LineIndex;
  readonly globals: ReadonlyMap<string, Variable>;
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly helpers: HelperSummaries;
  readonly functions: readonly FunctionAnalysis[];
  /** The file registers an MMU notifier (pin_user_pages.rst case 3). */
  readonly mmuNotifier: boolean;
  /** Functions defined in the file, by name. */
  readonly defined: ReadonlySet<string>;
  /** Every `field = value;` in the file, by the field's file-wide key (`st_buffer::mapped_pages`). */
  fieldStores(fileKey: string): readonly FieldStore[];
  /** The file's analysis budget: the path walks of its functions spend from it too. */
  readonly meter: BudgetMeter;
  /** Functions the budget left unanalysed (their CFG was not finished): no findings there. */
  readonly skipped: readonly SkippedFunction[];
  /**
   * Every function definition the analysis considered, in file order, and whether it is relevant
   * (worth a graph; analysed unless AnalyzeOptions.only left it out). The editor session checks an
   * edit against these (core/session/units.ts).
   */
  readonly definitions: readonly { readonly info: FunctionInfo; readonly relevant: boolean }[];
  /** The whole-file walks' results without nodes, for the next edit's analysis (walks.ts); ask before the tree is edited. */
  walks(): FileWalks;
  /** Names of the in-file helpers that had a summary in any round: their callers' operations depend on it. */
  readonly summarised: ReadonlySet<string>;
}

export interface SkippedFunction {
  readonly info: FunctionInfo;
  readonly limit: BudgetLimit;
}

export interface FieldStore {
  readonly fn: FunctionInfo;
  readonly left: SyntaxNode;
  readonly right: SyntaxNode;
}
