/**
 * Printing a lint run's findings in the chosen format: gcc lines (and notes on stderr), pinscope's
 * JSON, or SARIF 2.1.0 for code-scanning services.
 */
import { type Finding, formatVersion, type KernelVersion, toSarif } from '../core/index';
import type { PoolResult } from '../batch/pool';
import { artifactUri, displayPath } from './filePaths';
import type { Io } from './io';
import { gccLine, jsonFinding, noteLine } from './output';
import { VERSION } from './version';

/** One file's findings and the text their ranges refer to. */
export interface FileReport {
  readonly file: string;
  readonly text: string;
  readonly findings: readonly Finding[];
}

export interface ReportContext {
  readonly quiet: boolean;
  readonly started: number;
  readonly kernelVersion: KernelVersion;
}

function jsonReport(reports: readonly FileReport[], pool: PoolResult, context: ReportContext): string {
  return JSON.stringify({
    version: 1,
    findings: reports.flatMap((r) => r.findings.map((f) => jsonFinding(r.file, r.text, f))),
    notes: pool.results.flatMap((r) =>
      r.notes.map((n) => ({
        file: displayPath(r.file),
        kind: n.kind,
        message: n.message,
        ...(n.range ? { line: n.range.line, column: n.range.column } : {}),
      })),
    ),
    stats: {
      files: pool.total,
      parsed: pool.linted,
      prefiltered: pool.prefiltered,
      threads: pool.threads,
      kernelVersion: formatVersion(context.kernelVersion),
      elapsedMs: Date.now() - context.started,
    },
  });
}

function sarifReport(reports: readonly FileReport[], context: ReportContext): string {
  const root = process.cwd();
  const log = toSarif(reports, {
    toolVersion: VERSION,
    informationUri: 'https://example.invalid/pinscope',
    uri: (file) => artifactUri(file, root),
    kernelVersion: formatVersion(context.kernelVersion),
  });
  return JSON.stringify(log, null, 2);
}

export function printReport(
  format: 'gcc' | 'json' | 'sarif',
  reports: readonly FileReport[],
  pool: PoolResult,
  io: Io,
  context: ReportContext,
): void {
  if (format === 'json') io.out(jsonReport(reports, pool, context));
  else if (format === 'sarif') io.out(sarifReport(reports, context));
  else {
    for (const r of reports) for (const f of r.findings) io.out(gccLine(r.file, f));
    if (context.quiet) return;
    for (const r of pool.results) for (const n of r.notes) if (n.kind !== 'encoding') io.err(noteLine(r.file, n));
  }
}
