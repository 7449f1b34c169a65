/**
 * DMA mappings through which the device writes the pages (DMA_FROM_DEVICE or DMA_BIDIRECTIONAL):
 * evidence for gup-for-dma and missing-foll-write. Filled in with the DMA catalog.
 */
import type { FileAnalysis } from '../analysis/file';
import type { AcquireSite, Linkage } from '../analysis/linkage';
import type { Span } from '../findings';

export interface DmaWrite {
  readonly span: Span;
  readonly what: string;
}

export function isDmaWrite(file: FileAnalysis, linkage: Linkage, site: AcquireSite): DmaWrite[] {
  void file;
  void linkage;
  void site;
  return [];
}
