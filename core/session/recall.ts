/**
 * Issue 12's per-function memo: a unit's results (units.ts) from an earlier text of the document,
 * for an edit that gives the unit's functions back a text they had (a character typed and deleted,
 * an undo). Such an edit needs no graphs and no rules for that unit, only its results moved.
 *
 * Only results of the same chain of incremental edits are kept (a full lint starts a new chain),
 * and every edit of a chain lies strictly inside one function body and leaves the file's
 * definitions, their relevance and their file-wide facts as they were (incremental.ts). So between
 * an older text of the chain and the new one, the text outside function bodies is the same, and
 * a unit whose own functions have the same texts has the same results (units.ts: a unit's findings
 * depend on its functions and the file's declarations alone), with three more things checked:
 *  - the stores into the fields the unit keeps pages in, from any function (linkage.ts reads them
 *    all): the functions that store into those fields, then or now, have the same texts;
 *  - the parse: the same preprocessor mode, and the same parse problems inside the unit;
 *  - positions: every span of the results is in the unit, outside any function, or in a function
 *    whose text is the same (else it cannot be moved), and when a message may quote a line number
 *    (`quotes`), no line up to that number moved.
 * The key is the mode, the unit's definitions (indices) and their texts; the rest is checked on a hit.
 */
import type { AnalysisNote, Finding } from '../findings';
import type { PrepareMode } from '../parse/parser';
import type { ParseProblem } from '../parse/syntax';
import type { SimTarget } from '../sim/types';
import { spansOf, type OffsetMap } from './move';
import { fieldOfKey, type FunctionFacts } from './units';

/** What a unit's results are, as recall needs them. */
export interface UnitResults {
  /** Indices into the facts. */
  readonly members: readonly number[];
  readonly findings: readonly Finding[];
  readonly notes: readonly AnalysisNote[];
  readonly targets: readonly SimTarget[];
  /** quotedLineFloor of the findings and notes. */
  readonly quotes: number;
}

/** One version of the document, as far as a unit's results are concerned. */
export interface DocumentVersion {
  readonly text: string;
  readonly facts: readonly FunctionFacts[];
  readonly problems: readonly ParseProblem[];
  readonly mode: PrepareMode;
}

interface Remembered<U extends UnitResults> {
  readonly version: DocumentVersion;
  readonly unit: U;
}

/** Units of older texts by key, most recent last. */
export type Recalled<U extends UnitResults> = ReadonlyMap<string, Remembered<U>>;

/** How many older unit results a document keeps (each holds on to the text it was computed on). */
const KEPT = 8;

const textOf = (v: DocumentVersion, i: number): string => {
  const f = v.facts[i] as FunctionFacts;
  return v.text.slice(f.start, f.end);
};

/** The key of the unit `members` in version `v`. */
function keyOf(v: DocumentVersion, members: readonly number[]): string {
  const parts: string[] = [v.mode, members.join(',')];
  for (const i of members) {
    const f = v.facts[i] as FunctionFacts;
    parts.push(textOf(v, i));
    for (const p of v.problems)
      if (p.startIndex < f.end && p.endIndex > f.start)
        parts.push(`${p.kind}:${p.startIndex - f.start}:${p.endIndex - f.start}:${p.token ?? ''}`);
  }
  return parts.join('\u0000');
}

/** `recalled` with the results of `units` in version `v` added (the oldest dropped beyond KEPT). */
export function remember<U extends UnitResults>(
  recalled: Recalled<U>,
  v: DocumentVersion,
  units: readonly U[],
): Recalled<U> {
  if (units.length === 0) return recalled;
  const out = new Map(recalled);
  for (const unit of units) {
    const key = keyOf(v, unit.members);
    out.delete(key);
    out.set(key, { version: v, unit });
  }
  while (out.size > KEPT) out.delete(out.keys().next().value as string);
  return out;
}

/** Where the offsets of `old` are in `now`, or null for one inside a function whose text changed. */
function offsetMap(old: DocumentVersion, now: DocumentVersion, members: ReadonlySet<number>) {
  const shift = (i: number): number => (now.facts[i] as FunctionFacts).start - (old.facts[i] as FunctionFacts).start;
  const same = (i: number): boolean => members.has(i) || textOf(old, i) === textOf(now, i);
  return (o: number): number | null => {
    // Definitions are in file order and do not overlap.
    for (let i = 0; i < old.facts.length; i++) {
      const f = old.facts[i] as FunctionFacts;
      if (o < f.start) return o + shift(i);
      if (o < f.end) return same(i) ? o + shift(i) : null;
    }
    return o + now.text.length - old.text.length;
  };
}

/** No line up to `quoted` (1-based) moved: every function starting before it has as many lines as it had. */
function linesKept(old: DocumentVersion, now: DocumentVersion, quoted: number): boolean {
  if (quoted <= 0) return true;
  // The end of line `quoted`.
  let end = -1;
  for (let line = 0; line < quoted; line++) {
    end = old.text.indexOf('\n', end + 1);
    if (end < 0) break;
  }
  const limit = end < 0 ? old.text.length : end;
  const newlines = (t: string): number => t.split('\n').length;
  return old.facts.every((f, i) => f.start > limit || newlines(textOf(old, i)) === newlines(textOf(now, i)));
}

/** The functions that store into a field the unit keeps pages in (`facts` of one version). */
function storers(facts: readonly FunctionFacts[], fields: ReadonlySet<string>, members: ReadonlySet<number>): number[] {
  const out: number[] = [];
  facts.forEach((f, i) => {
    if (!members.has(i) && [...f.stores].some((s) => fields.has(s))) out.push(i);
  });
  return out;
}

export interface Recall<U extends UnitResults> {
  /** The unit's results then, and the facts of its members then (positions as now). */
  readonly unit: U;
  readonly facts: ReadonlyMap<number, FunctionFacts>;
  readonly map: OffsetMap;
}

/**
 * The results of unit `members` from an older version, when they are this version's (see the file
 * comment); null when there are none. `now.facts` are this version's (the members' analysis facts
 * may be stale: the old ones are used).
 */
export function recall<U extends UnitResults>(
  recalled: Recalled<U>,
  now: DocumentVersion,
  members: readonly number[],
): Recall<U> | null {
  const hit = recalled.get(keyOf(now, members));
  if (!hit) return null;
  const old = hit.version;
  if (old.facts.length !== now.facts.length) return null;
  const set = new Set(members);
  const fields = new Set(members.flatMap((i) => [...(old.facts[i] as FunctionFacts).keys].map(fieldOfKey)));
  const stored = [...storers(old.facts, fields, set), ...storers(now.facts, fields, set)];
  if (stored.some((i) => textOf(old, i) !== textOf(now, i))) return null;
  if (!linesKept(old, now, hit.unit.quotes)) return null;
  const at = offsetMap(old, now, set);
  const spans = [
    ...hit.unit.findings.flatMap(spansOf),
    ...hit.unit.notes.flatMap((n) => (n.span ? [n.span] : [])),
    ...hit.unit.targets.map((t) => t.span),
  ];
  if (spans.some((s) => at(s.start) === null || at(s.end) === null)) return null;
  const facts = new Map(
    members.map((i) => {
      const was = old.facts[i] as FunctionFacts;
      const is = now.facts[i] as FunctionFacts;
      return [i, { ...was, start: is.start, end: is.end, bodyStart: is.bodyStart, bodyEnd: is.bodyEnd }];
    }),
  );
  return { unit: hit.unit, facts, map: (o) => at(o) as number };
}
