/**
 * Linting a document edit by edit, re-analysing only the functions an edit can change.
 *
 * A full lint analyses the file and then runs the rules unit by unit (units.ts): the findings,
 * notes and simulation targets of each unit are kept with the facts that decided the units. On
 * the next edit, when the change lies inside one function's body and leaves the rest of the tree
 * as it was, only the units that function and its stores belong to are analysed again, on the new
 * tree (analyzeFile's `only`); every other unit's results are moved by the edit's length. The
 * new facts must link the re-analysed functions to nothing outside them, or the edit is linted
 * in full. Anything else (a change across functions or outside bodies, a different set of
 * analysed functions, a spent budget) is linted in full too. test/unit/incremental.test.ts
 * replays edits on real files and asserts that the result equals a fresh lint exactly.
 */
import type { AnalysisBudget } from '../analysis/budget';
import { functionsIn, type FunctionInfo } from '../analysis/functions';
import { relevantFunctions } from '../analysis/relevance';
import type { KernelVersion } from '../catalog/version';
import { analyzeFile } from '../fileAnalysis/analyzeFile';
import type { FileAnalysis } from '../fileAnalysis/types';
import type { AnalysisNote, Finding } from '../findings';
import { budgetNotes, finishFindings, lintAnalysis, parseNotes, ruleFindings, type LintOptions } from '../lint';
import type { ParsedSource } from '../parse/parser';
import type { ParseProblem } from '../parse/syntax';
import { simulationTargets } from '../sim/index';
import type { SimTarget } from '../sim/types';
import { LineIndex } from '../text/lineIndex';
import { changeBetween, type TextChange } from '../text/change';
import { movedOffset, Mover, quotedLineFloor, spansOf, touches } from './move';
import { factsOf, fieldOfKey, inertFacts, lexicalFacts, linksOf, unitsOf, type FunctionFacts } from './units';

export interface LintRequest {
  readonly kernelVersion: KernelVersion;
  readonly rules?: LintOptions['rules'];
  readonly budget?: AnalysisBudget;
  /** Equal contexts: the same kernel version and settings (else nothing is re-used). */
  readonly context: string;
}

/** One unit's results, before the user's settings and suppressions are applied. */
interface UnitResult {
  /** Indices into the state's facts. */
  readonly members: readonly number[];
  readonly findings: readonly Finding[];
  readonly notes: readonly AnalysisNote[];
  readonly targets: readonly SimTarget[];
  /** quotedLineFloor of the findings and notes. */
  readonly quotes: number;
}

/** What the next edit of the document starts from. */
export interface DocumentState {
  readonly text: string;
  readonly context: string;
  readonly facts: readonly FunctionFacts[];
  readonly inert: readonly boolean[];
  readonly units: readonly UnitResult[];
  readonly problems: readonly ParseProblem[];
}

export interface FileLint {
  readonly findings: readonly Finding[];
  readonly notes: readonly AnalysisNote[];
  readonly targets: readonly SimTarget[];
  /** Functions whose graphs were built for this result. */
  readonly analysed: number;
  /** Null when the result cannot be the start of an incremental update (its budget ran out). */
  readonly state: DocumentState | null;
}

function cutShort(file: FileAnalysis, budget: AnalysisBudget | undefined): boolean {
  const late = budget?.deadline !== undefined && budget.now !== undefined && budget.now() >= budget.deadline;
  return late || file.meter.exhausted !== null || file.skipped.length > 0;
}

/** The rules, unit by unit: each sees a view of the analysis with the unit's functions only. */
function lintUnits(file: FileAnalysis, facts: readonly FunctionFacts[], units: readonly number[][]): UnitResult[] {
  const byStart = new Map(file.functions.map((f) => [f.info.node.startIndex, f]));
  return units.map((members) => {
    const functions = members.flatMap((i) => byStart.get((facts[i] as FunctionFacts).start) ?? []);
    const view: FileAnalysis = { ...file, functions, skipped: [] };
    const findings = ruleFindings(view);
    const notes = budgetNotes(view);
    return { members, findings, notes, targets: simulationTargets(view), quotes: quotedLineFloor(findings, notes) };
  });
}

const byPosition = <T extends { readonly span?: { readonly start: number } }>(a: T, b: T): number =>
  (a.span?.start ?? 0) - (b.span?.start ?? 0);

/** The document's result from its units, as lintAnalysis would report it. */
function compose(
  parsed: ParsedSource,
  request: LintRequest,
  units: readonly UnitResult[],
  analysed: number,
  state: DocumentState,
): FileLint {
  const lines = new LineIndex(parsed.text);
  const findings = finishFindings(
    units.flatMap((u) => u.findings),
    parsed.text,
    lines,
    request,
  );
  const notes = [...parseNotes(parsed, lines), ...units.flatMap((u) => u.notes).sort(byPosition)];
  return { findings, notes, targets: units.flatMap((u) => u.targets).sort(byPosition), analysed, state };
}

/** Analyses the whole document and lints it unit by unit. */
export function lintInFull(parsed: ParsedSource, request: LintRequest): FileLint {
  const file = analyzeFile(parsed, request.kernelVersion, request.budget);
  const definitions = functionsIn(parsed.root);
  const facts = factsOf(definitions, file);
  if (cutShort(file, request.budget) || facts.filter((f) => f.analysed).length !== file.functions.length) {
    // Not a start for the next edit: lint as a one-shot would.
    const result = lintAnalysis(file, request);
    const targets = simulationTargets(file);
    return { ...result, targets, analysed: file.functions.length, state: null };
  }
  const inert = inertFacts(facts);
  const units = lintUnits(file, facts, unitsOf(facts, inert));
  const state = { text: parsed.text, context: request.context, facts, inert, units, problems: parsed.problems };
  return compose(parsed, request, units, file.functions.length, state);
}

/** The definition whose body holds the whole change (strictly inside its braces), or -1. */
function changedFunction(facts: readonly FunctionFacts[], change: TextChange): number {
  return facts.findIndex((f) => change.start > f.bodyStart && change.oldEnd < f.bodyEnd);
}

/** The facts of the old text, moved to where they are in the new one. */
function movedFacts(f: FunctionFacts, change: TextChange): FunctionFacts {
  const at = (o: number): number => movedOffset(change, o);
  return { ...f, start: at(f.start), end: at(f.end), bodyStart: at(f.bodyStart), bodyEnd: at(f.bodyEnd) };
}

/** The new tree has the same definitions where the old ones moved, and no new parse problem outside `changed`. */
function sameOutside(
  prev: DocumentState,
  parsed: ParsedSource,
  definitions: readonly FunctionInfo[],
  change: TextChange,
  changed: number,
): boolean {
  if (definitions.length !== prev.facts.length) return false;
  const same = definitions.every((d, i) => {
    const f = movedFacts(prev.facts[i] as FunctionFacts, change);
    return (
      d.name === f.name &&
      d.node.startIndex === f.start &&
      d.node.endIndex === f.end &&
      d.body.startIndex === f.bodyStart &&
      d.body.endIndex === f.bodyEnd
    );
  });
  if (!same) return false;
  const inside = definitions[changed] as FunctionInfo;
  const outside = (p: ParseProblem, start: number, end: number): string | null =>
    p.endIndex <= start || p.startIndex >= end ? `${p.kind}:${p.startIndex}:${p.endIndex}` : null;
  const before = prev.problems
    .map((p) => ({ ...p, startIndex: movedOffset(change, p.startIndex), endIndex: movedOffset(change, p.endIndex) }))
    .map((p) => outside(p, inside.node.startIndex, inside.node.endIndex))
    .filter((k) => k !== null);
  const after = parsed.problems
    .map((p) => outside(p, inside.node.startIndex, inside.node.endIndex))
    .filter((k) => k !== null);
  return before.join() === after.join();
}

/** The same functions are analysed with `facts` as before (relevance.ts reads names and calls only). */
function sameRelevance(prev: readonly FunctionFacts[], facts: readonly FunctionFacts[]): boolean {
  const relevant = relevantFunctions(facts.map((f) => ({ name: f.name, calls: f.calls })));
  return prev.every((f, i) => f.analysed === relevant.has(i));
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean =>
  a.size === b.size && [...a].every((x) => b.has(x));

/**
 * The units an edit of definition `changed` reaches (indices into prev.units): its own, those
 * linked to the fields it stores into (before or after), and, when the edit adds or removes
 * lines, those whose texts may quote a line at or after the edit.
 */
function reachedUnits(
  prev: DocumentState,
  changed: number,
  after: FunctionFacts,
  change: TextChange,
  text: string,
): Set<number> {
  const before = prev.facts[changed] as FunctionFacts;
  const fields = new Set([...before.stores, ...after.stores]);
  const newlines = (t: string): number => t.split('\n').length - 1;
  const moved =
    newlines(prev.text.slice(change.start, change.oldEnd)) !== newlines(text.slice(change.start, change.newEnd));
  const firstLine = newlines(prev.text.slice(0, change.start)) + 1;
  const reached = new Set<number>();
  prev.units.forEach((u, k) => {
    const keys = u.members.flatMap((i) => [...(prev.facts[i] as FunctionFacts).keys]);
    if (
      u.members.includes(changed) ||
      keys.some((key) => fields.has(fieldOfKey(key))) ||
      (moved && u.quotes >= firstLine)
    )
      reached.add(k);
  });
  return reached;
}

/** Whether any link joins a re-analysed function to one outside them (then the units changed). */
function linksOutside(
  facts: readonly FunctionFacts[],
  inert: readonly boolean[],
  members: ReadonlySet<number>,
): boolean {
  return linksOf(facts, inert).some(([a, b]) => members.has(a) !== members.has(b));
}

/**
 * The edit from `prev` to `parsed`, re-analysing only what it reaches; null when it has to be
 * linted in full (see the file comment).
 */
export function lintIncrementally(prev: DocumentState, parsed: ParsedSource, request: LintRequest): FileLint | null {
  if (prev.context !== request.context) return null;
  const text = parsed.text;
  const edit = changeBetween(prev.text, text);
  // The same text again (a settings-free re-lint): every unit is kept as it is.
  const change = edit ?? { start: 0, oldEnd: 0, newEnd: 0 };
  const changed = edit ? changedFunction(prev.facts, edit) : -1;
  if (edit && changed < 0) return null;
  const definitions = functionsIn(parsed.root);
  if (changed >= 0 && !sameOutside(prev, parsed, definitions, change, changed)) return null;

  const moved = prev.facts.map((f) => movedFacts(f, change));
  let reached = new Set<number>();
  if (changed >= 0) {
    const before = prev.facts[changed] as FunctionFacts;
    const after = { ...before, ...lexicalFacts(definitions[changed] as FunctionInfo) };
    if (after.fileWide !== before.fileWide) return null;
    moved[changed] = after;
    if (!sameSet(before.calls, after.calls) && !sameRelevance(prev.facts, moved)) return null;
    reached = reachedUnits(prev, changed, after, change, text);
  }
  const members = new Set([...reached].flatMap((k) => (prev.units[k] as UnitResult).members));
  const kept = prev.units.filter((_, k) => !reached.has(k));
  if (kept.some((u) => u.findings.some((f) => spansOf(f).some((s) => touches(change, s))))) return null;

  let facts: FunctionFacts[] = moved;
  let inert = prev.inert;
  let fresh: UnitResult[] = [];
  if (members.size > 0) {
    const starts = new Set([...members].map((i) => (moved[i] as FunctionFacts).start));
    const file = analyzeFile(parsed, request.kernelVersion, request.budget, {
      only: (info) => starts.has(info.node.startIndex),
    });
    if (cutShort(file, request.budget) || file.functions.length !== members.size) return null;
    const built = factsOf(
      [...members].map((i) => definitions[i] as FunctionInfo),
      file,
    );
    facts = [...moved];
    [...members].forEach((i, n) => (facts[i] = built[n] as FunctionFacts));
    inert = inertFacts(facts);
    if (prev.inert.some((was, i) => !members.has(i) && inert[i] !== was)) return null;
    if (linksOutside(facts, inert, members)) return null;
    const units = unitsOf(facts, inert).filter((u) => members.has(u[0] as number));
    fresh = lintUnits(file, facts, units);
  }
  const mover = new Mover(change, new LineIndex(text));
  const units = [
    ...kept.map((u) => ({
      ...u,
      findings: u.findings.map((f) => mover.finding(f)),
      notes: u.notes.map((n) => mover.note(n)),
      targets: u.targets.map((t) => mover.target(t)),
    })),
    ...fresh,
  ];
  const state = { text, context: request.context, facts, inert, units, problems: parsed.problems };
  return compose(parsed, request, units, members.size, state);
}
