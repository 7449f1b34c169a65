/**
 * `lint --baseline OLD.json`: findings already in an earlier report are hidden (gcc, JSON) or
 * marked `unchanged` (SARIF, where the earlier report's findings that are gone come back as
 * `absent` results). Matched by file and fingerprint (core/report/baseline.ts), so findings whose
 * lines moved stay matched. The earlier report may be pinscope's JSON or its SARIF. Files are
 * matched by the path the reports show, relative to the working directory: a baseline written at
 * the top of one checkout matches a run at the top of another (CI workspaces, a colleague's clone).
 */
import path from 'node:path';
import { compareWithBaseline, FINGERPRINT_KEY, type LineColumnRange, type Severity } from '../core/index';
import type { FileReport } from './report';
import { keepFindings } from './report';
import { readSavedReport, type SarifResult } from './savedReport';
import { UsageError } from './options';
import { displayPath, terminalPath } from './filePaths';

/** A finding of the earlier report, enough to match it and to list it as `absent`. */
export interface BaselineFinding {
  /** As the reports show it: relative to the working directory when inside it. */
  readonly file: string;
  readonly fingerprint: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly range: LineColumnRange;
  readonly function?: string;
}

function fromSarif(result: SarifResult, reportName: string): BaselineFinding {
  const [location] = result.locations;
  const fingerprint = result.partialFingerprints[FINGERPRINT_KEY];
  if (fingerprint === undefined)
    throw new UsageError(`${reportName}: a result has no ${FINGERPRINT_KEY} fingerprint; write the report again`);
  const uri = location.physicalLocation.artifactLocation.uri;
  const r = location.physicalLocation.region;
  const fn = location.logicalLocations?.[0]?.name;
  return {
    file: uri.split('/').map(decodeURIComponent).join(path.sep),
    fingerprint,
    rule: result.ruleId,
    severity: result.level === 'note' ? 'info' : result.level,
    message: result.message.text,
    range: { line: r.startLine, column: r.startColumn, endLine: r.endLine, endColumn: r.endColumn },
    ...(fn ? { function: fn } : {}),
  };
}

export function loadBaseline(file: string): BaselineFinding[] {
  const saved = readSavedReport(file);
  if (saved.format === 'sarif')
    return saved.log.runs[0].results
      .filter((r) => r.baselineState !== 'absent')
      .map((r) => fromSarif(r, terminalPath(file)));
  return saved.report.findings.map((f) => ({
    file: f.file,
    fingerprint: f.fingerprint,
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    range: { line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn },
    ...(f.function ? { function: f.function } : {}),
  }));
}

export interface BaselineOutcome {
  /** Every finding, each with its state (for SARIF). */
  readonly marked: FileReport[];
  /** Only the new findings (for gcc and JSON). */
  readonly fresh: FileReport[];
  readonly unchanged: number;
  readonly absent: readonly BaselineFinding[];
}

export function applyBaseline(reports: readonly FileReport[], baseline: readonly BaselineFinding[]): BaselineOutcome {
  const current = reports.flatMap((r) =>
    r.fingerprints.map((fingerprint) => ({ file: displayPath(r.file), fingerprint })),
  );
  const { states, absent } = compareWithBaseline(current, baseline);
  let at = 0;
  const marked = reports.map((r) => {
    const mine = states.slice(at, at + r.findings.length);
    at += r.findings.length;
    return { ...r, states: mine };
  });
  const fresh = reports
    .map((r, k) => keepFindings(r, (i) => marked[k]?.states[i] === 'new'))
    .filter((r) => r.findings.length > 0);
  return { marked, fresh, unchanged: states.filter((s) => s === 'unchanged').length, absent };
}
