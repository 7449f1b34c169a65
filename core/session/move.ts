/**
 * Findings of functions an edit did not touch are still right after it: only their offsets move,
 * by the length the edit added or removed before them. Their line/column ranges are computed
 * again on the new text. Messages may quote line numbers; units.ts's caller re-analyses a unit
 * whose texts could quote a line the edit moved (`quotedLineFloor`), so a moved message is exact.
 */
import type { AnalysisNote, Finding, LineColumnRange, Span } from '../findings';
import type { SimTarget } from '../sim/types';
import type { TextChange } from '../text/change';
import type { LineIndex } from '../text/lineIndex';

/** An offset of the old text outside the change, in the new text. */
export function movedOffset(change: TextChange, offset: number): number {
  return offset < change.oldEnd ? offset : offset + change.newEnd - change.oldEnd;
}

/** A span of the old text crosses the changed text (its findings cannot be moved). */
export function touches(change: TextChange, span: Span): boolean {
  return span.end > change.start && span.start < change.oldEnd;
}

/** Every span a finding carries: where it is, its related locations, its path and its fixes' edits. */
export function spansOf(f: Finding): Span[] {
  return [
    f.span,
    ...f.related.map((r) => r.span),
    ...(f.path ?? []).map((p) => p.span),
    ...f.fixes.flatMap((x) => x.edits.map((e) => e.span)),
  ];
}

/** The texts of a finding a rule may have written a line number into. */
function textsOf(f: Finding): string[] {
  return [
    f.message,
    ...f.related.map((r) => r.message),
    ...(f.path ?? []).map((p) => p.label),
    ...f.fixes.map((x) => x.title),
  ];
}

/**
 * The largest number written in any of the findings' and notes' texts (0 when none). A message
 * that quotes a line at or after the first line an edit changed must be written again; one
 * whose numbers are all smaller cannot quote such a line.
 */
export function quotedLineFloor(findings: readonly Finding[], notes: readonly AnalysisNote[]): number {
  let max = 0;
  for (const t of [...findings.flatMap(textsOf), ...notes.map((n) => n.message)])
    for (const m of t.matchAll(/\d+/g)) max = Math.max(max, Number(m[0]));
  return max;
}

/** Where an offset of the old text is in the new one. */
export type OffsetMap = (offset: number) => number;

/**
 * Moves findings, notes and simulation targets of the old text onto the new one: by one change,
 * or by an offset map (recall.ts, for results of an older text).
 */
export class Mover {
  private readonly at: OffsetMap;

  constructor(
    change: TextChange | OffsetMap,
    private readonly lines: LineIndex,
  ) {
    this.at = typeof change === 'function' ? change : (o): number => movedOffset(change, o);
  }

  private span(s: Span): Span {
    return { start: this.at(s.start), end: this.at(s.end) };
  }

  private placed(s: Span): { span: Span; range: LineColumnRange } {
    const span = this.span(s);
    return { span, range: this.lines.range(span) };
  }

  finding(f: Finding): Finding {
    return {
      ...f,
      ...this.placed(f.span),
      related: f.related.map((r) => ({ ...r, ...this.placed(r.span) })),
      fixes: f.fixes.map((x) => ({ ...x, edits: x.edits.map((e) => ({ ...e, span: this.span(e.span) })) })),
      ...(f.path ? { path: f.path.map((p) => ({ ...p, ...this.placed(p.span) })) } : {}),
    };
  }

  note(n: AnalysisNote): AnalysisNote {
    return n.span ? { ...n, ...this.placed(n.span) } : n;
  }

  target(t: SimTarget): SimTarget {
    return { ...t, span: this.span(t.span) };
  }
}
