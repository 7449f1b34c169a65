/**
 * Finding formats for the terminal and for machines: gcc-style lines (what editors' problem
 * matchers and `make` users expect) and pinscope's JSON.
 */
import type { AnalysisNote, Finding, LineIndex, Severity } from '../core/index';
import { displayPath, terminalPath } from './filePaths';
import { splitMessage } from './headline';

function gccSeverity(s: Severity): string {
  return s === 'info' ? 'note' : s;
}

/** Where a patch adds the line a finding is on (`lint --patch`): its line in the patch file. */
export interface PatchPlace {
  /** 1-based line of the patch file (of the whole input, for a series). */
  readonly line: number;
  /** The patch's subject, for a series of several (`[PATCH 2/3] …`). */
  readonly subject?: string;
}

export interface GccOptions {
  /** Print the message's explanation beneath the headline (`--explain`). */
  readonly explain: boolean;
  readonly patch?: PatchPlace;
}

function patchNote(place: PatchPlace): string {
  return ` (patch line ${place.line}${place.subject ? ` in ${place.subject}` : ''})`;
}

/** `file:line:col: severity: headline [rule]`, and with `explain` the rest of the message indented below. */
export function gccLines(file: string, f: Finding, options: GccOptions): string[] {
  const { headline, explanation } = splitMessage(f.message);
  const where = `${terminalPath(file)}:${f.range.line}:${f.range.column}`;
  const place = options.patch ? patchNote(options.patch) : '';
  const line = `${where}: ${gccSeverity(f.severity)}: ${headline}${place} [${f.rule}]`;
  return options.explain && explanation ? [line, `    ${explanation}`] : [line];
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
  /** Same finding, same fingerprint, when lines move (core/report/fingerprint.ts); `--baseline` matches on it. */
  readonly fingerprint: string;
  readonly patch?: PatchPlace;
  readonly related: {
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    message: string;
    /** Set for a place in another file (a header's helper the finding used, issue 12). */
    file?: string;
  }[];
  readonly path?: { line: number; column: number; label: string }[];
  readonly fixes: {
    title: string;
    safe: boolean;
    edits: { line: number; column: number; endLine: number; endColumn: number; newText: string }[];
  }[];
}

export interface JsonExtras {
  readonly fingerprint: string;
  readonly patch?: PatchPlace;
}

export function jsonFinding(file: string, f: Finding, lines: LineIndex, extras: JsonExtras): JsonFinding {
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
    fingerprint: extras.fingerprint,
    ...(extras.patch ? { patch: extras.patch } : {}),
    related: f.related.map((r) => ({
      ...r.range,
      message: r.message,
      ...(r.file !== undefined ? { file: displayPath(r.file) } : {}),
    })),
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
