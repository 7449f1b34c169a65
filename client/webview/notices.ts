/**
 * The notices above the steps: a malformed trace's errors (nothing was simulated), the run's notes,
 * and a path list cut short by the path budget.
 */
import { h, icon } from './dom';
import type { PanelModel } from './protocol';
import { plural } from './words';

export function noticeElements(model: PanelModel): HTMLElement[] {
  const items: HTMLElement[] = [];
  if (model.errors.length > 0) {
    items.push(
      h(
        'div',
        { class: 'notice error', role: 'alert' },
        h('p', {}, icon('error'), ` This trace has ${plural(model.errors.length, 'error')}; nothing was simulated.`),
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
  return items;
}
