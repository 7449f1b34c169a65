/**
 * What an editor asks of the simulation, answered from an analysed file or a `.pinsim` text: the
 * function at a position, every path summarised worst first, the chosen path with its `.pinsim`
 * text and Markdown table. The server's panel and hovers only format what this returns; before the
 * session existed, the server reached past core's simulation entry into `analysis/functions`.
 */
import type { FileAnalysis } from '../fileAnalysis/types';
import { functionsIn } from '../analysis/functions';
import { formatVersion } from '../catalog/version';
import { extractTraces, findFunction, functionAt, simulateFunction, simulateTraceText, worstFirst } from '../sim/index';
import { branchLabel, formatPathMarkdown } from '../sim/markdown';
import type { PathOutcome, SimOptions, SimPath, SimulationReport } from '../sim/types';
import { parseTrace } from '../trace/parse';
import { printTrace } from '../trace/print';
import type { TraceError } from '../trace/types';

/** One path for a picker: its number, what goes wrong on it, and the first violation in words. */
export interface PathSummary {
  /** 1-based, in the engine's order (what `path` asks for). */
  readonly index: number;
  readonly outcome: PathOutcome;
  /** The branches taken (`ret < 0: false → !dev: true`). */
  readonly label: string;
  readonly steps: number;
  readonly violations: number;
  readonly firstViolation?: string;
}

/** The path asked for, with what Export Trace and Copy as Markdown need. */
export interface ChosenPath {
  readonly index: number;
  readonly path: SimPath;
  /** The path as a `.pinsim` trace. */
  readonly trace: string;
  /** Its step table as Markdown. */
  readonly markdown: string;
}

export interface FunctionSimulation {
  readonly function: string | null;
  readonly report: SimulationReport;
  readonly paths: readonly PathSummary[];
  readonly chosen?: ChosenPath;
  readonly nothingToSimulate?: string;
}

export interface FunctionRequest {
  readonly function?: string;
  /** UTF-16 offset of the cursor, when no function is named. */
  readonly offset?: number;
  /** The path to run in full (1-based); without it every path is summarised. */
  readonly path?: number;
  readonly options?: SimOptions;
}

function summarize(paths: readonly SimPath[]): PathSummary[] {
  return worstFirst(paths).map((p) => {
    const violations = p.steps.flatMap((s) => s.violations);
    return {
      index: p.index ?? 0,
      outcome: p.outcome,
      label: branchLabel(p.label),
      steps: p.steps.length,
      violations: violations.length,
      ...(violations[0] ? { firstViolation: violations[0].message } : {}),
    };
  });
}

function emptyReport(name: string, file: FileAnalysis, note: string): SimulationReport {
  return { function: name, kernelVersion: formatVersion(file.version), paths: [], partial: false, notes: [note] };
}

/** What the cursor is in: core's analysed functions first, then any function definition. */
function functionNameAt(file: FileAnalysis, offset: number): string | null {
  const analysed = functionAt(file, offset);
  if (analysed) return analysed.info.name;
  const enclosing = functionsIn(file.parsed.root).find((f) => offset >= f.node.startIndex && offset <= f.node.endIndex);
  return enclosing?.name ?? null;
}

export function simulateInFile(file: FileAnalysis, request: FunctionRequest): FunctionSimulation {
  const name = request.function ?? (request.offset !== undefined ? functionNameAt(file, request.offset) : null);
  if (!name) {
    const note = 'The cursor is not in a function: put it inside a C function that pins or gets user pages.';
    return { function: null, report: emptyReport('', file, note), paths: [], nothingToSimulate: note };
  }
  const options = request.options ?? {};
  const report = simulateFunction(file, name, options);
  if (report.paths.length === 0) {
    const note = report.notes[0] ?? `${name}(): nothing to simulate`;
    return { function: name, report, paths: [], nothingToSimulate: note };
  }
  const paths = summarize(report.paths);
  if (request.path === undefined) return { function: name, report, paths };
  const chosen = report.paths[request.path - 1];
  const fn = findFunction(file, name);
  if (!chosen || !fn) {
    const note = `${name}() has ${report.paths.length} path${report.paths.length === 1 ? '' : 's'}; there is no path ${request.path}`;
    return { function: name, report, paths, nothingToSimulate: note };
  }
  const extracted = extractTraces(file, fn, options).paths[request.path - 1];
  return {
    function: name,
    report,
    paths,
    chosen: {
      index: request.path,
      path: chosen,
      trace: extracted ? printTrace(extracted.trace) : '',
      markdown: formatPathMarkdown(report, chosen, request.path),
    },
  };
}

export type TraceDocumentSimulation =
  | {
      readonly ok: true;
      readonly report: SimulationReport;
      /** 1-based line of the trace each step was written on. */
      readonly traceLines: readonly number[];
      readonly trace: string;
      readonly markdown: string;
    }
  | { readonly ok: false; readonly errors: readonly TraceError[] };

/**
 * Simulates a `.pinsim` text. The kernel version: `override` (the panel's choice), else the trace's
 * own `kernel` line, else `fallback` (the document's pinscope.kernelVersion).
 */
export function simulateTraceDocument(
  text: string,
  override: string | undefined,
  fallback: string,
): TraceDocumentSimulation {
  const parsed = parseTrace(text);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const version = override ?? (parsed.trace.kernel ? undefined : fallback);
  const sim = simulateTraceText(text, version);
  if (!sim.ok) return { ok: false, errors: sim.errors };
  const report = sim.report;
  const path = report.paths[0] as SimPath;
  return {
    ok: true,
    report,
    traceLines: sim.trace.steps.map((step) => step.traceLine ?? 0),
    trace: printTrace(sim.trace),
    markdown: formatPathMarkdown(report, path, 1),
  };
}
