/**
 * The step table as plain text: what `pinscope simulate` prints, what the editor shows before the
 * webview exists, and what "Copy as Markdown" builds on.
 */
import type { DmaState, PageState, SimPath, SimulationReport, SimStep, VmStat } from './types';

/** A page's state in one short cell: refcount, pin count, P when maybe_dma_pinned. */
function pageCell(p: PageState): string {
  return `${p.refcount}${p.pincount !== null ? `/${p.pincount}` : ''}${p.maybeDmaPinned ? ' P' : ''}`;
}

/** The longest of `texts`, at least `min` (a loop: a spread of a long trace's rows overflows the stack). */
function widest(texts: Iterable<string>, min: number): number {
  let w = min;
  for (const t of texts) if (t.length > w) w = t.length;
  return w;
}

/** Page indices as ranges: `[0, 1, 2, 5]` → `p0–2, p5`. */
export function pageRangeLabel(indices: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < indices.length) {
    let j = i;
    while (j + 1 < indices.length && (indices[j + 1] as number) === (indices[j] as number) + 1) j++;
    parts.push(j > i ? `p${indices[i]}–${indices[j]}` : `p${indices[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** Consecutive pages in the same state collapse: `p0–2 1025 P, p3 1`. */
export function pagesSummary(pages: readonly PageState[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < pages.length) {
    const first = pages[i] as PageState;
    const text = pageCell(first);
    let j = i;
    while (
      j + 1 < pages.length &&
      pageCell(pages[j + 1] as PageState) === text &&
      (pages[j + 1] as PageState).kind === first.kind
    )
      j++;
    parts.push(`${j > i ? `p${first.index}–${(pages[j] as PageState).index}` : `p${first.index}`} ${text}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** dma-debug's view in one cell: live mappings (sg ones with their segment count) and error_count. */
export function dmaSummary(d: DmaState | undefined): string {
  if (!d) return '';
  const live = d.mappings.map((m) => (m.mappedEnts !== undefined ? `${m.id}×${m.mappedEnts}` : m.id)).join(' ');
  return `${live || '—'} · errors ${d.counters.error_count}`;
}

function counters(v: VmStat): string {
  return `${v.nr_foll_pin_acquired}/${v.nr_foll_pin_released}`;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function pathTable(path: SimPath, number: number): string[] {
  const rows: {
    step: string;
    line: string;
    call: string;
    result: string;
    pages: string;
    vm: string;
    dma: string;
    notes: string[];
  }[] = [];
  const hasDma = path.initial.dma !== undefined;
  rows.push({
    step: '0',
    line: '',
    call: '(before the first step)',
    result: '',
    pages: pagesSummary(path.initial.pages),
    vm: counters(path.initial.vmstat),
    dma: dmaSummary(path.initial.dma),
    notes: [],
  });
  let previous = pagesSummary(path.initial.pages);
  let previousVm = counters(path.initial.vmstat);
  for (const s of path.steps as SimStep[]) {
    const pages = pagesSummary(s.pages);
    const vm = counters(s.vmstat);
    const changed = pages !== previous || vm !== previousVm;
    rows.push({
      step: String(s.index),
      line: s.line !== null ? String(s.line) : '',
      call: s.call,
      result: s.result ?? '',
      pages: changed ? pages : '〃',
      vm: changed ? vm : '〃',
      dma: dmaSummary(s.dma),
      notes: [
        ...(s.note ? [`  · ${s.note}`] : []),
        ...s.violations.map((v) => `  ! ${v.kind}: ${v.message}${v.kernelMessage ? ` [${v.kernelMessage}]` : ''}`),
      ],
    });
    previous = pages;
    previousVm = vm;
  }
  const width = (key: 'step' | 'line' | 'call' | 'result' | 'vm' | 'dma', min: number): number =>
    widest(
      rows.map((r) => r[key]),
      min,
    );
  const w = {
    step: width('step', 4),
    line: width('line', 4),
    call: Math.min(60, width('call', 4)),
    result: width('result', 6),
    vm: width('vm', 7),
    dma: width('dma', 9),
  };
  const dmaHead = hasDma ? `${pad('dma-debug', w.dma)}  ` : '';
  const out: string[] = [];
  const label = path.label.match(/^path (\d+): (.*)$/);
  out.push(
    `path ${label ? label[1] : number} — ${path.outcome}${label ? (label[2] ? `: ${label[2]}` : '') : path.label ? `: ${path.label}` : ''}`,
  );
  out.push(
    `${padStart('step', w.step)}  ${padStart('line', w.line)}  ${pad('call', w.call)}  ${pad('result', w.result)}  ${pad('acq/rel', w.vm)}  ${dmaHead}pages (refcount[/pincount], P = maybe_dma_pinned)`,
  );
  for (const r of rows) {
    const call = r.call.length > w.call ? `${r.call.slice(0, w.call - 1)}…` : r.call;
    const dma = hasDma ? `${pad(r.dma, w.dma)}  ` : '';
    out.push(
      `${padStart(r.step, w.step)}  ${padStart(r.line, w.line)}  ${pad(call, w.call)}  ${pad(r.result, w.result)}  ${pad(r.vm, w.vm)}  ${dma}${r.pages}`.trimEnd(),
    );
    for (const note of r.notes) out.push(note);
  }
  return out;
}

export function formatStepTable(report: SimulationReport): string {
  const out: string[] = [];
  out.push(
    `${report.function}() on Linux ${report.kernelVersion} — ${report.paths.length} path${report.paths.length === 1 ? '' : 's'}${report.partial ? ' (partial: path budget reached)' : ''}`,
  );
  for (const n of report.notes) out.push(`note: ${n}`);
  report.paths.forEach((p, i) => {
    out.push('');
    // One line per step: a loop, not a spread (200,000 arguments overflow the stack).
    for (const line of pathTable(p, i + 1)) out.push(line);
  });
  return `${out.join('\n')}\n`;
}
