/**
 * The dma-debug model: live mappings and the error classes of kernel/dma/debug.c. Filled in with
 * the DMA API (kernel-semantics.md §4).
 */
import type { TraceStep } from '../trace/types';
import type { Violation } from './types';

export class DmaState {
  step(step: TraceStep, pageCount: number): { violations: Violation[]; result?: string; note?: string } {
    void pageCount;
    return { violations: [{ kind: 'invalid-args', message: `${step.call}: not simulated` }] };
  }

  atReturn(error: boolean): Violation[] {
    void error;
    return [];
  }
}
