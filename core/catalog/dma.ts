/**
 * The DMA API catalog (dma-api.rst, kernel-semantics.md §4). Filled in by the DMA rules.
 */
export const DMA_CALL_NAMES: readonly string[] = [];

/** DMA calls that create something to release (mappings, coherent memory, pool blocks). */
export const DMA_ACQUIRE_NAMES: readonly string[] = [];
