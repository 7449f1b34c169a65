/**
 * `pinscope lint`'s command line, checked whole before anything runs: what to lint (paths, the
 * changes since a git revision, or a patch), how to report it, and what to leave out (a baseline,
 * other shards). A mistake is a `UsageError` (exit 2) before the first line of output.
 */
import path from 'node:path';
import { formatVersion, isRuleId, type RuleId, type RuleSetting } from '../core/index';
import { defaultCacheDir } from '../batch/cache/location';
import { globMatcher } from '../batch/files';
import { parseShard, type Shard } from '../batch/shard';
import { loadBaseline, type BaselineFinding } from './baseline';
import { terminalPath } from './filePaths';
import type { FixRequest } from './fix';
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
import type { Verbosity } from './runNotes';

export const LINT_USAGE = `usage: pinscope lint [options] PATH...
       pinscope lint --since REV [options] [PATH...]
       pinscope lint --patch FILE.patch|- [--tree DIR] [options]
options: [--format gcc|json|sarif] [--kernel-version X.Y] [--fix | --diff] [--baseline OLD.json]
         [--shard I/N] [--rule ID=off|error|warning|info]... [--exclude GLOB]... [--jobs N]
         [--max-file-size BYTES] [--exit-zero] [--quiet | --verbose] [--explain]
         [--no-cache | --cache-location DIR] [--no-index]
  In a tree indexed with \`pinscope index\`, other files' helpers and header macros count (the index is
  updated first); --no-index lints each file alone.`;

const LINT_OPTIONS = {
  ...COMMON_OPTIONS,
  fix: { type: 'boolean' },
  diff: { type: 'boolean' },
  rule: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  jobs: { type: 'string', short: 'j' },
  'exit-zero': { type: 'boolean' },
  'no-index': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  explain: { type: 'boolean' },
  since: { type: 'string' },
  patch: { type: 'string' },
  tree: { type: 'string' },
  baseline: { type: 'string' },
  shard: { type: 'string' },
  'no-cache': { type: 'boolean' },
  'cache-location': { type: 'string' },
} as const;

type LintValues = ReturnType<typeof parseCommandLine<typeof LINT_OPTIONS>>['values'];

/** What to lint: files and folders, what changed since a revision, or what a patch changes. */
export type LintSource =
  | { readonly kind: 'paths'; readonly paths: readonly string[] }
  | { readonly kind: 'since'; readonly rev: string; readonly paths: readonly string[] }
  | { readonly kind: 'patch'; readonly patch: string; readonly tree: string };

export interface LintCommand {
  readonly source: LintSource;
  readonly format: 'gcc' | 'json' | 'sarif';
  readonly mode: 'report' | 'fix' | 'diff';
  readonly request: FixRequest;
  readonly exclude: readonly ((file: string) => boolean)[];
  readonly jobs: number | undefined;
  readonly exitZero: boolean;
  readonly verbosity: Verbosity;
  readonly explain: boolean;
  /** Lint each file alone, without the tree index. */
  readonly noIndex: boolean;
  readonly baseline?: readonly BaselineFinding[];
  readonly shard?: Shard;
  /** The result cache's folder; null with --no-cache. */
  readonly cacheDir: string | null;
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

function lintSource(values: LintValues, positionals: readonly string[]): LintSource {
  if (values.since !== undefined && values.patch !== undefined)
    throw new UsageError('--since and --patch cannot be used together');
  if (values.tree !== undefined && values.patch === undefined) throw new UsageError('--tree goes with --patch');
  if (values.since !== undefined || values.patch !== undefined) {
    if (values.fix || values.diff) throw new UsageError('--fix and --diff cannot be used with --since or --patch');
    if (values.baseline !== undefined)
      throw new UsageError('--since and --patch report only new findings already; --baseline is not needed');
  }
  if (values.since !== undefined) {
    if (values.since === '' || values.since.startsWith('-'))
      throw new UsageError(`--since: "${values.since}" is not a revision`);
    return { kind: 'since', rev: values.since, paths: positionals };
  }
  if (values.patch !== undefined) {
    if (positionals.length > 0)
      throw new UsageError(`--patch takes no paths (not "${positionals[0]}"); --tree DIR names the tree it applies to`);
    return { kind: 'patch', patch: values.patch, tree: values.tree ?? '.' };
  }
  if (positionals.length === 0) throw new UsageError(`no paths given\n${LINT_USAGE}`);
  return { kind: 'paths', paths: positionals };
}

function cacheDirOf(values: LintValues): string | null {
  const location = values['cache-location'];
  if (values['no-cache']) {
    if (location !== undefined) throw new UsageError('--no-cache and --cache-location cannot be used together');
    return null;
  }
  if (location === undefined) return defaultCacheDir();
  if (location === '') throw new UsageError('--cache-location needs a folder');
  return path.resolve(location);
}

function verbosityOf(values: LintValues): Verbosity {
  if (values.quiet && values.verbose) throw new UsageError('--quiet and --verbose cannot be used together');
  return values.quiet ? 'quiet' : values.verbose ? 'verbose' : 'normal';
}

function shardOption(value: string | undefined): Shard | undefined {
  if (value === undefined) return undefined;
  const shard = parseShard(value);
  if (!shard) throw new UsageError(`--shard must be I/N with 1 <= I <= N <= 1024, like 2/3 (not "${value}")`);
  return shard;
}

/** Where to look for the kernel tree's Makefile. */
function nearPath(source: LintSource): string {
  if (source.kind === 'patch') return source.tree;
  return source.paths[0] ?? '.';
}

/** The command line as a `LintCommand`, or null after printing the usage for --help. */
export function parseLintCommand(argv: readonly string[], io: Io): LintCommand | null {
  const { values, positionals } = parseCommandLine(argv, LINT_OPTIONS);
  if (values.help) {
    io.out(LINT_USAGE);
    return null;
  }
  const format = formatOption(values.format, ['gcc', 'json', 'sarif']);
  if (values.fix && values.diff) throw new UsageError('--fix and --diff cannot be used together');
  const source = lintSource(values, positionals);
  const verbosity = verbosityOf(values);
  const maxBytes = maxFileSizeOption(values['max-file-size']);
  const jobs = integerOption(values.jobs, 'jobs', 1, 1024);
  const rules = ruleSettings(values.rule ?? []);
  const exclude = (values.exclude ?? []).map(globMatcher);
  const shard = shardOption(values.shard);
  const cacheDir = cacheDirOf(values);
  if (values.baseline !== undefined && (values.fix || values.diff))
    throw new UsageError('--baseline cannot be used with --fix or --diff');
  const baseline = values.baseline !== undefined ? loadBaseline(values.baseline) : undefined;
  // Every option is checked before the first line is printed.
  const near = nearPath(source);
  const kernel = kernelVersionOption(values['kernel-version'], near);
  if (kernel.detected && verbosity !== 'quiet') {
    io.err(
      kernel.source
        ? `pinscope: checking against Linux ${formatVersion(kernel.version)} (from ${terminalPath(kernel.source)})`
        : `pinscope: no kernel Makefile above ${terminalPath(near)}; checking against Linux ${formatVersion(kernel.version)} (--kernel-version to choose)`,
    );
  }
  return {
    source,
    format,
    mode: values.fix ? 'fix' : values.diff ? 'diff' : 'report',
    request: { lint: { kernelVersion: kernel.version, rules }, maxBytes },
    exclude,
    jobs,
    exitZero: values['exit-zero'] ?? false,
    verbosity,
    explain: values.explain ?? false,
    cacheDir,
    noIndex: values['no-index'] ?? false,
    ...(baseline ? { baseline } : {}),
    ...(shard ? { shard } : {}),
  };
}
