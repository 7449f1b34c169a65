/**
 * `pinscope lint`: files or folders (recursive over *.c and *.h), the changes since a git revision
 * (`--since`), or a patch series (`--patch`); findings as gcc lines, JSON or SARIF; `--fix` to apply
 * the safe fixes in place, `--diff` to print them as a unified diff; `--baseline` to hide findings
 * an earlier report already had; `--shard I/N` for one part of a CI matrix (`pinscope merge`).
 * Exit status: 0 clean, 1 findings (new findings with --since, --patch and --baseline), 2 a usage
 * error, a path named on the command line that cannot be read, nothing to lint, a patch that does
 * not apply, or a fix that could not be written. A CI job with a misspelled path must not pass green.
 */
import { formatVersion } from '../core/index';
import { applyBaseline } from './baseline';
import { printCacheNotes } from './cacheNotes';
import type { FixHooks } from './fix';
import type { Io } from './io';
import { LINT_USAGE, parseLintCommand, type LintCommand } from './lintCommand';
import { lintOnDisk, type DiskRun } from './lintOnDisk';
import { lintPatch } from './patchLint';
import { printReport, type FileReport, type ReportContext } from './report';
import { plural, printRunNotes } from './runNotes';

export { LINT_USAGE };

type Run = Omit<DiskRun, 'listed'> & { readonly listed?: number };

function lintPatchRun(command: LintCommand): Run {
  if (command.source.kind !== 'patch') throw new Error('not a --patch command');
  const { reports, run } = lintPatch({
    patch: command.source.patch,
    tree: command.source.tree,
    request: command.request,
    excluded: (f) => command.exclude.some((x) => x(f)),
  });
  return { reports, run, unreadableNamed: 0, fixedFiles: 0, fixedFindings: 0, notFixed: 0 };
}

interface Counts {
  readonly total: number;
  readonly files: number;
  readonly seconds: string;
  readonly baseline: ReportContext['baseline'];
}

/** The run in one line on stderr: what was found, and what was looked at. */
function closingLine(command: LintCommand, run: Run, counts: Counts): string {
  const s = run.run;
  const shard = command.shard
    ? `shard ${command.shard.index}/${command.shard.count}: ${s.files} of ${run.listed} files, `
    : '';
  const baseline = counts.baseline
    ? `${counts.baseline.unchanged} already in the baseline, ${counts.baseline.absent} of its findings gone; `
    : '';
  const cached = run.cache && run.cache.hits > 0 ? `; ${run.cache.hits} results from the cache` : '';
  const looked = `${baseline}${shard}${s.parsed} parsed, ${s.prefiltered} skipped by the prefilter, ${counts.seconds} s${cached}`;
  const kind = command.source.kind === 'paths' && !command.baseline ? 'finding' : 'new finding';
  const found = `${plural(counts.total, kind)} in ${plural(counts.files, 'file')}`;
  if (command.source.kind === 'since')
    return `pinscope: ${found} since ${command.source.rev} (${plural(s.files, 'changed C file')}; ${looked})`;
  if (command.source.kind === 'patch')
    return `pinscope: ${found} from the patch (${plural(s.files, 'changed C file')}; ${looked})`;
  return `pinscope: ${found} (${looked})`;
}

/** `hooks` lets tests act between a file's analysis and its write (see test/cli/fixSafety.test.ts). */
export async function runLint(argv: readonly string[], io: Io, hooks: FixHooks = {}): Promise<number> {
  const command = parseLintCommand(argv, io);
  if (!command) return 0;
  const started = Date.now();
  const run: Run | number =
    command.source.kind === 'patch' ? lintPatchRun(command) : await lintOnDisk(command, io, hooks);
  if (typeof run === 'number') return run;

  let reports: readonly FileReport[] = run.reports;
  let context: ReportContext = {
    started,
    kernelVersion: formatVersion(command.request.lint.kernelVersion),
    explain: command.explain,
    paths: command.source.kind === 'patch' ? [] : command.source.paths,
    ...(command.shard ? { shard: `${command.shard.index}/${command.shard.count}` } : {}),
  };
  if (command.baseline) {
    const outcome = applyBaseline(reports, command.baseline);
    // SARIF lists every finding with its baselineState; gcc and JSON show only the new ones.
    reports = command.format === 'sarif' ? outcome.marked : outcome.fresh;
    context = {
      ...context,
      absent: outcome.absent,
      baseline: { unchanged: outcome.unchanged, absent: outcome.absent.length },
    };
  }
  const fresh = (r: FileReport): number => (r.states ? r.states.filter((s) => s === 'new').length : r.findings.length);
  const total = reports.reduce((n, r) => n + fresh(r), 0);
  const files = reports.filter((r) => fresh(r) > 0).length;
  if (command.mode !== 'diff') printReport(command.format, reports, run.run, io, context);
  printRunNotes(io, command.verbosity, run.run);
  const quiet = command.verbosity === 'quiet';
  printCacheNotes(io, command.verbosity, run.cache);
  if (command.mode === 'fix' && !quiet)
    io.err(
      `pinscope: fixed ${plural(run.fixedFindings, 'finding')} in ${plural(run.fixedFiles, 'file')}; ${total} remain`,
    );
  if (command.format === 'gcc' && command.mode !== 'diff' && !quiet) {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    io.err(closingLine(command, run, { total, files, seconds, baseline: context.baseline }));
  }
  if (run.unreadableNamed > 0) {
    io.err(`pinscope: exit 2: ${plural(run.unreadableNamed, 'path')} named on the command line could not be read`);
    return 2;
  }
  if (run.notFixed > 0) return 2;
  if (command.exitZero) return 0;
  return total > 0 ? 1 : 0;
}
