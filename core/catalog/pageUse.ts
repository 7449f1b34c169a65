/**
 * What code does with pages once it has them. pin_user_pages.rst decides FOLL_GET vs FOLL_PIN by
 * the use: reading or writing the *data* (cases 1, 2, 5) needs a pin, touching only `struct page`
 * (case 4) does not. These tables name the calls that show each use; kernel-semantics.md §5 lists
 * the patterns.
 */

export type PageUseKind =
  /** The CPU reads or writes the page data through a kernel mapping (case 5). */
  | 'data'
  /** The pages are handed to a device for DMA (cases 1 and 2). */
  | 'dma'
  /** The pages are handed to the block layer (Direct I/O, case 1). */
  | 'dio';

export interface PageUse {
  readonly name: string;
  readonly kind: PageUseKind;
  /** Index of the argument that holds the page (or page array). */
  readonly pageArg: number;
  /** For 'data' uses: whether the call writes the page data (a copy into it, zeroing). */
  readonly writes?: boolean;
}

export const PAGE_USES: readonly PageUse[] = [
  { name: 'kmap', kind: 'data', pageArg: 0 },
  { name: 'kmap_atomic', kind: 'data', pageArg: 0 },
  { name: 'kmap_local_page', kind: 'data', pageArg: 0 },
  { name: 'kmap_local_folio', kind: 'data', pageArg: 0 },
  { name: 'kmap_local_page_try_from_panic', kind: 'data', pageArg: 0 },
  { name: 'page_address', kind: 'data', pageArg: 0 },
  { name: 'lowmem_page_address', kind: 'data', pageArg: 0 },
  { name: 'page_to_virt', kind: 'data', pageArg: 0 },
  { name: 'folio_address', kind: 'data', pageArg: 0 },
  { name: 'memcpy_to_page', kind: 'data', pageArg: 0, writes: true },
  { name: 'memcpy_from_page', kind: 'data', pageArg: 1 },
  { name: 'memcpy_page', kind: 'data', pageArg: 0, writes: true },
  { name: 'memzero_page', kind: 'data', pageArg: 0, writes: true },
  { name: 'memset_page', kind: 'data', pageArg: 0, writes: true },
  { name: 'copy_highpage', kind: 'data', pageArg: 0, writes: true },
  { name: 'copy_user_highpage', kind: 'data', pageArg: 0, writes: true },
  { name: 'clear_highpage', kind: 'data', pageArg: 0, writes: true },
  { name: 'zero_user', kind: 'data', pageArg: 0, writes: true },
  { name: 'zero_user_segment', kind: 'data', pageArg: 0, writes: true },
  { name: 'zero_user_segments', kind: 'data', pageArg: 0, writes: true },
  { name: 'copy_to_page', kind: 'data', pageArg: 0, writes: true },
  { name: 'copy_from_page', kind: 'data', pageArg: 0 },
  // cachetlb.rst: flush_dcache_page() is called whenever the kernel writes to, or is about to
  // read from, a page through its kernel mapping — it marks an access to the data.
  { name: 'flush_dcache_page', kind: 'data', pageArg: 0 },
  { name: 'flush_dcache_folio', kind: 'data', pageArg: 0 },
  { name: 'vmap', kind: 'data', pageArg: 0 },
  { name: 'vm_map_ram', kind: 'data', pageArg: 0 },
  { name: 'sg_set_page', kind: 'dma', pageArg: 1 },
  { name: 'sg_assign_page', kind: 'dma', pageArg: 1 },
  { name: 'sg_set_folio', kind: 'dma', pageArg: 1 },
  { name: 'sg_alloc_table_from_pages', kind: 'dma', pageArg: 1 },
  { name: 'sg_alloc_table_from_pages_segment', kind: 'dma', pageArg: 1 },
  { name: '__sg_alloc_table_from_pages', kind: 'dma', pageArg: 1 },
  { name: 'sg_alloc_append_table_from_pages', kind: 'dma', pageArg: 1 },
  { name: 'dma_map_page', kind: 'dma', pageArg: 1 },
  { name: 'dma_map_page_attrs', kind: 'dma', pageArg: 1 },
  { name: 'ib_dma_map_page', kind: 'dma', pageArg: 1 },
  { name: 'pci_map_page', kind: 'dma', pageArg: 1 },
  { name: 'page_to_phys', kind: 'dma', pageArg: 0 },
  { name: 'skb_fill_page_desc', kind: 'dma', pageArg: 2 },
  { name: '__skb_fill_page_desc', kind: 'dma', pageArg: 2 },
  { name: 'skb_fill_page_desc_noacc', kind: 'dma', pageArg: 2 },
  { name: '__skb_fill_page_desc_noacc', kind: 'dma', pageArg: 2 },
  { name: 'skb_frag_fill_page_desc', kind: 'dma', pageArg: 1 },
  { name: 'skb_add_rx_frag', kind: 'dma', pageArg: 2 },
  { name: 'skb_append_pagefrags', kind: 'dma', pageArg: 1 },
  { name: 'bvec_set_page', kind: 'dio', pageArg: 1 },
  { name: 'bio_add_page', kind: 'dio', pageArg: 1 },
  { name: '__bio_add_page', kind: 'dio', pageArg: 1 },
  { name: 'bio_add_pc_page', kind: 'dio', pageArg: 2 },
  { name: 'bio_add_hw_page', kind: 'dio', pageArg: 2 },
  { name: 'bio_add_folio', kind: 'dio', pageArg: 1 },
  { name: '__bio_add_folio', kind: 'dio', pageArg: 1 },
  { name: 'bio_add_zone_append_page', kind: 'dio', pageArg: 1 },
];

/** Calls that mark page data dirty. `locked` says whether the page lock is taken for it. */
export interface DirtyCall {
  readonly name: string;
  readonly locked: boolean;
  /** A step of the `.pinsim` trace language (core/trace/vocabulary.ts). */
  readonly traceStep: boolean;
}

export const DIRTY_CALLS: readonly DirtyCall[] = [
  { name: 'set_page_dirty_lock', locked: true, traceStep: true },
  { name: 'set_page_dirty', locked: false, traceStep: true },
  { name: 'SetPageDirty', locked: false, traceStep: true },
  { name: 'folio_mark_dirty', locked: false, traceStep: true },
  { name: '__set_page_dirty_nobuffers', locked: false, traceStep: false },
  { name: 'folio_mark_dirty_lock', locked: true, traceStep: false },
];

/**
 * Calls that take the page (folio) lock: set_page_dirty() under it is what set_page_dirty_lock()
 * does, so code that takes it itself dirties safely.
 */
const PAGE_LOCK_CALL = /\b(?:lock_page|trylock_page|folio_lock|folio_trylock)\s*\(/;

/** Whether `text` calls one of the page-lock functions. */
export function takesPageLock(text: string): boolean {
  return PAGE_LOCK_CALL.test(text);
}

/** Extra plain references on pages already held (get_page after GUP, for example). */
export const EXTRA_REFERENCE_CALLS: readonly string[] = ['get_page', 'folio_get', 'try_get_page', 'folio_try_get'];

/**
 * MMU notifier registration: with it, a driver may take plain references and drop them in the
 * invalidate callback (pin_user_pages.rst case 3), so FOLL_GET is fine and FOLL_LONGTERM is not
 * needed.
 */
const MMU_NOTIFIER_CALLS: readonly string[] = [
  'mmu_interval_notifier_insert',
  'mmu_interval_notifier_insert_locked',
  'mmu_notifier_register',
  '__mmu_notifier_register',
  'mmu_notifier_get',
  'mmu_notifier_get_locked',
  'hmm_range_fault',
  'mmu_interval_read_begin',
  'mmu_interval_read_retry',
  'mmu_interval_check_retry',
  // KVM registers its notifier in virt/kvm/kvm_main.c; arch code follows the case 3 protocol by
  // sampling and re-checking the invalidation sequence around its GUP calls.
  'mmu_invalidate_retry',
  'mmu_invalidate_retry_gfn',
  'mmu_invalidate_retry_gfn_unsafe',
  'mmu_invalidate_retry_hva',
  'mmu_notifier_retry',
  'mmu_notifier_retry_hva',
];

/** Text that shows a file registers an MMU notifier or follows KVM's invalidation-sequence protocol. */
export const MMU_NOTIFIER_TEXT = new RegExp(
  `\\b(?:${MMU_NOTIFIER_CALLS.join('|')})\\s*\\(|\\bmmu_(?:interval_)?notifier_ops\\b|\\bmmu_invalidate_seq\\b|\\bmmu_notifier_seq\\b`,
);

const pageUseByName = new Map(PAGE_USES.map((u) => [u.name, u]));
const dirtyByName = new Map(DIRTY_CALLS.map((d) => [d.name, d]));

export function pageUse(name: string): PageUse | undefined {
  return pageUseByName.get(name);
}

export function dirtyCall(name: string): DirtyCall | undefined {
  return dirtyByName.get(name);
}
