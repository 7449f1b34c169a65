/**
 * Every message between the simulation panel (the webview bundle, client/webview/main.ts) and the
 * extension (client/simulation/), as one valibot schema per message and ONE typed union per
 * direction inferred from them. Both sides validate what they receive: a message that does not fit
 * is dropped (and logged), never half-used. The panel's persisted state (vscode.setState, restored
 * after a reload and by the WebviewPanelSerializer) is validated the same way.
 *
 * Runs in the browser and in the extension host: no imports but valibot and shared/.
 */
import * as v from 'valibot';
import { Int, parseWith, type Data, type Parsed } from './schema';
import {
  DocLinkSchema,
  PathSummarySchema,
  SimPathSchema,
  SimulationParametersSchema,
  TraceErrorSchema,
  type PathOutcome,
  type SimPath,
} from './simulation';

/** The webview panel's view type (package.json activation event `onWebviewPanel:…`). */
export const PANEL_VIEW_TYPE = 'pinscope.simulation';

/** The codicon of a path's outcome: the panel's badge and the extension's path picker. */
export const OUTCOME_ICON: Readonly<Record<PathOutcome, string>> = {
  clean: 'pass',
  leak: 'warning',
  mismatch: 'error',
  'double-release': 'error',
  'count-mismatch': 'error',
  'use-after-release': 'error',
  invalid: 'circle-slash',
  'dma-error': 'error',
};

/** What was simulated: a function of a C file, or a `.pinsim` trace. */
const SimSourceSchema = v.variant('kind', [
  v.object({ kind: v.literal('function'), uri: v.string(), function: v.string(), fileName: v.string() }),
  v.object({ kind: v.literal('trace'), uri: v.string(), fileName: v.string() }),
]);

/** Everything the panel shows for one run. Plain JSON (it is also the panel's persisted state). */
const PanelModelSchema = v.object({
  /** Increases with every run; stale `step` messages of an older run are ignored. */
  runId: Int,
  source: SimSourceSchema,
  /** The function's name (or the trace's `function` line). */
  function: v.string(),
  /** The version this run simulated. */
  kernelVersion: v.string(),
  kernelVersions: v.array(v.string()),
  /** The parameters the run was asked for (absent ones: the defaults). */
  parameters: SimulationParametersSchema,
  /** Every path of the function, worst first (empty for a trace). */
  paths: v.array(PathSummarySchema),
  /** The path shown (1-based, engine order), or null for a trace. */
  pathIndex: v.nullable(Int),
  path: v.nullable(SimPathSchema),
  /** For a trace: the .pinsim line of each step (what stepping highlights). */
  traceLines: v.nullable(v.array(Int)),
  notes: v.array(v.string()),
  /** A malformed trace: its errors, and `path` is null (nothing was simulated). */
  errors: v.array(TraceErrorSchema),
  partial: v.boolean(),
});
export type PanelModel = Data<typeof PanelModelSchema>;

/** A position on a path: 0 is the start, k the state after step k. */
const StepNumber = v.pipe(Int, v.minValue(0));
const RunId = Int;

// ─── extension → panel ──────────────────────────────────────────────────────────────────────────────

const ToPanelSchema = v.variant('type', [
  /** Show a run. `step`: where to start; absent = keep the current step when it is the same path. */
  v.object({ type: v.literal('render'), model: PanelModelSchema, step: v.optional(StepNumber) }),
  /** A run is in progress (empty message: done). */
  v.object({ type: v.literal('busy'), message: v.string() }),
  /** Something failed; the panel keeps what it shows and says so. */
  v.object({ type: v.literal('error'), message: v.string() }),
  /** Go to a step (a command, or a test). */
  v.object({ type: v.literal('goto'), step: StepNumber }),
]);
export type ToPanel = Data<typeof ToPanelSchema>;

// ─── panel → extension ──────────────────────────────────────────────────────────────────────────────

const FromPanelSchema = v.variant('type', [
  /** The panel script started; `runId` of the run it restored from its state, if any. */
  v.object({ type: v.literal('ready'), runId: v.nullable(RunId) }),
  /** The current step changed: highlight its line in the source editor. */
  v.object({ type: v.literal('step'), runId: RunId, step: StepNumber }),
  /** Show a step's line in the source editor (a click on the line number). */
  v.object({ type: v.literal('reveal'), runId: RunId, step: StepNumber }),
  /** Run again with other parameters, or another path (1-based). */
  v.object({
    type: v.literal('rerun'),
    runId: RunId,
    parameters: SimulationParametersSchema,
    path: v.nullable(v.pipe(Int, v.minValue(1))),
  }),
  v.object({ type: v.literal('export') }),
  v.object({ type: v.literal('copyMarkdown') }),
  /** A documentation link was clicked (https only). */
  v.object({ type: v.literal('openLink'), url: DocLinkSchema }),
]);
export type FromPanel = Data<typeof FromPanelSchema>;

/** What the panel keeps with vscode.setState. */
const PanelStateSchema = v.object({
  version: v.literal(1),
  model: v.nullable(PanelModelSchema),
  step: StepNumber,
  /** The page whose refcount the chart draws. */
  chartPage: v.nullable(Int),
});
export type PanelState = Data<typeof PanelStateSchema>;

// ─── validation ─────────────────────────────────────────────────────────────────────────────────────

/** Validates a message the panel received. */
export function parseToPanel(value: unknown): Parsed<ToPanel> {
  return parseWith(ToPanelSchema, value, 'message');
}

/** Validates a message the extension received from the panel. */
export function parseFromPanel(value: unknown): Parsed<FromPanel> {
  return parseWith(FromPanelSchema, value, 'message');
}

/** Validates the panel's persisted state (getState(), or the serializer's `state`). */
export function parsePanelState(value: unknown): Parsed<PanelState> {
  return parseWith(PanelStateSchema, value, 'state');
}

/** The number of positions of a path: the start (0) and one per step. */
export function positions(model: PanelModel): number {
  return model.path ? model.path.steps.length + 1 : 0;
}

/**
 * Where a new run opens: at the first step with a violation, so that what went wrong is on screen
 * without stepping (the start, 0, when the path has none).
 */
export function startStep(path: SimPath | null): number {
  const first = path?.steps.findIndex((s) => s.violations.length > 0) ?? -1;
  return first < 0 ? 0 : first + 1;
}
