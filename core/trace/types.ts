/**
 * `.pinsim` traces: one path through a function (or a hand-written scenario) as a small text
 * language — memory setup, then one call per line, each with the source location it came from.
 *
 *     # afu_dma_pin_pages, path 2 of 3: pinned < 0: false → pinned != npages: true
 *     kernel 6.12
 *     function afu_dma_pin_pages
 *     pages 8 base
 *     pin_user_pages_fast nr=8 flags=FOLL_WRITE -> 3     @18:11
 *     branch "pinned != npages" true                     @23:13
 *     return -EFAULT                                     @38:2
 *
 * See docs/pinsim.md for the full language.
 */

/** The kinds of user memory a trace can set up (`pages N KIND`). */
export const PAGE_KINDS = ['base', 'thp', 'hugetlb', 'zero'] as const;

/**
 * base: 4 KiB pages, one folio each; thp and hugetlb: 2 MB folios of 512 pages; zero: every page
 * maps the one shared zero page.
 */
export type PageKind = (typeof PAGE_KINDS)[number];

export interface MemoryRegion {
  readonly count: number;
  readonly kind: PageKind;
  /** Pages in ZONE_MOVABLE/CMA: FOLL_LONGTERM migrates them before pinning. */
  readonly movable: boolean;
  /** Starting refcount of each folio (default 1: mapped once). */
  readonly refcount?: number;
}

export type ArgValue = string | number | boolean;

export interface TraceStep {
  /** The call (`pin_user_pages_fast`, `put_page`, `branch`, `return` …). */
  readonly call: string;
  readonly args: Readonly<Record<string, ArgValue>>;
  /** For acquires: pages taken (a count) or an errno (`-EFAULT`). */
  readonly result?: number | string;
  /** For `branch`: the condition text; for `return`: the returned expression. */
  readonly text?: string;
  /** For `branch`: the value taken. */
  readonly value?: boolean;
  /** 1-based source location the step came from. */
  readonly line?: number;
  readonly column?: number;
  readonly comment?: string;
  /** The 1-based line of the `.pinsim` text this step was parsed from (absent when made in memory). */
  readonly traceLine?: number;
}

export interface Trace {
  readonly kernel?: string;
  readonly function?: string;
  readonly source?: string;
  /** Leading comment lines (kept by the printer, e.g. the path's label). */
  readonly comments: readonly string[];
  readonly memory: readonly MemoryRegion[];
  readonly steps: readonly TraceStep[];
}

export interface TraceError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type ParseResult =
  { readonly ok: true; readonly trace: Trace } | { readonly ok: false; readonly errors: readonly TraceError[] };

export function formatTraceError(e: TraceError, file?: string): string {
  return `${file ? `${file}:` : ''}${e.line}:${e.column}: ${e.message}`;
}
