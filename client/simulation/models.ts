/**
 * The panel's model of a run, built from the server's answer (pinscope/simulate for a function,
 * pinscope/simulateTrace for a `.pinsim` trace), and the options another extension or a test may
 * pass to pinscope.runSimulation. Plain data, no vscode API: what the panel is sent is decided here.
 */
import * as v from 'valibot';
import type { ChosenPath, SimulateResult, SimulateTraceResult } from '../../server/protocol';
import type { PanelModel } from '../../shared/panel';
import { Int, parseWith, type Data, type Parsed } from '../../shared/schema';
import { PathOutcomeSchema, SimulationParametersSchema, type SimulationParameters } from '../../shared/simulation';

/** Optional third argument of pinscope.runSimulation: skip the quick pick. */
const RunOptionsSchema = v.object({
  path: v.optional(v.pipe(Int, v.minValue(1))),
  /** The first path (worst first) with this outcome. */
  outcome: v.optional(PathOutcomeSchema),
  parameters: v.optional(SimulationParametersSchema),
});
export type RunOptions = Data<typeof RunOptionsSchema>;

/** The options of a command call (absent: none); what does not fit is refused with the reason. */
export function parseRunOptions(value: unknown): Parsed<RunOptions> {
  return value === undefined || value === null
    ? { ok: true, value: {} }
    : parseWith(RunOptionsSchema, value, 'options');
}

/** The document simulated: its URI and the file name the panel shows. */
export interface Document {
  readonly uri: string;
  readonly fileName: string;
}

/** A function's path, as the panel shows it. */
export function functionModel(
  runId: number,
  doc: Document,
  fn: string,
  r: SimulateResult & { readonly chosen: ChosenPath },
  parameters: SimulationParameters,
  pathIndex: number,
): PanelModel {
  return {
    runId,
    source: { kind: 'function', uri: doc.uri, function: fn, fileName: doc.fileName },
    function: fn,
    kernelVersion: r.report.kernelVersion,
    kernelVersions: r.kernelVersions,
    parameters,
    paths: r.paths,
    pathIndex,
    path: r.chosen.path,
    traceLines: null,
    notes: r.report.notes,
    errors: [],
    partial: r.report.partial,
  };
}

/** A trace, as the panel shows it: its one path, or (malformed) its errors and nothing simulated. */
export function traceModel(
  runId: number,
  doc: Document,
  r: SimulateTraceResult,
  parameters: SimulationParameters,
): PanelModel {
  const base = {
    runId,
    source: { kind: 'trace' as const, uri: doc.uri, fileName: doc.fileName },
    kernelVersions: r.kernelVersions,
    // A trace sets up its own memory and outcomes: only the kernel version applies.
    parameters: parameters.kernelVersion ? { kernelVersion: parameters.kernelVersion } : {},
    paths: [],
    pathIndex: null,
    partial: false,
  };
  if (!r.ok)
    return {
      ...base,
      function: '',
      kernelVersion: r.kernelVersion,
      path: null,
      traceLines: null,
      notes: [],
      errors: r.errors,
    };
  return {
    ...base,
    function: r.report.function !== '(trace)' ? r.report.function : '',
    kernelVersion: r.report.kernelVersion,
    path: r.report.paths[0] ?? null,
    traceLines: r.traceLines,
    notes: r.report.notes,
    errors: [],
  };
}
