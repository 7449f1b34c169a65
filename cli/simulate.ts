/**
 * `pinscope extract FILE:FUNCTION` prints a function's paths as `.pinsim` traces;
 * `pinscope simulate FILE:FUNCTION | TRACE.pinsim` runs them and prints the step table (or JSON).
 */
import { readFileSync } from 'node:fs';
import {
  analyzeFile,
  defaultParser,
  extractTraces,
  type FileAnalysis,
  findFunction,
  formatPathMarkdown,
  formatStepTable,
  formatTraceError,
  type KernelVersion,
  type PageKind,
  parseKernelVersion,
  printTrace,
  type SimOptions,
  simulateFunction,
  simulateTraceText,
  type SimulationReport,
  traceToJson,
} from '../core/index';
import { detectKernelVersion } from '../batch/kernelTree';
import { decodeSource } from '../batch/source';
import { parseArgs, UsageError } from './args';
import { displayPath } from './output';

interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const EXTRACT_USAGE =
  'usage: pinscope extract FILE:FUNCTION [--format pinsim|json] [--kernel-version X.Y] [--pages N] [--thp | --hugetlb | --zero]';
export const SIMULATE_USAGE = `usage: pinscope simulate FILE:FUNCTION [--path N] [--pages N] [--thp | --hugetlb | --zero] [--partial K | --error]
                         [--kernel-version X.Y] [--format table|json|markdown]
       pinscope simulate TRACE.pinsim [--kernel-version X.Y] [--format table|json|markdown]`;

const SPECS = [
  { name: 'format', takesValue: true, short: 'f' },
  { name: 'kernel-version', takesValue: true },
  { name: 'path', takesValue: true },
  { name: 'pages', takesValue: true },
  { name: 'thp', takesValue: false },
  { name: 'hugetlb', takesValue: false },
  { name: 'zero', takesValue: false },
  { name: 'partial', takesValue: true },
  { name: 'error', takesValue: false },
  { name: 'help', takesValue: false, short: 'h' },
] as const;

function positiveInt(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${option} must be a positive integer (not "${text}")`);
  return n;
}

function readText(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = e && typeof e === 'object' && 'code' in e ? String((e as { code: unknown }).code) : String(e);
    throw new UsageError(`${displayPath(file)}: cannot read (${code === 'ENOENT' ? 'no such file' : code})`);
  }
  const decoded = decodeSource(bytes);
  if (!decoded.ok) throw new UsageError(`${displayPath(file)}: ${decoded.message}`);
  return decoded.text;
}

/** FILE:FUNCTION, where FILE itself may contain colons. */
function splitTarget(target: string): { file: string; fn: string } {
  const i = target.lastIndexOf(':');
  if (i <= 0 || i === target.length - 1) throw new UsageError(`expected FILE:FUNCTION, not "${target}"`);
  return { file: target.slice(0, i), fn: target.slice(i + 1) };
}

function version(args: ReturnType<typeof parseArgs>, file: string): KernelVersion {
  const text = args.values.get('kernel-version');
  if (text !== undefined) {
    const v = parseKernelVersion(text);
    if (!v) throw new UsageError(`--kernel-version: "${text}" is not a version like 6.12`);
    return v;
  }
  return detectKernelVersion(file).version;
}

function simOptions(args: ReturnType<typeof parseArgs>): SimOptions {
  const kinds = (['thp', 'hugetlb', 'zero'] as const).filter((k) => args.flags.has(k));
  if (kinds.length > 1) throw new UsageError('choose one of --thp, --hugetlb, --zero');
  if (args.flags.has('error') && args.values.has('partial'))
    throw new UsageError('--partial and --error cannot be used together');
  const pages = positiveInt(args.values.get('pages'), 'pages');
  const partial = positiveInt(args.values.get('partial'), 'partial');
  const path = positiveInt(args.values.get('path'), 'path');
  return {
    ...(pages !== undefined ? { pages } : {}),
    ...(kinds[0] ? { pageKind: kinds[0] as PageKind } : {}),
    ...(partial !== undefined
      ? { acquireOutcome: { partial } }
      : args.flags.has('error')
        ? { acquireOutcome: 'error' as const }
        : {}),
    ...(path !== undefined ? { path } : {}),
  };
}

function analyse(file: string, v: KernelVersion): FileAnalysis {
  return analyzeFile(defaultParser().parse(readText(file)), v);
}

export function runExtract(argv: readonly string[], io: Io): number {
  const args = parseArgs(argv, SPECS);
  if (args.flags.has('help')) {
    io.out(EXTRACT_USAGE);
    return 0;
  }
  const [target, ...extra] = args.positionals;
  if (!target || extra.length > 0) throw new UsageError(EXTRACT_USAGE);
  const format = args.values.get('format') ?? 'pinsim';
  if (format !== 'pinsim' && format !== 'json') throw new UsageError('--format must be pinsim or json');
  const { file, fn } = splitTarget(target);
  const analysis = analyse(file, version(args, file));
  const f = findFunction(analysis, fn);
  if (!f)
    throw new UsageError(
      `${displayPath(file)}: no function ${fn}() that pinscope analyses (it must call a catalogued GUP, pin or DMA function, or a helper that does)`,
    );
  const { paths, partial } = extractTraces(analysis, f, simOptions(args));
  if (paths.length === 0) {
    io.err(`pinscope: ${fn}() takes no pages: there is no path to extract`);
    return 1;
  }
  if (format === 'json')
    io.out(
      JSON.stringify(
        {
          version: 1,
          function: fn,
          partial,
          paths: paths.map((p) => traceToJson({ ...p.trace, source: displayPath(file) })),
        },
        null,
        2,
      ),
    );
  else
    io.out(
      paths
        .map((p) => printTrace({ ...p.trace, source: displayPath(file) }))
        .join('\n')
        .trimEnd(),
    );
  if (partial) io.err(`pinscope: ${fn}() has more paths than the budget allows; the first ${paths.length} are shown`);
  return 0;
}

function reportJson(report: SimulationReport): object {
  return {
    version: 1,
    function: report.function,
    kernelVersion: report.kernelVersion,
    partial: report.partial,
    notes: report.notes,
    paths: report.paths.map((p) => ({
      outcome: p.outcome,
      label: p.label,
      initial: p.initial,
      steps: p.steps,
    })),
  };
}

export function runSimulate(argv: readonly string[], io: Io): number {
  const args = parseArgs(argv, SPECS);
  if (args.flags.has('help')) {
    io.out(SIMULATE_USAGE);
    return 0;
  }
  const [target, ...extra] = args.positionals;
  if (!target || extra.length > 0) throw new UsageError(SIMULATE_USAGE);
  const format = args.values.get('format') ?? 'table';
  if (format !== 'table' && format !== 'json' && format !== 'markdown')
    throw new UsageError('--format must be table, json or markdown');
  let report: SimulationReport;
  if (target.endsWith('.pinsim')) {
    const result = simulateTraceText(readText(target), args.values.get('kernel-version'));
    if (!result.ok) {
      for (const e of result.errors) io.err(formatTraceError(e, displayPath(target)));
      io.err(`pinscope: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}; nothing was simulated`);
      return 2;
    }
    report = result.report;
  } else {
    const { file, fn } = splitTarget(target);
    report = simulateFunction(analyse(file, version(args, file)), fn, simOptions(args));
    if (report.paths.length === 0) {
      for (const n of report.notes) io.err(`pinscope: ${n}`);
      return 1;
    }
  }
  if (format === 'markdown') io.out(report.paths.map((p) => formatPathMarkdown(report, p).trimEnd()).join('\n\n'));
  else io.out(format === 'json' ? JSON.stringify(reportJson(report), null, 2) : formatStepTable(report).trimEnd());
  return report.paths.some((p) => p.outcome !== 'clean') ? 1 : 0;
}
