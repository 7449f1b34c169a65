/**
 * The simulation parameters: pages, page kind, kernel version and the acquire's outcome, with Run.
 * A disclosure (<details>) whose one-line summary says what the run used: open on a wide panel,
 * closed on a narrow one (a split editor), where the step's state needs the room.
 */
import { h, icon, replace, setText, toggleClass } from './dom';
import {
  MAX_PAGES,
  PAGE_KINDS,
  type AcquireChoice,
  type PageKind,
  type PanelModel,
  type SimulationParameters,
} from './protocol';
import { kindText, plural } from './words';

/** Below this width the panel is "narrow" (media/simulation.css uses the same breakpoint). */
const NARROW_QUERY = '(max-width: 760px)';

const ACQUIRE_TEXT = {
  '': 'as the path has it',
  full: 'all pinned',
  partial: 'partial: k of n',
  error: 'error (-EFAULT)',
} as const;

const KIND_OPTION_TEXT: Record<PageKind, string> = {
  base: 'base pages',
  thp: 'THP (2 MB folios)',
  hugetlb: 'hugetlb (2 MB)',
  zero: 'zero page',
};

function option(value: string, text: string, selected: boolean): HTMLOptionElement {
  return h('option', { value, selected }, text);
}

function pageInput(id: string, label: string): HTMLInputElement {
  return h('input', { id, type: 'number', min: 1, max: MAX_PAGES, step: 1, 'aria-label': label });
}

export class ParameterForm {
  readonly root: HTMLDetailsElement;
  private readonly summary = h('span', { class: 'params-summary', id: 'params-summary' });
  private readonly pages = pageInput('param-pages', 'Number of pages');
  private readonly kind = h(
    'select',
    { id: 'param-kind', 'aria-label': 'Page kind' },
    ...PAGE_KINDS.map((k) => option(k, KIND_OPTION_TEXT[k], k === 'base')),
  );
  private readonly kernel = h('select', { id: 'param-kernel', 'aria-label': 'Kernel version' });
  private readonly acquire = h(
    'select',
    { id: 'param-acquire', 'aria-label': 'Outcome of the acquire' },
    ...Object.entries(ACQUIRE_TEXT).map(([value, text]) => option(value, text, value === '')),
  );
  private readonly taken = pageInput('param-taken', 'Pages taken (k)');
  private readonly runButton = h(
    'button',
    { id: 'rerun', class: 'primary', type: 'submit' },
    icon('debug-rerun'),
    ' Run',
  );
  private readonly note = h('span', { class: 'param-note', id: 'param-note' });

  /** `submit`: Run was pressed (read() has the values). */
  constructor(submit: () => void) {
    const form = h(
      'form',
      { class: 'params', id: 'params', 'aria-label': 'Simulation parameters' },
      h('label', {}, 'Pages ', this.pages),
      h('label', {}, 'Kind ', this.kind),
      h('label', {}, 'Kernel ', this.kernel),
      h('label', {}, 'Acquire ', this.acquire),
      h('label', { class: 'taken' }, 'k ', this.taken),
      this.runButton,
      this.note,
    );
    this.root = h(
      'details',
      { class: 'params-box', id: 'params-box' },
      h('summary', { class: 'params-head' }, h('span', { class: 'params-title' }, 'Parameters'), this.summary),
      form,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      submit();
    });
    this.acquire.addEventListener('change', () => this.updateTaken());
    this.followWidth();
  }

  /** Open on a wide panel, closed on a narrow one; it follows the panel when it is resized. */
  private followWidth(): void {
    if (typeof matchMedia !== 'function') {
      this.root.open = true;
      return;
    }
    const narrow = matchMedia(NARROW_QUERY);
    this.root.open = !narrow.matches;
    narrow.addEventListener('change', () => {
      this.root.open = !narrow.matches;
    });
  }

  render(model: PanelModel): void {
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
      this.note,
      trace
        ? 'A trace sets up its own memory and outcomes; only the kernel version applies.'
        : 'The acquire outcome applies where the path leaves it open.',
    );
    this.updateTaken();
    setText(this.summary, this.summaryText(trace));
  }

  /** `4 base pages · Linux 6.12 · acquire as the path has it` (a trace: the kernel only). */
  private summaryText(trace: boolean): string {
    const kernel = `Linux ${this.kernel.value}`;
    if (trace) return kernel;
    const pages = Number(this.pages.value);
    const kind = this.kind.value as PageKind;
    const what = kind === 'base' ? plural(pages, 'base page') : `${plural(pages, 'page')}, ${kindText(kind)}`;
    const acquire =
      this.acquire.value === 'partial'
        ? `partial: ${this.taken.value} of ${pages}`
        : (ACQUIRE_TEXT[this.acquire.value as keyof typeof ACQUIRE_TEXT] ?? '');
    return `${what} · ${kernel} · acquire ${acquire}`;
  }

  private updateTaken(): void {
    const partial = this.acquire.value === 'partial' && !this.acquire.disabled;
    this.taken.disabled = !partial;
    toggleClass(this.taken.parentElement as HTMLElement, 'disabled', !partial);
  }

  /** The parameters as the form has them; a trace takes only the kernel version. */
  read(trace: boolean): SimulationParameters {
    if (trace) return { kernelVersion: this.kernel.value };
    const pages = Math.floor(Number(this.pages.value));
    const kind = this.kind.value as PageKind;
    const taken = Math.floor(Number(this.taken.value));
    let acquire: AcquireChoice | undefined;
    const acquireKind = this.acquire.value;
    if (acquireKind === 'full' || acquireKind === 'error') acquire = { kind: acquireKind };
    else if (acquireKind === 'partial')
      acquire = { kind: 'partial', taken: Number.isInteger(taken) && taken >= 1 ? taken : 1 };
    return {
      ...(Number.isInteger(pages) && pages >= 1 && pages <= MAX_PAGES ? { pages } : {}),
      ...((PAGE_KINDS as readonly string[]).includes(kind) ? { pageKind: kind } : {}),
      kernelVersion: this.kernel.value,
      ...(acquire ? { acquire } : {}),
    };
  }

  /** While a run is in progress, Run is off. */
  setBusy(busy: boolean): void {
    this.runButton.disabled = busy;
  }
}
