/**
 * `lint --patch FILE.patch [--tree DIR]` (or `--patch -` for stdin): the findings a patch
 * introduces, checkpatch-style. The patch — or each patch of a `git format-patch` series, in
 * order — is applied to an in-memory copy of the tree (nothing is written); each C file it leaves
 * is linted as it was before that patch and after it, and only findings that are new after it are
 * reported, with the line of the patch input that adds the flagged line, when it does.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AnalysisNote } from '../core/index';
import { lintSourceText } from '../batch/lintBytes';
import type { FileLintRequest } from '../batch/lintFile';
import { terminalPath } from './filePaths';
import { describeFsError } from './fsErrors';
import { newFindings } from './newFindings';
import { UsageError } from './options';
import { addedLinePlaces } from './patch/places';
import { parseSeries, PatchError, type Patch } from './patch/series';
import { PatchedTree, type ChangedText } from './patch/tree';
import { ReadError, readSource } from './readFile';
import { fileReport, type FileReport, type RunSummary } from './report';
import type { RunNotes } from './runNotes';

export interface PatchRequest {
  /** A file name, or `-` for stdin. */
  readonly patch: string;
  readonly tree: string;
  readonly request: FileLintRequest & { readonly maxBytes: number };
  readonly excluded: (file: string) => boolean;
}

export interface PatchRun {
  readonly reports: FileReport[];
  readonly run: RunSummary & RunNotes;
}

const C_FILE = /\.[ch]$/;

function readPatchText(patch: string): string {
  try {
    return readFileSync(patch === '-' ? 0 : patch, 'utf8');
  } catch (e) {
    throw new UsageError(
      `--patch ${patch === '-' ? '- (stdin)' : terminalPath(patch)}: cannot read: ${describeFsError(e)}`,
    );
  }
}

function treeReader(maxBytes: number): (file: string) => string | null {
  return (file) => {
    if (!existsSync(file)) return null;
    try {
      return readSource(file, maxBytes).decoded.text;
    } catch (e) {
      if (e instanceof ReadError) throw new PatchError(`${terminalPath(file)}: ${e.message}`);
      throw e;
    }
  };
}

interface Tally {
  files: number;
  parsed: number;
  prefiltered: number;
  readonly notes: { file: string; notes: readonly AnalysisNote[] }[];
  readonly problems: { file: string; problem: string }[];
}

function lintChange(changed: ChangedText, file: string, patch: Patch, series: number, job: PatchRequest, tally: Tally) {
  const after = lintSourceText(changed.after, job.request);
  tally.files++;
  if (after.status === 'skipped-prefilter') tally.prefiltered++;
  if (after.status === 'linted') tally.parsed++;
  if (after.problem) tally.problems.push({ file, problem: after.problem });
  if (after.notes.length > 0) tally.notes.push({ file, notes: after.notes });
  if (after.findings.length === 0) return null;
  const before = changed.before === null ? null : lintSourceText(changed.before, job.request);
  const fresh = newFindings(
    fileReport(file, after.text, after.findings),
    before ? fileReport(file, before.text, before.findings) : null,
  );
  if (fresh.findings.length === 0) return null;
  const places = addedLinePlaces(changed);
  const subject = series > 1 ? (patch.subject ?? `patch ${patch.number}`) : undefined;
  return {
    ...fresh,
    patch: fresh.findings.map((f) => {
      const line = places.get(f.range.line);
      return line === undefined ? undefined : { line, ...(subject ? { subject } : {}) };
    }),
  };
}

export function lintPatch(job: PatchRequest): PatchRun {
  const tally: Tally = { files: 0, parsed: 0, prefiltered: 0, notes: [], problems: [] };
  const reports: FileReport[] = [];
  try {
    const series = parseSeries(readPatchText(job.patch));
    const tree = new PatchedTree(path.resolve(job.tree), treeReader(job.request.maxBytes));
    for (const patch of series)
      for (const changed of tree.apply(patch)) {
        const file = tree.absolute(changed.path);
        if (!C_FILE.test(changed.path) || job.excluded(file)) continue;
        const report = lintChange(changed, file, patch, series.length, job, tally);
        if (report) reports.push(report);
      }
  } catch (e) {
    if (e instanceof PatchError) throw new UsageError(`--patch: ${e.message}`);
    throw e;
  }
  return { reports, run: { ...tally, threads: 0 } };
}
