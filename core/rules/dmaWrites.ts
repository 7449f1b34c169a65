/**
 * DMA mappings through which the device writes the pages (DMA_FROM_DEVICE or DMA_BIDIRECTIONAL):
 * evidence for gup-for-dma and missing-foll-write.
 */
import type { FileAnalysis } from '../analysis/file';
import type { AcquireSite, Linkage } from '../analysis/linkage';
import { baseKey } from '../analysis/storage';
import type { Span } from '../findings';
import { deviceWriteMaps } from './dmaRules';
import { fnName, lineOf, spanOf } from './report';

export interface DmaWrite {
  readonly span: Span;
  readonly what: string;
}

export function isDmaWrite(file: FileAnalysis, linkage: Linkage, site: AcquireSite): DmaWrite[] {
  void linkage;
  const key = site.op.pages?.key;
  if (!key) return [];
  const keys = new Set([key, baseKey(key)]);
  return deviceWriteMaps(site.fn, keys).map(({ map, via }) => ({
    span: spanOf(map.node),
    what: `mapped ${map.dir} by ${fnName(map.name)}${via !== map.name ? ` (through ${fnName(via)})` : ''} at line ${lineOf(file, map.node)}, so the device writes them`,
  }));
}
