/**
 * `pinscope lint`: files or folders (recursive over *.c and *.h), findings as gcc lines, JSON or
 * SARIF, `--fix` to apply the safe fixes in place, `--diff` to print them as a unified diff.
 * Exit status: 0 clean, 1 findings, 2 usage or I/O error (nothing could be read).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  applyEdits,
  type Finding,
  formatVersion,
  isRuleId,
  type KernelVersion,
  type LintOptions,
  lintText,
  parseKernelVersion,
  type RuleId,
  type RuleSetting,
  selectSafeFixes,
  type Severity,
  toSarif,
  unifiedDiff,
} from '../core/index';
import { listCFiles, globMatcher } from '../batch/files';
import { detectKernelVersion } from '../batch/kernelTree';
import { lintFiles } from '../batch/pool';
import { decodeSource, encodeSource, DEFAULT_MAX_BYTES } from '../batch/source';
import { parseArgs, UsageError } from './args';
import { displayPath, gccLine, jsonFinding, noteLine } from './output';
import { VERSION } from './version';

export const LINT_USAGE = `usage: pinscope lint [--format gcc|json|sarif] [--kernel-version X.Y] [--fix | --diff]
                     [--rule ID=off|error|warning|info]... [--exclude GLOB]... [--jobs N]
                     [--max-file-size BYTES] [--exit-zero] PATH...`;

const SPECS = [
  { name: 'format', takesValue: true, short: 'f' },
  { name: 'kernel-version', takesValue: true },
  { name: 'fix', takesValue: false },
  { name: 'diff', takesValue: false },
  { name: 'rule', takesValue: true },
  { name: 'exclude', takesValue: true },
  { name: 'jobs', takesValue: true, short: 'j' },
  { name: 'max-file-size', takesValue: true },
  { name: 'exit-zero', takesValue: false },
  { name: 'quiet', takesValue: false, short: 'q' },
  { name: 'help', takesValue: false, short: 'h' },
] as const;

interface Io {
  out(line: string): void;
  err(line: string): void;
}

/** `--rule` may repeat; parseArgs keeps the last value, so collect them from argv ourselves. */
function repeated(argv: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === `--${name}` && argv[i + 1] !== undefined) values.push(argv[++i] as string);
    else if (a.startsWith(`--${name}=`)) values.push(a.slice(name.length + 3));
  }
  return values;
}

function ruleSettings(specs: readonly string[]): Partial<Record<RuleId, RuleSetting>> {
  const out: Partial<Record<RuleId, RuleSetting>> = {};
  for (const spec of specs) {
    const [id, value] = spec.split('=');
    if (!id || !value || !isRuleId(id))
      throw new UsageError(`--rule ${spec}: expected RULE-ID=off|error|warning|info with a known rule id`);
    if (value === 'off') out[id] = { enabled: false };
    else if (value === 'error' || value === 'warning' || value === 'info') out[id] = { severity: value as Severity };
    else throw new UsageError(`--rule ${spec}: the level must be off, error, warning or info`);
  }
  return out;
}

export async function runLint(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, SPECS);
  if (args.flags.has('help')) {
    io.out(LINT_USAGE);
    return 0;
  }
  const format = args.values.get('format') ?? 'gcc';
  if (format !== 'gcc' && format !== 'json' && format !== 'sarif')
    throw new UsageError(`--format must be gcc, json or sarif (not "${format}")`);
  const fix = args.flags.has('fix');
  const diff = args.flags.has('diff');
  if (fix && diff) throw new UsageError('--fix and --diff cannot be used together');
  if (args.positionals.length === 0) throw new UsageError(`no paths given\n${LINT_USAGE}`);
  const jobsText = args.values.get('jobs');
  const jobs = jobsText === undefined ? undefined : Number(jobsText);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1))
    throw new UsageError('--jobs must be a positive integer');
  const maxText = args.values.get('max-file-size');
  const maxBytes = maxText === undefined ? DEFAULT_MAX_BYTES : Number(maxText);
  if (!Number.isInteger(maxBytes) || maxBytes < 1)
    throw new UsageError('--max-file-size must be a positive number of bytes');

  let version: KernelVersion;
  const versionText = args.values.get('kernel-version');
  if (versionText !== undefined) {
    const parsed = parseKernelVersion(versionText);
    if (!parsed) throw new UsageError(`--kernel-version: "${versionText}" is not a version like 6.12`);
    version = parsed;
  } else {
    const detected = detectKernelVersion(args.positionals[0]);
    version = detected.version;
    if (!args.flags.has('quiet')) {
      io.err(
        detected.source
          ? `pinscope: checking against Linux ${formatVersion(version)} (from ${displayPath(detected.source)})`
          : `pinscope: no kernel Makefile above ${args.positionals[0]}; checking against Linux ${formatVersion(version)} (--kernel-version to choose)`,
      );
    }
  }
  const lint: LintOptions = { kernelVersion: version, rules: ruleSettings(repeated(argv, 'rule')) };
  const exclude = repeated(argv, 'exclude').map(globMatcher);

  const started = Date.now();
  const listing = listCFiles(args.positionals, { exclude });
  for (const p of listing.problems) io.err(`pinscope: ${displayPath(p.path)}: ${p.message}`);
  if (listing.files.length === 0) {
    io.err('pinscope: nothing to lint');
    return 2;
  }
  const workerScript = path.join(__dirname, '..', 'worker', 'lint-worker.js');
  const pool = await lintFiles(listing.files, {
    request: { lint, maxBytes },
    workerScript,
    ...(jobs !== undefined ? { threads: jobs } : {}),
  });

  let unreadable = 0;
  for (const r of pool.results) {
    if (r.problem) io.err(`pinscope: ${displayPath(r.file)}: ${r.problem}`);
    if (r.status === 'error' || r.status === 'skipped') unreadable++;
  }
  if (unreadable === listing.files.length) {
    io.err('pinscope: none of the files could be read');
    return 2;
  }

  // --fix / --diff: re-lint each file with fixes in this thread, on the bytes we are about to edit.
  let reported: { file: string; text: string; findings: readonly Finding[] }[] = [];
  let fixedFiles = 0;
  let fixedFindings = 0;
  for (const r of pool.results) {
    if (r.findings.length === 0) continue;
    let text: string;
    let encoding: 'utf-8' | 'latin1' = 'utf-8';
    try {
      const decoded = decodeSource(readFileSync(r.file), maxBytes);
      if (!decoded.ok) continue;
      text = decoded.text;
      encoding = decoded.encoding;
    } catch (e) {
      io.err(`pinscope: ${displayPath(r.file)}: cannot read: ${e instanceof Error ? e.message : String(e)}`);
      continue;
    }
    if (!fix && !diff) {
      reported.push({ file: r.file, text, findings: r.findings });
      continue;
    }
    const current = lintText(text, lint);
    const selection = selectSafeFixes(current.findings);
    if (selection.edits.length === 0) {
      reported.push({ file: r.file, text, findings: current.findings });
      continue;
    }
    const fixed = applyEdits(text, selection.edits);
    if (diff) {
      const rel = displayPath(r.file).split(path.sep).join('/');
      io.out(unifiedDiff(text, fixed, `a/${rel}`, `b/${rel}`).trimEnd());
      reported.push({ file: r.file, text, findings: current.findings });
    } else {
      try {
        writeFileSync(r.file, encodeSource(fixed, encoding));
      } catch (e) {
        io.err(`pinscope: ${displayPath(r.file)}: cannot write the fix: ${e instanceof Error ? e.message : String(e)}`);
        reported.push({ file: r.file, text, findings: current.findings });
        continue;
      }
      fixedFiles++;
      fixedFindings += selection.applied.length;
      const after = lintText(fixed, lint);
      reported.push({ file: r.file, text: fixed, findings: after.findings });
    }
  }
  reported = reported.filter((r) => r.findings.length > 0);
  const total = reported.reduce((n, r) => n + r.findings.length, 0);

  if (!diff) {
    if (format === 'gcc') {
      for (const r of reported) for (const f of r.findings) io.out(gccLine(r.file, f));
      for (const r of pool.results)
        for (const n of r.notes) if (n.kind !== 'encoding' && !args.flags.has('quiet')) io.err(noteLine(r.file, n));
    } else if (format === 'json') {
      io.out(
        JSON.stringify({
          version: 1,
          findings: reported.flatMap((r) => r.findings.map((f) => jsonFinding(r.file, r.text, f))),
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
            kernelVersion: formatVersion(version),
            elapsedMs: Date.now() - started,
          },
        }),
      );
    } else {
      const root = process.cwd();
      io.out(
        JSON.stringify(
          toSarif(
            reported.map((r) => ({ file: r.file, text: r.text, findings: r.findings })),
            {
              toolVersion: VERSION,
              informationUri: 'https://example.invalid/pinscope',
              uri: (file) => path.relative(root, file).split(path.sep).join('/'),
              kernelVersion: formatVersion(version),
            },
          ),
          null,
          2,
        ),
      );
    }
  }
  if (fix && !args.flags.has('quiet'))
    io.err(
      `pinscope: fixed ${fixedFindings} finding${fixedFindings === 1 ? '' : 's'} in ${fixedFiles} file${fixedFiles === 1 ? '' : 's'}; ${total} remain`,
    );
  if (format === 'gcc' && !diff && !args.flags.has('quiet')) {
    io.err(
      `pinscope: ${total} finding${total === 1 ? '' : 's'} in ${reported.length} file${reported.length === 1 ? '' : 's'} (${pool.linted} parsed, ${pool.prefiltered} skipped by the prefilter, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  if (args.flags.has('exit-zero')) return 0;
  return total > 0 ? 1 : 0;
}
