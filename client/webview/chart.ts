/**
 * The chart: one page's `_refcount` and pin count over the steps, drawn as SVG by the panel (step
 * lines, a cursor at the current step, a mark where a violation happens). Two scales: refcounts
 * jump by 1024 per pin on small pages while pin counts move by one. Drawing is proportional to the
 * number of changes, not of steps, and moving the cursor touches a handful of attributes.
 */
import { h, replace, setText, svg } from './dom';
import type { PageState, SimPath } from './protocol';

const HEIGHT = 170;
const M = { left: 52, right: 40, top: 12, bottom: 22 };

export interface ChartSeries {
  readonly refcount: Float64Array;
  readonly pins: Float64Array;
  /** Whether `pins` is the folio's exact _pincount (large folios) or the pins this path holds. */
  readonly exactPincount: boolean;
  readonly violations: readonly number[];
  readonly page: number;
  readonly folio: number;
}

export function seriesOf(path: SimPath, page: number): ChartSeries {
  const n = path.steps.length + 1;
  const refcount = new Float64Array(n);
  const pins = new Float64Array(n);
  let exactPincount = false;
  const at = (pages: readonly PageState[], i: number): void => {
    const p = pages[page];
    if (!p) return;
    refcount[i] = p.refcount;
    if (p.pincount !== null) exactPincount = true;
    pins[i] = p.pincount ?? p.heldPins;
  };
  at(path.initial.pages, 0);
  const violations: number[] = [];
  path.steps.forEach((s, i) => {
    at(s.pages, i + 1);
    if (s.violations.length > 0) violations.push(i + 1);
  });
  const first = path.initial.pages[page];
  return { refcount, pins, exactPincount, violations, page, folio: first?.folio ?? 0 };
}

/** The page worth drawing first: the first whose refcount ever changes (else page 0). */
export function defaultChartPage(path: SimPath): number {
  const initial = path.initial.pages;
  for (const s of path.steps) {
    for (let i = 0; i < s.pages.length; i++) {
      const p = s.pages[i] as PageState;
      if (p.refcount !== initial[i]?.refcount || p.heldPins > 0) return i;
    }
  }
  return 0;
}

function extent(values: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

/** A step line through `values`: flat, then a vertical jump at the step that changes the value. */
function stepPath(values: Float64Array, x: (i: number) => number, y: (v: number) => number): string {
  if (values.length === 0) return '';
  const parts = [`M${x(0).toFixed(1)} ${y(values[0] as number).toFixed(1)}`];
  for (let i = 1; i < values.length; i++) {
    if (values[i] !== values[i - 1]) parts.push(`H${x(i).toFixed(1)}V${y(values[i] as number).toFixed(1)}`);
  }
  parts.push(`H${x(values.length - 1).toFixed(1)}`);
  return parts.join('');
}

export class Chart {
  readonly root: HTMLElement;
  private readonly svgEl: SVGSVGElement;
  private readonly grid = svg('g', { class: 'grid' });
  private readonly refLine = svg('path', { class: 'series ref' });
  private readonly pinLine = svg('path', { class: 'series pin' });
  private readonly marks = svg('g', { class: 'marks' });
  private readonly cursor = svg('line', { class: 'cursor' });
  private readonly refDot = svg('circle', { class: 'dot ref', r: 3.5 });
  private readonly pinDot = svg('circle', { class: 'dot pin', r: 3.5 });
  private readonly refLabel = svg('text', { class: 'value ref' });
  private readonly pinLabel = svg('text', { class: 'value pin' });
  private readonly caption = h('figcaption', { class: 'chart-caption' });
  private readonly legendPins = h('span', { class: 'legend-label' });
  private series: ChartSeries | null = null;
  private width = 600;
  private step = 0;
  private x: (i: number) => number = () => 0;
  private yRef: (v: number) => number = () => 0;
  private yPin: (v: number) => number = () => 0;

  constructor() {
    this.svgEl = svg(
      'svg',
      {
        class: 'chart-svg',
        role: 'img',
        'aria-label': 'refcount and pin count over the steps',
        height: HEIGHT,
        width: this.width,
      },
      this.grid,
      this.marks,
      this.refLine,
      this.pinLine,
      this.cursor,
      this.refDot,
      this.pinDot,
      this.refLabel,
      this.pinLabel,
    );
    const legend = h(
      'div',
      { class: 'legend' },
      h('span', { class: 'swatch ref' }),
      h('span', { class: 'legend-label' }, '_refcount (left scale)'),
      h('span', { class: 'swatch pin' }),
      this.legendPins,
      h('span', { class: 'swatch mark' }),
      h('span', { class: 'legend-label' }, 'violation'),
    );
    this.root = h('figure', { class: 'chart' }, h('div', { class: 'chart-frame' }, this.svgEl), legend, this.caption);
  }

  setData(series: ChartSeries): void {
    this.series = series;
    setText(this.legendPins, series.exactPincount ? '_pincount (right scale)' : 'pins this path holds (right scale)');
    this.draw();
  }

  clear(): void {
    this.series = null;
    replace(this.grid);
    replace(this.marks);
    for (const el of [this.refLine, this.pinLine]) el.setAttribute('d', '');
    setText(this.caption, '');
  }

  /** The container's width changed. */
  resize(width: number): void {
    const w = Math.max(240, Math.floor(width));
    if (w === this.width) return;
    this.width = w;
    this.draw();
  }

  private draw(): void {
    const s = this.series;
    this.svgEl.setAttribute('width', String(this.width));
    this.svgEl.setAttribute('viewBox', `0 0 ${this.width} ${HEIGHT}`);
    if (!s) return;
    const n = s.refcount.length;
    const plotW = this.width - M.left - M.right;
    const plotH = HEIGHT - M.top - M.bottom;
    const [rLo, rHi] = extent(s.refcount);
    const pHi = Math.max(1, extent(s.pins)[1]);
    this.x = (i) => M.left + (n <= 1 ? plotW / 2 : (plotW * i) / (n - 1));
    this.yRef = (v) => M.top + plotH * (1 - (v - rLo) / (rHi - rLo));
    this.yPin = (v) => M.top + plotH * (1 - v / pHi);
    const bottom = HEIGHT - M.bottom;
    replace(
      this.grid,
      svg('line', { class: 'axis', x1: M.left, x2: this.width - M.right, y1: bottom, y2: bottom }),
      svg('line', { class: 'axis', x1: M.left, x2: M.left, y1: M.top, y2: bottom }),
      svg('line', { class: 'axis', x1: this.width - M.right, x2: this.width - M.right, y1: M.top, y2: bottom }),
      svg('text', { class: 'tick ref', x: M.left - 4, y: M.top + 4, 'text-anchor': 'end' }, String(rHi)),
      svg('text', { class: 'tick ref', x: M.left - 4, y: bottom, 'text-anchor': 'end' }, String(rLo)),
      svg('text', { class: 'tick pin', x: this.width - M.right + 4, y: M.top + 4 }, String(pHi)),
      svg('text', { class: 'tick pin', x: this.width - M.right + 4, y: bottom }, '0'),
      svg('text', { class: 'tick', x: M.left, y: HEIGHT - 6 }, 'start'),
      svg('text', { class: 'tick', x: this.width - M.right, y: HEIGHT - 6, 'text-anchor': 'end' }, `step ${n - 1}`),
    );
    this.refLine.setAttribute('d', stepPath(s.refcount, this.x, this.yRef));
    this.pinLine.setAttribute('d', stepPath(s.pins, this.x, this.yPin));
    // One mark per pixel column at most.
    const marks: SVGElement[] = [];
    let lastX = -Infinity;
    for (const i of s.violations) {
      const x = this.x(i);
      if (x - lastX < 3) continue;
      lastX = x;
      marks.push(svg('path', { class: 'mark', d: `M${x.toFixed(1)} ${M.top - 2}l-4 -7h8z` }));
    }
    replace(this.marks, ...marks);
    this.cursor.setAttribute('y1', String(M.top));
    this.cursor.setAttribute('y2', String(bottom));
    this.setStep(this.step);
  }

  setStep(step: number): void {
    this.step = step;
    const s = this.series;
    if (!s) return;
    const i = Math.max(0, Math.min(step, s.refcount.length - 1));
    const x = this.x(i).toFixed(1);
    this.cursor.setAttribute('x1', x);
    this.cursor.setAttribute('x2', x);
    const ref = s.refcount[i] as number;
    const pins = s.pins[i] as number;
    this.refDot.setAttribute('cx', x);
    this.refDot.setAttribute('cy', this.yRef(ref).toFixed(1));
    this.pinDot.setAttribute('cx', x);
    this.pinDot.setAttribute('cy', this.yPin(pins).toFixed(1));
    // The values next to the cursor, on the side with more room; apart when the lines meet.
    const right = Number(x) < this.width / 2;
    const anchor = right ? 'start' : 'end';
    const dx = right ? 6 : -6;
    const top = M.top + 8;
    const bottom = HEIGHT - M.bottom - 2;
    const yr = Math.max(top, Math.min(bottom, this.yRef(ref) - 5));
    let yp = Math.max(top, Math.min(bottom, this.yPin(pins) + 13));
    if (Math.abs(yr - yp) < 12) yp = yr + 13 <= bottom ? yr + 13 : yr - 13;
    for (const [el, y, value] of [
      [this.refLabel, yr, ref],
      [this.pinLabel, yp, pins],
    ] as const) {
      el.setAttribute('x', (Number(x) + dx).toFixed(1));
      el.setAttribute('y', y.toFixed(1));
      el.setAttribute('text-anchor', anchor);
      setText(el, String(value));
    }
    setText(
      this.caption,
      `p${s.page} (folio ${s.folio}) at ${i === 0 ? 'the start' : `step ${i}`}: _refcount ${ref}, ${s.exactPincount ? '_pincount' : 'pins held'} ${pins}. Pick a row of the page table to draw another page.`,
    );
  }
}
