/**
 * The part of `pinscope lint` that reads files from disk: the files named (or changed since a git
 * revision), this shard of them, linted on worker threads; then, per file with findings, its text
 * re-read for the report — or fixed, or diffed — and with `--since`, its findings at the revision
 * subtracted.
 */
import { closeSync, constants, opendirSync, openSync, statSync } from 'node:fs';
import { configKey } from '../batch/cache/key';
import type { CacheSpec } from '../batch/cache/store';
import type { CacheTally } from '../batch/cache/tally';
import { listCFiles } from '../batch/files';
import { lintBytes } from '../batch/lintBytes';
import { lintFiles, type PoolResult } from '../batch/pool';
import { selectShard } from '../batch/shard';
import { displayPath, terminalPath } from './filePaths';
import { diffFile, fixFile, type FixHooks, type FixOutcome } from './fix';
import type { Io } from './io';
import type { LintCommand } from './lintCommand';
import { newFindings } from './newFindings';
import { ReadError, readSource } from './readFile';
import { fileReport, type FileReport, type RunSummary } from './report';
import type { RunNotes } from './runNotes';
import { currentBuild } from './buildId';
import { bytesAt, changedSince, type SinceChanges } from './since';
import { lintIndex } from './lintIndex';
import { LINT_WORKER } from './lintWorkerPath';

export interface DiskRun {
  readonly reports: FileReport[];
  readonly run: RunSummary & RunNotes;
  /** Files listed before sharding. */
  readonly listed: number;
  /** Paths named on the command line that could not be read: exit 2. */
  readonly unreadableNamed: number;
  readonly fixedFiles: number;
  readonly fixedFindings: number;
  /** Files whose fix or diff could not be made or written: exit 2. */
  readonly notFixed: number;
  readonly since?: SinceChanges;
  /** What the result cache did, when there was one. */
  readonly cache?: CacheTally & { readonly dir: string };
}

/** Whether a path from the command line can be read (opened, as a file or a folder). */
function readable(p: string): boolean {
  try {
    const stat = statSync(p);
    if (stat.isDirectory()) opendirSync(p).closeSync();
    else if (stat.isFile()) closeSync(openSync(p, constants.O_RDONLY | constants.O_NONBLOCK));
    else return false;
    return true;
  } catch {
    return false;
  }
}

interface Listing {
  readonly files: readonly string[];
  readonly unreadableNamed: number;
  readonly since?: SinceChanges;
}

function listFiles(command: LintCommand, io: Io): Listing {
  const excluded = (f: string): boolean => command.exclude.some((x) => x(f));
  if (command.source.kind === 'since') {
    const since = changedSince(command.source.rev, command.source.paths, process.cwd());
    return { files: since.files.map((f) => f.file).filter((f) => !excluded(f)), unreadableNamed: 0, since };
  }
  const paths = command.source.kind === 'paths' ? command.source.paths : [];
  const listing = listCFiles(paths, { exclude: command.exclude });
  for (const p of listing.problems) io.err(`pinscope: ${terminalPath(p.path)}: ${p.message}`);
  return { files: listing.files, unreadableNamed: paths.filter((p) => !readable(p)).length };
}

interface Finished {
  readonly reports: FileReport[];
  fixedFiles: number;
  fixedFindings: number;
  notFixed: number;
}

function tally(outcome: FixOutcome, file: string, io: Io, sums: Finished): void {
  if (outcome.kind === 'unreadable') {
    io.err(`pinscope: ${terminalPath(file)}: ${outcome.message}`);
    sums.notFixed++;
    return;
  }
  // Only the final line break goes (io.out adds one): trimEnd() would also eat a last context line
  // for an empty source line (" "), and git apply then rejects the hunk as corrupt.
  if (outcome.kind === 'diff' && outcome.diff) io.out(outcome.diff.replace(/\n$/, ''));
  if (outcome.kind === 'not-fixed') {
    io.err(`pinscope: ${terminalPath(file)}: ${outcome.message}`);
    sums.notFixed++;
  }
  if (outcome.kind === 'fixed') {
    sums.fixedFiles++;
    sums.fixedFindings += outcome.applied;
  }
  sums.reports.push(fileReport(file, outcome.text, outcome.findings));
}

/**
 * The files with findings, with their text: re-read here (JSON and SARIF need the text), or fixed
 * or diffed in this thread on the bytes about to be edited.
 */
function finishFiles(pool: PoolResult, command: LintCommand, io: Io, hooks: FixHooks): Finished {
  const sums: Finished = { reports: [], fixedFiles: 0, fixedFindings: 0, notFixed: 0 };
  for (const r of pool.results) {
    if (r.findings.length === 0) continue;
    if (command.mode === 'fix') tally(fixFile(r.file, command.request, hooks), r.file, io, sums);
    else if (command.mode === 'diff') tally(diffFile(r.file, command.request), r.file, io, sums);
    else {
      try {
        const { decoded } = readSource(r.file, command.request.maxBytes);
        sums.reports.push(fileReport(r.file, decoded.text, r.findings));
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        io.err(`pinscope: ${terminalPath(r.file)}: ${e.message}`);
      }
    }
  }
  return sums;
}

/** `report` less the findings its file had at the revision. */
function sinceRevision(report: FileReport, since: SinceChanges, command: LintCommand, io: Io): FileReport {
  const oldPath = since.files.find((f) => f.file === report.file)?.oldPath ?? null;
  if (oldPath === null) return report;
  const bytes = bytesAt(since, oldPath, command.request.maxBytes);
  if (bytes === null) {
    io.err(`pinscope: ${terminalPath(report.file)}: too large at ${since.rev} to compare; all its findings are shown`);
    return report;
  }
  const before = lintBytes(bytes, command.request);
  return newFindings(report, fileReport(report.file, before.text, before.findings));
}

function runSummary(pool: PoolResult): RunSummary & RunNotes {
  return {
    files: pool.total,
    parsed: pool.linted,
    prefiltered: pool.prefiltered,
    threads: pool.threads,
    notes: pool.results.filter((r) => r.notes.length > 0).map((r) => ({ file: r.file, notes: r.notes })),
    // A file that was linted has no problem but its decoding warning, which is a note.
    problems: pool.results.flatMap((r) =>
      r.problem && r.status !== 'linted' ? [{ file: r.file, problem: r.problem }] : [],
    ),
  };
}

/** Lints from disk; a number is an exit status decided before linting (nothing to lint). */
export async function lintOnDisk(command: LintCommand, io: Io, hooks: FixHooks): Promise<DiskRun | number> {
  const listing = listFiles(command, io);
  if (listing.files.length === 0 && command.source.kind !== 'since') {
    io.err('pinscope: nothing to lint');
    return 2;
  }
  const files = command.shard ? selectShard(listing.files, command.shard, displayPath) : listing.files;
  const workerScript = LINT_WORKER;
  const request = { lint: command.request.lint, maxBytes: command.request.maxBytes };
  const cache: CacheSpec | null = command.cacheDir
    ? { dir: command.cacheDir, key: configKey(request, currentBuild(workerScript)) }
    : null;
  // The tree index (issue 12): each file's cached result is keyed by the facts it sees as well.
  const index = await lintIndex(command, io);
  if (index) command = { ...command, request: { ...command.request, index } };
  const pool = await lintFiles(files, {
    request: { ...(cache ? { ...request, cache } : request), ...(index ? { index } : {}) },
    workerScript,
    ...(command.jobs !== undefined ? { threads: command.jobs } : {}),
  });
  const unreadable = pool.results.filter((r) => r.status === 'error' || r.status === 'skipped').length;
  if (files.length > 0 && unreadable === files.length) {
    for (const r of pool.results) if (r.problem) io.err(`pinscope: ${terminalPath(r.file)}: ${r.problem}`);
    io.err('pinscope: none of the files could be read');
    return 2;
  }
  const finished = finishFiles(pool, command, io, hooks);
  const since = listing.since;
  const reports = since ? finished.reports.map((r) => sinceRevision(r, since, command, io)) : finished.reports;
  return {
    ...finished,
    reports: reports.filter((r) => r.findings.length > 0),
    run: runSummary(pool),
    listed: listing.files.length,
    unreadableNamed: listing.unreadableNamed,
    ...(since ? { since } : {}),
    ...(cache ? { cache: { ...pool.cache, dir: cache.dir } } : {}),
  };
}
