/**
 * Argument values of trace steps: what each kind of argument accepts, and the range of every
 * number (see limits.ts), so nothing a trace says can make the simulation allocate or loop beyond
 * its bounds.
 */
import { DMA_DIRECTIONS } from '../catalog/dma';
import { isFollFlagName } from '../catalog/flags';
import { MAX_DMA_SIZE, MAX_ERRNO, MAX_NENTS, MAX_PAGES, MAX_REFCOUNT, MAX_SOURCE_POSITION } from './limits';
import type { ArgKind } from './stepSpec';
import { shown } from './tokenize';
import type { ArgValue } from './types';

export const INT = /^-?\d+$/;
export const ERRNO = /^-E[A-Z0-9]+$/;

interface Range {
  readonly min: number;
  readonly max: number;
  /** Why the bound is there, for the error. */
  readonly why: string;
}

const PAGES_RANGE: Range = { min: 0, max: MAX_PAGES, why: `a trace simulates at most ${MAX_PAGES} pages` };

/** Ranges by argument name; other integers are bounded like a refcount. */
const RANGES: Readonly<Record<string, Range>> = {
  page: PAGES_RANGE,
  first: PAGES_RANGE,
  nr: PAGES_RANGE,
  times: { min: 0, max: MAX_REFCOUNT, why: "a folio's refcount is a 32-bit atomic_t" },
  size: { min: 0, max: MAX_DMA_SIZE, why: 'a trace maps at most 4 GiB at once' },
  nents: { min: 0, max: MAX_NENTS, why: `a trace maps at most ${MAX_NENTS} scatterlist entries at once` },
};
const DEFAULT_RANGE: Range = { min: 0, max: MAX_REFCOUNT, why: 'values are 32-bit' };
/** A release count may be an errno (`unpin_user_pages(pages, ret)` with ret < 0). */
const COUNT_RANGE: Range = { min: -MAX_ERRNO, max: MAX_PAGES, why: 'a count is an errno or a number of pages' };

function outOfRange(raw: string, r: Range): string {
  return `${shown(raw)} is out of range: from ${r.min} to ${r.max} (${r.why})`;
}

/** `refcount=N` on a pages line. */
export const REFCOUNT_RANGE: Range = DEFAULT_RANGE;
/** `@LINE:COLUMN`. */
export const POSITION_RANGE: Range = { min: 1, max: MAX_SOURCE_POSITION, why: 'a position in a C file' };
/** `-> N`: pages taken, segments mapped, or a negative errno number. */
export const RESULT_RANGE: Range = {
  min: -MAX_ERRNO,
  max: Math.max(MAX_PAGES, MAX_NENTS),
  why: 'a result is a count of pages or segments, or an errno',
};

/** The number `raw` says, or why it is not one in `range`. */
export function boundedInt(raw: string, range: Range): number | { error: string } {
  if (!INT.test(raw)) {
    return {
      error:
        range.min >= 0
          ? `expected a non-negative integer, not "${shown(raw)}"`
          : `expected an integer, not "${shown(raw)}"`,
    };
  }
  const n = Number(raw);
  if (n < range.min || n > range.max) return { error: outOfRange(raw, range) };
  return n;
}

/** The value of `key=raw` for an argument of `kind`, or the error message for it. */
export function parseValue(key: string, kind: ArgKind, raw: string): ArgValue | { error: string } {
  switch (kind) {
    case 'int':
      return boundedInt(raw, RANGES[key] ?? DEFAULT_RANGE);
    case 'count':
      return boundedInt(raw, COUNT_RANGE);
    case 'bool':
      return raw === 'true' ? true : raw === 'false' ? false : { error: `expected true or false, not "${shown(raw)}"` };
    case 'flags': {
      if (raw === '0') return '0';
      const bad = raw.split('|').find((f) => !isFollFlagName(f));
      return bad === undefined ? raw : { error: `unknown FOLL_* flag "${shown(bad)}"` };
    }
    case 'direction':
      return (DMA_DIRECTIONS as readonly string[]).includes(raw)
        ? raw
        : {
            error: `expected a DMA direction (DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL), not "${shown(raw)}"`,
          };
    case 'word':
      return raw.length > 0 ? raw : { error: 'expected a value' };
  }
}
