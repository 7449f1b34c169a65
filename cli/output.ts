/**
 * Finding formats for the terminal and for machines: gcc-style lines (what editors' problem
 * matchers and `make` users expect) and pinscope's JSON.
 */
import { type AnalysisNote, type Finding, LineIndex, type Severity } from '../core/index';
import { displayPath, terminalPath } from './filePaths';

function gccSeverity(s: Severity): string {
  return s === 'info' ? 'note' : s;
}

export function gccLine(file: string, f: Finding): string {
  return `${terminalPath(file)}:${f.range.line}:${f.range.column}: ${gccSeverity(f.severity)}: ${f.message} [${f.rule}]`;
}

export interface JsonFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly function?: string;
  readonly docs: string;
  readonly related: { line: number; column: number; endLine: number; endColumn: number; message: string }[];
  readonly path?: { line: number; column: number; label: string }[];
  readonly fixes: {
    title: string;
    safe: boolean;
    edits: { line: number; column: number; endLine: number; endColumn: number; newText: string }[];
  }[];
}

export function jsonFinding(file: string, text: string, f: Finding, lines = new LineIndex(text)): JsonFinding {
  return {
    file: displayPath(file),
    line: f.range.line,
    column: f.range.column,
    endLine: f.range.endLine,
    endColumn: f.range.endColumn,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    ...(f.function ? { function: f.function } : {}),
    docs: f.docsUrl,
    related: f.related.map((r) => ({ ...r.range, message: r.message })),
    ...(f.path ? { path: f.path.map((p) => ({ line: p.range.line, column: p.range.column, label: p.label })) } : {}),
    fixes: f.fixes.map((x) => ({
      title: x.title,
      safe: x.safe,
      edits: x.edits.map((e) => ({ ...lines.range(e.span), newText: e.newText })),
    })),
  };
}

export function noteLine(file: string, note: AnalysisNote): string {
  const where = note.range ? `:${note.range.line}:${note.range.column}` : '';
  return `${terminalPath(file)}${where}: note: ${note.message}`;
}
