/**
 * The shapes of the GUP catalog: families, parameter roles, signatures per kernel-version range,
 * and the acquire and release records (acquires.ts and releases.ts hold the tables).
 * Source: kernel-semantics.md §1.
 */
import type { KernelDocKey } from '../docs';
import type { VersionRange } from '../version';

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
  | 'start_offset'
  /** __free_pages(): log2 of the number of pages. */
  | 'order';

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

/** One signature: the version range it holds in, its prototype and its parameters' roles. */
export const sig = (range: VersionRange, prototype: string, ...params: ParamRole[]): Signature => ({
  range,
  params,
  prototype,
});
