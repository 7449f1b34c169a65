/**
 * Every FOLL_* flag, by name. Values changed in v6.3 (FOLL_GET was 0x04 and became 1<<1,
 * FOLL_LONGTERM went from 0x10000 to 1<<8), so rules match names and never numbers.
 * Source: kernel-semantics.md §2.1–2.4 (include/linux/mm.h ≤6.2, include/linux/mm_types.h and
 * mm/internal.h ≥6.3, is_valid_gup_args() in mm/gup.c).
 */
import type { VersionRange } from './version';

/**
 * Who may pass the flag at a call site:
 * - `caller`: any GUP entry point;
 * - `get-only`: get_user_pages*() only (FOLL_GET is implied there and rejected by pin_*);
 * - `pin-only`: pin_user_pages*() only (FOLL_LONGTERM: "LONGTERM can only be specified when pinning");
 * - `internal`: set by the wrappers themselves; a caller passing it is a bug (and since v6.3 the
 *   name lives in mm/internal.h, so a module does not even compile).
 */
export type FlagUse = 'caller' | 'get-only' | 'pin-only' | 'internal';

export interface FollFlag {
  readonly name: string;
  readonly use: FlagUse;
  readonly exists: VersionRange;
  /** Allowed on the lockless fast path (`*_fast`): gup_fast_fallback()'s allow list. */
  readonly fastPath: boolean;
  readonly summary: string;
  /**
   * Removed when a get_* call is converted to its pin_* counterpart: pin_* sets FOLL_PIN itself
   * and rejects FOLL_GET (is_valid_gup_args()). Other internal flags are left for
   * internal-foll-flag to report.
   */
  readonly droppedOnPinConversion?: true;
}

export const FOLL_FLAGS: readonly FollFlag[] = [
  {
    name: 'FOLL_WRITE',
    use: 'caller',
    exists: {},
    fastPath: true,
    summary: 'check the PTE is writable; break COW. Needed whenever the device or the kernel writes the pages.',
  },
  {
    name: 'FOLL_TOUCH',
    use: 'internal',
    exists: {},
    fastPath: false,
    droppedOnPinConversion: true,
    summary:
      'mark the page accessed. Set internally by get_user_pages*() (is_valid_gup_args() rejects it from callers since v6.3).',
  },
  {
    name: 'FOLL_GET',
    use: 'get-only',
    exists: {},
    fastPath: true,
    droppedOnPinConversion: true,
    summary:
      'take a plain reference (released with put_page()). Implied by get_user_pages*(); pin_user_pages*() rejects it.',
  },
  {
    name: 'FOLL_DUMP',
    use: 'caller',
    exists: {},
    fastPath: false,
    summary: 'give an error on a hole (core dumps; get_dump_page()).',
  },
  {
    name: 'FOLL_FORCE',
    use: 'caller',
    exists: {},
    fastPath: true,
    summary: 'get_user_pages read/write w/o permission (ptrace-style).',
  },
  {
    name: 'FOLL_NOWAIT',
    use: 'caller',
    exists: {},
    fastPath: false,
    summary: 'if a disk transfer is needed, start the I/O and return without waiting.',
  },
  {
    name: 'FOLL_POPULATE',
    use: 'internal',
    exists: { until: '5.15' },
    fastPath: false,
    summary: 'fault in the page (mlock/populate internals; removed).',
  },
  {
    name: 'FOLL_SPLIT',
    use: 'internal',
    exists: { until: '5.13' },
    fastPath: false,
    summary: 'split a huge page before returning (removed).',
  },
  { name: 'FOLL_NOFAULT', use: 'caller', exists: { since: '5.16' }, fastPath: true, summary: 'do not fault in pages.' },
  { name: 'FOLL_HWPOISON', use: 'caller', exists: {}, fastPath: false, summary: 'check page is hwpoisoned.' },
  {
    name: 'FOLL_NUMA',
    use: 'internal',
    exists: { until: '6.1' },
    fastPath: false,
    summary: 'force NUMA hinting page fault (removed; see FOLL_HONOR_NUMA_FAULT).',
  },
  {
    name: 'FOLL_MIGRATION',
    use: 'internal',
    exists: { until: '6.3' },
    fastPath: false,
    summary: 'wait for a page to replace a migration entry (removed).',
  },
  {
    name: 'FOLL_TRIED',
    use: 'internal',
    exists: {},
    fastPath: false,
    summary: 'a retry, previous pass started an I/O. Internal to GUP.',
  },
  {
    name: 'FOLL_MLOCK',
    use: 'internal',
    exists: { until: '6.1' },
    fastPath: false,
    summary: 'lock present pages (removed).',
  },
  {
    name: 'FOLL_REMOTE',
    use: 'internal',
    exists: {},
    fastPath: false,
    summary: 'we are working on non-current tsk/mm. Set internally by *_remote().',
  },
  {
    name: 'FOLL_COW',
    use: 'internal',
    exists: { until: '6.0' },
    fastPath: false,
    summary: 'internal GUP flag (removed in the v6.0 COW rework).',
  },
  { name: 'FOLL_ANON', use: 'caller', exists: {}, fastPath: false, summary: "don't do file mappings." },
  {
    name: 'FOLL_LONGTERM',
    use: 'pin-only',
    exists: { since: '5.2' },
    fastPath: true,
    summary:
      'the pin is held for an indefinite time (RDMA, VFIO, io_uring fixed buffers, userptr objects): pin_user_pages.rst case 2.',
  },
  {
    name: 'FOLL_SPLIT_PMD',
    use: 'caller',
    exists: { since: '5.5' },
    fastPath: false,
    summary: 'split a huge PMD before returning (uprobes).',
  },
  {
    name: 'FOLL_PIN',
    use: 'internal',
    exists: { since: '5.6' },
    fastPath: true,
    droppedOnPinConversion: true,
    summary:
      'pages must be released via unpin_user_page(). "FOLL_PIN must only be set internally by the pin_user_pages*() APIs, never directly by the caller."',
  },
  {
    name: 'FOLL_FAST_ONLY',
    use: 'internal',
    exists: { since: '5.8' },
    fastPath: true,
    summary: 'gup_fast: prevent fall-back to the slow path. Set internally by *_fast_only().',
  },
  {
    name: 'FOLL_PCI_P2PDMA',
    use: 'caller',
    exists: { since: '6.2' },
    fastPath: true,
    summary: 'allow returning PCI P2PDMA pages (not together with FOLL_LONGTERM).',
  },
  {
    name: 'FOLL_INTERRUPTIBLE',
    use: 'caller',
    exists: { since: '6.2' },
    fastPath: false,
    summary: 'allow interrupts from generic signals.',
  },
  {
    name: 'FOLL_UNLOCKABLE',
    use: 'internal',
    exists: { since: '6.3' },
    fastPath: false,
    summary: 'the mmap_lock may be dropped. Set internally when `locked` is given.',
  },
  {
    name: 'FOLL_HONOR_NUMA_FAULT',
    use: 'caller',
    exists: { since: '6.5' },
    fastPath: true,
    summary: 'honor NUMA hinting faults (KVM).',
  },
  {
    name: 'FOLL_MADV_POPULATE',
    use: 'internal',
    exists: { since: '6.9' },
    fastPath: false,
    summary: 'MADV_POPULATE_(READ|WRITE) internals.',
  },
];

const byName = new Map(FOLL_FLAGS.map((f) => [f.name, f]));

export function follFlag(name: string): FollFlag | undefined {
  return byName.get(name);
}

export function isFollFlagName(name: string): boolean {
  return byName.has(name);
}
