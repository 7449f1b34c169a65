/**
 * The simulation features of the server, on top of core/sim: the function at a position, every
 * path summarised worst first, the chosen path with its `.pinsim` text and Markdown table, and
 * `.pinsim` documents simulated with the line of each step. The heavy part (parsing C, enumerating
 * paths) runs in the analysis worker (analysisWorker.ts calls simulateInFile / simulateTraceDocument);
 * the rest is formatting.
 */
import type { FileAnalysis } from '../core/analysis/file';
import { functionsIn } from '../core/analysis/functions';
import { compareVersions, formatVersion, parseKernelVersion } from '../core/catalog/version';
import {
  extractTraces,
  findFunction,
  functionAt,
  simulateFunction,
  simulateTraceText,
  worstFirst,
} from '../core/sim/index';
import { branchLabel, formatPathMarkdown, markdownCell, markdownCode } from '../core/sim/markdown';
import { pageRangeLabel } from '../core/sim/table';
import type { PageState, SimOptions, SimPath, SimStep, SimulationReport } from '../core/sim/types';
import { parseTrace } from '../core/trace/parse';
import { printTrace } from '../core/trace/print';
import type { TraceError } from '../core/trace/types';
import type { ChosenPath, PathSummary, SimulationParameters } from './protocol';

/** Versions where what the simulation does changes, and the LTS kernels; the panel offers these. */
const PANEL_KERNEL_VERSIONS = [
  '4.14',
  '4.19',
  '5.4',
  '5.6',
  '5.7',
  '5.10',
  '5.15',
  '5.18',
  '6.1',
  '6.3',
  '6.5',
  '6.6',
  '6.12',
  '6.18',
];

/** The versions the panel offers, with `current` (the document's own) among them, oldest first. */
export function kernelVersionsWith(current: string | undefined): string[] {
  const list = new Set(PANEL_KERNEL_VERSIONS);
  const v = current ? parseKernelVersion(current) : null;
  if (v) list.add(formatVersion(v));
  return [...list].sort((a, b) =>
    compareVersions(parseKernelVersion(a) ?? { major: 0, minor: 0 }, parseKernelVersion(b) ?? { major: 0, minor: 0 }),
  );
}

export const MAX_PAGES = 4096;

/** The panel's parameters as core's options (out-of-range values are clamped, not rejected). */
export function simOptions(parameters: SimulationParameters | undefined): SimOptions {
  const p = parameters ?? {};
  const pages =
    typeof p.pages === 'number' && Number.isFinite(p.pages)
      ? Math.max(1, Math.min(MAX_PAGES, Math.floor(p.pages)))
      : undefined;
  const acquire = p.acquire;
  let acquireOutcome: SimOptions['acquireOutcome'];
  if (acquire?.kind === 'full') acquireOutcome = 'full';
  else if (acquire?.kind === 'error') acquireOutcome = 'error';
  else if (acquire?.kind === 'partial') acquireOutcome = { partial: Math.max(1, Math.floor(acquire.taken)) };
  return {
    ...(pages !== undefined ? { pages } : {}),
    ...(p.pageKind ? { pageKind: p.pageKind } : {}),
    ...(acquireOutcome !== undefined ? { acquireOutcome } : {}),
  };
}

// ─── Functions ─────────────────────────────────────────────────────────────────────────────────────

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
  readonly path?: number;
  readonly parameters?: SimulationParameters;
}

export function summarize(paths: readonly SimPath[]): PathSummary[] {
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
  const options = simOptions(request.parameters);
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

// ─── Traces ────────────────────────────────────────────────────────────────────────────────────────

export type TraceDocumentSimulation =
  | {
      readonly ok: true;
      readonly report: SimulationReport;
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

// ─── Hover on a trace step ─────────────────────────────────────────────────────────────────────────

interface PageGroup {
  readonly label: string;
  readonly first: PageState;
  readonly pins: number;
  readonly refs: number;
}

/** Pages of one folio together (a THP is one row, not 512), then runs of identical base pages. */
export function groupPages(pages: readonly PageState[]): PageGroup[] {
  const byFolio = new Map<number, PageState[]>();
  for (const p of pages) {
    const list = byFolio.get(p.folio);
    if (list) list.push(p);
    else byFolio.set(p.folio, [p]);
  }
  const groups: PageGroup[] = [];
  for (const list of byFolio.values()) {
    const first = list[0] as PageState;
    groups.push({
      label: pageRangeLabel(list.map((p) => p.index)),
      first,
      pins: list.reduce((n, p) => n + p.heldPins, 0),
      refs: list.reduce((n, p) => n + p.heldRefs, 0),
    });
  }
  return groups;
}

/** The state after one step of a simulated trace, as hover Markdown. */
export function stepHoverMarkdown(path: SimPath, stepIndex: number): string {
  const step = path.steps[stepIndex];
  if (!step) return '';
  const previous = stepIndex === 0 ? path.initial : (path.steps[stepIndex - 1] as SimStep);
  const out: string[] = [];
  out.push(
    `**step ${step.index} of ${path.steps.length}** · ${markdownCode(step.call)}${step.result !== undefined ? ` → ${markdownCode(step.result)}` : ''}${step.line !== null ? ` · source line ${step.line}` : ''}`,
  );
  const groups = groupPages(step.pages);
  const before = new Map(groupPages(previous.pages).map((g) => [g.label, g]));
  const shown = groups.slice(0, 12);
  out.push(
    '',
    '| pages | kind | _refcount | pincount | maybe_dma_pinned | held by the path |',
    '|---|---|---:|---:|---|---|',
  );
  for (const g of shown) {
    const b = before.get(g.label);
    const delta =
      b && b.first.refcount !== g.first.refcount
        ? ` (${g.first.refcount > b.first.refcount ? '+' : ''}${g.first.refcount - b.first.refcount})`
        : '';
    out.push(
      `| ${g.label} | ${g.first.kind} | ${g.first.refcount}${delta} | ${g.first.pincount ?? '—'} | ${g.first.maybeDmaPinned ? 'yes' : 'no'} | ${g.pins} pin${g.pins === 1 ? '' : 's'}, ${g.refs} ref${g.refs === 1 ? '' : 's'} |`,
    );
  }
  if (groups.length > shown.length)
    out.push('', `… and ${groups.length - shown.length} more folios (the panel shows them all)`);
  const a = step.vmstat.nr_foll_pin_acquired;
  const r = step.vmstat.nr_foll_pin_released;
  out.push('', `nr_foll_pin_acquired **${a}** · nr_foll_pin_released **${r}** · outstanding **${a - r}**`);
  if (step.note) out.push('', `*${markdownCell(step.note)}*`);
  for (const v of step.violations) {
    out.push('', `⚠ **${v.kind}**: ${markdownCell(v.message)}`);
    if (v.kernelMessage) out.push('', `kernel: ${markdownCode(v.kernelMessage)}`);
    if (v.docsUrl) out.push('', `[Documentation](${v.docsUrl})`);
  }
  return out.join('\n');
}
