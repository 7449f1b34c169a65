/**
 * The page table of the current step: one row per folio (or per folded run of identical base pages,
 * see pages.ts), with _refcount, _pincount, folio_maybe_dma_pinned(), what the path still holds,
 * and dirty; what changed since the previous step is marked with its difference. A click on a row
 * picks the page the chart draws.
 */
import { h, icon, replace, setText } from './dom';
import { pageRows, type PageRow } from './pages';
import type { PageState } from './protocol';
import { kindText, plural, signed } from './words';

function header(text: string, attrs: Record<string, string> = {}): HTMLTableCellElement {
  return h('th', { scope: 'col', ...attrs }, text);
}

function numCell(value: string, delta: number | null, cls: string): HTMLTableCellElement {
  return h(
    'td',
    { class: `num ${cls}${delta !== null ? ' changed' : ''}` },
    value,
    delta !== null ? h('span', { class: `delta ${delta > 0 ? 'up' : 'down'}` }, ` ${signed(delta)}`) : null,
  );
}

/** `2 pins, 1 ref`, or `—`. */
function heldText(r: PageRow): string {
  const parts = [r.heldPins > 0 ? plural(r.heldPins, 'pin') : '', r.heldRefs > 0 ? plural(r.heldRefs, 'ref') : ''];
  return parts.filter(Boolean).join(', ') || '—';
}

function rowElement(r: PageRow, chartPage: number): HTMLTableRowElement {
  const charted =
    chartPage >= r.firstPage && chartPage < r.firstPage + r.count && (r.count === 1 || r.pages.includes('–'));
  const changed =
    r.refDelta !== null || r.pinDelta !== null || r.maybeChanged || r.dirtyChanged || r.heldChanged || r.folioChanged;
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
    h('td', { class: `held${r.heldChanged ? ' changed' : ''}` }, heldText(r)),
    h('td', { class: r.dirtyChanged ? 'changed' : '' }, r.dirty ? 'yes' : 'no'),
  );
}

export class PageTable {
  readonly root: HTMLElement;
  private readonly body = h('tbody', { id: 'page-rows' });
  private readonly caption = h('caption', {});

  /** `pick`: a row was clicked; the page it starts with. */
  constructor(pick: (page: number) => void) {
    const table = h(
      'table',
      { class: 'pages', id: 'pages' },
      this.caption,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          header('Pages · folio'),
          header('Kind'),
          header('_refcount', { class: 'num', title: 'folio_ref_count()' }),
          header('_pincount', {
            class: 'num',
            title: 'The exact pin count of a large folio; small folios keep none (a pin adds 1024 to _refcount)',
          }),
          header('maybe_dma_pinned', { title: 'folio_maybe_dma_pinned()' }),
          header('Held', { title: 'What this path still holds, and so must release' }),
          header('Dirty'),
        ),
      ),
      this.body,
    );
    this.root = h('section', { class: 'page-section', 'aria-label': 'Pages' }, h('h3', {}, 'Pages and folios'), table);
    this.body.addEventListener('click', (e) => {
      const page = Number((e.target as Element).closest<HTMLElement>('tr[data-page]')?.dataset.page);
      if (Number.isInteger(page)) pick(page);
    });
  }

  /** The rows for `pages`, marked against `previous` (null at the start); `chartPage` is drawn in the chart. */
  render(pages: readonly PageState[], previous: readonly PageState[] | null, chartPage: number | null): void {
    const folios = new Set(pages.map((p) => p.folio)).size;
    setText(
      this.caption,
      `${plural(pages.length, 'page')} in ${plural(folios, 'folio')}${previous ? ' · changes since the previous step are marked' : ''}`,
    );
    replace(this.body, ...pageRows(pages, previous).map((r) => rowElement(r, chartPage ?? -1)));
  }
}
