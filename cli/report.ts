/**
 * Printing a lint run's findings in the chosen format: gcc lines on stdout, pinscope's JSON, or
 * SARIF 2.1.0 for code-scanning services. What a person reads about the run itself (notes, the
 * closing count) is ./runNotes.ts.
 */
import {
  type AbsentResult,
  type AnalysisNote,
  type Finding,
  fingerprintFindings,
  LineIndex,
  toSarif,
} from '../core/index';
import { artifactUri, displayPath } from './filePaths';
import type { Io } from './io';
import { gccLines, jsonFinding, type PatchPlace } from './output';
import { VERSION } from './version';

/** One file's findings, the text their ranges refer to, and each finding's fingerprint. */
export interface FileReport {
  readonly file: string;
  readonly text: string;
  readonly findings: readonly Finding[];
  readonly fingerprints: readonly string[];
  /** With `--baseline` in SARIF: each finding's baselineState. */
  readonly states?: readonly ('new' | 'unchanged')[];
  /** With `--patch`: where the patch adds each finding's line, if it does. */
  readonly patch?: readonly (PatchPlace | undefined)[];
}

export function fileReport(file: string, text: string, findings: readonly Finding[]): FileReport {
  return { file, text, findings, fingerprints: fingerprintFindings(findings, text) };
}

/** `report` with only the findings `keep` says yes to (their fingerprints and places kept). */
export function keepFindings(report: FileReport, keep: (index: number) => boolean): FileReport {
  const pick = <T>(xs: readonly T[]): T[] => xs.filter((_, i) => keep(i));
  return {
    ...report,
    findings: pick(report.findings),
    fingerprints: pick(report.fingerprints),
    ...(report.states ? { states: pick(report.states) } : {}),
    ...(report.patch ? { patch: pick(report.patch) } : {}),
  };
}

/** What the run looked at, for JSON's `stats` and `notes`. */
export interface RunSummary {
  readonly files: number;
  readonly parsed: number;
  readonly prefiltered: number;
  readonly threads: number;
  /** Files with analysis notes (parts that did not parse, budgets, encodings), in run order. */
  readonly notes: readonly { readonly file: string; readonly notes: readonly AnalysisNote[] }[];
}

export interface ReportContext {
  readonly started: number;
  readonly kernelVersion: string;
  readonly explain: boolean;
  /** The paths named on the command line, for `pinscope merge` to put shards back in order. */
  readonly paths: readonly string[];
  /** `I/N` with `--shard`. */
  readonly shard?: string;
  /** With `--baseline`: the baseline's findings the run no longer has (SARIF `absent` results). */
  readonly absent?: readonly (Omit<AbsentResult, 'uri'> & { readonly file: string })[];
  readonly baseline?: { readonly unchanged: number; readonly absent: number };
}

function jsonReport(reports: readonly FileReport[], run: RunSummary, context: ReportContext): string {
  return JSON.stringify({
    version: 1,
    findings: reports.flatMap((r) => {
      const lines = new LineIndex(r.text);
      return r.findings.map((f, i) =>
        jsonFinding(r.file, f, lines, {
          fingerprint: r.fingerprints[i] as string,
          ...(r.patch?.[i] ? { patch: r.patch[i] } : {}),
        }),
      );
    }),
    notes: run.notes.flatMap((r) =>
      r.notes.map((n) => ({
        file: displayPath(r.file),
        kind: n.kind,
        message: n.message,
        ...(n.range ? { line: n.range.line, column: n.range.column } : {}),
      })),
    ),
    stats: {
      files: run.files,
      parsed: run.parsed,
      prefiltered: run.prefiltered,
      threads: run.threads,
      kernelVersion: context.kernelVersion,
      elapsedMs: Date.now() - context.started,
      paths: context.paths,
      ...(context.shard ? { shard: context.shard } : {}),
      ...(context.baseline ? { baseline: context.baseline } : {}),
    },
  });
}

function sarifReport(reports: readonly FileReport[], context: ReportContext): string {
  const root = process.cwd();
  const log = toSarif(reports, {
    toolVersion: VERSION,
    informationUri: 'https://example.invalid/pinscope',
    uri: (file) => artifactUri(file, root),
    kernelVersion: context.kernelVersion,
    properties: { paths: [...context.paths], ...(context.shard ? { shard: context.shard } : {}) },
    ...(context.absent ? { absent: context.absent.map((a) => ({ ...a, uri: artifactUri(a.file, root) })) } : {}),
  });
  return JSON.stringify(log, null, 2);
}

export function printReport(
  format: 'gcc' | 'json' | 'sarif',
  reports: readonly FileReport[],
  run: RunSummary,
  io: Io,
  context: ReportContext,
): void {
  if (format === 'json') io.out(jsonReport(reports, run, context));
  else if (format === 'sarif') io.out(sarifReport(reports, context));
  else
    for (const r of reports)
      r.findings.forEach((f, i) => {
        const place = r.patch?.[i];
        for (const line of gccLines(r.file, f, { explain: context.explain, ...(place ? { patch: place } : {}) }))
          io.out(line);
      });
}
