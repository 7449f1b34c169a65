/**
 * DMA API calls in `.pinsim` traces (dma-api.rst). Filled in by the DMA simulation.
 */
import type { StepSpec } from './vocabulary';

export const DMA_TRACE_CALLS: ReadonlyMap<string, StepSpec> = new Map();
