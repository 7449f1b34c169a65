/**
 * Linting one document: parse (or take a parse), analyse, run the rules, apply the user's rule
 * configuration and `pinscope-ignore` comments. Plain data in, plain data out.
 */
import { createCParser, type CParser, type ParsedSource } from './parse/parser';
import { analyzeFile } from './fileAnalysis/analyzeFile';
import { type FileAnalysis } from './fileAnalysis/types';
import { buildLinkage } from './fileAnalysis/linkage';
import type { AnalysisNote, Finding, Severity } from './findings';
import type { KernelVersion } from './catalog/version';
import { describeLimit, type AnalysisBudget } from './analysis/budget';
import type { SyntaxNode } from './parse/syntax';
import { RULES, type RuleId } from './rules/index';
import type { LineIndex } from './text/lineIndex';
import { holdsResources, pathsOf } from './fileAnalysis/paths';
import { keptBodies } from './analysis/relevance';
import { externalNames, type ExternalFacts } from './fileAnalysis/external';
import { withCrossFileRelated } from './fileAnalysis/crossFileRelated';

export interface RuleSetting {
  readonly enabled?: boolean;
  readonly severity?: Severity;
}

export interface LintOptions {
  readonly kernelVersion: KernelVersion;
  readonly rules?: Readonly<Partial<Record<RuleId, RuleSetting>>>;
  /**
   * Parse only the function bodies the rules can look at (batch lint). Findings are the same as
   * a full parse; parse-error notes then cover only the code that was parsed.
   */
  readonly focus?: boolean;
  /**
   * A time and work budget for the file (core/analysis/budget.ts: a deadline on a clock the caller
   * passes, and deterministic step/state/statement caps). When it is spent, the analysis stops,
   * keeps the findings made so far, and adds a `budget` note for each function it did not finish.
   */
  readonly budget?: AnalysisBudget;
  /**
   * Asked while the text is parsed (tree-sitter's progress callback), and true stops the parse
   * (ParseStopped is thrown): the part of a file's time budget `budget` cannot see, since the
   * analysis starts only after the parse (batch/lintFile.ts passes both).
   */
  readonly shouldStop?: () => boolean;
  /**
   * What the rest of the tree says about the functions and macros the file uses but does not
   * define (issue 12; batch/index/ gives it from the tree index). Without it a file is linted on
   * its own, as before.
   */
  readonly external?: ExternalFacts;
}

export interface LintResult {
  readonly findings: readonly Finding[];
  readonly notes: readonly AnalysisNote[];
  /** Functions that were analysed (called a catalogued or relevant function). */
  readonly functionsAnalysed: number;
}

let sharedParser: CParser | null = null;

/** One parser per thread: creating a tree-sitter parser is cheap, but there is no reason to repeat it. */
export function defaultParser(): CParser {
  sharedParser ??= createCParser();
  return sharedParser;
}

const IGNORE = /pinscope-ignore(?:-next-line)?(?:[ \t:]+([a-z0-9-]+(?:[ \t]*,[ \t]*[a-z0-9-]+)*))?/g;

/** Lines (1-based) with `pinscope-ignore [rule, ...]` comments, and the rules each silences (empty = all). */
function ignoreDirectives(text: string, lines: LineIndex): Map<number, Set<string>> {
  const map = new Map<number, Set<string>>();
  if (!text.includes('pinscope-ignore')) return map;
  IGNORE.lastIndex = 0;
  for (let m = IGNORE.exec(text); m !== null; m = IGNORE.exec(text)) {
    const line = lines.position(m.index).line + 1;
    const ids = (m[1] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    map.set(line, new Set(ids));
  }
  return map;
}

function suppressed(finding: Finding, directives: Map<number, Set<string>>): boolean {
  for (const line of [finding.range.line, finding.range.line - 1]) {
    const ids = directives.get(line);
    if (ids && (ids.size === 0 || ids.has(finding.rule))) return true;
  }
  return false;
}

/** The note for a document that did not parse in full (one, at its most specific broken place). */
/**
 * How many of `spans` lie inside no longer one. One sort and a sweep: a file of garbage has
 * thousands of ERROR nodes, and comparing each with every other took most of its lint time.
 */
function outermost(spans: readonly { readonly startIndex: number; readonly endIndex: number }[]): number {
  const sorted = [...spans].sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
  let count = 0;
  let endBefore = -1; // the furthest end of the spans that start before `start`
  let start = -1;
  let groupEnd = -1; // the furthest end of the spans that start at `start`: the first of them
  for (const span of sorted) {
    if (span.startIndex !== start) {
      endBefore = Math.max(endBefore, groupEnd);
      start = span.startIndex;
      groupEnd = span.endIndex;
    }
    // Inside no span that starts earlier and ends no sooner, nor one that starts here and ends later.
    if (endBefore < span.endIndex && span.endIndex === groupEnd) count++;
  }
  return count;
}

export function parseNotes(parsed: ParsedSource, lines: LineIndex): AnalysisNote[] {
  const errors = parsed.problems.filter((p) => p.kind === 'error');
  if (errors.length === 0) return [];
  // Regions: ERROR nodes not inside another. The place to show is the most specific one (an
  // ERROR around a whole truncated function says less than the token where it broke).
  const regions = outermost(errors);
  const specific = [...errors, ...parsed.problems.filter((p) => p.kind === 'missing')].sort(
    (a, b) => a.endIndex - a.startIndex - (b.endIndex - b.startIndex) || a.startIndex - b.startIndex,
  )[0] as (typeof errors)[number];
  const span = { start: specific.startIndex, end: specific.endIndex };
  const range = lines.range(span);
  const where =
    range.line === range.endLine
      ? `${range.line}:${range.column}`
      : `${range.line}:${range.column}–${range.endLine}:${range.endColumn}`;
  return [
    {
      kind: 'parse-errors',
      message: `${regions} part${regions === 1 ? '' : 's'} of the file did not parse as C (${where}); findings there may be missing`,
      span,
      range,
    },
  ];
}

/** What the rules say about the analysed functions, before the user's settings and suppressions. */
export function ruleFindings(file: FileAnalysis): Finding[] {
  const linkage = buildLinkage(file);
  const raw: Finding[] = [];
  for (const rule of RULES) raw.push(...rule.run(file, linkage));
  return raw;
}

/**
 * The findings of a document as reported: the rule settings and `pinscope-ignore` comments
 * applied, sorted by position, repeats dropped. `raw` may come from several analyses of the same
 * text (the editor session lints a file unit by unit).
 */
export function finishFindings(
  raw: readonly Finding[],
  text: string,
  lines: LineIndex,
  options: Pick<LintOptions, 'rules'>,
): Finding[] {
  const directives = ignoreDirectives(text, lines);
  const findings: Finding[] = [];
  for (const f of raw) {
    const setting = options.rules?.[f.rule];
    if (setting?.enabled === false) continue;
    if (suppressed(f, directives)) continue;
    findings.push(setting?.severity ? { ...f, severity: setting.severity } : f);
  }
  findings.sort((a, b) => a.span.start - b.span.start || a.rule.localeCompare(b.rule) || a.span.end - b.span.end);
  return dedupe(findings);
}

export function lintAnalysis(file: FileAnalysis, options: LintOptions): LintResult {
  const raw = withCrossFileRelated(ruleFindings(file), file, options.external);
  return {
    findings: finishFindings(raw, file.parsed.text, file.lines, options),
    notes: [...parseNotes(file.parsed, file.lines), ...budgetNotes(file)],
    functionsAnalysed: file.functions.length,
  };
}

/** Functions whose paths did not all fit in the budget, or that were not analysed: said, never silently dropped. */
export function budgetNotes(file: FileAnalysis): AnalysisNote[] {
  const notes: AnalysisNote[] = [];
  const note = (name: SyntaxNode, message: string): void => {
    const span = { start: name.startIndex, end: name.endIndex };
    notes.push({ kind: 'budget', message, span, range: file.lines.range(span) });
  };
  for (const fn of file.functions) {
    if (!holdsResources(fn)) continue;
    const paths = pathsOf(file, fn);
    if (!paths.partial) continue;
    note(
      fn.info.nameNode,
      paths.budgetLimit
        ? `${fn.info.name}(): analysis budget exhausted (${describeLimit(paths.budgetLimit)}); analysed ${paths.paths.length} paths (${paths.steps} steps), the rest was not checked`
        : `${fn.info.name}(): too many paths; analysed the first ${paths.paths.length} (${paths.steps} steps), the rest was not checked`,
    );
  }
  for (const s of file.skipped)
    note(s.info.nameNode, `${s.info.name}(): analysis budget exhausted (${describeLimit(s.limit)}); not analysed`);
  return notes;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}:${f.span.start}:${f.span.end}:${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Analyse → lint: the one sequence every front end runs after its own parse (a one-shot parse in
 * lintText, an incremental parse in the editor session). The analysis comes back too, for what
 * else a caller reads from it (simulation targets, which functions were analysed).
 */
export function analyseAndLint(
  parsed: ParsedSource,
  options: LintOptions,
): { readonly file: FileAnalysis; readonly result: LintResult } {
  const file = analyzeFile(
    parsed,
    options.kernelVersion,
    options.budget,
    options.external ? { external: options.external } : {},
  );
  return { file, result: lintAnalysis(file, options) };
}

function lintParsed(parsed: ParsedSource, options: LintOptions): LintResult {
  return analyseAndLint(parsed, options).result;
}

/** The bodies a focused parse keeps: those relevance picks, knowing the other files' facts. */
function focusFor(external: ExternalFacts | undefined): typeof keptBodies {
  if (!external) return keptBodies;
  const names = externalNames(external);
  return (functions, text) => keptBodies(functions, text, names);
}

export function lintText(text: string, options: LintOptions, parser: CParser = defaultParser()): LintResult {
  const parse = {
    ...(options.focus ? { focus: focusFor(options.external) } : {}),
    ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
  };
  return lintParsed(parser.parse(text, undefined, parse), options);
}
