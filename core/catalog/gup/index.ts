/**
 * Every get_user_pages / pin_user_pages entry point and every release function, with argument
 * positions per kernel-version range, family, return semantics and correct/wrong releases.
 * Source: kernel-semantics.md §1 (signatures, history, return values, pairing), which quotes
 * mm/gup.c and include/linux/mm.h of v6.1 and ≈v6.13, and the commits that changed them.
 *
 * These tables (acquires.ts, releases.ts) are the single source of truth for rules, fixes, hovers
 * and the simulation; this file looks them up.
 */
import { inRange, type KernelVersion, type VersionRange } from '../version';
import { ACQUIRE_APIS } from './acquires';
import { RELEASE_APIS } from './releases';
import type { AcquireApi, Family, ParamRole, ReleaseApi, Signature } from './types';

export { ACQUIRE_APIS } from './acquires';
export { RELEASE_APIS } from './releases';
export type * from './types';

const acquireByName = new Map(ACQUIRE_APIS.map((a) => [a.name, a]));
const releaseByName = new Map(RELEASE_APIS.map((r) => [r.name, r]));

export function acquireApi(name: string): AcquireApi | undefined {
  return acquireByName.get(name);
}

export function releaseApi(name: string): ReleaseApi | undefined {
  return releaseByName.get(name);
}

/**
 * Whether kernel `v` has FOLL_PIN and pin_user_pages*() (v5.6, "mm/gup: introduce
 * pin_user_pages*() and FOLL_PIN"). Before it, get_user_pages*() — with FOLL_LONGTERM where the
 * access was long — was the only way, and pin_user_pages.rst did not exist.
 */
export function hasPinApi(v: KernelVersion): boolean {
  const pin = acquireByName.get('pin_user_pages');
  return pin !== undefined && inRange(v, pin.exists);
}

/** The pin_* counterpart of a get_* call that exists in kernel `v`, or undefined. */
export function pinCounterpartAt(api: AcquireApi, v: KernelVersion): AcquireApi | undefined {
  const pin = api.pinCounterpart ? acquireByName.get(api.pinCounterpart) : undefined;
  return pin && inRange(v, pin.exists) ? pin : undefined;
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

/** `__free_page()`/`__free_pages()`: the page allocator's frees, wrong for user pages of either family. */
export function isPageAllocatorFree(name: string): boolean {
  return name === '__free_page' || name === '__free_pages';
}
