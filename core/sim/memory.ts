/**
 * User memory as the kernel counts it: pages, the folios they belong to, and what a pin, a
 * reference and their releases do to each folio (mm/gup.c, kernel-semantics.md §3):
 *
 * - a FOLL_PIN on a small page adds GUP_PIN_COUNTING_BIAS (1024) to the folio's refcount; on a
 *   large folio (THP, hugetlb) it adds 1 to the refcount and 1 to the exact pin count (page[2] of
 *   order > 1 folios in v5.7–5.17, page[1] of every large folio since v5.18);
 * - FOLL_GET adds 1; put_page() takes 1 away; unpin takes 1024 (or 1 and one pin) away;
 * - folio_maybe_dma_pinned(): pincount > 0 for large folios, refcount ≥ 1024 for small ones (so
 *   1024 plain references read as pinned);
 * - nr_foll_pin_acquired/released count base pages, ignore FOLL_GET and (since v6.5) the shared
 *   zero page, which is never really pinned.
 *
 * Also what the path holds on each page, so releases and returns can say what went wrong.
 */
import { isAtLeast, type KernelVersion } from '../catalog/version';
import type { MemoryRegion, PageKind } from '../trace/types';
import { DEFAULT_MEMORY, PAGES_PER_FOLIO } from '../trace/vocabulary';
import type { PageState, VmStat } from './types';

export const GUP_PIN_COUNTING_BIAS = 1024;
/** A folio's `_refcount` is a signed 32-bit atomic_t. */
const REFCOUNT_MAX = 2 ** 31 - 1;

export interface Folio {
  readonly id: number;
  kind: PageKind;
  refcount: number;
  pincount: number;
  movable: boolean;
  dirty: boolean;
  /** References the page tables hold (the mapping): dropping below this frees a mapped page. */
  readonly mapped: number;
}

export interface Page {
  readonly index: number;
  folio: number;
  heldRefs: number;
  heldPins: number;
  /** The page array entry was filled by a successful acquire on this path. */
  filled: boolean;
  /** The path released this page at least once. */
  released: boolean;
  /** Handed off to a bio/sg/skb or stored in an object: the owner releases it. */
  owner: string | null;
}

export class Memory {
  readonly pages: Page[] = [];
  private readonly folios: Folio[] = [];
  private zeroFolio: number | null = null;
  readonly vmstat = { nr_foll_pin_acquired: 0, nr_foll_pin_released: 0 };
  /** The last snapshot, reused for pages (and as a whole) when nothing changed since. */
  private shown: PageState[] = [];

  constructor(
    readonly version: KernelVersion,
    regions: readonly MemoryRegion[],
  ) {
    for (const region of regions.length > 0 ? regions : [DEFAULT_MEMORY]) this.addRegion(region);
  }

  private addRegion(region: MemoryRegion): void {
    const per = PAGES_PER_FOLIO[region.kind];
    for (let i = 0; i < region.count; i += per) {
      let folioId: number;
      if (region.kind === 'zero') {
        // Every untouched anonymous page maps the one shared zero page.
        if (this.zeroFolio === null) this.zeroFolio = this.newFolio('zero', region.refcount ?? 1, false);
        folioId = this.zeroFolio;
      } else {
        folioId = this.newFolio(region.kind, region.refcount ?? 1, region.movable);
      }
      for (let j = 0; j < per; j++) {
        const page = { index: this.pages.length, folio: folioId, heldRefs: 0, heldPins: 0 };
        this.pages.push({ ...page, filled: false, released: false, owner: null });
      }
    }
  }

  newFolio(kind: PageKind, refcount: number, movable: boolean): number {
    const id = this.folios.length;
    this.folios.push({ id, kind, refcount, pincount: 0, movable, dirty: false, mapped: refcount });
    return id;
  }

  folioOf(page: Page): Folio {
    return this.folios[page.folio] as Folio;
  }

  /** Pages `first` … `first + nr - 1` that exist. */
  pagesIn(first: number, nr: number): Page[] {
    return this.pages.slice(Math.max(0, first), Math.max(0, first + Math.max(0, nr)));
  }

  /** Large folios keep an exact pin count from v5.7 (order > 1: THP and hugetlb are order 9). */
  hasPincount(f: Folio): boolean {
    return (f.kind === 'thp' || f.kind === 'hugetlb') && isAtLeast(this.version, '5.7');
  }

  /** The zero page is never really pinned since v6.5 ("mm: Don't pin ZERO_PAGE in pin_user_pages()"). */
  zeroPinIsNoop(f: Folio): boolean {
    return f.kind === 'zero' && isAtLeast(this.version, '6.5');
  }

  /** What one pin adds to the folio's refcount: the bias on small folios since v5.7, else 1. */
  pinWeight(f: Folio): number {
    return this.hasPincount(f) || !isAtLeast(this.version, '5.7') ? 1 : GUP_PIN_COUNTING_BIAS;
  }

  /** Takes one pin on the page's folio; false when the refcount would overflow (GUP refuses it). */
  pin(p: Page): boolean {
    const f = this.folioOf(p);
    const counted = isAtLeast(this.version, '5.7');
    if (!this.zeroPinIsNoop(f)) {
      // "We only pretend to pin a zero page - we don't alter its refcount or pincount".
      const weight = this.pinWeight(f);
      if (f.refcount + weight > REFCOUNT_MAX) return false;
      f.refcount += weight;
      if (this.hasPincount(f)) f.pincount += 1;
      if (counted) this.vmstat.nr_foll_pin_acquired += 1;
    }
    p.heldPins += 1;
    return true;
  }

  /** gup_put_folio(…, 1, FOLL_PIN): subtracts one pin, whether or not this path held one. */
  dropPin(p: Page, count = true): void {
    const f = this.folioOf(p);
    if (this.zeroPinIsNoop(f)) return;
    if (this.hasPincount(f)) {
      f.refcount -= 1;
      f.pincount -= 1;
    } else f.refcount -= isAtLeast(this.version, '5.7') ? GUP_PIN_COUNTING_BIAS : 1;
    if (count && isAtLeast(this.version, '5.7')) this.vmstat.nr_foll_pin_released += 1;
  }

  /** The state of every page, as the kernel would show it. Pages that did not change keep their object. */
  snapshot(): { pages: PageState[]; vmstat: VmStat } {
    let changed = this.shown.length !== this.pages.length;
    const pages = this.pages.map((p, i): PageState => {
      const next = this.pageState(p);
      const before = this.shown[i];
      if (before && samePageState(before, next)) return before;
      changed = true;
      return next;
    });
    if (changed) this.shown = pages;
    return { pages: this.shown, vmstat: { ...this.vmstat } };
  }

  private pageState(p: Page): PageState {
    const f = this.folioOf(p);
    const large = this.hasPincount(f);
    return {
      index: p.index,
      kind: f.kind,
      folio: f.id,
      refcount: f.refcount,
      pincount: large ? f.pincount : null,
      maybeDmaPinned: large ? f.pincount > 0 : f.refcount >>> 0 >= GUP_PIN_COUNTING_BIAS,
      dirty: f.dirty,
      heldRefs: p.heldRefs,
      heldPins: p.heldPins,
    };
  }
}

function samePageState(a: PageState, b: PageState): boolean {
  return (
    a.refcount === b.refcount &&
    a.pincount === b.pincount &&
    a.folio === b.folio &&
    a.kind === b.kind &&
    a.maybeDmaPinned === b.maybeDmaPinned &&
    a.dirty === b.dirty &&
    a.heldRefs === b.heldRefs &&
    a.heldPins === b.heldPins &&
    a.index === b.index
  );
}
