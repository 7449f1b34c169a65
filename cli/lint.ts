/**
 * `pinscope lint`: files or folders (recursive over *.c and *.h), findings as gcc lines, JSON or
 * SARIF, `--fix` to apply the safe fixes in place, `--diff` to print them as a unified diff.
 * Exit status: 0 clean, 1 findings, 2 a usage error, a path named on the command line that cannot
 * be read, nothing to lint, or a fix that could not be written. A CI job with a misspelled path
 * must not pass green.
 */
import { closeSync, constants, opendirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatVersion, isRuleId, type RuleId, type RuleSetting } from '../core/index';
import { listCFiles, globMatcher } from '../batch/files';
import { lintFiles, type PoolResult } from '../batch/pool';
import { terminalPath } from './filePaths';
import { diffFile, fixFile, type FixHooks, type FixOutcome, type FixRequest } from './fix';
import type { Io } from './io';
import {
  COMMON_OPTIONS,
  formatOption,
  integerOption,
  kernelVersionOption,
  maxFileSizeOption,
  parseCommandLine,
  UsageError,
} from './options';
import { printReport, type FileReport } from './report';
import { ReadError, readSource } from './readFile';

export const LINT_USAGE = `usage: pinscope lint [--format gcc|json|sarif] [--kernel-version X.Y] [--fix | --diff]
                     [--rule ID=off|error|warning|info]... [--exclude GLOB]... [--jobs N]
                     [--max-file-size BYTES] [--exit-zero] [--quiet] PATH...`;

const LINT_OPTIONS = {
  ...COMMON_OPTIONS,
  fix: { type: 'boolean' },
  diff: { type: 'boolean' },
  rule: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  jobs: { type: 'string', short: 'j' },
  'exit-zero': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

export interface LintCommand {
  readonly paths: readonly string[];
  readonly format: 'gcc' | 'json' | 'sarif';
  readonly mode: 'report' | 'fix' | 'diff';
  readonly request: FixRequest;
  readonly exclude: readonly ((file: string) => boolean)[];
  readonly jobs: number | undefined;
  readonly exitZero: boolean;
  readonly quiet: boolean;
}

function ruleSettings(specs: readonly string[]): Partial<Record<RuleId, RuleSetting>> {
  const out: Partial<Record<RuleId, RuleSetting>> = {};
  for (const spec of specs) {
    const [id, value] = spec.split('=');
    if (!id || !value || !isRuleId(id))
      throw new UsageError(`--rule ${spec}: expected RULE-ID=off|error|warning|info with a known rule id`);
    if (value === 'off') out[id] = { enabled: false };
    else if (value === 'error' || value === 'warning' || value === 'info') out[id] = { severity: value };
    else throw new UsageError(`--rule ${spec}: the level must be off, error, warning or info`);
  }
  return out;
}

/** The command line as a `LintCommand`, or null after printing the usage for --help. */
function parseLintCommand(argv: readonly string[], io: Io): LintCommand | null {
  const { values, positionals } = parseCommandLine(argv, LINT_OPTIONS);
  if (values.help) {
    io.out(LINT_USAGE);
    return null;
  }
  const format = formatOption(values.format, ['gcc', 'json', 'sarif']);
  if (values.fix && values.diff) throw new UsageError('--fix and --diff cannot be used together');
  if (positionals.length === 0) throw new UsageError(`no paths given\n${LINT_USAGE}`);
  const maxBytes = maxFileSizeOption(values['max-file-size']);
  const jobs = integerOption(values.jobs, 'jobs', 1, 1024);
  const rules = ruleSettings(values.rule ?? []);
  const exclude = (values.exclude ?? []).map(globMatcher);
  // Every option is checked before the first line is printed.
  const kernel = kernelVersionOption(values['kernel-version'], positionals[0] as string);
  if (kernel.detected && !values.quiet) {
    io.err(
      kernel.source
        ? `pinscope: checking against Linux ${formatVersion(kernel.version)} (from ${terminalPath(kernel.source)})`
        : `pinscope: no kernel Makefile above ${terminalPath(positionals[0] as string)}; checking against Linux ${formatVersion(kernel.version)} (--kernel-version to choose)`,
    );
  }
  return {
    paths: positionals,
    format,
    mode: values.fix ? 'fix' : values.diff ? 'diff' : 'report',
    request: { lint: { kernelVersion: kernel.version, rules }, maxBytes },
    exclude,
    jobs,
    exitZero: values['exit-zero'] ?? false,
    quiet: values.quiet ?? false,
  };
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

interface FixTally {
  readonly reports: FileReport[];
  fixedFiles: number;
  fixedFindings: number;
  /** Files whose fix or diff could not be made or written (unreadable now, changed on disk, a write error): exit 2. */
  notFixed: number;
}

function tally(outcome: FixOutcome, file: string, io: Io, sums: FixTally): void {
  if (outcome.kind === 'unreadable') {
    io.err(`pinscope: ${terminalPath(file)}: ${outcome.message}`);
    sums.notFixed++;
    return;
  }
  if (outcome.kind === 'diff' && outcome.diff) io.out(outcome.diff.trimEnd());
  if (outcome.kind === 'not-fixed') {
    io.err(`pinscope: ${terminalPath(file)}: ${outcome.message}`);
    sums.notFixed++;
  }
  if (outcome.kind === 'fixed') {
    sums.fixedFiles++;
    sums.fixedFindings += outcome.applied;
  }
  sums.reports.push({ file, text: outcome.text, findings: outcome.findings });
}

/**
 * The files with findings, with their text: re-read here (JSON and SARIF need the text), or fixed
 * or diffed in this thread on the bytes about to be edited.
 */
function finishFiles(pool: PoolResult, command: LintCommand, io: Io, hooks: FixHooks): FixTally {
  const sums: FixTally = { reports: [], fixedFiles: 0, fixedFindings: 0, notFixed: 0 };
  for (const r of pool.results) {
    if (r.findings.length === 0) continue;
    if (command.mode === 'fix') tally(fixFile(r.file, command.request, hooks), r.file, io, sums);
    else if (command.mode === 'diff') tally(diffFile(r.file, command.request), r.file, io, sums);
    else {
      try {
        const { decoded } = readSource(r.file, command.request.maxBytes);
        sums.reports.push({ file: r.file, text: decoded.text, findings: r.findings });
      } catch (e) {
        if (!(e instanceof ReadError)) throw e;
        io.err(`pinscope: ${terminalPath(r.file)}: ${e.message}`);
      }
    }
  }
  return sums;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `hooks` lets tests act between a file's analysis and its write (see test/cli/fixSafety.test.ts). */
export async function runLint(argv: readonly string[], io: Io, hooks: FixHooks = {}): Promise<number> {
  const command = parseLintCommand(argv, io);
  if (!command) return 0;
  const started = Date.now();
  const listing = listCFiles(command.paths, { exclude: command.exclude });
  for (const p of listing.problems) io.err(`pinscope: ${terminalPath(p.path)}: ${p.message}`);
  const unreadableNamed = command.paths.filter((p) => !readable(p));
  if (listing.files.length === 0) {
    io.err('pinscope: nothing to lint');
    return 2;
  }
  const pool = await lintFiles(listing.files, {
    request: { lint: command.request.lint, maxBytes: command.request.maxBytes },
    workerScript: path.join(__dirname, '..', 'worker', 'lint-worker.js'),
    ...(command.jobs !== undefined ? { threads: command.jobs } : {}),
  });
  let unreadable = 0;
  for (const r of pool.results) {
    if (r.problem) io.err(`pinscope: ${terminalPath(r.file)}: ${r.problem}`);
    if (r.status === 'error' || r.status === 'skipped') unreadable++;
  }
  if (unreadable === listing.files.length) {
    io.err('pinscope: none of the files could be read');
    return 2;
  }

  const sums = finishFiles(pool, command, io, hooks);
  const reports = sums.reports.filter((r) => r.findings.length > 0);
  const total = reports.reduce((n, r) => n + r.findings.length, 0);
  if (command.mode !== 'diff')
    printReport(command.format, reports, pool, io, {
      quiet: command.quiet,
      started,
      kernelVersion: command.request.lint.kernelVersion,
    });
  if (command.mode === 'fix' && !command.quiet)
    io.err(
      `pinscope: fixed ${plural(sums.fixedFindings, 'finding')} in ${plural(sums.fixedFiles, 'file')}; ${total} remain`,
    );
  if (command.format === 'gcc' && command.mode !== 'diff' && !command.quiet) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.err(
      `pinscope: ${plural(total, 'finding')} in ${plural(reports.length, 'file')} (${pool.linted} parsed, ${pool.prefiltered} skipped by the prefilter, ${seconds} s)`,
    );
  }
  if (unreadableNamed.length > 0) {
    io.err(`pinscope: exit 2: ${plural(unreadableNamed.length, 'path')} named on the command line could not be read`);
    return 2;
  }
  if (sums.notFixed > 0) return 2;
  if (command.exitZero) return 0;
  return total > 0 ? 1 : 0;
}
