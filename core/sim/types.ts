/**
 * The simulation's data: pages and folios as the kernel counts them, the vmstat counters, the
 * steps of a path and what went wrong at each. Plain data; the webview, the CLI's step table and
 * the JSON output all render this.
 */
import type { Span } from '../findings';
import type { PageKind } from '../trace/types';

// The trace language defines the kinds of memory; the simulation's results name them.
export type { PageKind } from '../trace/types';

export interface PageState {
  /** Index in the user buffer (page k of the range). */
  readonly index: number;
  readonly kind: PageKind;
  /** Which folio the page belongs to (pages of one THP share a folio). */
  readonly folio: number;
  /** folio_ref_count() of the page's folio. */
  readonly refcount: number;
  /** The folio's exact pin count (`_pincount`) for large folios; null for small pages (bias only). */
  readonly pincount: number | null;
  /** folio_maybe_dma_pinned(). */
  readonly maybeDmaPinned: boolean;
  readonly dirty: boolean;
  /** References and pins this path holds on the page right now (what it still owes). */
  readonly heldRefs: number;
  readonly heldPins: number;
}

/** One live entry of dma-debug's table (kernel/dma/debug.c struct dma_debug_entry). */
export interface DmaMappingState {
  /** The trace's name for the mapping (`id=` in .pinsim). */
  readonly id: string;
  /** dma-debug's entry type: single, sg, coherent, resource, noncoherent (pool blocks show as coherent). */
  readonly type: string;
  readonly device: string;
  /** The DMA address dma-debug keys the entry on, as hex. */
  readonly address: string;
  readonly size: number;
  readonly direction: string;
  /** sg entries: nents given to dma_map_sg() and segments it mapped. */
  readonly sgCallEnts?: number;
  readonly mappedEnts?: number;
  /** Whether dma_mapping_error() was called on the handle (single/resource only). */
  readonly mapErr: 'not-checked' | 'checked' | 'n/a';
  /** Pages of the simulated memory this mapping covers. */
  readonly pages: readonly number[];
}

/** dma-debug's debugfs counters (/sys/kernel/debug/dma-api/). */
export interface DmaDebugCounters {
  readonly error_count: number;
  readonly num_errors: number;
  readonly num_free_entries: number;
  readonly min_free_entries: number;
  readonly nr_total_entries: number;
}

export interface DmaState {
  readonly mappings: readonly DmaMappingState[];
  readonly counters: DmaDebugCounters;
}

export interface VmStat {
  readonly nr_foll_pin_acquired: number;
  readonly nr_foll_pin_released: number;
}

export type ViolationKind =
  | 'release-mismatch'
  | 'double-release'
  | 'count-mismatch'
  | 'negative-count'
  | 'use-after-release'
  | 'leak'
  | 'invalid-args'
  | 'overflow'
  | 'zero-page-write'
  | 'dma';

export interface Violation {
  readonly kind: ViolationKind;
  readonly message: string;
  /** The kernel's own words for it, where the kernel prints something (WARN text, dma-debug). */
  readonly kernelMessage?: string;
  readonly docsUrl?: string;
}

export interface SimStep {
  readonly index: number;
  /** The call as written in the trace (`pin_user_pages_fast(4 pages, FOLL_WRITE)`). */
  readonly call: string;
  /** 1-based source line the step came from, when it came from source. */
  readonly line: number | null;
  readonly span?: Span;
  readonly pages: readonly PageState[];
  readonly vmstat: VmStat;
  readonly violations: readonly Violation[];
  /** dma-debug's table after the step, when the trace uses the DMA API. */
  readonly dma?: DmaState;
  /** Return value of the call, when it has one (pages pinned, -EINVAL …). */
  readonly result?: string;
  readonly note?: string;
}

export type PathOutcome =
  'clean' | 'leak' | 'mismatch' | 'double-release' | 'count-mismatch' | 'use-after-release' | 'invalid' | 'dma-error';

export interface SimPath {
  /** 1-based, in the path engine's order (what `--path N` and `extract` number), when from source. */
  readonly index?: number;
  readonly outcome: PathOutcome;
  /** One line: the branches taken (`ret < 0: false → ret != npages: true → return -EFAULT`). */
  readonly label: string;
  readonly initial: { readonly pages: readonly PageState[]; readonly vmstat: VmStat; readonly dma?: DmaState };
  readonly steps: readonly SimStep[];
}

export interface SimulationReport {
  readonly function: string;
  readonly kernelVersion: string;
  readonly paths: readonly SimPath[];
  /** The path budget cut the enumeration short. */
  readonly partial: boolean;
  readonly notes: readonly string[];
}

/** A function the simulation can run, for code lenses and the function picker. */
export interface SimTarget {
  readonly name: string;
  /** The function's name in its definition. */
  readonly span: Span;
  readonly paths: number;
  readonly partial: boolean;
}

export interface SimOptions {
  readonly pages?: number;
  readonly pageKind?: PageKind;
  /** Outcome of the acquire: all pinned, partial k of n, or an error. */
  readonly acquireOutcome?: 'full' | { readonly partial: number } | 'error';
  /** Only this path (1-based, in report order). */
  readonly path?: number;
}
