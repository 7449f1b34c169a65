/**
 * The simulation panel's view: it owns the run shown (the model), the current position and the
 * page the chart draws, and lays out the parts — the header, the parameters, the stepping toolbar,
 * the notices, the step's state (stepDetail.ts), the timeline and the chart. It talks to the
 * extension only through ViewHost (typed FromPanel messages and the persisted state).
 *
 * Layout (media/simulation.css): wide, the timeline runs down the left beside the step's state and
 * the chart; narrow (a panel in a split editor), the step's state comes first, then the timeline and
 * the chart, the parameters fold into one line and the toolbar stays on top, so that a violation and
 * the page table are in view without scrolling.
 */
import { Chart, defaultChartPage, seriesOf } from './chart';
import { h, replace, setText, toggleClass } from './dom';
import { Header } from './header';
import { keyCommand, type KeyCommand } from './keys';
import { noticeElements } from './notices';
import { ParameterForm } from './parameters';
import { positions, startStep, type FromPanel, type PanelModel, type PanelState } from './protocol';
import { StepDetail } from './stepDetail';
import { timelineRows, violationSteps } from './steps';
import { Timeline } from './timeline';
import { Toolbar } from './toolbar';
import { plural } from './words';

export interface ViewHost {
  post(message: FromPanel): void;
  /** Persist the state; `urgent`: now (a new run), else soon (stepping). */
  saveState(state: PanelState, urgent: boolean): void;
}

const PLAY_INTERVAL_MS = 600;

/** Whether two models show the same path of the same function (a re-run keeps the step then). */
function samePath(a: PanelModel | null, b: PanelModel): boolean {
  if (a === null || a.source.uri !== b.source.uri || a.pathIndex !== b.pathIndex) return false;
  return a.source.kind !== 'function' || (b.source.kind === 'function' && a.source.function === b.source.function);
}

export class PanelView {
  private model: PanelModel | null = null;
  private step = 0;
  private chartPage: number | null = null;
  private playTimer: ReturnType<typeof setInterval> | null = null;

  private readonly header: Header;
  private readonly parameters: ParameterForm;
  private readonly toolbar: Toolbar;
  private readonly banner = h('div', { class: 'banner', id: 'banner', role: 'status' });
  private readonly notices = h('div', { class: 'notices', id: 'notices' });
  private readonly detail: StepDetail;
  private readonly timeline: Timeline;
  private readonly chart = new Chart();
  private readonly live = h('div', { class: 'visually-hidden', 'aria-live': 'polite', id: 'live' });

  constructor(
    private readonly root: HTMLElement,
    private readonly host: ViewHost,
  ) {
    this.header = new Header({ pickPath: (path) => this.rerun(path), goto: (step) => this.goto(step) });
    this.parameters = new ParameterForm(() => this.rerun(this.model?.pathIndex ?? null));
    this.toolbar = new Toolbar({
      first: () => this.goto(0),
      back: () => this.goto(this.step - 1),
      togglePlay: () => this.togglePlay(),
      forward: () => this.goto(this.step + 1),
      last: () => this.goto(this.lastStep()),
      nextViolation: () => this.gotoViolation(1),
      exportTrace: () => this.host.post({ type: 'export' }),
      copyMarkdown: () => this.host.post({ type: 'copyMarkdown' }),
    });
    this.detail = new StepDetail({ reveal: () => this.reveal(this.step), pickPage: (page) => this.pickPage(page) });
    this.timeline = new Timeline({ select: (i) => this.goto(i), reveal: (i) => this.reveal(i) });
    const body = h(
      'main',
      { class: 'body' },
      this.detail.root,
      h('section', { class: 'timeline-section', 'aria-label': 'Timeline' }, h('h3', {}, 'Steps'), this.timeline.root),
      h('section', { class: 'chart-section', 'aria-label': 'Chart' }, this.chart.root),
    );
    replace(
      root,
      this.header.root,
      this.parameters.root,
      this.toolbar.root,
      this.banner,
      this.notices,
      body,
      this.live,
    );
    this.followChartWidth();
    // Documentation links open through the extension (the webview does not navigate).
    root.addEventListener('click', (e) => {
      const a = (e.target as Element).closest<HTMLAnchorElement>('a.doc-link');
      if (!a) return;
      e.preventDefault();
      const url = a.getAttribute('href');
      if (url) this.host.post({ type: 'openLink', url });
    });
    root.setAttribute('aria-busy', 'false');
    toggleClass(root, 'empty', true);
  }

  /** The chart is drawn in pixels: redrawn (once a frame at most) when its width changes. */
  private followChartWidth(): void {
    if (typeof ResizeObserver === 'undefined') return;
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

  get current(): { model: PanelModel | null; step: number } {
    return { model: this.model, step: this.step };
  }

  get isPlaying(): boolean {
    return this.playTimer !== null;
  }

  // ─── rendering a run ──────────────────────────────────────────────────────────────────────────────

  /**
   * Shows a run at `step`; without one, the same path keeps its step and another path opens at its
   * first violation.
   */
  render(model: PanelModel, step: number | undefined, chartPage: number | null = null): void {
    const same = samePath(this.model, model);
    this.stopPlay();
    this.model = model;
    const wanted = step ?? (same ? this.step : startStep(model.path));
    this.step = Math.max(0, Math.min(wanted, this.lastStep()));
    if (!same) this.chartPage = null;
    if (chartPage !== null) this.chartPage = chartPage;
    setText(this.banner, '');
    toggleClass(this.banner, 'visible', false);
    toggleClass(this.root, 'empty', model.path === null);
    this.header.render(model);
    this.parameters.render(model);
    replace(this.notices, ...noticeElements(model));
    const path = model.path;
    if (path) {
      if (this.chartPage === null || this.chartPage >= path.initial.pages.length)
        this.chartPage = defaultChartPage(path);
      this.timeline.setRows(timelineRows(model), this.step);
      this.chart.setData(seriesOf(path, this.chartPage));
      this.renderStep();
    } else {
      this.timeline.setRows([], 0);
      this.chart.clear();
      this.toolbar.setPosition('');
    }
    this.updateToolbar();
    this.persist(true);
  }

  private renderStep(): void {
    const model = this.model;
    const path = model?.path;
    if (!model || !path) return;
    const total = path.steps.length;
    this.toolbar.setPosition(`step ${this.step} / ${total}`);
    this.detail.render(model, this.step, this.chartPage);
    this.timeline.select(this.step);
    this.chart.setStep(this.step);
    const s = path.steps[this.step - 1];
    const violations = s?.violations ?? [];
    setText(
      this.live,
      `Step ${this.step} of ${total}${s ? `: ${s.call}` : ''}${violations.length > 0 ? `. ${plural(violations.length, 'violation')}: ${violations[0]?.message ?? ''}` : ''}`,
    );
  }

  private updateToolbar(): void {
    const path = this.model?.path ?? null;
    const last = this.lastStep();
    this.toolbar.update({
      hasPath: path !== null,
      atStart: this.step === 0,
      atEnd: this.step >= last,
      violationAhead: path !== null && violationSteps(path).some((i) => i > this.step),
    });
  }

  private pickPage(page: number): void {
    const path = this.model?.path;
    if (!path) return;
    this.chartPage = page;
    this.chart.setData(seriesOf(path, page));
    this.renderStep();
    this.persist(false);
  }

  // ─── moving ───────────────────────────────────────────────────────────────────────────────────────

  private lastStep(): number {
    return this.model ? Math.max(0, positions(this.model) - 1) : 0;
  }

  goto(step: number): void {
    if (!this.model?.path) return;
    const target = Math.max(0, Math.min(step, this.lastStep()));
    if (target === this.step && this.timeline.root.querySelector('.tl-row.selected')) return;
    this.step = target;
    this.renderStep();
    this.updateToolbar();
    this.host.post({ type: 'step', runId: this.model.runId, step: target });
    this.persist(false);
  }

  private gotoViolation(direction: 1 | -1): void {
    const path = this.model?.path;
    if (!path) return;
    const steps = violationSteps(path);
    const next = direction > 0 ? steps.find((i) => i > this.step) : steps.reverse().find((i) => i < this.step);
    if (next !== undefined) {
      this.stopPlay();
      this.goto(next);
    }
  }

  private reveal(step: number): void {
    if (!this.model?.path) return;
    this.host.post({ type: 'reveal', runId: this.model.runId, step });
  }

  /** The keyboard (keys.ts says which key does what). */
  onKey(e: KeyboardEvent): void {
    if (!this.model?.path) return;
    const command = keyCommand(e);
    if (command === null) return;
    e.preventDefault();
    this.run(command);
  }

  private run(command: KeyCommand): void {
    const moves: Partial<Record<KeyCommand, () => number>> = {
      next: () => this.step + 1,
      previous: () => this.step - 1,
      first: () => 0,
      last: () => this.lastStep(),
    };
    const move = moves[command];
    if (move) {
      this.stopPlay();
      this.goto(move());
    } else if (command === 'nextViolation') this.gotoViolation(1);
    else if (command === 'previousViolation') this.gotoViolation(-1);
    else if (command === 'play') this.togglePlay();
    else if (command === 'reveal') this.reveal(this.step);
    else this.stopPlay();
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
      if (this.step >= this.lastStep()) this.stopPlay();
      else this.goto(this.step + 1);
    }, PLAY_INTERVAL_MS);
    this.toolbar.setPlaying(true);
  }

  private stopPlay(): void {
    if (this.playTimer === null) return;
    clearInterval(this.playTimer);
    this.playTimer = null;
    this.toolbar.setPlaying(false);
  }

  // ─── the extension's messages ─────────────────────────────────────────────────────────────────────

  busy(message: string): void {
    this.root.setAttribute('aria-busy', message ? 'true' : 'false');
    setText(this.banner, message);
    this.banner.className = `banner${message ? ' visible busy' : ''}`;
    this.parameters.setBusy(message !== '');
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
    const fn = model.source.kind === 'function';
    this.host.post({
      type: 'rerun',
      runId: model.runId,
      parameters: this.parameters.read(!fn),
      path: fn ? path : null,
    });
  }

  private persist(urgent: boolean): void {
    this.host.saveState({ version: 1, model: this.model, step: this.step, chartPage: this.chartPage }, urgent);
  }
}
