/**
 * The state's counters: /proc/vmstat's nr_foll_pin_acquired and nr_foll_pin_released with their
 * balance (pin_user_pages.rst § "Unit testing"), and dma-debug's table of live mappings with its
 * debugfs counters (dma-api.rst § "Part III - Debug drivers use of the DMA-API") when the path maps DMA.
 */
import { h, replace, toggleClass } from './dom';
import type { DmaState, VmStat } from './protocol';
import { plural, signed } from './words';

function delta(now: number, before: number, space = ''): HTMLElement {
  return h('span', { class: `delta ${now > before ? 'up' : 'down'}` }, `${space}${signed(now - before)}`);
}

function tile(id: string, name: string, value: number, previous: number | null, extra = ''): HTMLElement {
  const changed = previous !== null && previous !== value;
  return h(
    'div',
    { class: `counter${changed ? ' changed' : ''}${extra}`, id },
    h('span', { class: 'counter-name' }, name),
    h('span', { class: 'counter-value' }, String(value)),
    changed ? delta(value, previous) : null,
  );
}

/** The vmstat tiles into `el`, with the differences from `before` (null at the start). */
export function renderVmstat(el: HTMLElement, v: VmStat, before: VmStat | null): void {
  const balance = v.nr_foll_pin_acquired - v.nr_foll_pin_released;
  const prevBalance = before ? before.nr_foll_pin_acquired - before.nr_foll_pin_released : null;
  replace(
    el,
    h('h3', {}, 'vmstat'),
    tile('counter-acquired', 'nr_foll_pin_acquired', v.nr_foll_pin_acquired, before?.nr_foll_pin_acquired ?? null),
    tile('counter-released', 'nr_foll_pin_released', v.nr_foll_pin_released, before?.nr_foll_pin_released ?? null),
    tile('counter-balance', 'acquired − released', balance, prevBalance, balance === 0 ? ' balanced' : ' unbalanced'),
    h(
      'p',
      { class: 'counter-help' },
      balance === 0 ? 'Balanced: every counted pin was released.' : `${plural(balance, 'pin')} outstanding.`,
    ),
  );
}

type Mapping = DmaState['mappings'][number];
type CounterName = keyof DmaState['counters'];

const DMA_COLUMNS = [
  'id',
  'type',
  'device',
  'address',
  'size',
  'direction',
  'sg ents',
  'mapping error checked',
  'pages',
];
const DMA_COUNTERS: readonly CounterName[] = [
  'error_count',
  'num_errors',
  'num_free_entries',
  'min_free_entries',
  'nr_total_entries',
];

function mappingRow(m: Mapping, cls: string, note?: string): HTMLTableRowElement {
  return h(
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
}

/** The live mappings: new or changed ones marked, the ones unmapped by this step struck through. */
function mappingRows(dma: DmaState, before: DmaState | undefined): HTMLTableRowElement[] {
  const key = (m: Mapping): string => `${m.id}|${m.address}|${m.mapErr}|${m.mappedEnts ?? ''}`;
  const was = new Set((before?.mappings ?? []).map(key));
  const live = new Set(dma.mappings.map((m) => m.id));
  const gone = (before?.mappings ?? []).filter((m) => !live.has(m.id));
  return [
    ...dma.mappings.map((m) => mappingRow(m, was.has(key(m)) ? '' : 'changed-row')),
    ...gone.map((m) => mappingRow(m, 'removed-row', 'unmapped')),
  ];
}

function dmaCounter(
  name: CounterName,
  now: DmaState['counters'],
  before: DmaState['counters'] | undefined,
): HTMLElement {
  const changed = before !== undefined && before[name] !== now[name];
  return h(
    'span',
    { class: `dma-counter${changed ? ' changed' : ''}` },
    `${name} ${now[name]}`,
    changed ? delta(now[name], before[name], ' ') : null,
  );
}

/** dma-debug's table into `el` (hidden when the step has no DMA state). */
export function renderDma(el: HTMLElement, dma: DmaState | undefined, before: DmaState | undefined): void {
  toggleClass(el, 'hidden', dma === undefined);
  if (!dma) {
    replace(el);
    return;
  }
  const rows = mappingRows(dma, before);
  const counters = DMA_COUNTERS.flatMap((name, i) => [
    i > 0 ? ' · ' : null,
    dmaCounter(name, dma.counters, before?.counters),
  ]);
  replace(
    el,
    h('h3', {}, `dma-debug: ${plural(dma.mappings.length, 'live mapping')}`),
    h(
      'table',
      { class: 'dma-table', id: 'dma-table' },
      h('thead', {}, h('tr', {}, ...DMA_COLUMNS.map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        ...(rows.length === 0 ? [h('tr', {}, h('td', { colspan: 9, class: 'muted' }, 'no live mappings'))] : rows),
      ),
    ),
    h('p', { class: 'dma-counters', id: 'dma-counters' }, ...counters),
  );
}
