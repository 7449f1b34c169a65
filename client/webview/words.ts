/**
 * The panel's words for the simulation's values: outcomes, page kinds, counts and differences, and
 * a documentation link's title. Shared by the header, the page table and the counters.
 */
import type { PageKind, PathOutcome } from './protocol';

export const OUTCOME_TEXT: Record<PathOutcome, string> = {
  clean: 'clean',
  leak: 'leak',
  mismatch: 'release mismatch',
  'double-release': 'double release',
  'count-mismatch': 'count mismatch',
  'use-after-release': 'use after release',
  invalid: 'invalid call',
  'dma-error': 'DMA API error',
};

/** `1 page`, `4 pages`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A signed difference: `+1024`, `−1`. */
export function signed(n: number): string {
  return n > 0 ? `+${n}` : `−${Math.abs(n)}`;
}

export function kindText(kind: PageKind): string {
  return kind === 'thp' ? 'THP' : kind === 'hugetlb' ? 'hugetlb' : kind === 'zero' ? 'zero page' : 'base';
}

/** `pin_user_pages.rst § tracking-dma-pinned-pages` for a docs.kernel.org link. */
export function docTitle(url: string): string {
  const m = /docs\.kernel\.org\/(?:.*\/)?([^/#]+)\.html(?:#(.+))?$/.exec(url);
  if (!m) return 'Documentation';
  return `${m[1]}.rst${m[2] ? ` § ${m[2].replace(/-/g, ' ')}` : ''}`;
}
