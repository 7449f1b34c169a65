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
import { withCrossFileRelated } from '../fileAnalysis/crossFileRelated';
import type { ExternalFacts } from '../fileAnalysis/external';
import type { AnalysisBudget } from '../analysis/budget';
import type { KernelVersion } from '../catalog/version';
import { analyzeFile } from '../fileAnalysis/analyzeFile';
import type { FileAnalysis } from '../fileAnalysis/types';
import { definitionPlace, fileWalks, type FileWalks } from '../fileAnalysis/walks';
import type { AnalysisNote, Finding } from '../findings';
import { budgetNotes, finishFindings, lintAnalysis, parseNotes, ruleFindings, type LintOptions } from '../lint';
import type { KnownEdit, ParsedSource } from '../parse/parser';
import type { ParseProblem } from '../parse/syntax';
import { simulationTargets } from '../sim/index';
import type { SimTarget } from '../sim/types';
import { LineIndex } from '../text/lineIndex';
import { changeBetween, type TextChange } from '../text/change';
import { movedOffset, Mover, quotedLineFloor, spansOf, touches } from './move';
import { recall, remember, type DocumentVersion, type Recalled, type UnitResults } from './recall';
import { changesNoToken } from './whitespace';
import { factsOf, fieldOfKey, lexicalFacts, linksOf, placesOf, unitsOf, type FunctionFacts } from './units';

export interface LintRequest {
  readonly kernelVersion: KernelVersion;
  readonly rules?: LintOptions['rules'];
  readonly budget?: AnalysisBudget;
  /** Other files' facts (the tree index); part of `context`. */
  readonly external?: ExternalFacts;
  /** Equal contexts: the same kernel version, settings and other files' facts (else nothing is re-used). */
  readonly context: string;
}

/** One unit's results, before the user's settings and suppressions are applied. */
type UnitResult = UnitResults;

/** What the next edit of the document starts from. */
export interface DocumentState extends DocumentVersion {
  readonly context: string;
  readonly units: readonly UnitResult[];
  /** What the parser saw (ParsedSource.parsedText), for an edit that changes no token (whitespace.ts). */
  readonly parsedText: string;
  /** The analysis's whole-file walks, for the next edit's (fileAnalysis/walks.ts). */
  readonly walks: FileWalks;
  /** Units of older texts of this chain of edits, for an edit that gives them their text back. */
  readonly recalled: Recalled<UnitResult>;
}

export interface FileLint {
  readonly findings: readonly Finding[];
  readonly notes: readonly AnalysisNote[];
  readonly targets: readonly SimTarget[];
  /** Functions whose graphs were built for this result. */
  readonly analysed: number;
  /** Units whose results were recalled from an older text (recall.ts) instead of analysed. */
  readonly recalled: number;
  /** The analysis kept the previous edit's whole-file walks (fileAnalysis/walks.ts). */
  readonly walksKept: boolean;
  /** The edit changed no token: the previous results were moved, nothing was analysed (whitespace.ts). */
  readonly tokensKept?: boolean;
  /** Null when the result cannot be the start of an incremental update (its budget ran out). */
  readonly state: DocumentState | null;
}

const externalOf = (request: LintRequest): { external?: ExternalFacts } =>
  request.external ? { external: request.external } : {};

function cutShort(file: FileAnalysis, budget: AnalysisBudget | undefined): boolean {
  const late = budget?.deadline !== undefined && budget.now !== undefined && budget.now() >= budget.deadline;
  return late || file.meter.exhausted !== null || file.skipped.length > 0;
}

/** The rules, unit by unit: each sees a view of the analysis with the unit's functions only. */
function lintUnits(
  file: FileAnalysis,
  facts: readonly FunctionFacts[],
  units: readonly number[][],
  external: ExternalFacts | undefined,
): UnitResult[] {
  const byStart = new Map(file.functions.map((f) => [f.info.node.startIndex, f]));
  return units.map((members) => {
    const functions = members.flatMap((i) => byStart.get((facts[i] as FunctionFacts).start) ?? []);
    const view: FileAnalysis = { ...file, functions, skipped: [] };
    const findings = withCrossFileRelated(ruleFindings(view), view, external);
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
  recalled = 0,
): FileLint {
  const lines = new LineIndex(parsed.text);
  const findings = finishFindings(
    units.flatMap((u) => u.findings),
    parsed.text,
    lines,
    request,
  );
  const notes = [...parseNotes(parsed, lines), ...units.flatMap((u) => u.notes).sort(byPosition)];
  const targets = units.flatMap((u) => u.targets).sort(byPosition);
  return { findings, notes, targets, analysed, recalled, walksKept: state.walks.kept, state };
}

/** Analyses the whole document and lints it unit by unit. */
export function lintInFull(parsed: ParsedSource, request: LintRequest): FileLint {
  const file = analyzeFile(parsed, request.kernelVersion, request.budget, externalOf(request));
  const facts = [...factsOf(file).values()];
  if (cutShort(file, request.budget) || facts.filter((f) => f.analysed).length !== file.functions.length) {
    // Not a start for the next edit: lint as a one-shot would.
    const result = lintAnalysis(file, request);
    const targets = simulationTargets(file);
    return { ...result, targets, analysed: file.functions.length, recalled: 0, walksKept: false, state: null };
  }
  const units = lintUnits(file, facts, unitsOf(facts), request.external);
  const state: DocumentState = {
    text: parsed.text,
    context: request.context,
    facts,
    units,
    problems: parsed.problems,
    mode: parsed.mode,
    parsedText: parsed.parsedText,
    walks: file.walks(),
    recalled: new Map(),
  };
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

/**
 * The new analysis considered the same definitions, where the old ones moved, with the same ones
 * relevant, and the parse has no new problem outside the changed definition.
 */
function sameOutside(
  prev: DocumentState,
  parsed: ParsedSource,
  file: FileAnalysis,
  moved: readonly FunctionFacts[],
  changed: number,
  change: TextChange,
): boolean {
  const places = placesOf(file);
  if (places.length !== moved.length) return false;
  const same = places.every((d, i) => {
    const f = moved[i] as FunctionFacts;
    return (
      d.name === f.name &&
      d.start === f.start &&
      d.end === f.end &&
      d.bodyStart === f.bodyStart &&
      d.bodyEnd === f.bodyEnd &&
      d.relevant === f.analysed
    );
  });
  if (!same) return false;
  if (changed < 0) return true;
  const inside = moved[changed] as FunctionFacts;
  const outside = (p: ParseProblem): string | null =>
    p.endIndex <= inside.start || p.startIndex >= inside.end ? `${p.kind}:${p.startIndex}:${p.endIndex}` : null;
  const before = prev.problems
    .map((p) =>
      outside({ ...p, startIndex: movedOffset(change, p.startIndex), endIndex: movedOffset(change, p.endIndex) }),
    )
    .filter((k) => k !== null);
  const after = parsed.problems.map(outside).filter((k) => k !== null);
  return before.sort().join() === after.sort().join();
}

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
function linksOutside(facts: readonly FunctionFacts[], members: ReadonlySet<number>): boolean {
  return linksOf(facts).some(([a, b]) => members.has(a) !== members.has(b));
}

/** The changed definition's facts from the new text (its analysis facts stay until it is analysed again). */
function editedFacts(before: FunctionFacts, change: TextChange, text: string): FunctionFacts {
  const at = movedFacts(before, change);
  return { ...at, ...lexicalFacts(before.name, at, text.slice(at.bodyStart, at.bodyEnd)) };
}

/** A unit's results on the new text. */
const movedUnit = (mover: Mover, u: UnitResult): UnitResult => ({
  ...u,
  findings: u.findings.map((f) => mover.finding(f)),
  notes: u.notes.map((n) => mover.note(n)),
  targets: u.targets.map((t) => mover.target(t)),
});

/**
 * An edit that changes no token (whitespace.ts): every unit's results moved, nothing analysed.
 * The walks are the previous ones moved (the parse re-used the tree outside the edited definition).
 */
function movedResult(
  prev: DocumentState,
  parsed: ParsedSource,
  request: LintRequest,
  change: TextChange,
  facts: readonly FunctionFacts[],
): FileLint {
  const mover = new Mover(change, new LineIndex(parsed.text));
  const units = prev.units.map((u) => movedUnit(mover, u));
  const state: DocumentState = {
    text: parsed.text,
    facts,
    problems: parsed.problems,
    mode: parsed.mode,
    context: request.context,
    units,
    parsedText: parsed.parsedText,
    walks: fileWalks(parsed, prev.walks).walks(),
    // The same chain of edits: older texts' units stay recallable.
    recalled: prev.recalled,
  };
  return { ...compose(parsed, request, units, 0, state), tokensKept: true };
}

/**
 * The edit from `prev` to `parsed`, re-analysing only what it reaches; null when it has to be
 * linted in full (see the file comment).
 */
export function lintIncrementally(
  prev: DocumentState,
  parsed: ParsedSource,
  request: LintRequest,
  known?: KnownEdit,
): FileLint | null {
  if (prev.context !== request.context) return null;
  const text = parsed.text;
  const edit = known && known.from === prev.text ? known.change : changeBetween(prev.text, text);
  // The same text again: every unit is kept as it is.
  const change = edit ?? { start: 0, oldEnd: 0, newEnd: 0 };
  const changed = edit ? changedFunction(prev.facts, edit) : -1;
  if (edit && changed < 0) return null;

  const moved = prev.facts.map((f) => movedFacts(f, change));
  let reached = new Set<number>();
  if (changed >= 0) {
    const before = prev.facts[changed] as FunctionFacts;
    const after = editedFacts(before, change, text);
    if (after.fileWide !== before.fileWide) return null;
    moved[changed] = after;
    if (edit && changesNoToken(prev, parsed, edit, before, after))
      return movedResult(prev, parsed, request, edit, moved);
    reached = reachedUnits(prev, changed, after, change, text);
  }
  const members = new Set([...reached].flatMap((k) => (prev.units[k] as UnitResult).members));
  const kept = prev.units.filter((_, k) => !reached.has(k));
  if (kept.some((u) => u.findings.some((f) => spansOf(f).some((s) => touches(change, s))))) return null;

  // The reached functions may have had these texts before: then their results are recalled, not made.
  const version: DocumentVersion = { text, facts: moved, problems: parsed.problems, mode: parsed.mode };
  const memberList = [...members].sort((a, b) => a - b);
  const recalled = changed >= 0 ? recall(prev.recalled, version, memberList) : null;
  // Relevance is decided again in any case; the definitions, declarations and macros are the
  // previous ones moved when the parse re-used the tree outside the edited function (walks.ts).
  // Only the reached functions get graphs, and none when their results are recalled.
  const starts = new Set([...members].map((i) => (moved[i] as FunctionFacts).start));
  const file = analyzeFile(parsed, request.kernelVersion, request.budget, {
    only: (info) => recalled === null && starts.has(definitionPlace(info).start),
    walks: prev.walks,
    ...externalOf(request),
  });
  if (cutShort(file, request.budget) || !sameOutside(prev, parsed, file, moved, changed, change)) return null;
  if (file.functions.length !== (recalled ? 0 : members.size)) return null;
  const facts = [...moved];
  for (const [i, f] of recalled ? recalled.facts : factsOf(file, (i) => members.has(i))) facts[i] = f;
  if (linksOutside(facts, members)) return null;
  const lines = new LineIndex(text);
  let fresh: UnitResult[];
  if (recalled) {
    // The recalled results are this text's only if the unit is still exactly these functions.
    const now = unitsOf(facts).filter((u) => members.has(u[0] as number));
    if (now.length !== 1 || (now[0] as number[]).join() !== memberList.join()) return null;
    fresh = [{ ...movedUnit(new Mover(recalled.map, lines), recalled.unit), members: memberList }];
  } else
    fresh = lintUnits(
      file,
      facts,
      unitsOf(facts).filter((u) => members.has(u[0] as number)),
      request.external,
    );
  const mover = new Mover(change, lines);
  const units = [...kept.map((u) => movedUnit(mover, u)), ...fresh];
  const state: DocumentState = {
    ...version,
    facts,
    context: request.context,
    units,
    parsedText: parsed.parsedText,
    walks: file.walks(),
    // The results the edit replaced, for an edit that brings their texts back.
    recalled: remember(
      prev.recalled,
      // The version alone: the state would hold on to its own recalled units, and they to theirs.
      { text: prev.text, facts: prev.facts, problems: prev.problems, mode: prev.mode },
      [...reached].map((k) => prev.units[k] as UnitResult),
    ),
  };
  return compose(parsed, request, units, recalled ? 0 : members.size, state, recalled ? 1 : 0);
}
