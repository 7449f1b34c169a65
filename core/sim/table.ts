/**
 * The step table as plain text: what `pinscope simulate` prints, what the editor shows before the
 * webview exists, and what "Copy as Markdown" builds on.
 */
import type { PageState, SimPath, SimulationReport, SimStep, VmStat } from './types';

function cell(p: PageState): string {
  return `${p.refcount}${p.pincount !== null ? `/${p.pincount}` : ''}${p.maybeDmaPinned ? ' P' : ''}`;
}

/** Consecutive pages in the same state collapse: `p0–2 1025 P, p3 1`. */
export function pagesSummary(pages: readonly PageState[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < pages.length) {
    const first = pages[i] as PageState;
    const text = cell(first);
    let j = i;
    while (j + 1 < pages.length && cell(pages[j + 1] as PageState) === text && (pages[j + 1] as PageState).kind === first.kind) j++;
    parts.push(`${j > i ? `p${first.index}–${(pages[j] as PageState).index}` : `p${first.index}`} ${text}`);
    i = j + 1;
  }
  return parts.join(', ');
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
  const rows: { step: string; line: string; call: string; result: string; pages: string; vm: string; notes: string[] }[] = [];
  rows.push({ step: '0', line: '', call: '(before the first step)', result: '', pages: pagesSummary(path.initial.pages), vm: counters(path.initial.vmstat), notes: [] });
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
      notes: [...(s.note ? [`  · ${s.note}`] : []), ...s.violations.map((v) => `  ! ${v.kind}: ${v.message}${v.kernelMessage ? ` [${v.kernelMessage}]` : ''}`)],
    });
    previous = pages;
    previousVm = vm;
  }
  const w = {
    step: Math.max(4, ...rows.map((r) => r.step.length)),
    line: Math.max(4, ...rows.map((r) => r.line.length)),
    call: Math.min(60, Math.max(4, ...rows.map((r) => r.call.length))),
    result: Math.max(6, ...rows.map((r) => r.result.length)),
    vm: Math.max(7, ...rows.map((r) => r.vm.length)),
  };
  const out: string[] = [];
  const label = path.label.match(/^path (\d+): (.*)$/);
  out.push(`path ${label ? label[1] : number} — ${path.outcome}${label ? (label[2] ? `: ${label[2]}` : '') : path.label ? `: ${path.label}` : ''}`);
  out.push(`${padStart('step', w.step)}  ${padStart('line', w.line)}  ${pad('call', w.call)}  ${pad('result', w.result)}  ${pad('acq/rel', w.vm)}  pages (refcount[/pincount], P = maybe_dma_pinned)`);
  for (const r of rows) {
    const call = r.call.length > w.call ? `${r.call.slice(0, w.call - 1)}…` : r.call;
    out.push(`${padStart(r.step, w.step)}  ${padStart(r.line, w.line)}  ${pad(call, w.call)}  ${pad(r.result, w.result)}  ${pad(r.vm, w.vm)}  ${r.pages}`.trimEnd());
    out.push(...r.notes);
  }
  return out;
}

export function formatStepTable(report: SimulationReport): string {
  const out: string[] = [];
  out.push(`${report.function}() on Linux ${report.kernelVersion} — ${report.paths.length} path${report.paths.length === 1 ? '' : 's'}${report.partial ? ' (partial: path budget reached)' : ''}`);
  for (const n of report.notes) out.push(`note: ${n}`);
  report.paths.forEach((p, i) => {
    out.push('');
    out.push(...pathTable(p, i + 1));
  });
  return `${out.join('\n')}\n`;
}
