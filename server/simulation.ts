/**
 * The simulation features of the server, on top of core's session (which picks the function,
 * summarises its paths and runs the chosen one, or simulates a `.pinsim` text): the kernel
 * versions the panel offers, the panel's parameters as core's options, and the hover on a trace
 * step. The heavy part runs in the analysis worker; this is the formatting around it.
 */
import {
  compareVersions,
  formatVersion,
  markdownCell,
  markdownCode,
  MAX_PAGES,
  pageRangeLabel,
  parseKernelVersion,
  type PageState,
  type SimOptions,
  type SimPath,
  type SimStep,
} from '../core/index';
import type { SimulationParameters } from './protocol';

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

/**
 * The panel's parameters as core's options. Requests with values out of range are refused before
 * this (server/validate.ts, the panel's schema); what gets here is clamped to core's MAX_PAGES.
 */
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

// ─── Hover on a trace step ─────────────────────────────────────────────────────────────────────────

interface PageGroup {
  readonly label: string;
  readonly first: PageState;
  readonly pins: number;
  readonly refs: number;
}

/** Pages of one folio together (a THP is one row, not 512), then runs of identical base pages. */
function groupPages(pages: readonly PageState[]): PageGroup[] {
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
