/**
 * The state after the current step: its call and source line, its violations (with the kernel's
 * own words and the documentation link), its note, the page table, dma-debug's table and the
 * vmstat counters.
 */
import { renderDma, renderVmstat } from './counters';
import { h, icon, replace, setText, toggleClass } from './dom';
import { PageTable } from './pageTable';
import type { PanelModel, Violation } from './protocol';
import { stateAt, stepLineText } from './steps';
import { docTitle, plural } from './words';

interface StepDetailHandlers {
  /** The step's line button: show it in the source editor. */
  reveal(): void;
  /** A page table row was clicked. */
  pickPage(page: number): void;
}

function violationElement(v: Violation): HTMLElement {
  return h(
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
  );
}

export class StepDetail {
  readonly root: HTMLElement;
  private readonly title = h('h2', { class: 'step-title', id: 'step-title' });
  private readonly line = h('button', { class: 'line-link step-line', id: 'step-line', type: 'button' });
  private readonly result = h('span', { class: 'step-result', id: 'step-result' });
  private readonly violations = h('div', { class: 'violations', id: 'violations' });
  private readonly note = h('div', { class: 'note', id: 'note' });
  private readonly pages: PageTable;
  private readonly dma = h('section', { class: 'dma', id: 'dma', 'aria-label': 'dma-debug' });
  private readonly counters = h('div', { class: 'counters', id: 'counters' });

  constructor(handlers: StepDetailHandlers) {
    this.pages = new PageTable((page) => handlers.pickPage(page));
    this.root = h(
      'section',
      { class: 'detail', 'aria-label': 'State after the step' },
      h('div', { class: 'step-head' }, this.title, h('div', { class: 'step-sub' }, this.result, this.line)),
      this.violations,
      this.note,
      h('div', { class: 'tables' }, this.pages.root, this.dma),
      this.counters,
    );
    this.line.addEventListener('click', () => handlers.reveal());
  }

  /** Shows position `position` of the model's path (0: before the first step). */
  render(model: PanelModel, position: number, chartPage: number | null): void {
    const path = model.path;
    if (!path) return;
    const now = stateAt(path, position);
    const before = position > 0 ? stateAt(path, position - 1) : null;
    const s = now.step;
    const total = path.steps.length;
    setText(
      this.title,
      s ? `Step ${position} of ${total}: ${s.call}` : `Before the first step (${plural(total, 'step')} follow)`,
    );
    setText(this.result, s?.result !== undefined ? `returns ${s.result}` : '');
    const lineText = stepLineText(model, position);
    setText(this.line, lineText);
    toggleClass(this.line, 'hidden', lineText === '');
    replace(this.violations, ...(s?.violations ?? []).map(violationElement));
    toggleClass(this.root, 'has-violation', (s?.violations.length ?? 0) > 0);
    replace(this.note, s?.note ? h('p', {}, icon('info'), ` ${s.note}`) : null);
    this.pages.render(now.pages, before ? before.pages : null, chartPage);
    renderVmstat(this.counters, now.vmstat, before?.vmstat ?? null);
    renderDma(this.dma, now.dma, before?.dma);
  }
}
