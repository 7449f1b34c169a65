/** Counting what the result cache did over a run, per worker and then for the whole pool. */
import type { CacheUse } from '../lintFile';

export interface CacheTally {
  hits: number;
  misses: number;
  corrupt: number;
  /** The first reason an entry could not be written (one is enough to say the cache is not being kept). */
  writeError: string | null;
}

export function emptyTally(): CacheTally {
  return { hits: 0, misses: 0, corrupt: 0, writeError: null };
}

export function countUse(tally: CacheTally, use: CacheUse | undefined): void {
  if (!use) return;
  if (use.outcome === 'hit') tally.hits++;
  else if (use.outcome === 'miss') tally.misses++;
  else tally.corrupt++;
  if (use.writeError !== undefined) tally.writeError ??= use.writeError;
}

export function addTally(into: CacheTally, from: CacheTally): void {
  into.hits += from.hits;
  into.misses += from.misses;
  into.corrupt += from.corrupt;
  into.writeError ??= from.writeError;
}
