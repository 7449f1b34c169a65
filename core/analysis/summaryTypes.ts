/**
 * What a call to a function defined in the file does, as plain data: which parameter (or field
 * of one) it acquires pages into, releases or uses, and which it maps, unmaps or checks with the
 * DMA API. Plain on purpose — numbers, strings and catalog names, no syntax nodes and no closures —
 * so that a summary can be stored, compared and, for issue 12, carried from one file to another;
 * summaries.ts turns one into operations at each call (`helperOpsAt`).
 */
import type { FlagSet } from './flags';

/** Where in a parameter the pages or the mapping are: the parameter itself, or a field of it (`->pgs`). */
export interface ParamPlace {
  readonly paramIndex: number;
  /** `->pages` when the pages are a field of the parameter; null for the parameter itself. */
  readonly fieldSuffix: string | null;
}

/** How a helper reports the number of pages it took: its return value, or `*param += n`. */
export type CountOut = { readonly kind: 'return' } | { readonly kind: 'param'; readonly index: number } | null;

/** A helper's GUP acquire into one of its parameters. */
export interface HelperAcquire extends ParamPlace {
  /** The catalogued call inside the helper (`pin_user_pages_fast`). */
  readonly api: string;
  readonly family: 'get' | 'pin';
  readonly flags: FlagSet;
  readonly prefault: boolean;
  readonly single: boolean;
  readonly countOut: CountOut;
  readonly nrParam: number | null;
  /** The file-wide key and struct of the pages' storage inside the helper. */
  readonly fileKey: string | null;
  readonly structName: string | null;
  /** Where the inner call is, in the file (offsets). */
  readonly at: { readonly start: number; readonly end: number };
  /**
   * A parameter the helper writes an identity of the pages through (`*pfn = page_to_pfn(pages[0])`
   * in vfio's vaddr_get_pfns()): the caller can release them by that pfn (`put_pfn(*pfn, …)`).
   */
  readonly identityOut?: number;
}

/**
 * A helper's release of pages one of its parameters holds — or names by page frame number
 * (`put_pfn(pfn)`: `unpin_user_pages_dirty_lock(&pfn_to_page(pfn), 1, …)`).
 */
export interface HelperRelease extends ParamPlace {
  readonly family: 'get' | 'pin' | null;
  readonly countParam: number | null;
  readonly single: boolean;
  /** Dirtied on release: never, always, or as the parameter `dirtyParam` says. */
  readonly dirty: 'no' | 'yes' | 'arg';
  readonly dirtyParam: number | null;
  readonly fileKey: string | null;
  readonly structName: string | null;
  /**
   * The release is a guess from a callee's name (`foo_put_page()` not defined in the file), not a
   * catalogued call or a summarised helper: good enough within the file, never exported to the
   * tree (a header's folio_lock() is not a release).
   */
  readonly guessed?: true;
  /**
   * The release happens only on some paths (under a branch, in a loop, after a label): what the
   * file's own callers are told, but never exported to the tree, where a caller would take it for
   * what every call does (__folio_lock() drops the folio only when asked to).
   */
  readonly conditional?: true;
}

/** A helper's use of the data of pages a parameter holds (pageUse.ts by name). */
export interface HelperUse extends ParamPlace {
  readonly use: string;
  readonly fileKey: string | null;
  readonly structName: string | null;
}

/**
 * A helper's effect on a DMA mapping one of its parameters names, in the order they happen on
 * its success paths: `iaa_remap_for_verify(dev, wq, req, …)` unmaps req->dst and req->src, then
 * maps req->src DMA_FROM_DEVICE and req->dst DMA_TO_DEVICE.
 */
export interface HelperDmaEffect extends ParamPlace {
  readonly kind: 'map' | 'unmap';
  /** The DMA API call inside the helper (catalog/dma.ts by name). */
  readonly api: string;
  /** The DMA_* direction as written, or null. */
  readonly dir: string | null;
  /**
   * For maps: how the caller learns that it failed — the helper returns 0 on success and -errno
   * on failure, having undone its maps ('status'), or returns 0 on failure and something else on
   * success ('zero': `if (dma_mapping_error(…)) return 0; … return 1;`). Maps with any other
   * convention are not summarised.
   */
  readonly failure: 'status' | 'zero' | null;
}

/**
 * Where a fact from another file (a function's summary, a macro) is defined, relative to the tree
 * the index was built for (issue 12): what a finding whose reasoning used it names as a related
 * location in that file.
 */
export interface FactOrigin {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

export interface HelperSummary {
  readonly name: string;
  /** Set when the summary comes from another file (the tree index); absent for the file's own helpers. */
  readonly origin?: FactOrigin;
  readonly acquires: readonly HelperAcquire[];
  readonly releases: readonly HelperRelease[];
  readonly uses: readonly HelperUse[];
  readonly dma: readonly HelperDmaEffect[];
}

export type HelperSummaries = ReadonlyMap<string, HelperSummary>;

/**
 * A function-like macro of another file that only renames a catalogued DMA call (`#define
 * xdrv_map(d, p, n) dma_map_single(d, p, n, DMA_TO_DEVICE)`): the call it expands to, each of
 * that call's arguments either the macro's parameter `param` or the text written in the macro.
 */
export interface WrapperMacro {
  readonly name: string;
  readonly api: string;
  readonly args: readonly ({ readonly param: number } | { readonly text: string })[];
  readonly origin: FactOrigin;
}
