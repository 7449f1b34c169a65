/**
 * Which functions of a file the analysis builds graphs for, decided from names alone: a function's
 * name and the names it calls. One decision, used twice — by analyzeFile on the syntax tree, and
 * before parsing by focused batch lint on a lexical scan — so both always agree.
 */
import { ACQUIRE_APIS, RELEASE_APIS } from '../catalog/gup';
import { DIRTY_CALLS, PAGE_USES, EXTRA_REFERENCE_CALLS } from '../catalog/pageUse';
import {
  COHERENT_ALLOC_NAMES,
  COHERENT_FREE_NAMES,
  DMA_RELEVANT_NAMES,
  DMA_UNMAP_NAMES,
  SG_COUNT_MAP_NAMES,
  SG_COUNT_TAKER_NAMES,
  SINGLE_DEVICE_SYNC_NAMES,
} from '../catalog/dma';
import { mayBeReleaseHelper } from '../catalog/helpers';
import type { LexicalFunction } from '../parse/focus';

/** Names of other files' functions (and wrapper macros) with page or with DMA effects. */
export interface ExternalNames {
  readonly pages: ReadonlySet<string>;
  readonly dma: ReadonlySet<string>;
}

const NO_EXTERNAL_NAMES: ExternalNames = { pages: new Set(), dma: new Set() };

export interface FunctionCalls {
  readonly name: string | null;
  /** Every identifier followed by `(` in the body. */
  readonly calls: ReadonlySet<string>;
}

const GUP_ACQUIRE_NAMES: ReadonlySet<string> = new Set(ACQUIRE_APIS.map((a) => a.name));
const DMA_NAMES: ReadonlySet<string> = new Set(DMA_RELEVANT_NAMES);
const DMA_UNMAPS: ReadonlySet<string> = new Set(DMA_UNMAP_NAMES);
const COHERENT_ALLOCS: ReadonlySet<string> = new Set(COHERENT_ALLOC_NAMES);
const COHERENT_FREES: ReadonlySet<string> = new Set(COHERENT_FREE_NAMES);
const SG_COUNT_MAPS: ReadonlySet<string> = new Set(SG_COUNT_MAP_NAMES);
const SG_COUNT_TAKERS: ReadonlySet<string> = new Set(SG_COUNT_TAKER_NAMES);
const SINGLE_DEVICE_SYNCS: ReadonlySet<string> = new Set(SINGLE_DEVICE_SYNC_NAMES);

function callsAny(f: FunctionCalls, names: ReadonlySet<string>): boolean {
  for (const n of f.calls) if (names.has(n)) return true;
  return false;
}

/** Names that make a function worth a graph, once the file takes pages somewhere. */
const PAGE_INTERESTING_NAMES: ReadonlySet<string> = new Set<string>([
  ...GUP_ACQUIRE_NAMES,
  ...RELEASE_APIS.map((r) => r.name),
  ...PAGE_USES.map((u) => u.name),
  ...DIRTY_CALLS.map((d) => d.name),
  ...EXTRA_REFERENCE_CALLS,
]);

/** Release names api-version checks even where nothing is acquired (renamed or version-bound). */
const VERSIONED_RELEASES: ReadonlySet<string> = new Set(
  RELEASE_APIS.filter((r) => r.family === 'pin').map((r) => r.name),
);

const CALLED = /\b([A-Za-z_]\w*)\s*\(/g;

/** Identifiers followed by `(` in `text` (calls, and macro invocations that look like them). */
export function calledNamesIn(text: string): Set<string> {
  const names = new Set<string>();
  CALLED.lastIndex = 0;
  for (let m = CALLED.exec(text); m !== null; m = CALLED.exec(text)) names.add(m[1] as string);
  return names;
}

/**
 * Indices of the functions worth a graph. Pages: in a file that takes no pages anywhere, only
 * the functions calling pin-family releases (api-version); otherwise every function touching
 * pages, or calling one that does, because releases and uses link to acquires across functions
 * through helper summaries. DMA: only functions that map or allocate themselves (or check a
 * mapping for a caller), and the unmap helpers they call (their summaries say what a call
 * unmaps) — pulling in every caller made whole drivers (probe, open, xmit) relevant.
 */
export function relevantFunctions(
  all: readonly FunctionCalls[],
  external: ExternalNames = NO_EXTERNAL_NAMES,
  summarising = false,
): Set<number> {
  const defined = new Set<string>();
  for (const f of all) if (f.name !== null) defined.add(f.name);
  // Other files' functions with page or DMA effects (the tree index) count like the catalogued
  // calls they stand for.
  const externalPages = (f: FunctionCalls): boolean => {
    for (const n of f.calls) if (external.pages.has(n) && !defined.has(n)) return true;
    return false;
  };
  const externalDma = (f: FunctionCalls): boolean => {
    for (const n of f.calls) if (external.dma.has(n) && !defined.has(n)) return true;
    return false;
  };
  const pageSeed = (f: FunctionCalls): boolean => {
    if (externalPages(f)) return true;
    for (const n of f.calls)
      if (PAGE_INTERESTING_NAMES.has(n) || (!defined.has(n) && mayBeReleaseHelper(n))) return true;
    return false;
  };
  if (summarising) {
    // The tree index: every function that touches pages or DMA, or calls an in-file function
    // that does, so that its summary can say what a call of it does.
    return callerClosure(
      all,
      (f) => pageSeed(f) || callsAny(f, DMA_NAMES) || callsAny(f, DMA_UNMAPS) || externalDma(f),
    );
  }
  const relevant = new Set<number>();
  if (all.some((f) => callsAny(f, GUP_ACQUIRE_NAMES) || externalPages(f))) {
    for (const i of callerClosure(all, pageSeed)) relevant.add(i);
  } else {
    all.forEach((f, i) => {
      if (callsAny(f, VERSIONED_RELEASES)) relevant.add(i);
    });
  }
  const calledForDma = new Set<string>();
  all.forEach((f, i) => {
    if (!callsAny(f, DMA_NAMES) && !externalDma(f)) return;
    relevant.add(i);
    for (const n of f.calls) calledForDma.add(n);
  });
  // An unmap helper that a mapping function calls: its summary tells the caller what it unmaps
  // (summaries.ts, dmaSummary.ts).
  all.forEach((f, i) => {
    if (f.name !== null && calledForDma.has(f.name) && callsAny(f, DMA_UNMAPS)) relevant.add(i);
  });
  return relevant;
}

/** Functions that call something `seed` accepts, directly or through in-file calls. */
function callerClosure(all: readonly FunctionCalls[], seed: (f: FunctionCalls) => boolean): Set<number> {
  const set = new Set<number>();
  const names = new Set<string>();
  all.forEach((f, i) => {
    if (!seed(f)) return;
    set.add(i);
    if (f.name !== null) names.add(f.name);
  });
  for (let changed = true; changed;) {
    changed = false;
    all.forEach((f, i) => {
      if (set.has(i)) return;
      for (const n of f.calls) {
        if (!names.has(n)) continue;
        set.add(i);
        if (f.name !== null) names.add(f.name);
        changed = true;
        return;
      }
    });
  }
  return set;
}

/**
 * Of the top-level functions a lexical scan found in `scannedText`, the indices of the bodies the
 * analysis may read: the relevant ones, and any whose name the scan could not read (the tree
 * might name it something a relevant function calls). What focused parsing keeps, and what the
 * language server's lint memo keys on.
 */
export function keptBodies(
  functions: readonly LexicalFunction[],
  scannedText: string,
  external?: ExternalNames,
  summarising = false,
): Set<number> {
  // Annotations may not be blanked yet, so a body may seem to call more than the tree will say
  // (`__acquires(x)`): that only keeps more, never less.
  const calls = functions.map((f) => ({
    name: f.name,
    calls: calledNamesIn(scannedText.slice(f.bodyStart, f.bodyEnd)),
  }));
  const keep = relevantFunctions(calls, external, summarising);
  functions.forEach((f, i) => {
    if (f.name === null) keep.add(i);
  });
  // Teardown functions that only free coherent memory get no graph, but dma-unmap-mismatch reads
  // their frees against the allocations of the same field elsewhere in the file (coherentPairs.ts).
  if (calls.some((f) => callsAny(f, COHERENT_ALLOCS)))
    calls.forEach((f, i) => {
      if (callsAny(f, COHERENT_FREES)) keep.add(i);
    });
  // Likewise the unmaps and syncs of a file that maps scatterlists: dma-unmap-sg-nents reads their
  // counts against the fields that keep a map's count (countFields.ts).
  if (calls.some((f) => callsAny(f, SG_COUNT_MAPS)))
    calls.forEach((f, i) => {
      if (callsAny(f, SG_COUNT_TAKERS)) keep.add(i);
    });
  // And the single syncs for the device of a file that maps: dma-sync-direction reads the CPU
  // reads that follow them against the buffer the file maps with that handle field.
  if (calls.some((f) => callsAny(f, DMA_NAMES)))
    calls.forEach((f, i) => {
      if (callsAny(f, SINGLE_DEVICE_SYNCS)) keep.add(i);
    });
  return keep;
}
