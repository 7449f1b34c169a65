/**
 * What the simulation reports: violations in a few shapes that recur, how many pages with the same
 * problem read as one line, and a path's outcome (its worst violation).
 */
import { KERNEL_DOCS } from '../catalog/docs';
import type { TraceStep } from '../trace/types';
import type { PathOutcome, Violation, ViolationKind } from './types';

export function violation(kind: ViolationKind, message: string, docsUrl?: string): Violation {
  return { kind, message, ...(docsUrl ? { docsUrl } : {}) };
}

export function zeroWrite(message: string): Violation {
  return {
    kind: 'zero-page-write',
    message: `${message}: every process reading untouched memory sees the change. Acquire with FOLL_WRITE`,
    docsUrl: KERNEL_DOCS.case5.url,
  };
}

export function overflow(index: number): Violation {
  return {
    kind: 'overflow',
    message: `page ${index}: another pin would overflow the 32-bit refcount; GUP refuses it and returns the pages pinned so far`,
    kernelMessage: 'WARNING: mm/gup.c: try_grab_folio(): WARN_ON_ONCE(folio_ref_count(folio) <= 0)',
    docsUrl: KERNEL_DOCS.pinTracking.url,
  };
}

export function outOfRange(step: TraceStep): Violation {
  return {
    kind: 'count-mismatch',
    message: `${step.call}: the range goes past the end of the simulated memory (add pages to the "pages" line)`,
  };
}

/** Page numbers as a short list: `0–3`, or `0, 2, 5`, or the first few and how many more. */
export function pageList(indices: readonly number[], most = 16): string {
  if (indices.length === 0) return '';
  const first = indices[0] as number;
  const last = indices[indices.length - 1] as number;
  if (indices.length > 1 && indices.length === last - first + 1) return `${first}–${last}`;
  if (indices.length <= most) return indices.join(', ');
  return `${indices.slice(0, most).join(', ')} and ${indices.length - most} more`;
}

/** Many pages with the same problem read better as one line per kind. */
export function dedupeViolations(list: readonly Violation[]): Violation[] {
  const byKind = new Map<ViolationKind, Violation[]>();
  for (const v of list) {
    const same = byKind.get(v.kind);
    if (same) same.push(v);
    else byKind.set(v.kind, [v]);
  }
  const out: Violation[] = [];
  for (const [, vs] of byKind) {
    const first = vs[0] as Violation;
    out.push(
      vs.length === 1
        ? first
        : { ...first, message: `${first.message} (and ${vs.length - 1} more page${vs.length === 2 ? '' : 's'})` },
    );
  }
  return out;
}

const WORST: readonly PathOutcome[] = [
  'mismatch',
  'double-release',
  'use-after-release',
  'count-mismatch',
  'leak',
  'dma-error',
  'invalid',
  'clean',
];

export function outcomeOf(violations: readonly Violation[]): PathOutcome {
  const kinds = new Set(violations.map((v) => v.kind));
  if (kinds.has('release-mismatch')) return 'mismatch';
  if (kinds.has('double-release')) return 'double-release';
  if (kinds.has('use-after-release') || kinds.has('zero-page-write')) return 'use-after-release';
  if (kinds.has('count-mismatch') || kinds.has('negative-count')) return 'count-mismatch';
  if (kinds.has('leak')) return 'leak';
  if (kinds.has('dma')) return 'dma-error';
  if (kinds.has('invalid-args') || kinds.has('overflow')) return 'invalid';
  return 'clean';
}

/** Sort key: worst outcomes first (for pickers). */
export function outcomeRank(outcome: PathOutcome): number {
  return WORST.indexOf(outcome);
}
