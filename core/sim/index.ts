/**
 * The simulation's entry points for editors and the CLI: which functions can be simulated, the
 * simulation of a function's paths (or of a `.pinsim` trace), and the step table as text.
 */
import type { FileAnalysis } from '../fileAnalysis/types';
import type { FunctionAnalysis } from '../analysis/types';
import { formatVersion, NEWEST_KNOWN, parseKernelVersion, type KernelVersion } from '../catalog/version';
import { holdsResources, pathsOf } from '../fileAnalysis/paths';
import { parseTrace } from '../trace/parse';
import type { Trace, TraceError } from '../trace/types';
import { pathToTrace } from './fromPath';
import { checkSimOptions, TraceLimitError } from './limits';
import { simulateTrace } from './machine';
import type { SimOptions, SimPath, SimTarget, SimulationReport } from './types';
import { outcomeRank } from './violations';

export type { SimOptions, SimTarget, SimulationReport } from './types';
export { formatStepTable } from './table';
export { formatPathMarkdown } from './markdown';
export { checkSimOptions, MAX_RECORDED_STATES, MAX_STEPS, TraceLimitError } from './limits';

/** Functions that take pages (or DMA mappings) and so have something to simulate. */
export function simulationTargets(file: FileAnalysis): SimTarget[] {
  const targets: SimTarget[] = [];
  for (const fn of file.functions) {
    if (!holdsResources(fn)) continue;
    const paths = pathsOf(file, fn);
    targets.push({
      name: fn.info.name,
      span: { start: fn.info.nameNode.startIndex, end: fn.info.nameNode.endIndex },
      paths: paths.paths.length,
      partial: paths.partial,
    });
  }
  return targets;
}

export function findFunction(file: FileAnalysis, name: string): FunctionAnalysis | undefined {
  return file.functions.find((f) => f.info.name === name);
}

/** The function whose body contains `offset`, for "simulate the function at the cursor". */
export function functionAt(file: FileAnalysis, offset: number): FunctionAnalysis | undefined {
  return file.functions.find((f) => offset >= f.info.node.startIndex && offset <= f.info.node.endIndex);
}

export interface ExtractedPath {
  readonly index: number;
  readonly trace: Trace;
}

/** Every path of a function as a trace (what `pinscope extract` prints). */
export function extractTraces(
  file: FileAnalysis,
  fn: FunctionAnalysis,
  options: SimOptions = {},
): { paths: ExtractedPath[]; partial: boolean } {
  const invalid = checkSimOptions(options);
  if (invalid !== null) throw new TraceLimitError(invalid);
  const paths = pathsOf(file, fn);
  return {
    paths: paths.paths.map((p, i) => ({ index: i + 1, trace: pathToTrace(file, paths, p, i + 1, options) })),
    partial: paths.partial,
  };
}

function reportFor(
  name: string,
  version: KernelVersion,
  paths: SimPath[],
  partial: boolean,
  notes: string[],
): SimulationReport {
  return { function: name, kernelVersion: formatVersion(version), paths, partial, notes };
}

/**
 * Simulates a function's paths, in the engine's order (each SimPath's `index`); `options.path`
 * picks one (1-based). worstFirst() sorts them for pickers.
 */
export function simulateFunction(file: FileAnalysis, functionName: string, options: SimOptions = {}): SimulationReport {
  const invalid = checkSimOptions(options);
  if (invalid !== null) return reportFor(functionName, file.version, [], false, [invalid]);
  const fn = findFunction(file, functionName);
  if (!fn || !holdsResources(fn)) {
    // Defined but not analysed (it calls nothing catalogued) is not the same as absent.
    const exists = fn !== undefined || file.defined.has(functionName);
    return reportFor(functionName, file.version, [], false, [
      exists
        ? `${functionName}() makes no catalogued GUP, pin or DMA call: nothing to simulate`
        : `no function ${functionName}() in this file`,
    ]);
  }
  const { paths, partial } = extractTraces(file, fn, options);
  const chosen = options.path !== undefined ? paths.filter((p) => p.index === options.path) : paths;
  if (options.path !== undefined && chosen.length === 0) {
    return reportFor(functionName, file.version, [], partial, [
      `${functionName}() has ${paths.length} path${paths.length === 1 ? '' : 's'}; there is no path ${options.path}`,
    ]);
  }
  const notes = partial
    ? [`${functionName}() has more paths than the budget allows; the first ${paths.length} are shown`]
    : [];
  const simulated: SimPath[] = [];
  for (const p of chosen) {
    const label = `path ${p.index}: ${(p.trace.comments[0] ?? '').replace(/^.*?: /, '')}`;
    try {
      simulated.push({ ...simulateTrace(p.trace, { kernelVersion: file.version }, label), index: p.index });
    } catch (e) {
      // A path too big to record is left out with a note, not the whole report.
      if (!(e instanceof TraceLimitError)) throw e;
      notes.push(`path ${p.index} is not simulated: ${e.message}`);
    }
  }
  return reportFor(functionName, file.version, simulated, partial, notes);
}

/** Paths sorted worst first (leaks and mismatches before clean paths), for pickers. */
export function worstFirst(paths: readonly SimPath[]): SimPath[] {
  return [...paths].sort((a, b) => outcomeRank(a.outcome) - outcomeRank(b.outcome));
}

export type TraceSimulation =
  | { readonly ok: true; readonly report: SimulationReport; readonly trace: Trace }
  | { readonly ok: false; readonly errors: readonly TraceError[] };

/** Parses and simulates a `.pinsim` text; malformed traces simulate nothing. */
export function simulateTraceText(text: string, kernelVersion?: string): TraceSimulation {
  const parsed = parseTrace(text);
  if (!parsed.ok) return parsed;
  const trace = parsed.trace;
  const version =
    (kernelVersion ? parseKernelVersion(kernelVersion) : null) ??
    (trace.kernel ? parseKernelVersion(trace.kernel) : null) ??
    undefined;
  let path: SimPath;
  try {
    path = simulateTrace(trace, version ? { kernelVersion: version } : {}, trace.comments[0] ?? 'trace');
  } catch (e) {
    if (!(e instanceof TraceLimitError)) throw e;
    return { ok: false, errors: [{ line: e.traceLine ?? 1, column: 1, message: e.message }] };
  }
  const v = version ?? (parseKernelVersion(NEWEST_KNOWN) as KernelVersion);
  return { ok: true, trace, report: reportFor(trace.function ?? '(trace)', v, [path], false, []) };
}
