/**
 * core's front door: everything the language server, the CLI and whole-tree runs (batch/) use of
 * core, and nothing else. They import from here only (test/unit/architecture.test.ts holds them
 * to it), so core's inside can be rearranged without touching them.
 *
 * - An editor works through a session: `createSession` → `update(uri, text)` per edit (findings,
 *   notes, simulation targets; the incremental parse tree and the lint memo are the session's),
 *   `simulate(uri, request)`, `forget(uri)`.
 * - A one-shot lint of a text is `lintText`; whole-tree runs add files and threads around it (batch/).
 * - The rest is the vocabulary those answers are written in: findings, rules, fixes, SARIF, the
 *   catalog's kernel versions, the simulation's reports and the `.pinsim` trace format.
 */

// ─── Sessions (editors) ────────────────────────────────────────────────────────────────────────────
export { createSession, type SessionUpdate } from './session/session';
export {
  simulateTraceDocument,
  type ChosenPath,
  type FunctionSimulation,
  type PathSummary,
  type TraceDocumentSimulation,
} from './session/simulate';
export { PREFILTER_NEEDLES, textMayContainCatalogued } from './session/needles';

// ─── Linting ───────────────────────────────────────────────────────────────────────────────────────
export { defaultParser, lintText, type LintOptions, type RuleSetting } from './lint';
export type { AnalysisBudget } from './analysis/budget';
export { createCParser, ParseStopped, type CParser } from './parse/parser';
export type { AnalysisNote, Finding, Fix, LineColumnRange, Severity, TextEdit } from './findings';
export { hoverFor } from './hover';

// ─── Rules, fixes and reports ──────────────────────────────────────────────────────────────────────
export { isRuleId, RULE_IDS, ruleDocsUrl, ruleMeta, rulePagePath, type RuleId } from './rules/index';
export { selectSafeFixes } from './fixes/select';
export { applyEdits } from './fixes/edits';
export { toSarif, type AbsentResult } from './report/sarif';
export { FINGERPRINT_KEY, fingerprintFindings } from './report/fingerprint';
export { compareWithBaseline } from './report/baseline';
export { unifiedDiff } from './text/diff';
export { LineIndex } from './text/lineIndex';

// ─── Across files (issue 12): what a file exports to its tree, what it is told about it ────────────
export {
  defineHeaderFacts,
  fileFacts,
  keptBodiesForSummaries,
  type ExportedFunction,
  type FileFacts,
} from './fileAnalysis/fileFacts';
export { externalFactsHash, type ExternalFacts } from './fileAnalysis/external';
export { calledNamesIn } from './analysis/relevance';
export type { FactOrigin, HelperSummary, WrapperMacro } from './analysis/summaryTypes';
export type { MacroDef } from './analysis/flags';

// ─── The catalog ───────────────────────────────────────────────────────────────────────────────────
export {
  compareVersions,
  formatVersion,
  NEWEST_KNOWN,
  OLDEST_KNOWN,
  parseKernelVersion,
  unsupportedVersion,
  type KernelVersion,
} from './catalog/version';
export { ACQUIRE_APIS, RELEASE_APIS } from './catalog/gup';

// ─── Simulation and traces (the CLI's extract/simulate, the panel's data) ──────────────────────────
export { analyzeFile } from './fileAnalysis/analyzeFile';
export { type FileAnalysis } from './fileAnalysis/types';
export {
  extractTraces,
  findFunction,
  formatPathMarkdown,
  formatStepTable,
  simulateFunction,
  simulateTraceText,
} from './sim/index';
// The limits of a simulation (--pages, the panel).
export { MAX_PAGES } from './sim/limits';
export { markdownCell, markdownCode } from './sim/markdown';
export { pageRangeLabel } from './sim/table';
export type { PageState, SimOptions, SimPath, SimStep, SimTarget, SimulationReport } from './sim/types';
export { parseTrace } from './trace/parse';
export { printTrace, traceToJson } from './trace/print';
export { formatTraceError, type TraceError } from './trace/types';
