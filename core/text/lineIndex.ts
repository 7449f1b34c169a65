/**
 * Offset ↔ line/column conversion for one text. Offsets and columns are UTF-16 code units, the
 * unit of JavaScript strings and of LSP's default position encoding.
 */
import type { LineColumnRange, Span } from '../findings';

export interface Position0 {
  /** 0-based line. */
  readonly line: number;
  /** 0-based UTF-16 column. */
  readonly character: number;
}

export class LineIndex {
  private readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** 0-based position of `offset` (clamped to the text). */
  position(offset: number): Position0 {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - (this.starts[lo] as number) };
  }

  /** Offset of a 0-based position (clamped to the line). */
  offset(position: Position0): number {
    if (position.line >= this.starts.length) return this.text.length;
    const start = this.starts[Math.max(0, position.line)] as number;
    const next =
      position.line + 1 < this.starts.length ? (this.starts[position.line + 1] as number) : this.text.length + 1;
    return Math.min(start + Math.max(0, position.character), next - 1);
  }

  /** 1-based range, `endColumn` exclusive. */
  range(span: Span): LineColumnRange {
    const start = this.position(span.start);
    const end = this.position(span.end);
    return { line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
  }

  /** The text of 1-based `line`, without its line break. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    const next = this.starts[line];
    const end = next === undefined ? this.text.length : next - 1;
    return this.text.slice(start, end).replace(/\r$/, '');
  }

  /** Offset of the start of the 1-based line. */
  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }
}
