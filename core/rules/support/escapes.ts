/**
 * Where an acquire's pages are kept past the call (stored in a field or global, returned, passed
 * out): gup-for-dma reads FOLL_WRITE pages kept for later as written, missing-longterm reads pins
 * kept in long-lived objects as long-term.
 */
import type { AcquireSite, Site } from '../../fileAnalysis/linkage';
import type { EscapeOp } from '../../analysis/ops';
import { baseKey } from '../../analysis/storage';

/** The escapes of the acquire's pages in its own function, other than being passed to a call. */
export function escapesOf(site: AcquireSite): Site<EscapeOp>[] {
  const out: Site<EscapeOp>[] = [];
  const key = site.op.pages?.key;
  if (!key) return out;
  for (const node of site.fn.cfg.nodes) {
    for (const op of node.ops) {
      if (op.kind === 'escape' && baseKey(op.pages.key) === baseKey(key) && op.how !== 'call')
        out.push({ fn: site.fn, node, op });
    }
  }
  return out;
}
