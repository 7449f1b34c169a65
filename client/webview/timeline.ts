/**
 * The timeline: one row per step (call, source line, result, a mark for violations), virtualized —
 * only the rows in view exist in the DOM, so a 10,000-step trace renders as fast as a 10-step one
 * and moving the selection touches a few dozen elements.
 */
import { h, icon, replace } from './dom';

const ROW_HEIGHT = 22;
const OVERSCAN = 6;

export interface TimelineRow {
  readonly index: number;
  readonly call: string;
  /** What the line button shows (`L32`, `trace 7`), or null when the step has no line. */
  readonly lineLabel: string | null;
  readonly lineTitle: string;
  readonly result: string;
  readonly violations: number;
  readonly note: boolean;
}

export interface TimelineHandlers {
  select(index: number): void;
  reveal(index: number): void;
}

export class Timeline {
  readonly root: HTMLElement;
  private readonly sizer: HTMLElement;
  private readonly layer: HTMLElement;
  private rows: readonly TimelineRow[] = [];
  private selected = 0;
  private frame = 0;
  private renderedRange = '';
  /**
   * The viewport's height and scroll position, kept from ResizeObserver and scroll events: reading
   * clientHeight/scrollTop while stepping would force a layout of the whole panel on every step.
   */
  private viewHeight = 0;
  private scrollTop = 0;
  private scrollFrame = 0;

  constructor(private readonly handlers: TimelineHandlers) {
    this.layer = h('div', { class: 'tl-layer' });
    this.sizer = h('div', { class: 'tl-sizer' }, this.layer);
    this.root = h(
      'div',
      { class: 'timeline', id: 'timeline', role: 'listbox', 'aria-label': 'Steps of the path', tabindex: 0 },
      this.sizer,
    );
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver((entries) => {
        const height = entries[0]?.contentRect.height ?? 0;
        if (height === this.viewHeight) return;
        this.viewHeight = height;
        this.renderedRange = '';
        this.scrollIntoView();
        this.render();
      }).observe(this.root);
    }
    this.root.addEventListener('scroll', () => {
      if (this.scrollFrame) return; // our own scroll is on its way
      this.scrollTop = this.root.scrollTop;
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.render();
      });
    });
    this.layer.addEventListener('click', (e) => {
      const target = e.target as Element;
      const row = target.closest<HTMLElement>('.tl-row');
      if (!row) return;
      const index = Number(row.dataset.index);
      if (!Number.isInteger(index)) return;
      if (target.closest('.line-link')) {
        e.stopPropagation();
        this.handlers.select(index);
        this.handlers.reveal(index);
      } else {
        this.handlers.select(index);
      }
    });
    this.layer.addEventListener('dblclick', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('.tl-row');
      const index = Number(row?.dataset.index);
      if (Number.isInteger(index)) this.handlers.reveal(index);
    });
  }

  setRows(rows: readonly TimelineRow[], selected: number): void {
    this.rows = rows;
    this.selected = selected;
    this.sizer.style.height = `${rows.length * ROW_HEIGHT}px`;
    this.renderedRange = '';
    this.scrollIntoView();
    this.render();
  }

  select(index: number): void {
    const previous = this.selected;
    this.selected = index;
    const old = this.layer.querySelector<HTMLElement>(`.tl-row[data-index="${previous}"]`);
    if (old) {
      old.classList.remove('selected');
      old.setAttribute('aria-selected', 'false');
    }
    this.scrollIntoView();
    this.render();
    const now = this.layer.querySelector<HTMLElement>(`.tl-row[data-index="${index}"]`);
    if (now) {
      now.classList.add('selected');
      now.setAttribute('aria-selected', 'true');
      this.root.setAttribute('aria-activedescendant', now.id);
    }
  }

  private scrollIntoView(): void {
    const top = this.selected * ROW_HEIGHT;
    const view = this.viewHeight;
    if (view === 0) return;
    let next = this.scrollTop;
    if (top < next) next = Math.max(0, top - ROW_HEIGHT);
    else if (top + ROW_HEIGHT > next + view) next = top + 2 * ROW_HEIGHT - view;
    next = Math.max(0, Math.min(next, this.rows.length * ROW_HEIGHT - view));
    if (next !== this.scrollTop) {
      this.scrollTop = next;
      // Applied with the next frame: setting scrollTop now would force a layout mid-update.
      if (!this.scrollFrame) {
        this.scrollFrame = requestAnimationFrame(() => {
          this.scrollFrame = 0;
          this.root.scrollTop = this.scrollTop;
        });
      }
    }
  }

  private render(): void {
    const view = this.viewHeight || 600;
    const first = Math.max(0, Math.floor(this.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.rows.length, Math.ceil((this.scrollTop + view) / ROW_HEIGHT) + OVERSCAN);
    const range = `${first}:${last}`;
    if (range === this.renderedRange) return;
    this.renderedRange = range;
    this.layer.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    const out: HTMLElement[] = [];
    for (let i = first; i < last; i++) out.push(this.rowElement(this.rows[i] as TimelineRow));
    replace(this.layer, ...out);
    const now = this.layer.querySelector<HTMLElement>(`.tl-row[data-index="${this.selected}"]`);
    if (now) this.root.setAttribute('aria-activedescendant', now.id);
  }

  private rowElement(row: TimelineRow): HTMLElement {
    const selected = row.index === this.selected;
    const mark =
      row.violations > 0
        ? icon('error', `${row.violations} violation${row.violations === 1 ? '' : 's'}`)
        : row.note
          ? icon('info', 'note')
          : h('span', { class: 'codicon codicon-blank', 'aria-hidden': 'true' });
    return h(
      'div',
      {
        class: `tl-row${selected ? ' selected' : ''}${row.violations > 0 ? ' has-violation' : ''}`,
        id: `step-${row.index}`,
        role: 'option',
        'aria-selected': selected ? 'true' : 'false',
        'data-index': row.index,
      },
      h('span', { class: 'tl-index' }, row.index),
      h('span', { class: 'tl-mark' }, mark),
      h('span', { class: 'tl-call', title: row.call }, row.call),
      h('span', { class: 'tl-result', title: row.result ? `returns ${row.result}` : undefined }, row.result),
      row.lineLabel !== null
        ? h('button', { class: 'line-link', type: 'button', title: row.lineTitle, tabindex: -1 }, row.lineLabel)
        : h('span', { class: 'line-link none' }),
    );
  }
}
