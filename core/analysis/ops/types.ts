/**
 * What a statement does, as operations the path engine, the rules and the simulation read: GUP
 * acquires, releases, uses of the data, dirtying and extra references (GupOp); DMA API calls and
 * uses of a DMA handle; escapes, where ownership of pages leaves the function. The catalog decides
 * what each function name means; gup.ts, dma.ts and escape.ts classify calls; index.ts walks a
 * region of code.
 */
import type { SyntaxNode } from '../../parse/syntax';
import type { AcquireApi, Family, ReleaseApi, Signature } from '../../catalog/gup';
import type { DirtyCall, PageUse } from '../../catalog/pageUse';
import type { DmaApi } from '../../catalog/dma';
import type { KernelVersion } from '../../catalog/version';
import type { FlagSet, MacroDef } from '../flags';
import type { PreprocSwitches } from '../preproc';
import type { Variable } from '../functions';
import type { StorageContext, StorageRef } from '../storage';
import type { HelperSummaries, WrapperMacro } from '../summaryTypes';

/** Where the acquire's result goes: a variable, or nowhere (used directly in a condition). */
export interface ResultBinding {
  readonly variable: string | null;
  /** The variable's declaration, for gup-result-unsigned. */
  readonly declared: Variable | null;
}

export type CountSpec =
  { readonly kind: 'one' } | { readonly kind: 'expr'; readonly node: SyntaxNode } | { readonly kind: 'unknown' };

interface OpBase {
  /** The call (or assignment / return) the operation comes from. */
  readonly node: SyntaxNode;
}

export interface AcquireOp extends OpBase {
  readonly kind: 'acquire';
  readonly name: string;
  readonly api: AcquireApi;
  readonly signature: Signature | undefined;
  readonly args: readonly SyntaxNode[];
  readonly family: Family;
  readonly pages: StorageRef | null;
  readonly nr: SyntaxNode | null;
  /** nr is the literal 1 (single page): there is no partial result. */
  readonly single: boolean;
  /** `pages` is NULL: the call only faults the range in and takes no references. */
  readonly prefault: boolean;
  readonly flagsArg: SyntaxNode | null;
  readonly flags: FlagSet;
  readonly result: ResultBinding;
  /** Set when the acquire is a call to an in-file function that acquires into a parameter. */
  readonly helper?: {
    readonly name: string;
    readonly countOutParam: number | null;
    readonly returnsCount: boolean;
    /** Where the GUP call inside the helper is (offsets in the file). */
    readonly inner: { readonly start: number; readonly end: number };
  };
  /**
   * For helpers that report their count through an out-parameter (`lock_pages(..., &pinned)`):
   * the variable that holds the number of pages taken, on success and on failure alike.
   */
  readonly heldCount?: string;
  /**
   * The caller's key of an identity of the pages the helper wrote out (`*pfn_base`, set by
   * `*pfn = page_to_pfn(pages[0])` inside it): a release of that key releases these pages.
   */
  readonly identityKey?: string;
}

export interface ReleaseOp extends OpBase {
  readonly kind: 'release';
  readonly name: string;
  readonly api: ReleaseApi | null;
  /** null when a helper's family is unknown. */
  readonly family: Family | null;
  readonly pages: StorageRef | null;
  readonly count: CountSpec;
  readonly dirty: 'no' | 'yes' | 'arg';
  readonly dirtyArg: SyntaxNode | null;
  /** How the release was recognised: a catalogued call, a helper of this file or another's (the tree index), or a helper by name. */
  readonly via: 'catalog' | 'in-file' | 'cross-file' | 'by-name';
  /** Set when the release is a whole loop (`for (i = 0; i < n; i++) put_page(p[i]);`). */
  readonly bulk?: BulkLoop;
}

export interface UseOp extends OpBase {
  readonly kind: 'use';
  readonly use: PageUse;
  readonly pages: StorageRef;
  /** Through an in-file helper: its name. */
  readonly viaHelper?: string;
}

export interface DirtyOp extends OpBase {
  readonly kind: 'dirty';
  readonly dirty: DirtyCall;
  readonly pages: StorageRef;
}

export interface ExtraRefOp extends OpBase {
  readonly kind: 'extra-ref';
  readonly name: string;
  readonly pages: StorageRef;
}

export type EscapeHow = 'field' | 'global' | 'out-param' | 'return' | 'call';

export interface EscapeOp extends OpBase {
  readonly kind: 'escape';
  readonly pages: StorageRef;
  readonly how: EscapeHow;
  /** Where the pages went (`obj->pages`) for field/global/out-param stores. */
  readonly target: StorageRef | null;
  readonly callee?: string;
}

/**
 * A DMA API call (core/catalog/dma.ts). `key` is what identifies the mapping or allocation the
 * call creates, releases, checks or syncs: the handle variable of a single mapping, the
 * scatterlist or sg_table, the CPU address of a coherent allocation, the pool.
 */
export interface DmaOp extends OpBase {
  readonly kind: 'dma';
  readonly name: string;
  readonly api: DmaApi;
  readonly args: readonly SyntaxNode[];
  readonly key: string | null;
  readonly dev: SyntaxNode | null;
  readonly size: SyntaxNode | null;
  /** The DMA_* direction constant as written, or null when it is not a constant. */
  readonly dir: string | null;
  readonly dirNode: SyntaxNode | null;
  /** sg maps, unmaps and syncs: the nents argument. */
  readonly nents: SyntaxNode | null;
  /** The buffer mapped (ptr, page, sg, sgt) or freed (cpu_addr, vaddr). */
  readonly buffer: SyntaxNode | null;
  /** For coherent allocations and pool blocks: where the DMA address is returned (`&dma`). */
  readonly handleOut: string | null;
  /** For pool blocks, creates and destroys: the pool. */
  readonly pool: string | null;
  readonly result: ResultBinding;
  /** Where the call's value goes: the variable, or the field or `*out` it is assigned to. */
  readonly resultKey: string | null;
  /** Made inside an in-file helper this call summarises (summaries.ts): the helper's name. */
  readonly viaHelper?: string;
}

/** A DMA handle used (passed on, stored, written to the device) rather than checked or unmapped. */
export interface DmaUseOp extends OpBase {
  readonly kind: 'dma-use';
  readonly key: string;
  /** `check`: handed to a helper that calls dma_mapping_error() on it (`enic_dma_map_check()`). */
  readonly how: 'use' | 'store' | 'call' | 'return' | 'check';
  readonly callee?: string;
  /** A call's use whose result is stored (`desc->addr = cpu_to_le32(h)`): an address computed from h. */
  readonly computed?: boolean;
}

/** What GUP calls and the page-use catalog do to pages. */
export type GupOp = AcquireOp | ReleaseOp | UseOp | DirtyOp | ExtraRefOp;

/** Every operation a CFG node can carry. */
export type Op = GupOp | DmaOp | DmaUseOp | EscapeOp;

/** A loop that applies the same page operations to every element `base[i]`, i from 0 to count. */
export interface BulkLoop {
  readonly loop: SyntaxNode;
  readonly index: string;
  readonly count: SyntaxNode;
  readonly base: StorageRef;
  /** `if (cond) set_page_dirty*(p)` inside the loop: cond; or 'always'; or null when not dirtied. */
  readonly dirty: { readonly condition: SyntaxNode | null; readonly op: DirtyCall; readonly node: SyntaxNode } | null;
}

export interface OpContext extends StorageContext {
  readonly version: KernelVersion;
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly text: string;
  readonly helpers: HelperSummaries;
  readonly definedFunctions: ReadonlySet<string>;
  /** In-file functions that call dma_mapping_error() on a parameter: name → that parameter's index. */
  readonly mappingCheckers?: ReadonlyMap<string, number>;
  /** What the file's own #define/#undef lines say, for the arms of #if chains (analysis/preproc.ts). */
  readonly preproc?: PreprocSwitches;
  /** Other files' macros that only rename a catalogued DMA call (fileAnalysis/external.ts). */
  readonly wrappers?: ReadonlyMap<string, WrapperMacro>;
}

export type { HelperSummary, HelperSummaries } from '../summaryTypes';
