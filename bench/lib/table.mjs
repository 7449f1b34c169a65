// Plain-text rendering of section results.

/** @param {unknown} v */
export function cell(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return String(v);
}

/** A cell is right-aligned when it reads as a number (optionally with a leading '>', '<', '~' or trailing '×'). */
const NUMERIC = /^[<>~≈]?\s?-?\d[\d,]*(\.\d+)?\s?[×x%]?$/;

/**
 * @param {string[]} columns
 * @param {unknown[][]} rows
 * @returns {string}
 */
export function renderTable(columns, rows) {
  const body = rows.map((r) => columns.map((_, i) => cell(r[i])));
  const widths = columns.map((c, i) => Math.max(c.length, ...body.map((r) => (r[i] ?? '').length)));
  // Numbers (and the '—' of a missing value in a column of numbers) are right-aligned, text left-aligned.
  const numericCol = columns.map((_, i) => body.some((r) => NUMERIC.test(r[i] ?? '')));
  /** @param {string} c @param {number} i */
  const right = (c, i) => !!numericCol[i] && (c === '—' || NUMERIC.test(c));
  /** @param {string[]} r @param {boolean} [header] */
  const line = (r, header = false) =>
    r
      .map((c, i) => ((header ? numericCol[i] : right(c, i)) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join(' | ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(columns, true), sep, ...body.map((r) => line(r))].join('\n');
}
