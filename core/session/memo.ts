/**
 * Re-linting after an edit that touched none of the code the analysis reads: most keystrokes in a
 * big driver land in functions that never call the APIs (st.c has 86 functions; a handful matter).
 * The document's *shape* is what the analysis can see — the text with the bodies no rule reads
 * cut out, where each remaining piece starts (its line), and the few things those bodies can still
 * contribute (stores into struct fields, MMU notifier use, suppression comments). When an edit
 * leaves the shape as it was, the previous findings are still right: only their offsets move, by
 * how much the cut-out bodies grew or shrank. Everything else is analysed afresh.
 */
import { keptBodies } from '../analysis/relevance';
import { MMU_NOTIFIER_TEXT } from '../catalog/pageUse';
import type { AnalysisNote, Finding, LineColumnRange, Span } from '../findings';
import { topLevelFunctions } from '../parse/focus';
import { blankConditionals } from '../parse/prepare';
import type { SimTarget } from '../sim/types';
import { LineIndex } from '../text/lineIndex';

export interface LintShape {
  /** Equal keys: the same analysis input, up to where the pieces sit. */
  readonly key: string;
  /** The pieces the analysis reads, `[start, end)` in order: the text minus the cut-out bodies. */
  readonly segments: readonly (readonly [number, number])[];
}

/** What a body no rule reads can still contribute to the analysis of the others. */
const FIELD_STORE = /(?:->|\.)\s*[A-Za-z_]\w*\s*=(?!=)[^;]*;/g;
/** What analyzeFile's MMU notifier test reads, and suppression comments. */
const OTHER_INPUTS = new RegExp(`${MMU_NOTIFIER_TEXT.source}|pinscope-ignore[^\\n]*`, 'g');

/**
 * The shape of `text` for analysis under `context` (kernel version, rule settings), or null
 * when the lexical scan cannot find the function bodies (then nothing is memoised). `scanned` is
 * the text the scan reads — the parse's prepared text when there is one (same offsets and lines),
 * so the conditionals are not resolved a second time.
 */
export function lintShape(
  text: string,
  context: string,
  scanned: string = blankConditionals(text, false),
): LintShape | null {
  const functions = topLevelFunctions(scanned);
  if (!functions) return null;
  const keep = keptBodies(functions, scanned);
  const cut = functions.filter((_, i) => !keep.has(i));
  const segments: [number, number][] = [];
  const parts: string[] = [context];
  let at = 0;
  // The line each piece starts on, counted once through the text: messages quote line numbers.
  let line = 1;
  let counted = 0;
  const lineOf = (offset: number): number => {
    for (let i = text.indexOf('\n', counted); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    counted = offset;
    return line;
  };
  const piece = (start: number, end: number): void => {
    segments.push([start, end]);
    parts.push(`@${lineOf(start)}`, text.slice(start, end));
  };
  for (const f of cut) {
    piece(at, f.bodyStart + 1);
    const body = text.slice(f.bodyStart + 1, f.bodyEnd - 1);
    parts.push(`{${(body.match(FIELD_STORE) ?? []).join('')}${(body.match(OTHER_INPUTS) ?? []).join('')}}`);
    at = f.bodyEnd - 1;
  }
  piece(at, text.length);
  return { key: parts.join('\u0000'), segments };
}

/** Moves offsets of the old text to the new one, piece by piece (the shapes' keys are equal). */
function offsetMapper(from: LintShape, to: LintShape): (offset: number) => number {
  return (offset) => {
    for (let i = 0; i < from.segments.length; i++) {
      const [start, end] = from.segments[i] as readonly [number, number];
      const target = to.segments[i] as readonly [number, number];
      if (offset >= start && offset <= end) return target[0] + (offset - start);
    }
    return offset;
  };
}

export interface MemoisedLint {
  readonly findings: readonly Finding[];
  /** Notes about the analysis itself (budget); parse-error notes come from the new parse. */
  readonly notes: readonly AnalysisNote[];
  readonly targets: readonly SimTarget[];
}

/** The previous result, moved onto the new text. */
export function remapLint(result: MemoisedLint, from: LintShape, to: LintShape, text: string): MemoisedLint {
  const move = offsetMapper(from, to);
  const lines = new LineIndex(text);
  const span = (s: Span): Span => ({ start: move(s.start), end: move(s.end) });
  const placed = (s: Span): { span: Span; range: LineColumnRange } => {
    const moved = span(s);
    return { span: moved, range: lines.range(moved) };
  };
  const findings = result.findings.map((f): Finding => ({
    ...f,
    ...placed(f.span),
    related: f.related.map((r) => ({ ...r, ...placed(r.span) })),
    fixes: f.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, span: span(e.span) })) })),
    ...(f.path ? { path: f.path.map((p) => ({ ...p, ...placed(p.span) })) } : {}),
  }));
  const notes = result.notes.map((n): AnalysisNote => (n.span ? { ...n, ...placed(n.span) } : n));
  const targets = result.targets.map((t) => ({ ...t, span: span(t.span) }));
  return { findings, notes, targets };
}

/**
 * Whether a full analysis only read the shape's pieces: every function it analysed sits inside
 * one piece. When the lexical scan and the parse disagree about a body, do not memoise.
 */
export function shapeCovers(shape: LintShape, analysed: readonly Span[]): boolean {
  return analysed.every((s) => shape.segments.some(([start, end]) => s.start >= start && s.end <= end));
}
