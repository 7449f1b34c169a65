/**
 * The panel's header: what was simulated (the function or the trace) and the outcome badge, the
 * kernel version and path, the path picker, and one chip per step with a violation (a click goes
 * there).
 */
import { h, icon, replace, setText, toggleClass } from './dom';
import { OUTCOME_ICON, type PanelModel } from './protocol';
import { violationSteps } from './steps';
import { OUTCOME_TEXT, plural } from './words';

/** Chips shown before "and N more steps". */
const MAX_CHIPS = 8;

interface HeaderHandlers {
  /** A path was picked (1-based). */
  pickPath(path: number): void;
  /** A violation chip was clicked. */
  goto(step: number): void;
}

export class Header {
  readonly root: HTMLElement;
  private readonly title = h('h1', { class: 'title', id: 'title' });
  private readonly badge = h('span', { class: 'badge', id: 'outcome' });
  private readonly meta = h('div', { class: 'meta', id: 'meta' });
  private readonly pathSelect = h('select', { id: 'param-path', 'aria-label': 'Path' });
  private readonly pathLabel = h('label', { class: 'path-label' }, 'Path ', this.pathSelect);
  private readonly pathViolations = h('div', { class: 'path-violations', id: 'path-violations' });

  constructor(handlers: HeaderHandlers) {
    this.root = h(
      'header',
      { class: 'header' },
      h('div', { class: 'heading' }, this.title, this.badge),
      h('div', { class: 'heading-row' }, this.meta, this.pathLabel),
      this.pathViolations,
    );
    this.pathSelect.addEventListener('change', () => {
      const path = Number(this.pathSelect.value);
      if (Number.isInteger(path) && path >= 1) handlers.pickPath(path);
    });
    this.pathViolations.addEventListener('click', (e) => {
      const step = Number((e.target as Element).closest<HTMLElement>('button[data-step]')?.dataset.step);
      if (Number.isInteger(step)) handlers.goto(step);
    });
  }

  render(model: PanelModel): void {
    const fn = model.function || model.source.fileName;
    setText(
      this.title,
      model.source.kind === 'function'
        ? `${fn}()`
        : `${model.source.fileName}${model.function ? ` — ${model.function}()` : ''}`,
    );
    this.renderBadge(model);
    const pathText =
      model.pathIndex !== null ? ` · path ${model.pathIndex} of ${model.paths.length}${model.partial ? '+' : ''}` : '';
    setText(this.meta, `Linux ${model.kernelVersion}${pathText} · ${model.source.fileName}`);
    this.meta.title = model.path?.label.replace(/^path \d+:\s*/, '') ?? '';
    replace(
      this.pathSelect,
      ...model.paths.map((p) =>
        h(
          'option',
          { value: String(p.index), selected: p.index === model.pathIndex },
          `path ${p.index} · ${OUTCOME_TEXT[p.outcome]}${p.label ? ` — ${p.label}` : ''}`,
        ),
      ),
    );
    toggleClass(this.pathLabel, 'hidden', model.paths.length === 0);
    this.renderChips(model);
  }

  private renderBadge(model: PanelModel): void {
    const outcome = model.path?.outcome;
    const errors = model.errors.length;
    this.badge.className = `badge${outcome ? ` outcome-${outcome}` : errors > 0 ? ' outcome-invalid' : ''}`;
    if (outcome) replace(this.badge, icon(OUTCOME_ICON[outcome]), ` ${OUTCOME_TEXT[outcome]}`);
    else if (errors > 0) replace(this.badge, icon('error'), ` ${plural(errors, 'error')}`);
    else replace(this.badge);
  }

  private renderChips(model: PanelModel): void {
    const path = model.path;
    if (!path) {
      replace(this.pathViolations);
      return;
    }
    const where = violationSteps(path);
    if (where.length === 0) {
      replace(this.pathViolations, h('span', { class: 'ok' }, icon('pass'), ' no violation on this path'));
      return;
    }
    const total = where.reduce((n, i) => n + (path.steps[i - 1]?.violations.length ?? 0), 0);
    replace(
      this.pathViolations,
      h('span', {}, `${plural(total, 'violation')} on this path: `),
      ...where.slice(0, MAX_CHIPS).map((i) => {
        const violations = path.steps[i - 1]?.violations ?? [];
        return h(
          'button',
          { type: 'button', class: 'chip', 'data-step': i, title: violations.map((v) => v.message).join('\n') },
          icon('error'),
          ` step ${i}: ${[...new Set(violations.map((v) => v.kind))].join(', ')}`,
        );
      }),
      where.length > MAX_CHIPS ? h('span', {}, ` and ${where.length - MAX_CHIPS} more steps`) : null,
    );
  }
}
