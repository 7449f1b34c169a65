/**
 * The calls a `.pinsim` trace may contain and the arguments each takes. Acquire and release calls
 * come from the API catalog, so the trace language knows exactly the functions the linter knows.
 */
import { ACQUIRE_APIS, RELEASE_APIS } from '../catalog/gup';
import { DIRTY_CALLS } from '../catalog/pageUse';
import { DMA_TRACE_CALLS } from './dmaVocabulary';
import type { ArgKind, StepSpec } from './stepSpec';
import type { MemoryRegion, PageKind } from './types';

const RANGE = { first: 'int', nr: 'int' } as const;

function build(): Map<string, StepSpec> {
  const specs = new Map<string, StepSpec>();
  for (const a of ACQUIRE_APIS) {
    specs.set(a.name, { kind: 'acquire', args: { ...RANGE, flags: 'flags' }, result: true, summary: a.summary });
  }
  for (const r of RELEASE_APIS) {
    // A release count may be negative: that is how a trace shows `unpin_user_pages(pages, ret)`
    // with ret = -errno.
    const args: Record<string, ArgKind> =
      r.target === 'page' || r.target === 'folio' ? { page: 'int' } : { first: 'int', nr: 'count' };
    if (r.name === 'unpin_user_folio') args.nr = 'count';
    args.via = 'word';
    if (r.dirty === 'arg') args.dirty = 'bool';
    specs.set(r.name, { kind: 'release', args, summary: r.summary });
  }
  specs.set('get_page', {
    kind: 'ref',
    args: { page: 'int', times: 'int' },
    summary: 'takes one more plain reference on a page',
  });
  specs.set('folio_get', {
    kind: 'ref',
    args: { page: 'int', times: 'int' },
    summary: 'takes one more plain reference on a folio',
  });
  for (const d of DIRTY_CALLS.filter((c) => c.traceStep).map((c) => c.name)) {
    specs.set(d, { kind: 'dirty', args: { page: 'int', ...RANGE }, summary: 'marks the page dirty' });
  }
  specs.set('access', {
    kind: 'access',
    args: { ...RANGE, mode: 'word', via: 'word' },
    summary: 'the CPU reads or writes the page data (kmap, memcpy)',
  });
  specs.set('handoff', {
    kind: 'handoff',
    args: { ...RANGE, to: 'word', id: 'word' },
    summary:
      'the pages (or the DMA mapping `id`) are handed to a bio, scatterlist, skb or descriptor that will release them',
  });
  specs.set('escape', {
    kind: 'escape',
    args: { ...RANGE, to: 'word', id: 'word' },
    summary: 'the pages (or the DMA mapping `id`) are stored where their owner will release them',
  });
  specs.set('branch', { kind: 'branch', args: {}, summary: 'a branch the path takes (no effect on pages)' });
  specs.set('return', {
    kind: 'return',
    args: {},
    summary: 'the function returns; pins and references still held leak unless handed off',
  });
  for (const [name, spec] of DMA_TRACE_CALLS) specs.set(name, spec);
  return specs;
}

export const STEP_SPECS: ReadonlyMap<string, StepSpec> = build();

/** Pages per folio for each kind (2 MB THP/hugetlb of 4 KiB pages). */
export const PAGES_PER_FOLIO: Readonly<Record<PageKind, number>> = {
  base: 1,
  thp: 512,
  hugetlb: 512,
  zero: 1,
};

/** The memory of a trace without a `pages` line: four base pages keep small hand-written traces short. */
export const DEFAULT_MEMORY: MemoryRegion = { count: 4, kind: 'base', movable: false };
