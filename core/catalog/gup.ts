/**
 * Every get_user_pages / pin_user_pages entry point and every release function, with argument
 * positions per kernel-version range, family, return semantics and correct/wrong releases.
 * Source: kernel-semantics.md §1 (signatures, history, return values, pairing), which quotes
 * mm/gup.c and include/linux/mm.h of v6.1 and ≈v6.13, and the commits that changed them.
 *
 * This table is the single source of truth for rules, fixes, hovers and the simulation.
 */
import type { KernelDocKey } from './docs';
import { inRange, type KernelVersion, type VersionRange } from './version';

/** FOLL_GET takes plain references (put_page); FOLL_PIN takes DMA pins (unpin_user_page*). */
export type Family = 'get' | 'pin';

export type ParamRole =
  | 'tsk'
  | 'mm'
  | 'start'
  | 'nr_pages'
  | 'gup_flags'
  | 'pages'
  | 'vmas'
  | 'locked'
  | 'write'
  | 'force'
  | 'pagep'
  | 'addr'
  | 'memfd'
  | 'end'
  | 'folios'
  | 'max_folios'
  | 'offset'
  | 'iter'
  | 'maxsize'
  | 'maxpages'
  | 'extraction_flags'
  | 'offset0'
  | 'page'
  | 'npages'
  | 'make_dirty'
  | 'folio'
  | 'nfolios'
  | 'nr'
  | 'start_offset';

export interface Signature {
  readonly range: VersionRange;
  /** Parameter roles in call order; positions are indices into this list. */
  readonly params: readonly ParamRole[];
  /** The prototype as the kernel declares it in this range, for hovers. */
  readonly prototype: string;
}

export type ReturnKind =
  /** Number of pages taken (possibly short), or -errno. */
  | 'count'
  /** Number of folios taken, or -errno (memfd_pin_folios). */
  | 'folio-count'
  /** Bytes covered by the pages taken, or -errno (iov_iter helpers). */
  | 'bytes'
  /** true when the one page was taken. */
  | 'bool'
  /** The page, or NULL. */
  | 'page';

export interface AcquireApi {
  readonly name: string;
  readonly family: Family;
  readonly exists: VersionRange;
  readonly signatures: readonly Signature[];
  readonly returns: ReturnKind;
  /** Flags the wrapper sets itself (is_valid_gup_args()'s `to_set`, ≥6.3). */
  readonly implicitFlags: readonly string[];
  /** What the call returns for invalid arguments since v6.3 (see §1.3: pin_user_pages* return 0). */
  readonly invalidArgsReturn?: '0' | '-EINVAL';
  /** Lockless fast path: only flags with `fastPath` are allowed. */
  readonly fast: boolean;
  readonly exported: 'EXPORT_SYMBOL' | 'EXPORT_SYMBOL_GPL' | 'static inline';
  /** The pin_* call with the same arguments, for the get→pin conversion (where one exists). */
  readonly pinCounterpart?: string;
  /** When the pages are pinned only for some inputs (iov_iter_extract_pages on user-backed iterators). */
  readonly conditionalPin?: string;
  readonly summary: string;
  readonly doc: KernelDocKey;
}

export type ReleaseTarget =
  /** One struct page *. */
  | 'page'
  /** An array of struct page * and a count. */
  | 'pages'
  /** A first page and a count of physically contiguous pages. */
  | 'page-range'
  /** One folio (all of its pins/refs taken as one). */
  | 'folio'
  /** An array of folios and a count. */
  | 'folios';

export interface ReleaseApi {
  readonly name: string;
  readonly family: Family;
  readonly exists: VersionRange;
  readonly signatures: readonly Signature[];
  readonly target: ReleaseTarget;
  /** Marks the pages dirty before releasing: always, never, or per the `make_dirty` argument. */
  readonly dirty: 'no' | 'arg' | 'yes';
  /** Set for names that were renamed: what to call instead, and since when. */
  readonly renamedTo?: { readonly name: string; readonly since: string };
  readonly summary: string;
}

const sig = (range: VersionRange, prototype: string, ...params: ParamRole[]): Signature => ({
  range,
  params,
  prototype,
});

export const ACQUIRE_APIS: readonly AcquireApi[] = [
  {
    name: 'get_user_pages',
    family: 'get',
    exists: { since: '4.9' },
    returns: 'count',
    implicitFlags: ['FOLL_TOUCH'],
    invalidArgsReturn: '-EINVAL',
    fast: false,
    exported: 'EXPORT_SYMBOL',
    pinCounterpart: 'pin_user_pages',
    signatures: [
      sig(
        { since: '4.9', until: '6.5' },
        'long get_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, struct vm_area_struct **vmas)',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'vmas',
      ),
      sig(
        { since: '6.5' },
        'long get_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages)',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
      ),
    ],
    summary: 'Takes a reference (FOLL_GET) on each page of current->mm; the caller holds mmap_lock.',
    doc: 'case4',
  },
  {
    name: 'get_user_pages_remote',
    family: 'get',
    exists: { since: '4.9' },
    returns: 'count',
    implicitFlags: ['FOLL_TOUCH', 'FOLL_REMOTE'],
    invalidArgsReturn: '-EINVAL',
    fast: false,
    exported: 'EXPORT_SYMBOL',
    pinCounterpart: 'pin_user_pages_remote',
    signatures: [
      sig(
        { since: '4.9', until: '4.10' },
        'long get_user_pages_remote(struct task_struct *tsk, struct mm_struct *mm, unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, struct vm_area_struct **vmas)',
        'tsk',
        'mm',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'vmas',
      ),
      sig(
        { since: '4.10', until: '5.9' },
        'long get_user_pages_remote(struct task_struct *tsk, struct mm_struct *mm, unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, struct vm_area_struct **vmas, int *locked)',
        'tsk',
        'mm',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'vmas',
        'locked',
      ),
      sig(
        { since: '5.9', until: '6.5' },
        'long get_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, struct vm_area_struct **vmas, int *locked)',
        'mm',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'vmas',
        'locked',
      ),
      sig(
        { since: '6.5' },
        'long get_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, int *locked)',
        'mm',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'locked',
      ),
    ],
    summary: "Takes references on pages of another mm; the caller holds that mm's mmap_lock.",
    doc: 'case4',
  },
  {
    name: 'get_user_pages_unlocked',
    family: 'get',
    exists: { since: '4.9' },
    returns: 'count',
    implicitFlags: ['FOLL_TOUCH', 'FOLL_UNLOCKABLE'],
    invalidArgsReturn: '-EINVAL',
    fast: false,
    exported: 'EXPORT_SYMBOL',
    pinCounterpart: 'pin_user_pages_unlocked',
    signatures: [
      sig(
        { since: '4.9' },
        'long get_user_pages_unlocked(unsigned long start, unsigned long nr_pages, struct page **pages, unsigned int gup_flags)',
        'start',
        'nr_pages',
        'pages',
        'gup_flags',
      ),
    ],
    summary: 'Like get_user_pages() but takes mmap_lock itself. Note the argument order: pages before gup_flags.',
    doc: 'case4',
  },
  {
    name: 'get_user_pages_fast',
    family: 'get',
    exists: {},
    returns: 'count',
    implicitFlags: ['FOLL_GET'],
    invalidArgsReturn: '-EINVAL',
    fast: true,
    exported: 'EXPORT_SYMBOL_GPL',
    pinCounterpart: 'pin_user_pages_fast',
    signatures: [
      sig(
        { until: '5.2' },
        'int get_user_pages_fast(unsigned long start, int nr_pages, int write, struct page **pages)',
        'start',
        'nr_pages',
        'write',
        'pages',
      ),
      sig(
        { since: '5.2' },
        'int get_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags, struct page **pages)',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
      ),
    ],
    summary: 'Lockless page-table walk first, slow path for the rest. Returns int: pages taken or -errno.',
    doc: 'case4',
  },
  {
    name: 'get_user_pages_fast_only',
    family: 'get',
    exists: { since: '5.8' },
    returns: 'count',
    implicitFlags: ['FOLL_GET', 'FOLL_FAST_ONLY'],
    invalidArgsReturn: '-EINVAL',
    fast: true,
    exported: 'EXPORT_SYMBOL_GPL',
    signatures: [
      sig(
        { since: '5.8' },
        'int get_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags, struct page **pages)',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
      ),
    ],
    summary:
      'Lockless only, never sleeps. Up to v6.2 it never returns a negative value; since v6.3 it can return -EINVAL.',
    doc: 'case4',
  },
  {
    name: '__get_user_pages_fast',
    family: 'get',
    exists: { until: '5.8' },
    returns: 'count',
    implicitFlags: ['FOLL_GET'],
    fast: true,
    exported: 'EXPORT_SYMBOL_GPL',
    signatures: [
      sig(
        { until: '5.8' },
        'int __get_user_pages_fast(unsigned long start, int nr_pages, int write, struct page **pages)',
        'start',
        'nr_pages',
        'write',
        'pages',
      ),
    ],
    summary: 'The pre-5.8 name of get_user_pages_fast_only().',
    doc: 'case4',
  },
  {
    name: 'get_user_page_fast_only',
    family: 'get',
    exists: { since: '5.9' },
    returns: 'bool',
    implicitFlags: ['FOLL_GET', 'FOLL_FAST_ONLY'],
    fast: true,
    exported: 'static inline',
    signatures: [
      sig(
        { since: '5.9' },
        'static inline bool get_user_page_fast_only(unsigned long addr, unsigned int gup_flags, struct page **pagep)',
        'addr',
        'gup_flags',
        'pagep',
      ),
    ],
    summary: 'One page, lockless: get_user_pages_fast_only(addr, 1, gup_flags, pagep) == 1.',
    doc: 'case4',
  },
  {
    name: 'get_user_pages_locked',
    family: 'get',
    exists: { since: '4.9', until: '5.18' },
    returns: 'count',
    implicitFlags: ['FOLL_TOUCH'],
    fast: false,
    exported: 'EXPORT_SYMBOL',
    pinCounterpart: 'pin_user_pages_locked',
    signatures: [
      sig(
        { since: '4.9', until: '5.18' },
        'long get_user_pages_locked(unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, int *locked)',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'locked',
      ),
    ],
    summary: 'Removed in v5.18 ("mm/gup: remove unused get_user_pages_locked()").',
    doc: 'case4',
  },
  {
    name: 'get_user_pages_longterm',
    family: 'get',
    exists: { since: '4.15', until: '5.2' },
    returns: 'count',
    implicitFlags: ['FOLL_TOUCH'],
    fast: false,
    exported: 'EXPORT_SYMBOL',
    pinCounterpart: 'pin_user_pages',
    signatures: [
      sig(
        { since: '4.15', until: '5.2' },
        'long get_user_pages_longterm(unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, struct vm_area_struct **vmas)',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'vmas',
      ),
    ],
    summary: 'Replaced by FOLL_LONGTERM in v5.2; long-term users now call pin_user_pages*(…FOLL_LONGTERM…).',
    doc: 'case2',
  },
  {
    name: 'get_dump_page',
    family: 'get',
    exists: {},
    returns: 'page',
    implicitFlags: ['FOLL_FORCE', 'FOLL_DUMP', 'FOLL_GET'],
    fast: false,
    exported: 'EXPORT_SYMBOL',
    signatures: [sig({}, 'struct page *get_dump_page(unsigned long addr)', 'addr')],
    summary: 'For core dumps: one page with FOLL_FORCE | FOLL_DUMP | FOLL_GET, or NULL. Release with put_page().',
    doc: 'case4',
  },
  {
    name: 'iov_iter_get_pages2',
    family: 'get',
    exists: { since: '6.0' },
    returns: 'bytes',
    implicitFlags: ['FOLL_GET'],
    fast: true,
    exported: 'EXPORT_SYMBOL',
    signatures: [
      sig(
        { since: '6.0' },
        'ssize_t iov_iter_get_pages2(struct iov_iter *i, struct page **pages, size_t maxsize, unsigned maxpages, size_t *start)',
        'iter',
        'pages',
        'maxsize',
        'maxpages',
        'start_offset',
      ),
    ],
    summary:
      'References (FOLL_GET) the pages behind an iov_iter; returns bytes. Direct I/O users moved to iov_iter_extract_pages() (pins).',
    doc: 'case1',
  },
  {
    name: 'iov_iter_get_pages_alloc2',
    family: 'get',
    exists: { since: '6.0' },
    returns: 'bytes',
    implicitFlags: ['FOLL_GET'],
    fast: true,
    exported: 'EXPORT_SYMBOL',
    signatures: [
      sig(
        { since: '6.0' },
        'ssize_t iov_iter_get_pages_alloc2(struct iov_iter *i, struct page ***pages, size_t maxsize, size_t *start)',
        'iter',
        'pages',
        'maxsize',
        'start_offset',
      ),
    ],
    summary: 'Like iov_iter_get_pages2() but allocates the page array.',
    doc: 'case1',
  },
  {
    name: 'pin_user_pages',
    family: 'pin',
    exists: { since: '5.6' },
    returns: 'count',
    implicitFlags: ['FOLL_PIN'],
    invalidArgsReturn: '0',
    fast: false,
    exported: 'EXPORT_SYMBOL',
    signatures: [
      sig(
        { since: '5.6', until: '6.5' },
        'long pin_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, struct vm_area_struct **vmas)',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'vmas',
      ),
      sig(
        { since: '6.5' },
        'long pin_user_pages(unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages)',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
      ),
    ],
    summary:
      'Pins (FOLL_PIN) pages of current->mm for access to their data; the caller holds mmap_lock. Returns 0 (not -EINVAL) on invalid arguments since v6.3.',
    doc: 'pinBasics',
  },
  {
    name: 'pin_user_pages_remote',
    family: 'pin',
    exists: { since: '5.6' },
    returns: 'count',
    implicitFlags: ['FOLL_PIN', 'FOLL_TOUCH', 'FOLL_REMOTE'],
    invalidArgsReturn: '0',
    fast: false,
    exported: 'EXPORT_SYMBOL',
    signatures: [
      sig(
        { since: '5.6', until: '5.9' },
        'long pin_user_pages_remote(struct task_struct *tsk, struct mm_struct *mm, unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, struct vm_area_struct **vmas, int *locked)',
        'tsk',
        'mm',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'vmas',
        'locked',
      ),
      sig(
        { since: '5.9', until: '6.5' },
        'long pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, struct vm_area_struct **vmas, int *locked)',
        'mm',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'vmas',
        'locked',
      ),
      sig(
        { since: '6.5' },
        'long pin_user_pages_remote(struct mm_struct *mm, unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, int *locked)',
        'mm',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'locked',
      ),
    ],
    summary:
      'Pins pages of another mm (VFIO, process_vm_*); the caller holds its mmap_lock. Returns 0 on invalid arguments since v6.3.',
    doc: 'pinBasics',
  },
  {
    name: 'pin_user_pages_unlocked',
    family: 'pin',
    exists: { since: '5.8' },
    returns: 'count',
    implicitFlags: ['FOLL_PIN', 'FOLL_TOUCH', 'FOLL_UNLOCKABLE'],
    invalidArgsReturn: '0',
    fast: false,
    exported: 'EXPORT_SYMBOL',
    signatures: [
      sig(
        { since: '5.8' },
        'long pin_user_pages_unlocked(unsigned long start, unsigned long nr_pages, struct page **pages, unsigned int gup_flags)',
        'start',
        'nr_pages',
        'pages',
        'gup_flags',
      ),
    ],
    summary:
      'Like pin_user_pages() but takes mmap_lock itself. Pages before gup_flags. v6.1 rejects FOLL_LONGTERM here.',
    doc: 'pinBasics',
  },
  {
    name: 'pin_user_pages_fast',
    family: 'pin',
    exists: { since: '5.6' },
    returns: 'count',
    implicitFlags: ['FOLL_PIN'],
    invalidArgsReturn: '-EINVAL',
    fast: true,
    exported: 'EXPORT_SYMBOL_GPL',
    signatures: [
      sig(
        { since: '5.6' },
        'int pin_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags, struct page **pages)',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
      ),
    ],
    summary: 'Lockless pin with slow-path fallback. A short positive result leaves that many pages pinned.',
    doc: 'pinBasics',
  },
  {
    name: 'pin_user_pages_fast_only',
    family: 'pin',
    exists: { since: '5.8', until: '6.3' },
    returns: 'count',
    implicitFlags: ['FOLL_PIN', 'FOLL_FAST_ONLY'],
    fast: true,
    exported: 'EXPORT_SYMBOL_GPL',
    signatures: [
      sig(
        { since: '5.8', until: '6.3' },
        'int pin_user_pages_fast_only(unsigned long start, int nr_pages, unsigned int gup_flags, struct page **pages)',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
      ),
    ],
    summary: 'Removed in v6.3 ("mm/gup: remove pin_user_pages_fast_only()"). Returned 0 on bad flags.',
    doc: 'pinBasics',
  },
  {
    name: 'pin_user_pages_locked',
    family: 'pin',
    exists: { since: '5.8', until: '5.18' },
    returns: 'count',
    implicitFlags: ['FOLL_PIN'],
    fast: false,
    exported: 'EXPORT_SYMBOL',
    signatures: [
      sig(
        { since: '5.8', until: '5.18' },
        'long pin_user_pages_locked(unsigned long start, unsigned long nr_pages, unsigned int gup_flags, struct page **pages, int *locked)',
        'start',
        'nr_pages',
        'gup_flags',
        'pages',
        'locked',
      ),
    ],
    summary: 'Removed in v5.18 ("mm/gup: remove unused pin_user_pages_locked()").',
    doc: 'pinBasics',
  },
  {
    name: 'memfd_pin_folios',
    family: 'pin',
    exists: { since: '6.11' },
    returns: 'folio-count',
    implicitFlags: ['FOLL_PIN', 'FOLL_LONGTERM'],
    invalidArgsReturn: '-EINVAL',
    fast: false,
    exported: 'EXPORT_SYMBOL_GPL',
    signatures: [
      sig(
        { since: '6.11' },
        'long memfd_pin_folios(struct file *memfd, loff_t start, loff_t end, struct folio **folios, unsigned int max_folios, pgoff_t *offset)',
        'memfd',
        'start',
        'end',
        'folios',
        'max_folios',
        'offset',
      ),
    ],
    summary:
      'Long-term pins the folios of a shmem/hugetlbfs memfd range (end inclusive); returns folios pinned. On error it has already unpinned. Release with unpin_folios().',
    doc: 'case2',
  },
  {
    name: 'iov_iter_extract_pages',
    family: 'pin',
    exists: { since: '6.3' },
    returns: 'bytes',
    implicitFlags: [],
    fast: true,
    exported: 'EXPORT_SYMBOL_GPL',
    conditionalPin:
      'pins (FOLL_PIN) only when iov_iter_extract_will_pin(i) is true (user-backed iterators); kernel-backed iterators take no reference',
    signatures: [
      sig(
        { since: '6.3' },
        'ssize_t iov_iter_extract_pages(struct iov_iter *i, struct page ***pages, size_t maxsize, unsigned int maxpages, iov_iter_extraction_t extraction_flags, size_t *offset0)',
        'iter',
        'pages',
        'maxsize',
        'maxpages',
        'extraction_flags',
        'offset0',
      ),
    ],
    summary:
      'Direct I/O page extraction; returns bytes. Release with unpin_user_page(s) only if iov_iter_extract_will_pin().',
    doc: 'case1',
  },
];

export const RELEASE_APIS: readonly ReleaseApi[] = [
  {
    name: 'put_page',
    family: 'get',
    exists: {},
    target: 'page',
    dirty: 'no',
    signatures: [sig({}, 'void put_page(struct page *page)', 'page')],
    summary: 'Drops one plain reference.',
  },
  {
    name: 'folio_put',
    family: 'get',
    exists: { since: '5.16' },
    target: 'folio',
    dirty: 'no',
    signatures: [sig({ since: '5.16' }, 'void folio_put(struct folio *folio)', 'folio')],
    summary: 'Drops one plain reference on a folio.',
  },
  {
    name: 'release_pages',
    family: 'get',
    exists: {},
    target: 'pages',
    dirty: 'no',
    signatures: [sig({}, 'void release_pages(struct page **pages, int nr)', 'pages', 'nr')],
    summary: 'Drops one plain reference on each of nr pages (batched put_page()).',
  },
  {
    name: 'put_user_page',
    family: 'pin',
    exists: { since: '5.3', until: '5.6' },
    target: 'page',
    dirty: 'no',
    renamedTo: { name: 'unpin_user_page', since: '5.6' },
    signatures: [sig({ since: '5.3', until: '5.6' }, 'void put_user_page(struct page *page)', 'page')],
    summary: 'v5.3–v5.5 name of unpin_user_page().',
  },
  {
    name: 'put_user_pages',
    family: 'pin',
    exists: { since: '5.3', until: '5.6' },
    target: 'pages',
    dirty: 'no',
    renamedTo: { name: 'unpin_user_pages', since: '5.6' },
    signatures: [
      sig(
        { since: '5.3', until: '5.6' },
        'void put_user_pages(struct page **pages, unsigned long npages)',
        'pages',
        'npages',
      ),
    ],
    summary: 'v5.3–v5.5 name of unpin_user_pages().',
  },
  {
    name: 'put_user_pages_dirty_lock',
    family: 'pin',
    exists: { since: '5.3', until: '5.6' },
    target: 'pages',
    dirty: 'arg',
    renamedTo: { name: 'unpin_user_pages_dirty_lock', since: '5.6' },
    signatures: [
      sig(
        { since: '5.3', until: '5.6' },
        'void put_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty)',
        'pages',
        'npages',
        'make_dirty',
      ),
    ],
    summary: 'v5.3–v5.5 name of unpin_user_pages_dirty_lock().',
  },
  {
    name: 'unpin_user_page',
    family: 'pin',
    exists: { since: '5.6' },
    target: 'page',
    dirty: 'no',
    signatures: [sig({ since: '5.6' }, 'void unpin_user_page(struct page *page)', 'page')],
    summary: 'Releases one FOLL_PIN pin.',
  },
  {
    name: 'unpin_user_pages',
    family: 'pin',
    exists: { since: '5.6' },
    target: 'pages',
    dirty: 'no',
    signatures: [
      sig({ since: '5.6' }, 'void unpin_user_pages(struct page **pages, unsigned long npages)', 'pages', 'npages'),
    ],
    summary:
      'Releases npages pins. WARNs and does nothing when npages is a -errno (IS_ERR_VALUE). Skips NULL entries since ≈v6.12 (not in v6.1).',
  },
  {
    name: 'unpin_user_pages_dirty_lock',
    family: 'pin',
    exists: { since: '5.6' },
    target: 'pages',
    dirty: 'arg',
    signatures: [
      sig(
        { since: '5.6' },
        'void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty)',
        'pages',
        'npages',
        'make_dirty',
      ),
    ],
    summary:
      'Marks each folio dirty under the folio lock when make_dirty, then unpins. Use make_dirty = true after the device or the kernel wrote the pages.',
  },
  {
    name: 'unpin_user_page_range_dirty_lock',
    family: 'pin',
    exists: { since: '5.12' },
    target: 'page-range',
    dirty: 'arg',
    signatures: [
      sig(
        { since: '5.12' },
        'void unpin_user_page_range_dirty_lock(struct page *page, unsigned long npages, bool make_dirty)',
        'page',
        'npages',
        'make_dirty',
      ),
    ],
    summary: 'Unpins npages physically contiguous pages starting at page.',
  },
  {
    name: 'unpin_user_folio',
    family: 'pin',
    exists: { since: '6.12' },
    target: 'folio',
    dirty: 'no',
    signatures: [
      sig({ since: '6.12' }, 'void unpin_user_folio(struct folio *folio, unsigned long npages)', 'folio', 'npages'),
    ],
    summary: 'Releases npages pins of one folio at once.',
  },
  {
    name: 'unpin_folio',
    family: 'pin',
    exists: { since: '6.11' },
    target: 'folio',
    dirty: 'no',
    signatures: [sig({ since: '6.11' }, 'void unpin_folio(struct folio *folio)', 'folio')],
    summary: 'Releases one pin of a folio pinned by memfd_pin_folios().',
  },
  {
    name: 'unpin_folios',
    family: 'pin',
    exists: { since: '6.11' },
    target: 'folios',
    dirty: 'no',
    signatures: [
      sig({ since: '6.11' }, 'void unpin_folios(struct folio **folios, unsigned long nfolios)', 'folios', 'nfolios'),
    ],
    summary: 'Releases the folios pinned by memfd_pin_folios().',
  },
];

const acquireByName = new Map(ACQUIRE_APIS.map((a) => [a.name, a]));
const releaseByName = new Map(RELEASE_APIS.map((r) => [r.name, r]));

export function acquireApi(name: string): AcquireApi | undefined {
  return acquireByName.get(name);
}

export function releaseApi(name: string): ReleaseApi | undefined {
  return releaseByName.get(name);
}

/** The signature of `api` in kernel `v`, or undefined when the function does not exist there. */
export function signatureAt(
  api: { readonly exists: VersionRange; readonly signatures: readonly Signature[] },
  v: KernelVersion,
): Signature | undefined {
  if (!inRange(v, api.exists)) return undefined;
  return api.signatures.find((s) => inRange(v, s.range));
}

/** Index of `role` in `signature`, or -1. */
export function paramIndex(signature: Signature, role: ParamRole): number {
  return signature.params.indexOf(role);
}

/**
 * The release a pin_* acquire needs, by the shape the pages are released in. The get→pin
 * conversion and the release-mismatch fix both come here, so their answers agree.
 */
export function pinReleaseFor(target: 'page' | 'pages', dirty: boolean): string {
  if (target === 'page') return 'unpin_user_page';
  return dirty ? 'unpin_user_pages_dirty_lock' : 'unpin_user_pages';
}

/** Correct releases per acquire family, for hovers and messages. */
export function correctReleases(family: Family): readonly string[] {
  return family === 'pin'
    ? [
        'unpin_user_page',
        'unpin_user_pages',
        'unpin_user_pages_dirty_lock',
        'unpin_user_page_range_dirty_lock',
        'unpin_user_folio',
      ]
    : ['put_page', 'folio_put', 'release_pages'];
}

export function wrongReleases(family: Family): readonly string[] {
  return family === 'pin'
    ? ['put_page', 'folio_put', 'release_pages']
    : [
        'unpin_user_page',
        'unpin_user_pages',
        'unpin_user_pages_dirty_lock',
        'unpin_user_page_range_dirty_lock',
        'unpin_user_folio',
      ];
}
