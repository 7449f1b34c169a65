/**
 * `pinscope extract FILE:FUNCTION` prints a function's paths as `.pinsim` traces;
 * `pinscope simulate FILE:FUNCTION | TRACE.pinsim` runs them and prints the step table (or JSON).
 */
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
  printTrace,
  type SimOptions,
  simulateFunction,
  simulateTraceText,
  type SimulationReport,
  traceToJson,
} from '../core/index';
import { displayPath, terminalPath } from './filePaths';
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
import { ReadError, readSource } from './readFile';

export const EXTRACT_USAGE = `usage: pinscope extract FILE:FUNCTION [--format pinsim|json] [--kernel-version X.Y] [--pages N]
                        [--thp | --hugetlb | --zero] [--max-file-size BYTES]`;
export const SIMULATE_USAGE = `usage: pinscope simulate FILE:FUNCTION [--path N] [--pages N] [--thp | --hugetlb | --zero] [--partial K | --error]
                         [--kernel-version X.Y] [--format table|json|markdown] [--max-file-size BYTES]
       pinscope simulate TRACE.pinsim [--kernel-version X.Y] [--format table|json|markdown] [--max-file-size BYTES]`;

const SIM_OPTIONS = {
  ...COMMON_OPTIONS,
  path: { type: 'string' },
  pages: { type: 'string' },
  thp: { type: 'boolean' },
  hugetlb: { type: 'boolean' },
  zero: { type: 'boolean' },
  partial: { type: 'string' },
  error: { type: 'boolean' },
} as const;

type SimValues = ReturnType<typeof parseCommandLine<typeof SIM_OPTIONS>>['values'];

/** Pages one simulation may model: the simulation panel's limit, and far beyond any real call site. */
const MAX_PAGES = 4096;
/** Paths a function may have in one run is bounded by the analysis; this only bounds the number typed. */
const MAX_PATH_NUMBER = 1_000_000;

/** The text of a C file or trace, read only if it is a regular file within the size limit. */
function readText(file: string, values: SimValues): string {
  try {
    return readSource(file, maxFileSizeOption(values['max-file-size'])).decoded.text;
  } catch (e) {
    if (e instanceof ReadError) throw new UsageError(`${terminalPath(file)}: ${e.message}`);
    throw e;
  }
}

/** FILE:FUNCTION, where FILE itself may contain colons. */
function splitTarget(target: string): { file: string; fn: string } {
  const i = target.lastIndexOf(':');
  if (i <= 0 || i === target.length - 1) throw new UsageError(`expected FILE:FUNCTION, not "${target}"`);
  return { file: target.slice(0, i), fn: target.slice(i + 1) };
}

function simOptions(values: SimValues): SimOptions {
  const kinds = (['thp', 'hugetlb', 'zero'] as const).filter((k) => values[k]);
  if (kinds.length > 1) throw new UsageError('choose one of --thp, --hugetlb, --zero');
  if (values.error && values.partial !== undefined)
    throw new UsageError('--partial and --error cannot be used together');
  const pages = integerOption(values.pages, 'pages', 1, MAX_PAGES);
  const partial = integerOption(values.partial, 'partial', 1, MAX_PAGES);
  const path = integerOption(values.path, 'path', 1, MAX_PATH_NUMBER);
  return {
    ...(pages !== undefined ? { pages } : {}),
    ...(kinds[0] ? { pageKind: kinds[0] } : {}),
    ...(partial !== undefined
      ? { acquireOutcome: { partial } }
      : values.error
        ? { acquireOutcome: 'error' as const }
        : {}),
    ...(path !== undefined ? { path } : {}),
  };
}

function analyse(file: string, values: SimValues): FileAnalysis {
  const version: KernelVersion = kernelVersionOption(values['kernel-version'], file).version;
  return analyzeFile(defaultParser().parse(readText(file, values)), version);
}

export function runExtract(argv: readonly string[], io: Io): number {
  const { values, positionals } = parseCommandLine(argv, SIM_OPTIONS);
  if (values.help) {
    io.out(EXTRACT_USAGE);
    return 0;
  }
  const [target, ...extra] = positionals;
  if (!target || extra.length > 0) throw new UsageError(EXTRACT_USAGE);
  const format = formatOption(values.format, ['pinsim', 'json']);
  const { file, fn } = splitTarget(target);
  const analysis = analyse(file, values);
  const f = findFunction(analysis, fn);
  if (!f)
    throw new UsageError(
      `${terminalPath(file)}: no function ${fn}() that pinscope analyses (it must call a catalogued GUP, pin or DMA function, or a helper that does)`,
    );
  const { paths, partial } = extractTraces(analysis, f, simOptions(values));
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
        .map((p) => printTrace({ ...p.trace, source: terminalPath(file) }))
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
  const { values, positionals } = parseCommandLine(argv, SIM_OPTIONS);
  if (values.help) {
    io.out(SIMULATE_USAGE);
    return 0;
  }
  const [target, ...extra] = positionals;
  if (!target || extra.length > 0) throw new UsageError(SIMULATE_USAGE);
  const format = formatOption(values.format, ['table', 'json', 'markdown']);
  let report: SimulationReport;
  if (target.endsWith('.pinsim')) {
    const result = simulateTraceText(readText(target, values), values['kernel-version']);
    if (!result.ok) {
      for (const e of result.errors) io.err(formatTraceError(e, terminalPath(target)));
      io.err(`pinscope: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}; nothing was simulated`);
      return 2;
    }
    report = result.report;
  } else {
    const { file, fn } = splitTarget(target);
    report = simulateFunction(analyse(file, values), fn, simOptions(values));
    if (report.paths.length === 0) {
      for (const n of report.notes) io.err(`pinscope: ${n}`);
      return 1;
    }
  }
  if (format === 'markdown') io.out(report.paths.map((p) => formatPathMarkdown(report, p).trimEnd()).join('\n\n'));
  else io.out(format === 'json' ? JSON.stringify(reportJson(report), null, 2) : formatStepTable(report).trimEnd());
  return report.paths.some((p) => p.outcome !== 'clean') ? 1 : 0;
}
