/**
 * The DMA API catalog (dma-api.rst, kernel-semantics.md §4). Filled in by the DMA rules.
 */
export const DMA_CALL_NAMES: readonly string[] = [];
