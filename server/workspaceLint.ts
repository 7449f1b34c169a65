/**
 * Lint Workspace: every C file of the workspace folders through core's prefilter and worker pool
 * (the same path as `pinscope lint`), with progress and cancellation. Files open in the editor keep
 * their as-you-type diagnostics; the others get the workspace run's.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { formatVersion } from '../core/index';
import { globMatcher, listCFiles } from '../batch/files';
import { detectKernelVersion } from '../batch/kernelTree';
import { lintFiles } from '../batch/pool';
import { DEFAULT_FILE_BUDGET, type FileLintResult } from '../batch/lintFile';
import type { ResolvedSettings } from './configuration';
import { findingDiagnostic, noteDiagnostic, type DiagnosticOptions } from './diagnostics';
import type { LintWorkspaceResult } from './protocol';

export interface WorkspaceLintOptions {
  readonly roots: readonly string[];
  readonly settingsFor: (root: string) => Promise<ResolvedSettings>;
  readonly workerScript: string;
  readonly signal: AbortSignal;
  readonly onProgress: (done: number, total: number) => void;
  /** Publishes the diagnostics of one file (not called for files open in the editor). */
  readonly publish: (uri: string, diagnostics: Diagnostic[]) => void;
  readonly isOpen: (uri: string) => boolean;
  readonly diagnosticOptions: DiagnosticOptions;
}

function fileDiagnostics(uri: string, r: FileLintResult, options: DiagnosticOptions): Diagnostic[] {
  const notes = r.notes.map((n) =>
    noteDiagnostic({ kind: n.kind, message: n.message, ...(n.range ? { range: n.range } : {}) }),
  );
  if (r.problem && r.status !== 'linted')
    notes.push(
      noteDiagnostic({
        kind: r.status === 'error' ? 'internal-error' : 'too-large',
        message: `pinscope did not analyse this file: ${r.problem}`,
      }),
    );
  return [...notes, ...r.findings.map((f) => findingDiagnostic(uri, f, options))];
}

export async function lintWorkspace(options: WorkspaceLintOptions): Promise<LintWorkspaceResult> {
  const started = Date.now();
  const totals = { files: 0, parsed: 0, prefiltered: 0, findings: 0, filesWithFindings: 0, partial: 0 };
  const versions = new Set<string>();
  let cancelled = false;

  // List everything first, so that progress has a real total.
  const jobs: { root: string; files: string[]; resolved: ResolvedSettings }[] = [];
  for (const root of options.roots) {
    const resolved = await options.settingsFor(root);
    const exclude = resolved.settings.exclude.map(globMatcher);
    const relativeExclude = resolved.settings.exclude.map((g) => {
      const m = globMatcher(g);
      return (file: string): boolean => m(path.relative(root, file));
    });
    const listing = listCFiles([root], { exclude: [...exclude, ...relativeExclude] });
    jobs.push({ root, files: listing.files, resolved });
  }
  const total = jobs.reduce((n, j) => n + j.files.length, 0);
  let doneBefore = 0;

  for (const job of jobs) {
    if (options.signal.aborted) {
      cancelled = true;
      break;
    }
    // kernelVersion "auto": the tree the folder belongs to (a folder inside a kernel tree walks up).
    const version =
      job.resolved.settings.kernelVersion === 'auto'
        ? detectKernelVersion(job.root).version
        : job.resolved.kernelVersion;
    versions.add(formatVersion(version));
    const pool = await lintFiles(job.files, {
      request: {
        lint: { kernelVersion: version, rules: job.resolved.settings.rules },
        maxBytes: job.resolved.settings.maxFileSize,
        // The editor's per-file time budget; the memory budget is batch's default.
        budget: { timeMs: job.resolved.settings.analysisTimeout, heapMb: DEFAULT_FILE_BUDGET.heapMb },
      },
      workerScript: options.workerScript,
      signal: options.signal,
      onProgress: (done) => options.onProgress(doneBefore + done, total),
    });
    doneBefore += job.files.length;
    totals.files += pool.total;
    totals.parsed += pool.linted;
    totals.prefiltered += pool.prefiltered;
    if (pool.cancelled) cancelled = true;
    for (const r of pool.results) {
      const uri = pathToFileURL(r.file).toString();
      totals.findings += r.findings.length;
      if (r.findings.length > 0) totals.filesWithFindings++;
      if (r.notes.length > 0 || r.status === 'error' || r.status === 'skipped') totals.partial++;
      if (!options.isOpen(uri)) options.publish(uri, fileDiagnostics(uri, r, options.diagnosticOptions));
    }
  }
  return { ...totals, cancelled, elapsedMs: Date.now() - started, kernelVersions: [...versions] };
}
