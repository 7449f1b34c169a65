/**
 * What the panel reads out of a run, step by step, as plain functions of the model: the state at a
 * position (0 = before the first step), the timeline's rows, where a step came from, and which steps
 * have violations.
 */
import type { DmaState, PageState, PanelModel, SimPath, SimStep, VmStat } from './protocol';
import type { TimelineRow } from './timeline';

interface StateAt {
  readonly pages: readonly PageState[];
  readonly vmstat: VmStat;
  readonly dma: DmaState | undefined;
  /** The step that led here (null at the start). */
  readonly step: SimStep | null;
}

/** The state after step `position` (0: the initial state). */
export function stateAt(path: SimPath, position: number): StateAt {
  if (position === 0)
    return { pages: path.initial.pages, vmstat: path.initial.vmstat, dma: path.initial.dma, step: null };
  const s = path.steps[position - 1] as SimStep;
  return { pages: s.pages, vmstat: s.vmstat, dma: s.dma, step: s };
}

/** The positions (1-based steps) that have a violation, in order. */
export function violationSteps(path: SimPath): number[] {
  const out: number[] = [];
  path.steps.forEach((s, i) => {
    if (s.violations.length > 0) out.push(i + 1);
  });
  return out;
}

/** Where a step came from: `line 32` for a function, `trace line 6 · source line 40` for a trace. */
export function stepLineText(model: PanelModel, position: number): string {
  const s = model.path?.steps[position - 1];
  if (!s) return '';
  if (model.source.kind !== 'trace') return s.line !== null ? `line ${s.line}` : '';
  const traceLine = model.traceLines?.[position - 1];
  if (traceLine === undefined) return '';
  return `trace line ${traceLine}${s.line !== null ? ` · source line ${s.line}` : ''}`;
}

/** One timeline row per position: the start, then each step with its line button. */
export function timelineRows(model: PanelModel): TimelineRow[] {
  const path = model.path;
  if (!path) return [];
  const trace = model.source.kind === 'trace';
  const fileName = model.source.fileName;
  const rows: TimelineRow[] = [
    {
      index: 0,
      call: '(before the first step)',
      lineLabel: null,
      lineTitle: '',
      result: '',
      violations: 0,
      note: false,
    },
  ];
  path.steps.forEach((s, i) => {
    const traceLine = model.traceLines?.[i];
    const lineLabel = trace
      ? traceLine !== undefined
        ? `T${traceLine}`
        : null
      : s.line !== null
        ? `L${s.line}`
        : null;
    const lineTitle = trace
      ? `Show line ${traceLine ?? ''} of ${fileName}${s.line !== null ? ` (source line ${s.line})` : ''}`
      : `Show line ${s.line ?? ''} of ${fileName}`;
    rows.push({
      index: i + 1,
      call: s.call,
      lineLabel,
      lineTitle,
      result: s.result ?? '',
      violations: s.violations.length,
      note: s.note !== undefined,
    });
  });
  return rows;
}
