/**
 * Every message between the simulation panel (the webview bundle, client/webview/main.ts) and the
 * extension (client/simulation/), as ONE typed union per direction, and the validators both sides
 * run on receipt: a message that does not fit is dropped (and logged), never half-used. The
 * panel's persisted state (vscode.setState, restored after a reload and by the
 * WebviewPanelSerializer) is validated the same way.
 *
 * This module runs in the browser and in the extension host: no imports but types.
 */
import type {
  AcquireChoice,
  DmaMappingState,
  DmaState,
  PageKind,
  PageState,
  PathOutcome,
  PathSummary,
  SimPath,
  SimStep,
  SimulationParameters,
  TraceError,
  Violation,
  VmStat,
} from '../../server/protocol';

export type {
  AcquireChoice,
  PageKind,
  PageState,
  PathOutcome,
  PathSummary,
  SimPath,
  SimStep,
  SimulationParameters,
  TraceError,
  Violation,
  VmStat,
};

/** The webview panel's view type (package.json activation event `onWebviewPanel:…`). */
export const PANEL_VIEW_TYPE = 'pinscope.simulation';

/** What was simulated: a function of a C file, or a `.pinsim` trace. */
export type SimSource =
  | { readonly kind: 'function'; readonly uri: string; readonly function: string; readonly fileName: string }
  | { readonly kind: 'trace'; readonly uri: string; readonly fileName: string };

/** Everything the panel shows for one run. Plain JSON (it is also the panel's persisted state). */
export interface PanelModel {
  /** Increases with every run; stale `step` messages of an older run are ignored. */
  readonly runId: number;
  readonly source: SimSource;
  /** The function's name (or the trace's `function` line). */
  readonly function: string;
  /** The version this run simulated. */
  readonly kernelVersion: string;
  readonly kernelVersions: readonly string[];
  /** The parameters the run was asked for (absent ones: the defaults). */
  readonly parameters: SimulationParameters;
  /** Every path of the function, worst first (empty for a trace). */
  readonly paths: readonly PathSummary[];
  /** The path shown (1-based, engine order), or null for a trace. */
  readonly pathIndex: number | null;
  readonly path: SimPath | null;
  /** For a trace: the .pinsim line of each step (what stepping highlights). */
  readonly traceLines: readonly number[] | null;
  readonly notes: readonly string[];
  /** A malformed trace: its errors, and `path` is null (nothing was simulated). */
  readonly errors: readonly TraceError[];
  readonly partial: boolean;
}

// ─── extension → panel ──────────────────────────────────────────────────────────────────────────────

export type ToPanel =
  /** Show a run. `step`: where to start; absent = keep the current step when it is the same path. */
  | { readonly type: 'render'; readonly model: PanelModel; readonly step?: number }
  /** A run is in progress (empty message: done). */
  | { readonly type: 'busy'; readonly message: string }
  /** Something failed; the panel keeps what it shows and says so. */
  | { readonly type: 'error'; readonly message: string }
  /** Go to a step (a command, or a test). */
  | { readonly type: 'goto'; readonly step: number };

// ─── panel → extension ──────────────────────────────────────────────────────────────────────────────

export type FromPanel =
  /** The panel script started; `runId` of the run it restored from its state, if any. */
  | { readonly type: 'ready'; readonly runId: number | null }
  /** The current step changed: highlight its line in the source editor. */
  | { readonly type: 'step'; readonly runId: number; readonly step: number }
  /** Show a step's line in the source editor (a click on the line number). */
  | { readonly type: 'reveal'; readonly runId: number; readonly step: number }
  /** Run again with other parameters, or another path. */
  | {
      readonly type: 'rerun';
      readonly runId: number;
      readonly parameters: SimulationParameters;
      readonly path: number | null;
    }
  | { readonly type: 'export' }
  | { readonly type: 'copyMarkdown' }
  /** A documentation link was clicked (https only). */
  | { readonly type: 'openLink'; readonly url: string };

/** What the panel keeps with vscode.setState. */
export interface PanelState {
  readonly version: 1;
  readonly model: PanelModel | null;
  readonly step: number;
  /** The page whose refcount the chart draws. */
  readonly chartPage: number | null;
}

// ─── validation ─────────────────────────────────────────────────────────────────────────────────────

export class ProtocolError extends Error {}

/**
 * Where in the message a check is: built only when a check failed and the message is validated a
 * second time to say where (building `message.model.path.steps[9999].pages[3].refcount` for every
 * field of a 10,000-step model would cost more than the checks).
 */
let tracing = false;
const sub = (at: string, key: string): string => (tracing ? `${at}.${key}` : at);
const idx = (at: string, i: number): string => (tracing ? `${at}[${i}]` : at);

type Check<T> = (value: unknown, at: string) => T;

function fail(at: string, expected: string, value: unknown): never {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new ProtocolError(`${at}: expected ${expected}, got ${got}`);
}

const num: Check<number> = (v, at) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(at, 'a number', v));
const int: Check<number> = (v, at) =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : fail(at, 'an integer', v);
const str: Check<string> = (v, at) => (typeof v === 'string' ? v : fail(at, 'a string', v));
const bool: Check<boolean> = (v, at) => (typeof v === 'boolean' ? v : fail(at, 'a boolean', v));

function oneOf<T extends string>(values: readonly T[]): Check<T> {
  return (v, at) =>
    typeof v === 'string' && (values as readonly string[]).includes(v)
      ? (v as T)
      : fail(at, `one of ${values.join(', ')}`, v);
}

function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, at) => (v === null ? null : check(v, at));
}

function arrayOf<T>(check: Check<T>): Check<T[]> {
  return (v, at) => {
    if (!Array.isArray(v)) fail(at, 'an array', v);
    const out: T[] = new Array<T>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = check(v[i], idx(at, i));
    return out;
  };
}

function record(v: unknown, at: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, 'an object', v);
  return v as Record<string, unknown>;
}

/** An optional field: absent stays absent (exactOptionalPropertyTypes-friendly spreads). */
function opt<K extends string, T>(o: Record<string, unknown>, key: K, check: Check<T>, at: string): { [P in K]?: T } {
  return o[key] === undefined ? {} : ({ [key]: check(o[key], sub(at, key)) } as { [P in K]?: T });
}

// Records, not lists: when core adds a kind, the type check fails here until the panel knows it.
const PAGE_KIND_SET: Record<PageKind, true> = { base: true, thp: true, hugetlb: true, zero: true };
const OUTCOME_SET: Record<PathOutcome, true> = {
  clean: true,
  leak: true,
  mismatch: true,
  'double-release': true,
  'count-mismatch': true,
  'use-after-release': true,
  invalid: true,
  'dma-error': true,
};
const VIOLATION_KIND_SET: Record<Violation['kind'], true> = {
  'release-mismatch': true,
  'double-release': true,
  'count-mismatch': true,
  'negative-count': true,
  'use-after-release': true,
  leak: true,
  'invalid-args': true,
  overflow: true,
  'zero-page-write': true,
  dma: true,
};
const PAGE_KINDS = Object.keys(PAGE_KIND_SET) as PageKind[];
const OUTCOMES = Object.keys(OUTCOME_SET) as PathOutcome[];
const VIOLATION_KINDS = Object.keys(VIOLATION_KIND_SET) as Violation['kind'][];
// Built once: the checks below run for every page of every step.
const pageKind = oneOf(PAGE_KINDS);
const outcome = oneOf(OUTCOMES);
const violationKind = oneOf(VIOLATION_KINDS);
const nullableInt = nullable(int);

const pageState: Check<PageState> = (v, at) => {
  const o = record(v, at);
  return {
    index: int(o.index, sub(at, 'index')),
    kind: pageKind(o.kind, sub(at, 'kind')),
    folio: int(o.folio, sub(at, 'folio')),
    refcount: int(o.refcount, sub(at, 'refcount')),
    pincount: nullableInt(o.pincount, sub(at, 'pincount')),
    maybeDmaPinned: bool(o.maybeDmaPinned, sub(at, 'maybeDmaPinned')),
    dirty: bool(o.dirty, sub(at, 'dirty')),
    heldRefs: int(o.heldRefs, sub(at, 'heldRefs')),
    heldPins: int(o.heldPins, sub(at, 'heldPins')),
  };
};

const vmStat: Check<VmStat> = (v, at) => {
  const o = record(v, at);
  return {
    nr_foll_pin_acquired: int(o.nr_foll_pin_acquired, sub(at, 'nr_foll_pin_acquired')),
    nr_foll_pin_released: int(o.nr_foll_pin_released, sub(at, 'nr_foll_pin_released')),
  };
};

/** Only https links leave the panel (documentation). */
export function isDocLink(url: string): boolean {
  return /^https:\/\/[a-z0-9.-]+(?::\d+)?\//i.test(url) && !/[\s"'<>\\]/.test(url);
}

const docUrl: Check<string> = (v, at) => {
  const s = str(v, at);
  return isDocLink(s) ? s : fail(at, 'an https URL', v);
};

const violation: Check<Violation> = (v, at) => {
  const o = record(v, at);
  return {
    kind: violationKind(o.kind, sub(at, 'kind')),
    message: str(o.message, sub(at, 'message')),
    ...opt(o, 'kernelMessage', str, at),
    // A link that is not https is left out (the violation is still shown).
    ...(typeof o.docsUrl === 'string' && isDocLink(o.docsUrl) ? { docsUrl: o.docsUrl } : {}),
  };
};

const dmaMapping: Check<DmaMappingState> = (v, at) => {
  const o = record(v, at);
  return {
    id: str(o.id, sub(at, 'id')),
    type: str(o.type, sub(at, 'type')),
    device: str(o.device, sub(at, 'device')),
    address: str(o.address, sub(at, 'address')),
    size: num(o.size, sub(at, 'size')),
    direction: str(o.direction, sub(at, 'direction')),
    ...opt(o, 'sgCallEnts', int, at),
    ...opt(o, 'mappedEnts', int, at),
    mapErr: oneOf(['not-checked', 'checked', 'n/a'] as const)(o.mapErr, sub(at, 'mapErr')),
    pages: arrayOf(int)(o.pages, sub(at, 'pages')),
  };
};

const dmaState: Check<DmaState> = (v, at) => {
  const o = record(v, at);
  const c = record(o.counters, sub(at, 'counters'));
  const counter = (k: string): number => int(c[k], sub(sub(at, 'counters'), k));
  return {
    mappings: arrayOf(dmaMapping)(o.mappings, sub(at, 'mappings')),
    counters: {
      error_count: counter('error_count'),
      num_errors: counter('num_errors'),
      num_free_entries: counter('num_free_entries'),
      min_free_entries: counter('min_free_entries'),
      nr_total_entries: counter('nr_total_entries'),
    },
  };
};

const pageStates = arrayOf(pageState);
const violations = arrayOf(violation);

const simStep: Check<SimStep> = (v, at) => {
  const o = record(v, at);
  return {
    index: int(o.index, sub(at, 'index')),
    call: str(o.call, sub(at, 'call')),
    line: nullableInt(o.line, sub(at, 'line')),
    pages: pageStates(o.pages, sub(at, 'pages')),
    vmstat: vmStat(o.vmstat, sub(at, 'vmstat')),
    violations: violations(o.violations, sub(at, 'violations')),
    ...opt(o, 'dma', dmaState, at),
    ...opt(o, 'result', str, at),
    ...opt(o, 'note', str, at),
  };
};

const simPath: Check<SimPath> = (v, at) => {
  const o = record(v, at);
  const initial = record(o.initial, sub(at, 'initial'));
  return {
    outcome: outcome(o.outcome, sub(at, 'outcome')),
    label: str(o.label, sub(at, 'label')),
    initial: {
      pages: pageStates(initial.pages, sub(sub(at, 'initial'), 'pages')),
      vmstat: vmStat(initial.vmstat, sub(sub(at, 'initial'), 'vmstat')),
      ...opt(initial, 'dma', dmaState, sub(at, 'initial')),
    },
    steps: arrayOf(simStep)(o.steps, sub(at, 'steps')),
  };
};

const pathSummary: Check<PathSummary> = (v, at) => {
  const o = record(v, at);
  return {
    index: int(o.index, sub(at, 'index')),
    outcome: outcome(o.outcome, sub(at, 'outcome')),
    label: str(o.label, sub(at, 'label')),
    steps: int(o.steps, sub(at, 'steps')),
    violations: int(o.violations, sub(at, 'violations')),
    ...opt(o, 'firstViolation', str, at),
  };
};

const acquireChoice: Check<AcquireChoice> = (v, at) => {
  const o = record(v, at);
  const kind = oneOf(['full', 'partial', 'error'] as const)(o.kind, sub(at, 'kind'));
  if (kind === 'partial') {
    const taken = int(o.taken, sub(at, 'taken'));
    return taken >= 1 ? { kind, taken } : fail(sub(at, 'taken'), 'at least 1', taken);
  }
  return { kind };
};

const KERNEL_VERSION = /^\d+\.\d+$/;

export const parameters: Check<SimulationParameters> = (v, at) => {
  const o = record(v, at);
  const pages = o.pages === undefined ? undefined : int(o.pages, sub(at, 'pages'));
  if (pages !== undefined && (pages < 1 || pages > 4096)) fail(sub(at, 'pages'), 'a page count from 1 to 4096', pages);
  const kv = o.kernelVersion === undefined ? undefined : str(o.kernelVersion, sub(at, 'kernelVersion'));
  if (kv !== undefined && !KERNEL_VERSION.test(kv)) fail(sub(at, 'kernelVersion'), 'a kernel version like 6.12', kv);
  return {
    ...(pages !== undefined ? { pages } : {}),
    ...opt(o, 'pageKind', pageKind, at),
    ...(kv !== undefined ? { kernelVersion: kv } : {}),
    ...opt(o, 'acquire', acquireChoice, at),
  };
};

const traceError: Check<TraceError> = (v, at) => {
  const o = record(v, at);
  return {
    line: int(o.line, sub(at, 'line')),
    column: int(o.column, sub(at, 'column')),
    message: str(o.message, sub(at, 'message')),
  };
};

const simSource: Check<SimSource> = (v, at) => {
  const o = record(v, at);
  const kind = oneOf(['function', 'trace'] as const)(o.kind, sub(at, 'kind'));
  const uri = str(o.uri, sub(at, 'uri'));
  const fileName = str(o.fileName, sub(at, 'fileName'));
  return kind === 'function'
    ? { kind, uri, function: str(o.function, sub(at, 'function')), fileName }
    : { kind, uri, fileName };
};

export const panelModel: Check<PanelModel> = (v, at) => {
  const o = record(v, at);
  return {
    runId: int(o.runId, sub(at, 'runId')),
    source: simSource(o.source, sub(at, 'source')),
    function: str(o.function, sub(at, 'function')),
    kernelVersion: str(o.kernelVersion, sub(at, 'kernelVersion')),
    kernelVersions: arrayOf(str)(o.kernelVersions, sub(at, 'kernelVersions')),
    parameters: parameters(o.parameters, sub(at, 'parameters')),
    paths: arrayOf(pathSummary)(o.paths, sub(at, 'paths')),
    pathIndex: nullableInt(o.pathIndex, sub(at, 'pathIndex')),
    path: nullable(simPath)(o.path, sub(at, 'path')),
    traceLines: nullable(arrayOf(int))(o.traceLines, sub(at, 'traceLines')),
    notes: arrayOf(str)(o.notes, sub(at, 'notes')),
    errors: arrayOf(traceError)(o.errors, sub(at, 'errors')),
    partial: bool(o.partial, sub(at, 'partial')),
  };
};

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

function parse<T>(check: Check<T>, value: unknown, at: string): Parsed<T> {
  try {
    return { ok: true, value: check(value, at) };
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
  }
  // Again, saying where.
  tracing = true;
  try {
    check(value, at);
    return { ok: false, reason: `${at}: does not fit` };
  } catch (e) {
    if (e instanceof ProtocolError) return { ok: false, reason: e.message };
    throw e;
  } finally {
    tracing = false;
  }
}

const stepNumber: Check<number> = (v, at) => {
  const n = int(v, at);
  return n >= 0 ? n : fail(at, 'a step number ≥ 0', n);
};

const toPanel: Check<ToPanel> = (v, at) => {
  const o = record(v, at);
  const type = oneOf(['render', 'busy', 'error', 'goto'] as const)(o.type, sub(at, 'type'));
  switch (type) {
    case 'render':
      return { type, model: panelModel(o.model, sub(at, 'model')), ...opt(o, 'step', stepNumber, at) };
    case 'busy':
    case 'error':
      return { type, message: str(o.message, sub(at, 'message')) };
    case 'goto':
      return { type, step: stepNumber(o.step, sub(at, 'step')) };
  }
};

const fromPanel: Check<FromPanel> = (v, at) => {
  const o = record(v, at);
  const type = oneOf(['ready', 'step', 'reveal', 'rerun', 'export', 'copyMarkdown', 'openLink'] as const)(
    o.type,
    sub(at, 'type'),
  );
  switch (type) {
    case 'ready':
      return { type, runId: nullableInt(o.runId, sub(at, 'runId')) };
    case 'step':
    case 'reveal':
      return { type, runId: int(o.runId, sub(at, 'runId')), step: stepNumber(o.step, sub(at, 'step')) };
    case 'rerun': {
      const path = nullableInt(o.path, sub(at, 'path'));
      if (path !== null && path < 1) fail(sub(at, 'path'), 'a path number ≥ 1', path);
      return {
        type,
        runId: int(o.runId, sub(at, 'runId')),
        parameters: parameters(o.parameters, sub(at, 'parameters')),
        path,
      };
    }
    case 'export':
    case 'copyMarkdown':
      return { type };
    case 'openLink':
      return { type, url: docUrl(o.url, sub(at, 'url')) };
  }
};

const panelState: Check<PanelState> = (v, at) => {
  const o = record(v, at);
  if (o.version !== 1) fail(sub(at, 'version'), '1', o.version);
  return {
    version: 1,
    model: nullable(panelModel)(o.model, sub(at, 'model')),
    step: stepNumber(o.step, sub(at, 'step')),
    chartPage: nullableInt(o.chartPage, sub(at, 'chartPage')),
  };
};

/** Validates a message the panel received. */
export function parseToPanel(value: unknown): Parsed<ToPanel> {
  return parse(toPanel, value, 'message');
}

/** Validates a message the extension received from the panel. */
export function parseFromPanel(value: unknown): Parsed<FromPanel> {
  return parse(fromPanel, value, 'message');
}

/** Validates the panel's persisted state (getState(), or the serializer's `state`). */
export function parsePanelState(value: unknown): Parsed<PanelState> {
  return parse(panelState, value, 'state');
}

/** The number of positions of a path: the start (0) and one per step. */
export function positions(model: PanelModel): number {
  return model.path ? model.path.steps.length + 1 : 0;
}
