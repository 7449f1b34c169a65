/**
 * What a file is told about the rest of its tree (issue 12): the summaries of functions it calls
 * but does not define (a header's `static inline bio_release_page()`, a sibling `.c`'s
 * `xdrv_unmap_buf()`), and the macros of the headers it includes (`#define XDRV_FLAGS (FOLL_WRITE
 * | FOLL_PIN)`, `SZ_4K`, a wrapper around dma_map_single()). Plain data, each fact with the place
 * it comes from (FactOrigin), handed in by whoever knows the tree (batch/index/, the server); core
 * reads no other file. The file's own definitions always win over these.
 */
import type { MacroDef } from '../analysis/flags';
import { dmaApi } from '../catalog/dma';
import { acquireApi, releaseApi } from '../catalog/gup';
import { dirtyCall, EXTRA_REFERENCE_CALLS, pageUse } from '../catalog/pageUse';
import type { HelperSummary, WrapperMacro } from '../analysis/summaryTypes';

export interface ExternalFacts {
  readonly helpers: ReadonlyMap<string, HelperSummary>;
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly wrappers: ReadonlyMap<string, WrapperMacro>;
}

/**
 * A name the catalog knows (dma_map_single(), put_page(), …): the catalog says what a call of it
 * does, never another file's summary of it (a header's `static inline dma_map_single()`).
 */
export function isCatalogued(name: string): boolean {
  return (
    dmaApi(name) !== undefined ||
    acquireApi(name) !== undefined ||
    releaseApi(name) !== undefined ||
    pageUse(name) !== undefined ||
    dirtyCall(name) !== undefined ||
    EXTRA_REFERENCE_CALLS.includes(name)
  );
}

export const NO_EXTERNAL_FACTS: ExternalFacts = { helpers: new Map(), macros: new Map(), wrappers: new Map() };

/** Names of the external functions with page effects, and of those (and wrappers) with DMA effects. */
export function externalNames(facts: ExternalFacts): { pages: Set<string>; dma: Set<string> } {
  const pages = new Set<string>();
  const dma = new Set<string>();
  for (const [name, s] of facts.helpers) {
    if (s.acquires.length > 0 || s.releases.length > 0 || s.uses.length > 0) pages.add(name);
    if (s.dma.length > 0) dma.add(name);
  }
  for (const name of facts.wrappers.keys()) dma.add(name);
  return { pages, dma };
}

/** JSON with object keys in a fixed order, so that equal facts always print the same. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** 64-bit FNV-1a of a string, as 16 hex digits: pure, no node:crypto in core. */
function fnv64(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & mask;
  }
  return h.toString(16).padStart(16, '0');
}

/**
 * A stable hash of the facts a file was given (and so may have used): equal facts, equal hash,
 * whatever order they were gathered in. The per-file result cache keys on it (issue 12 item 3),
 * so a header's helper that changes what it does invalidates the results of the files calling it.
 */
export function externalFactsHash(facts: ExternalFacts): string {
  const sorted = <T>(m: ReadonlyMap<string, T>): [string, T][] =>
    [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return fnv64(stable({ h: sorted(facts.helpers), m: sorted(facts.macros), w: sorted(facts.wrappers) }));
}
