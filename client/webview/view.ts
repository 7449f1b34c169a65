/**
 * The simulation panel's view: header and path picker, the parameters, the step controls, the
 * timeline, and for the current step the page table, the vmstat counters, the violations, the
 * dma-debug table (when the trace maps DMA) and the chart. It renders a PanelModel and talks to the
 * extension only through ViewHost (typed FromPanel messages and the persisted state).
 */
import { Chart, defaultChartPage, seriesOf } from './chart';
import { h, icon, replace, setText, toggleClass } from './dom';
import { pageRows, signed, type PageRow } from './pages';
import {
  positions,
  type AcquireChoice,
  type FromPanel,
  type PageKind,
  type PageState,
  type PanelModel,
  type PanelState,
  type PathOutcome,
  type SimStep,
  type SimulationParameters,
  type Violation,
  type VmStat,
} from './protocol';
import { Timeline, type TimelineRow } from './timeline';
import type { DmaState } from '../../server/protocol';

export interface ViewHost {
  post(message: FromPanel): void;
  /** Persist the state; `urgent`: now (a new run), else soon (stepping). */
  saveState(state: PanelState, urgent: boolean): void;
}

const PLAY_INTERVAL_MS = 600;

const OUTCOME_TEXT: Record<PathOutcome, string> = {
  clean: 'clean',
  leak: 'leak',
  mismatch: 'release mismatch',
  'double-release': 'double release',
  'count-mismatch': 'count mismatch',
  'use-after-release': 'use after release',
  invalid: 'invalid call',
  'dma-error': 'DMA API error',
};

const OUTCOME_ICON: Record<PathOutcome, string> = {
  clean: 'pass',
  leak: 'warning',
  mismatch: 'error',
  'double-release': 'error',
  'count-mismatch': 'error',
  'use-after-release': 'error',
  invalid: 'circle-slash',
  'dma-error': 'error',
};

function button(id: string, codicon: string, label: string, keys: string): HTMLButtonElement {
  return h(
    'button',
    {
      id,
      class: 'icon-button',
      type: 'button',
      title: `${label} (${keys})`,
      'aria-label': label,
      'aria-keyshortcuts': keys,
    },
    icon(codicon),
  );
}

function option(value: string, text: string, selected: boolean): HTMLOptionElement {
  return h('option', { value, selected }, text);
}

function isEditable(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.tagName === 'INPUT' ||
      target.tagName === 'SELECT' ||
      target.tagName === 'TEXTAREA' ||
      target.isContentEditable)
  );
}

export class PanelView {
  private model: PanelModel | null = null;
  private step = 0;
  private chartPage: number | null = null;
  private playTimer: ReturnType<typeof setInterval> | null = null;

  private readonly title = h('h1', { class: 'title', id: 'title' });
  private readonly badge = h('span', { class: 'badge', id: 'outcome' });
  private readonly meta = h('div', { class: 'meta', id: 'meta' });
  private readonly pathSelect = h('select', { id: 'param-path', 'aria-label': 'Path' });
  private readonly pathViolations = h('div', { class: 'path-violations', id: 'path-violations' });

  private readonly first = button('first', 'debug-reverse-continue', 'First step', 'Home');
  private readonly back = button('back', 'debug-step-back', 'Step back', 'ArrowLeft');
  private readonly play = button('play', 'debug-start', 'Play', 'Space');
  private readonly forward = button('forward', 'debug-step-over', 'Step forward', 'ArrowRight');
  private readonly last = button('last', 'debug-continue', 'Last step', 'End');
  private readonly nextViolation = button('next-violation', 'warning', 'Next violation', ']');
  private readonly position = h('span', { class: 'position', id: 'position', 'aria-live': 'off' });
  private readonly exportButton = h(
    'button',
    { id: 'export', class: 'text-button', type: 'button', title: 'Save this path as a .pinsim trace' },
    icon('export'),
    ' Export Trace',
  );
  private readonly copyButton = h(
    'button',
    { id: 'copy-markdown', class: 'text-button', type: 'button', title: 'Copy the step table as Markdown' },
    icon('markdown'),
    ' Copy as Markdown',
  );

  private readonly pages = h('input', {
    id: 'param-pages',
    type: 'number',
    min: 1,
    max: 4096,
    step: 1,
    'aria-label': 'Number of pages',
  });
  private readonly kind = h(
    'select',
    { id: 'param-kind', 'aria-label': 'Page kind' },
    option('base', 'base pages', true),
    option('thp', 'THP (2 MB folios)', false),
    option('hugetlb', 'hugetlb (2 MB)', false),
    option('zero', 'zero page', false),
  );
  private readonly kernel = h('select', { id: 'param-kernel', 'aria-label': 'Kernel version' });
  private readonly acquire = h(
    'select',
    { id: 'param-acquire', 'aria-label': 'Outcome of the acquire' },
    option('', 'as the path has it', true),
    option('full', 'all pinned', false),
    option('partial', 'partial: k of n', false),
    option('error', 'error (-EFAULT)', false),
  );
  private readonly taken = h('input', {
    id: 'param-taken',
    type: 'number',
    min: 1,
    max: 4096,
    step: 1,
    'aria-label': 'Pages taken (k)',
  });
  private readonly runButton = h(
    'button',
    { id: 'rerun', class: 'primary', type: 'submit' },
    icon('debug-rerun'),
    ' Run',
  );
  private readonly paramNote = h('span', { class: 'param-note', id: 'param-note' });
  private readonly form: HTMLFormElement;

  private readonly notices = h('div', { class: 'notices', id: 'notices' });
  private readonly banner = h('div', { class: 'banner', id: 'banner', role: 'status' });
  private readonly timeline: Timeline;

  private readonly stepTitle = h('h2', { class: 'step-title', id: 'step-title' });
  private readonly stepLine = h('button', { class: 'line-link step-line', id: 'step-line', type: 'button' });
  private readonly stepResult = h('span', { class: 'step-result', id: 'step-result' });
  private readonly violations = h('div', { class: 'violations', id: 'violations' });
  private readonly note = h('div', { class: 'note', id: 'note' });
  private readonly pageBody = h('tbody', { id: 'page-rows' });
  private readonly pageCaption = h('caption', {});
  private readonly counters = h('div', { class: 'counters', id: 'counters' });
  private readonly dma = h('section', { class: 'dma', id: 'dma', 'aria-label': 'dma-debug' });
  private readonly chart = new Chart();
  private readonly live = h('div', { class: 'visually-hidden', 'aria-live': 'polite', id: 'live' });
  private readonly body: HTMLElement;
  private readonly detail: HTMLElement;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: ViewHost,
  ) {
    this.timeline = new Timeline({ select: (i) => this.goto(i), reveal: (i) => this.reveal(i) });
    this.form = h(
      'form',
      { class: 'params', id: 'params', 'aria-label': 'Simulation parameters' },
      h('label', {}, 'Pages ', this.pages),
      h('label', {}, 'Kind ', this.kind),
      h('label', {}, 'Kernel ', this.kernel),
      h('label', {}, 'Acquire ', this.acquire),
      h('label', { class: 'taken' }, 'k ', this.taken),
      this.runButton,
      this.paramNote,
    );
    const header = h(
      'header',
      { class: 'header' },
      h('div', { class: 'heading' }, this.title, this.badge),
      h('div', { class: 'heading-row' }, this.meta, h('label', { class: 'path-label' }, 'Path ', this.pathSelect)),
      this.pathViolations,
    );
    const toolbar = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': 'Stepping' },
      this.first,
      this.back,
      this.play,
      this.forward,
      this.last,
      this.nextViolation,
      this.position,
      h('span', { class: 'spacer' }),
      this.exportButton,
      this.copyButton,
    );
    const table = h(
      'table',
      { class: 'pages', id: 'pages' },
      this.pageCaption,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Pages · folio'),
          h('th', { scope: 'col' }, 'Kind'),
          h('th', { scope: 'col', class: 'num', title: 'folio_ref_count()' }, '_refcount'),
          h(
            'th',
            {
              scope: 'col',
              class: 'num',
              title: 'The exact pin count of a large folio; small folios keep none (a pin adds 1024 to _refcount)',
            },
            '_pincount',
          ),
          h('th', { scope: 'col', title: 'folio_maybe_dma_pinned()' }, 'maybe_dma_pinned'),
          h('th', { scope: 'col', title: 'What this path still holds, and so must release' }, 'Held'),
          h('th', { scope: 'col' }, 'Dirty'),
        ),
      ),
      this.pageBody,
    );
    this.detail = h(
      'section',
      { class: 'detail', 'aria-label': 'State after the step' },
      h('div', { class: 'step-head' }, this.stepTitle, h('div', { class: 'step-sub' }, this.stepResult, this.stepLine)),
      this.violations,
      this.note,
      h(
        'div',
        { class: 'tables' },
        h('section', { class: 'page-section', 'aria-label': 'Pages' }, h('h3', {}, 'Pages and folios'), table),
        this.dma,
      ),
      this.counters,
      this.chart.root,
    );
    this.body = h(
      'main',
      { class: 'body' },
      h('section', { class: 'timeline-section', 'aria-label': 'Timeline' }, h('h3', {}, 'Steps'), this.timeline.root),
      this.detail,
    );
    replace(root, header, this.form, toolbar, this.banner, this.notices, this.body, this.live);
    if (typeof ResizeObserver !== 'undefined') {
      let frame = 0;
      new ResizeObserver((entries) => {
        const width = entries[0]?.contentRect.width ?? 0;
        if (frame || width <= 0) return;
        frame = requestAnimationFrame(() => {
          frame = 0;
          this.chart.resize(width);
        });
      }).observe(this.chart.root);
    }
    root.setAttribute('aria-busy', 'false');
    toggleClass(root, 'empty', true);
    this.wire();
  }

  private wire(): void {
    this.first.addEventListener('click', () => this.goto(0));
    this.back.addEventListener('click', () => this.goto(this.step - 1));
    this.forward.addEventListener('click', () => this.goto(this.step + 1));
    this.last.addEventListener('click', () => this.goto(this.lastStep()));
    this.play.addEventListener('click', () => this.togglePlay());
    this.nextViolation.addEventListener('click', () => this.gotoViolation(1));
    this.exportButton.addEventListener('click', () => this.host.post({ type: 'export' }));
    this.copyButton.addEventListener('click', () => this.host.post({ type: 'copyMarkdown' }));
    this.stepLine.addEventListener('click', () => this.reveal(this.step));
    this.acquire.addEventListener('change', () => this.updateTakenState());
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.rerun(this.model?.pathIndex ?? null);
    });
    this.pathSelect.addEventListener('change', () => {
      const path = Number(this.pathSelect.value);
      if (Number.isInteger(path) && path >= 1) this.rerun(path);
    });
    this.pageBody.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('tr[data-page]');
      const page = Number(row?.dataset.page);
      if (!this.model?.path || !Number.isInteger(page)) return;
      this.chartPage = page;
      this.chart.setData(seriesOf(this.model.path, page));
      this.renderStep();
      this.persist(false);
    });
    // Documentation links open through the extension (the webview does not navigate).
    this.root.addEventListener('click', (e) => {
      const a = (e.target as Element).closest<HTMLAnchorElement>('a.doc-link');
      if (!a) return;
      e.preventDefault();
      const url = a.getAttribute('href');
      if (url) this.host.post({ type: 'openLink', url });
    });
    this.pathViolations.addEventListener('click', (e) => {
      const b = (e.target as Element).closest<HTMLElement>('button[data-step]');
      const step = Number(b?.dataset.step);
      if (Number.isInteger(step)) this.goto(step);
    });
  }

  /** The keyboard: arrows/j/k step, Home/End, Space plays, [ ] jump between violations, Enter reveals. */
  onKey(e: KeyboardEvent): void {
    if (!this.model?.path || e.altKey || e.ctrlKey || e.metaKey) return;
    if (isEditable(e.target)) return;
    const onButton = e.target instanceof HTMLButtonElement;
    let handled = true;
    switch (e.key) {
      case 'ArrowRight':
      case 'ArrowDown':
      case 'j':
      case 'n':
        this.stopPlay();
        this.goto(this.step + 1);
        break;
      case 'ArrowLeft':
      case 'ArrowUp':
      case 'k':
      case 'p':
        this.stopPlay();
        this.goto(this.step - 1);
        break;
      case 'Home':
        this.stopPlay();
        this.goto(0);
        break;
      case 'End':
        this.stopPlay();
        this.goto(this.lastStep());
        break;
      case ']':
        this.gotoViolation(1);
        break;
      case '[':
        this.gotoViolation(-1);
        break;
      case ' ':
        if (onButton) return; // the button's own click
        this.togglePlay();
        break;
      case 'Enter':
        if (onButton) return;
        this.reveal(this.step);
        break;
      case 'Escape':
        this.stopPlay();
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  get current(): { model: PanelModel | null; step: number } {
    return { model: this.model, step: this.step };
  }

  // ─── rendering a run ──────────────────────────────────────────────────────────────────────────────

  render(model: PanelModel, step: number | undefined, chartPage: number | null = null): void {
    const previous = this.model;
    const samePath =
      previous !== null &&
      previous.source.uri === model.source.uri &&
      previous.pathIndex === model.pathIndex &&
      (previous.source.kind !== 'function' ||
        (model.source.kind === 'function' && previous.source.function === model.source.function));
    this.stopPlay();
    this.model = model;
    const count = positions(model);
    this.step = Math.max(0, Math.min(step ?? (samePath ? this.step : 0), Math.max(0, count - 1)));
    if (!samePath) this.chartPage = null;
    if (chartPage !== null) this.chartPage = chartPage;
    setText(this.banner, '');
    toggleClass(this.banner, 'visible', false);
    toggleClass(this.root, 'empty', model.path === null);
    this.renderHeader(model);
    this.renderParameters(model);
    this.renderNotices(model);
    if (model.path) {
      const path = model.path;
      if (this.chartPage === null || this.chartPage >= path.initial.pages.length)
        this.chartPage = defaultChartPage(path);
      this.timeline.setRows(this.timelineRows(model), this.step);
      this.chart.setData(seriesOf(path, this.chartPage));
      this.renderStep();
    } else {
      this.timeline.setRows([], 0);
      this.chart.clear();
      setText(this.position, '');
    }
    this.updateButtons();
    this.persist(true);
  }

  private renderHeader(model: PanelModel): void {
    const fn = model.function || model.source.fileName;
    setText(
      this.title,
      model.source.kind === 'function'
        ? `${fn}()`
        : `${model.source.fileName}${model.function ? ` — ${model.function}()` : ''}`,
    );
    const outcome = model.path?.outcome;
    this.badge.className = `badge${outcome ? ` outcome-${outcome}` : model.errors.length > 0 ? ' outcome-invalid' : ''}`;
    replace(
      this.badge,
      outcome ? icon(OUTCOME_ICON[outcome]) : model.errors.length > 0 ? icon('error') : null,
      outcome
        ? ` ${OUTCOME_TEXT[outcome]}`
        : model.errors.length > 0
          ? ` ${model.errors.length} error${model.errors.length === 1 ? '' : 's'}`
          : '',
    );
    const pathText =
      model.pathIndex !== null ? ` · path ${model.pathIndex} of ${model.paths.length}${model.partial ? '+' : ''}` : '';
    setText(this.meta, `Linux ${model.kernelVersion}${pathText} · ${model.source.fileName}`);
    const label = model.path?.label.replace(/^path \d+:\s*/, '') ?? '';
    this.meta.title = label;
    replace(
      this.pathSelect,
      ...model.paths.map((p) =>
        option(
          String(p.index),
          `path ${p.index} · ${OUTCOME_TEXT[p.outcome]}${p.label ? ` — ${p.label}` : ''}`,
          p.index === model.pathIndex,
        ),
      ),
    );
    toggleClass(this.pathSelect.parentElement as HTMLElement, 'hidden', model.paths.length === 0);
    const where = model.path ? model.path.steps.filter((s) => s.violations.length > 0) : [];
    replace(
      this.pathViolations,
      ...(where.length > 0
        ? [
            h(
              'span',
              {},
              `${where.reduce((n, s) => n + s.violations.length, 0)} violation${where.reduce((n, s) => n + s.violations.length, 0) === 1 ? '' : 's'} on this path: `,
            ),
            ...where.slice(0, 8).map((s) =>
              h(
                'button',
                {
                  type: 'button',
                  class: 'chip',
                  'data-step': s.index,
                  title: s.violations.map((v) => v.message).join('\n'),
                },
                icon('error'),
                ` step ${s.index}: ${[...new Set(s.violations.map((v) => v.kind))].join(', ')}`,
              ),
            ),
            where.length > 8 ? h('span', {}, ` and ${where.length - 8} more steps`) : null,
          ]
        : model.path
          ? [h('span', { class: 'ok' }, icon('pass'), ' no violation on this path')]
          : []),
    );
  }

  private renderParameters(model: PanelModel): void {
    const p = model.parameters;
    const initial = model.path?.initial.pages;
    const trace = model.source.kind === 'trace';
    this.pages.value = String(p.pages ?? (initial && initial.length > 0 ? initial.length : 4));
    this.kind.value = p.pageKind ?? initial?.[0]?.kind ?? 'base';
    replace(this.kernel, ...model.kernelVersions.map((v) => option(v, `Linux ${v}`, v === model.kernelVersion)));
    if (!model.kernelVersions.includes(model.kernelVersion))
      this.kernel.appendChild(option(model.kernelVersion, `Linux ${model.kernelVersion}`, true));
    this.kernel.value = model.kernelVersion;
    this.acquire.value = p.acquire?.kind ?? '';
    this.taken.value = String(
      p.acquire?.kind === 'partial' ? p.acquire.taken : Math.max(1, Math.floor(Number(this.pages.value) / 2)),
    );
    for (const el of [this.pages, this.kind, this.acquire]) el.disabled = trace;
    setText(
      this.paramNote,
      trace
        ? 'A trace sets up its own memory and outcomes; only the kernel version applies.'
        : 'The acquire outcome applies where the path leaves it open.',
    );
    this.updateTakenState();
  }

  private updateTakenState(): void {
    const partial = this.acquire.value === 'partial' && !this.acquire.disabled;
    this.taken.disabled = !partial;
    toggleClass(this.taken.parentElement as HTMLElement, 'disabled', !partial);
  }

  private renderNotices(model: PanelModel): void {
    const items: HTMLElement[] = [];
    if (model.errors.length > 0) {
      items.push(
        h(
          'div',
          { class: 'notice error', role: 'alert' },
          h(
            'p',
            {},
            icon('error'),
            ` This trace has ${model.errors.length} error${model.errors.length === 1 ? '' : 's'}; nothing was simulated.`,
          ),
          h(
            'ul',
            { class: 'errors', id: 'trace-errors' },
            ...model.errors.map((e) =>
              h('li', {}, h('span', { class: 'where' }, `line ${e.line}, column ${e.column}: `), e.message),
            ),
          ),
        ),
      );
    }
    for (const n of model.notes) items.push(h('div', { class: 'notice' }, icon('info'), ` ${n}`));
    if (model.partial)
      items.push(
        h(
          'div',
          { class: 'notice' },
          icon('warning'),
          ' The function has more paths than the path budget: not all are listed.',
        ),
      );
    replace(this.notices, ...items);
  }

  private timelineRows(model: PanelModel): TimelineRow[] {
    const path = model.path;
    if (!path) return [];
    const traceLines = model.traceLines;
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
      const traceLine = traceLines?.[i];
      const lineLabel =
        model.source.kind === 'trace'
          ? traceLine !== undefined
            ? `T${traceLine}`
            : null
          : s.line !== null
            ? `L${s.line}`
            : null;
      const lineTitle =
        model.source.kind === 'trace'
          ? `Show line ${traceLine ?? ''} of ${model.source.fileName}${s.line !== null ? ` (source line ${s.line})` : ''}`
          : `Show line ${s.line ?? ''} of ${model.source.fileName}`;
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

  // ─── the current step ─────────────────────────────────────────────────────────────────────────────

  private lastStep(): number {
    return this.model ? Math.max(0, positions(this.model) - 1) : 0;
  }

  goto(step: number): void {
    if (!this.model?.path) return;
    const target = Math.max(0, Math.min(step, this.lastStep()));
    if (target === this.step && this.timeline.root.querySelector('.tl-row.selected')) return;
    this.step = target;
    this.renderStep();
    this.updateButtons();
    this.host.post({ type: 'step', runId: this.model.runId, step: target });
    this.persist(false);
  }

  private gotoViolation(direction: 1 | -1): void {
    const path = this.model?.path;
    if (!path) return;
    const steps = path.steps.filter((s) => s.violations.length > 0).map((s) => s.index);
    const next = direction > 0 ? steps.find((i) => i > this.step) : [...steps].reverse().find((i) => i < this.step);
    if (next !== undefined) {
      this.stopPlay();
      this.goto(next);
    }
  }

  private reveal(step: number): void {
    if (!this.model?.path) return;
    this.host.post({ type: 'reveal', runId: this.model.runId, step });
  }

  private stateAt(step: number): { pages: readonly PageState[]; vmstat: VmStat; dma?: DmaState; s: SimStep | null } {
    const path = this.model?.path;
    if (!path) return { pages: [], vmstat: { nr_foll_pin_acquired: 0, nr_foll_pin_released: 0 }, s: null };
    if (step === 0)
      return {
        pages: path.initial.pages,
        vmstat: path.initial.vmstat,
        ...(path.initial.dma ? { dma: path.initial.dma } : {}),
        s: null,
      };
    const s = path.steps[step - 1] as SimStep;
    return { pages: s.pages, vmstat: s.vmstat, ...(s.dma ? { dma: s.dma } : {}), s };
  }

  private renderStep(): void {
    const model = this.model;
    const path = model?.path;
    if (!model || !path) return;
    const now = this.stateAt(this.step);
    const before = this.step > 0 ? this.stateAt(this.step - 1) : null;
    const s = now.s;
    const total = path.steps.length;
    setText(this.position, `step ${this.step} / ${total}`);
    setText(
      this.stepTitle,
      s
        ? `Step ${s.index} of ${total}: ${s.call}`
        : `Before the first step (${total} step${total === 1 ? '' : 's'} follow)`,
    );
    setText(this.stepResult, s?.result !== undefined ? `returns ${s.result}` : '');
    const traceLine = s ? model.traceLines?.[s.index - 1] : undefined;
    const lineText = !s
      ? ''
      : model.source.kind === 'trace'
        ? traceLine !== undefined
          ? `trace line ${traceLine}${s.line !== null ? ` · source line ${s.line}` : ''}`
          : ''
        : s.line !== null
          ? `line ${s.line}`
          : '';
    setText(this.stepLine, lineText);
    toggleClass(this.stepLine, 'hidden', lineText === '');
    this.renderViolations(s?.violations ?? []);
    replace(this.note, s?.note ? h('p', {}, icon('info'), ` ${s.note}`) : null);
    this.renderPages(now.pages, before ? before.pages : null);
    this.renderCounters(now.vmstat, before?.vmstat ?? null);
    this.renderDma(now.dma, before?.dma);
    this.timeline.select(this.step);
    this.chart.setStep(this.step);
    setText(
      this.live,
      `Step ${this.step} of ${total}${s ? `: ${s.call}` : ''}${s && s.violations.length > 0 ? `. ${s.violations.length} violation${s.violations.length === 1 ? '' : 's'}: ${s.violations[0]?.message ?? ''}` : ''}`,
    );
  }

  private renderViolations(list: readonly Violation[]): void {
    replace(
      this.violations,
      ...list.map((v) =>
        h(
          'div',
          { class: `violation kind-${v.kind}`, role: 'alert' },
          h('div', { class: 'violation-head' }, icon('error'), h('strong', {}, ` ${v.kind}`)),
          h('p', { class: 'violation-message' }, v.message),
          v.kernelMessage
            ? h(
                'div',
                { class: 'kernel-message' },
                h('span', { class: 'kernel-label' }, 'The kernel says: '),
                h('code', {}, v.kernelMessage),
              )
            : null,
          v.docsUrl
            ? h(
                'a',
                { class: 'doc-link', href: v.docsUrl, title: v.docsUrl },
                icon('link-external'),
                ` ${docTitle(v.docsUrl)}`,
              )
            : null,
        ),
      ),
    );
    toggleClass(this.detail, 'has-violation', list.length > 0);
  }

  private renderPages(pages: readonly PageState[], previous: readonly PageState[] | null): void {
    const rows = pageRows(pages, previous);
    const folios = new Set(pages.map((p) => p.folio)).size;
    setText(
      this.pageCaption,
      `${pages.length} page${pages.length === 1 ? '' : 's'} in ${folios} folio${folios === 1 ? '' : 's'}${previous ? ' · changes since the previous step are marked' : ''}`,
    );
    replace(this.pageBody, ...rows.map((r) => this.pageRow(r)));
  }

  private pageRow(r: PageRow): HTMLTableRowElement {
    const chartPage = this.chartPage ?? -1;
    const charted =
      chartPage >= r.firstPage && chartPage < r.firstPage + r.count && (r.count === 1 || r.pages.includes('–'));
    const changed =
      r.refDelta !== null || r.pinDelta !== null || r.maybeChanged || r.dirtyChanged || r.heldChanged || r.folioChanged;
    const numCell = (value: string, delta: number | null, cls: string): HTMLTableCellElement =>
      h(
        'td',
        { class: `num ${cls}${delta !== null ? ' changed' : ''}` },
        value,
        delta !== null ? h('span', { class: `delta ${delta > 0 ? 'up' : 'down'}` }, ` ${signed(delta)}`) : null,
      );
    const held =
      [
        r.heldPins > 0 ? `${r.heldPins} pin${r.heldPins === 1 ? '' : 's'}` : '',
        r.heldRefs > 0 ? `${r.heldRefs} ref${r.heldRefs === 1 ? '' : 's'}` : '',
      ]
        .filter(Boolean)
        .join(', ') || '—';
    return h(
      'tr',
      {
        class: `${changed ? 'changed-row' : ''}${charted ? ' charted' : ''}`,
        'data-page': r.firstPage,
        'data-key': r.key,
        title: 'Draw this page in the chart',
      },
      h(
        'th',
        { scope: 'row', class: `page-label${r.folioChanged ? ' changed' : ''}` },
        h(
          'span',
          { class: 'page-range' },
          r.pages,
          r.count > 1 && r.kind === 'base' ? ` (${r.count} pages)` : r.count > 1 ? ` (${r.count})` : '',
        ),
        h('span', { class: 'folio-label muted' }, ` · ${r.folio}`),
      ),
      h('td', {}, kindText(r.kind)),
      numCell(String(r.refcount), r.refDelta, 'refcount'),
      numCell(r.pincount === null ? '—' : String(r.pincount), r.pinDelta, 'pincount'),
      h(
        'td',
        { class: `flag${r.maybeChanged ? ' changed' : ''}${r.maybeDmaPinned ? ' yes' : ''}` },
        icon(r.maybeDmaPinned ? 'pass-filled' : 'circle-large'),
        r.maybeDmaPinned ? ' yes' : ' no',
      ),
      h('td', { class: `held${r.heldChanged ? ' changed' : ''}` }, held),
      h('td', { class: r.dirtyChanged ? 'changed' : '' }, r.dirty ? 'yes' : 'no'),
    );
  }

  private renderCounters(v: VmStat, before: VmStat | null): void {
    const balance = v.nr_foll_pin_acquired - v.nr_foll_pin_released;
    const tile = (id: string, name: string, value: number, previous: number | null, extra = ''): HTMLElement =>
      h(
        'div',
        { class: `counter${previous !== null && previous !== value ? ' changed' : ''}${extra}`, id },
        h('span', { class: 'counter-name' }, name),
        h('span', { class: 'counter-value' }, String(value)),
        previous !== null && previous !== value
          ? h('span', { class: `delta ${value > previous ? 'up' : 'down'}` }, signed(value - previous))
          : null,
      );
    const prevBalance = before ? before.nr_foll_pin_acquired - before.nr_foll_pin_released : null;
    replace(
      this.counters,
      h('h3', {}, 'vmstat'),
      tile('counter-acquired', 'nr_foll_pin_acquired', v.nr_foll_pin_acquired, before?.nr_foll_pin_acquired ?? null),
      tile('counter-released', 'nr_foll_pin_released', v.nr_foll_pin_released, before?.nr_foll_pin_released ?? null),
      tile('counter-balance', 'acquired − released', balance, prevBalance, balance === 0 ? ' balanced' : ' unbalanced'),
      h(
        'p',
        { class: 'counter-help' },
        balance === 0
          ? 'Balanced: every counted pin was released.'
          : `${balance} pin${balance === 1 ? '' : 's'} outstanding.`,
      ),
    );
  }

  private renderDma(dma: DmaState | undefined, before: DmaState | undefined): void {
    toggleClass(this.dma, 'hidden', dma === undefined);
    if (!dma) {
      replace(this.dma);
      return;
    }
    const key = (m: DmaState['mappings'][number]): string => `${m.id}|${m.address}|${m.mapErr}|${m.mappedEnts ?? ''}`;
    const was = new Set((before?.mappings ?? []).map(key));
    const live = new Set(dma.mappings.map((m) => m.id));
    const gone = (before?.mappings ?? []).filter((m) => !live.has(m.id));
    const c = dma.counters;
    const b = before?.counters;
    const counter = (name: keyof DmaState['counters']): HTMLElement => {
      const changed = b !== undefined && b[name] !== c[name];
      return h(
        'span',
        { class: `dma-counter${changed ? ' changed' : ''}` },
        `${name} ${c[name]}`,
        changed && b
          ? h('span', { class: `delta ${c[name] > b[name] ? 'up' : 'down'}` }, ` ${signed(c[name] - b[name])}`)
          : null,
      );
    };
    const row = (m: DmaState['mappings'][number], cls: string, note?: string): HTMLTableRowElement =>
      h(
        'tr',
        { class: cls },
        h('td', {}, m.id, note ? h('span', { class: 'muted' }, ` (${note})`) : null),
        h('td', {}, m.type),
        h('td', {}, m.device),
        h('td', { class: 'mono' }, m.address),
        h('td', { class: 'num' }, String(m.size)),
        h('td', {}, m.direction),
        h('td', { class: 'num' }, m.sgCallEnts !== undefined ? `${m.mappedEnts ?? '?'} of ${m.sgCallEnts}` : '—'),
        h('td', { class: m.mapErr === 'not-checked' ? 'warn' : '' }, m.mapErr),
        h('td', {}, m.pages.length > 0 ? m.pages.map((p) => `p${p}`).join(', ') : '—'),
      );
    const rows = [
      ...dma.mappings.map((m) => row(m, was.has(key(m)) ? '' : 'changed-row')),
      ...gone.map((m) => row(m, 'removed-row', 'unmapped')),
    ];
    replace(
      this.dma,
      h('h3', {}, `dma-debug: ${dma.mappings.length} live mapping${dma.mappings.length === 1 ? '' : 's'}`),
      h(
        'table',
        { class: 'dma-table', id: 'dma-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              'id',
              'type',
              'device',
              'address',
              'size',
              'direction',
              'sg ents',
              'mapping error checked',
              'pages',
            ].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h(
          'tbody',
          {},
          ...(rows.length === 0 ? [h('tr', {}, h('td', { colspan: 9, class: 'muted' }, 'no live mappings'))] : rows),
        ),
      ),
      h(
        'p',
        { class: 'dma-counters', id: 'dma-counters' },
        counter('error_count'),
        ' · ',
        counter('num_errors'),
        ' · ',
        counter('num_free_entries'),
        ' · ',
        counter('min_free_entries'),
        ' · ',
        counter('nr_total_entries'),
      ),
    );
  }

  private updateButtons(): void {
    const has = this.model?.path !== null && this.model !== null;
    const last = this.lastStep();
    this.first.disabled = !has || this.step === 0;
    this.back.disabled = !has || this.step === 0;
    this.forward.disabled = !has || this.step >= last;
    this.last.disabled = !has || this.step >= last;
    this.play.disabled = !has || last === 0;
    const violationsAhead =
      this.model?.path?.steps.some((s) => s.index > this.step && s.violations.length > 0) ?? false;
    this.nextViolation.disabled = !violationsAhead;
    this.exportButton.disabled = !has;
    this.copyButton.disabled = !has;
  }

  // ─── play ────────────────────────────────────────────────────────────────────────────────────────

  private togglePlay(): void {
    if (this.playTimer !== null) {
      this.stopPlay();
      return;
    }
    if (!this.model?.path) return;
    if (this.step >= this.lastStep()) this.goto(0);
    this.playTimer = setInterval(() => {
      if (this.step >= this.lastStep()) {
        this.stopPlay();
        return;
      }
      this.goto(this.step + 1);
    }, PLAY_INTERVAL_MS);
    replace(this.play, icon('debug-pause'));
    this.play.setAttribute('aria-label', 'Pause');
    this.play.title = 'Pause (Space)';
    toggleClass(this.play, 'playing', true);
  }

  private stopPlay(): void {
    if (this.playTimer === null) return;
    clearInterval(this.playTimer);
    this.playTimer = null;
    replace(this.play, icon('debug-start'));
    this.play.setAttribute('aria-label', 'Play');
    this.play.title = 'Play (Space)';
    toggleClass(this.play, 'playing', false);
  }

  get isPlaying(): boolean {
    return this.playTimer !== null;
  }

  // ─── the extension's messages ─────────────────────────────────────────────────────────────────────

  busy(message: string): void {
    this.root.setAttribute('aria-busy', message ? 'true' : 'false');
    setText(this.banner, message);
    this.banner.className = `banner${message ? ' visible busy' : ''}`;
    this.runButton.disabled = message !== '';
  }

  error(message: string): void {
    this.busy('');
    setText(this.banner, message);
    this.banner.className = 'banner visible error';
    this.banner.setAttribute('role', 'alert');
  }

  private rerun(path: number | null): void {
    const model = this.model;
    if (!model) return;
    const parameters: SimulationParameters = {
      ...(model.source.kind === 'function' ? this.functionParameters() : {}),
      kernelVersion: this.kernel.value,
    };
    this.host.post({
      type: 'rerun',
      runId: model.runId,
      parameters,
      path: model.source.kind === 'function' ? path : null,
    });
  }

  private functionParameters(): SimulationParameters {
    const pages = Math.floor(Number(this.pages.value));
    const kind = this.kind.value as PageKind;
    const acquireKind = this.acquire.value;
    const taken = Math.floor(Number(this.taken.value));
    let acquire: AcquireChoice | undefined;
    if (acquireKind === 'full' || acquireKind === 'error') acquire = { kind: acquireKind };
    else if (acquireKind === 'partial')
      acquire = { kind: 'partial', taken: Number.isInteger(taken) && taken >= 1 ? taken : 1 };
    return {
      ...(Number.isInteger(pages) && pages >= 1 && pages <= 4096 ? { pages } : {}),
      ...(['base', 'thp', 'hugetlb', 'zero'].includes(kind) ? { pageKind: kind } : {}),
      ...(acquire ? { acquire } : {}),
    };
  }

  private persist(urgent: boolean): void {
    this.host.saveState({ version: 1, model: this.model, step: this.step, chartPage: this.chartPage }, urgent);
  }
}

function kindText(kind: PageKind): string {
  return kind === 'thp' ? 'THP' : kind === 'hugetlb' ? 'hugetlb' : kind === 'zero' ? 'zero page' : 'base';
}

/** `pin_user_pages.rst § tracking-dma-pinned-pages` for a docs.kernel.org link. */
function docTitle(url: string): string {
  const m = /docs\.kernel\.org\/(?:.*\/)?([^/#]+)\.html(?:#(.+))?$/.exec(url);
  if (!m) return 'Documentation';
  return `${m[1]}.rst${m[2] ? ` § ${m[2].replace(/-/g, ' ')}` : ''}`;
}
