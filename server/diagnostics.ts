/**
 * Findings and analysis notes as LSP diagnostics. Pure: the same finding always gives the same
 * diagnostic, which is what lets code actions find their finding again from a diagnostic.
 */
import { pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Range,
} from 'vscode-languageserver-protocol';
import type { Finding, LineColumnRange, Severity } from '../core/index';
import type { AnalysisResult, ServerNote } from './documents';
import { relatedPlaces } from './hover';

const SOURCE = 'pinscope';
/** `code` of the diagnostic that says the analysis is partial. */
const PARTIAL_CODE = 'partial-analysis';

export interface DiagnosticOptions {
  /** The client declared textDocument.publishDiagnostics.relatedInformation. */
  readonly relatedInformation: boolean;
}

/** What a diagnostic carries back to the server in code action requests (when the client keeps `data`). */
export interface DiagnosticData {
  readonly rule: string;
  readonly start: number;
  readonly end: number;
}

export function toRange(r: LineColumnRange): Range {
  return {
    start: { line: r.line - 1, character: r.column - 1 },
    end: { line: r.endLine - 1, character: r.endColumn - 1 },
  };
}

function severityOf(s: Severity): DiagnosticSeverity {
  return s === 'error'
    ? DiagnosticSeverity.Error
    : s === 'warning'
      ? DiagnosticSeverity.Warning
      : DiagnosticSeverity.Information;
}

export function findingDiagnostic(uri: string, f: Finding, options: DiagnosticOptions): Diagnostic {
  const diagnostic: Diagnostic = {
    range: toRange(f.range),
    severity: severityOf(f.severity),
    code: f.rule,
    codeDescription: { href: f.docsUrl },
    source: SOURCE,
    message: f.message,
    data: { rule: f.rule, start: f.span.start, end: f.span.end } satisfies DiagnosticData,
  };
  if (options.relatedInformation) {
    // Each place once: the path's steps join the related places they repeat (server/hover.ts).
    const related: DiagnosticRelatedInformation[] = relatedPlaces(f).map((r) => ({
      location: { uri: r.file === undefined ? uri : pathToFileURL(r.file).href, range: toRange(r.range) },
      message: r.message,
    }));
    if (related.length > 0) diagnostic.relatedInformation = related;
  }
  return diagnostic;
}

const NOTE_SEVERITY: Record<ServerNote['kind'], DiagnosticSeverity> = {
  'too-large': DiagnosticSeverity.Warning,
  binary: DiagnosticSeverity.Warning,
  budget: DiagnosticSeverity.Warning,
  'internal-error': DiagnosticSeverity.Warning,
  'parse-errors': DiagnosticSeverity.Information,
  encoding: DiagnosticSeverity.Information,
};

export function noteDiagnostic(note: ServerNote): Diagnostic {
  return {
    range: note.range ? toRange(note.range) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: NOTE_SEVERITY[note.kind],
    code: PARTIAL_CODE,
    source: SOURCE,
    message: note.message,
  };
}

export function resultDiagnostics(result: AnalysisResult, options: DiagnosticOptions): Diagnostic[] {
  return [
    ...result.notes.map(noteDiagnostic),
    ...result.findings.map((f) => findingDiagnostic(result.uri, f, options)),
  ];
}

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

function isDiagnosticData(value: unknown): value is DiagnosticData {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.rule === 'string' && typeof v.start === 'number' && typeof v.end === 'number';
}

/** The finding a client-side diagnostic stands for: same rule and range (or the same `data`). */
export function findingFor(diagnostic: Diagnostic, findings: readonly Finding[]): Finding | undefined {
  if (diagnostic.source !== undefined && diagnostic.source !== SOURCE) return undefined;
  const data = isDiagnosticData(diagnostic.data) ? diagnostic.data : undefined;
  return (
    findings.find((f) => f.rule === diagnostic.code && sameRange(toRange(f.range), diagnostic.range)) ??
    (data
      ? findings.find((f) => f.rule === data.rule && f.span.start === data.start && f.span.end === data.end)
      : undefined)
  );
}
