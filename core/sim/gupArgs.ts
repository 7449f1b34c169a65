/**
 * The argument checks each kernel version makes before a GUP call takes anything:
 * is_valid_gup_args() since v6.3, is_valid_gup_flags() and the pin_* checks in v6.1
 * (kernel-semantics.md §2.2–2.4). A rejected call returns -EINVAL, or 0 for pin_user_pages*()
 * since v6.3, and WARNs once.
 */
import { follFlag } from '../catalog/flags';
import { KERNEL_DOCS } from '../catalog/docs';
import type { AcquireApi } from '../catalog/gup';
import { formatVersion, inRange, isAtLeast, type KernelVersion } from '../catalog/version';
import type { Violation } from './types';

export interface Rejection {
  readonly violation: Violation;
  /** What the call returns instead. */
  readonly result: string;
}

function rejection(api: AcquireApi, v: KernelVersion, warn: string, message: string): Rejection {
  const result = isAtLeast(v, '6.3')
    ? api.invalidArgsReturn === '0'
      ? '0'
      : '-EINVAL'
    : api.name === 'pin_user_pages_fast_only'
      ? '0'
      : '-EINVAL';
  return {
    violation: {
      kind: 'invalid-args',
      message: `${message}; the call returns ${result} and takes nothing`,
      kernelMessage: `WARNING: mm/gup.c: WARN_ON_ONCE(${warn})`,
      docsUrl: KERNEL_DOCS.pinBasics.url,
    },
    result,
  };
}

const FAST_ALLOWED =
  'gup_flags & ~(FOLL_WRITE | FOLL_LONGTERM | FOLL_FORCE | FOLL_PIN | FOLL_GET | FOLL_FAST_ONLY | FOLL_NOFAULT | FOLL_PCI_P2PDMA | FOLL_HONOR_NUMA_FAULT)';

/** Why `version` rejects the call with these flags, or null when it accepts it. */
export function rejectArgs(api: AcquireApi, flags: ReadonlySet<string>, v: KernelVersion): Rejection | null {
  const reject = (warn: string, message: string): Rejection => rejection(api, v, warn, message);
  if (!inRange(v, api.exists)) {
    return {
      violation: { kind: 'invalid-args', message: `${api.name}() does not exist in Linux ${formatVersion(v)}` },
      result: 'n/a',
    };
  }
  if (flags.has('FOLL_GET') && flags.has('FOLL_PIN') && isAtLeast(v, '6.3'))
    return reject(
      '(gup_flags & (FOLL_PIN | FOLL_GET)) == (FOLL_PIN | FOLL_GET)',
      'FOLL_GET and FOLL_PIN are mutually exclusive',
    );
  const internal = [...flags].filter((f) => follFlag(f)?.use === 'internal');
  if (internal.length > 0 && isAtLeast(v, '6.3'))
    return reject(
      'gup_flags & INTERNAL_GUP_FLAGS',
      `${internal.join(', ')} ${internal.length === 1 ? 'is' : 'are'} internal to GUP`,
    );
  if (api.family === 'get' && flags.has('FOLL_PIN') && isAtLeast(v, '6.1'))
    return reject('gup_flags & FOLL_PIN', 'FOLL_PIN must only be set internally by the pin_user_pages*() APIs');
  if (api.family === 'pin' && flags.has('FOLL_GET'))
    return reject('gup_flags & FOLL_GET', 'pin_user_pages*() reject FOLL_GET');
  if (api.family === 'get' && flags.has('FOLL_LONGTERM') && isAtLeast(v, '6.1'))
    return reject(
      isAtLeast(v, '6.3') ? '!(gup_flags & FOLL_PIN) && (gup_flags & FOLL_LONGTERM)' : 'gup_flags & FOLL_LONGTERM',
      'FOLL_LONGTERM can only be specified when pinning',
    );
  if (
    api.name === 'pin_user_pages_unlocked' &&
    flags.has('FOLL_LONGTERM') &&
    isAtLeast(v, '6.1') &&
    !isAtLeast(v, '6.3')
  )
    return reject('gup_flags & FOLL_LONGTERM', 'v6.1 get_user_pages_unlocked() rejects FOLL_LONGTERM');
  if (flags.has('FOLL_LONGTERM') && flags.has('FOLL_PCI_P2PDMA') && isAtLeast(v, '6.3'))
    return reject(
      '(gup_flags & FOLL_LONGTERM) && (gup_flags & FOLL_PCI_P2PDMA)',
      'FOLL_LONGTERM and FOLL_PCI_P2PDMA together are rejected',
    );
  if (api.fast) {
    const notFast = [...flags].filter((f) => follFlag(f) && !follFlag(f)?.fastPath);
    if (notFast.length > 0) return reject(FAST_ALLOWED, `${notFast.join(', ')} not allowed on the fast path`);
  }
  return null;
}
