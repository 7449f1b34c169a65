/**
 * DMA mappings through which the device writes the pages (DMA_FROM_DEVICE or DMA_BIDIRECTIONAL):
 * evidence for gup-for-dma and missing-foll-write.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { deviceWrites } from '../../catalog/dma';
import { canonical, unwrap } from '../../analysis/expr';
import type { FileAnalysis } from '../../fileAnalysis/types';
import type { FunctionAnalysis } from '../../analysis/types';
import type { AcquireSite } from '../../fileAnalysis/linkage';
import type { DmaOp } from '../../analysis/ops';
import { baseKey } from '../../analysis/storage';
import type { Span } from '../../findings';
import { dmaOps, sgKey } from './dmaOps';
import { fnName, lineOf, spanOf } from './finding';

export interface DmaWrite {
  readonly span: Span;
  readonly what: string;
}

/** The device-writing DMA maps of the pages an acquire filled, described for a message. */
export function dmaWritesOf(file: FileAnalysis, site: AcquireSite): DmaWrite[] {
  const key = site.op.pages?.key;
  if (!key) return [];
  const keys = new Set([key, baseKey(key)]);
  return deviceWriteMaps(site.fn, keys).map(({ map, via }) => ({
    span: spanOf(map.node),
    what: `mapped ${map.dir} by ${fnName(map.name)}${via !== map.name ? ` (through ${fnName(via)})` : ''} at line ${lineOf(file, map.node)}, so the device writes them`,
  }));
}

/** DMA maps of these pages (directly, or through a scatterlist they were put in) the device writes through. */
function deviceWriteMaps(fn: FunctionAnalysis, pageKeys: ReadonlySet<string>): { map: DmaOp; via: string }[] {
  const ops = dmaOps(fn);
  const out: { map: DmaOp; via: string }[] = [];
  // Pages put into a scatterlist or table: the keys of those tables.
  const tables = new Map<string, string>();
  for (const n of fn.cfg.nodes) {
    for (const op of n.ops) {
      if (op.kind !== 'use' || op.use.kind !== 'dma' || !pageKeys.has(op.pages.key)) continue;
      const first =
        op.node.type === 'call_expression' ? op.node.childForFieldName('arguments')?.namedChildren[0] : undefined;
      if (first && /^sg_/.test(op.use.name))
        tables.set(
          sgKey(
            canonical(
              unwrap(first).type === 'pointer_expression'
                ? (unwrap(first).childForFieldName('argument') as SyntaxNode)
                : first,
            ),
          ) as string,
          op.use.name,
        );
    }
  }
  for (const map of ops) {
    if (map.api.role !== 'map' || !deviceWrites(map.dir)) continue;
    if (map.api.type === 'sg' && map.key && tables.has(sgKey(map.key) as string))
      out.push({ map, via: tables.get(sgKey(map.key) as string) as string });
    if (map.api.params.includes('page') && map.buffer) {
      const b = unwrap(map.buffer);
      const base = b.type === 'subscript_expression' ? b.childForFieldName('argument') : b;
      if (base && pageKeys.has(canonical(base))) out.push({ map, via: map.name });
    }
  }
  return out;
}
