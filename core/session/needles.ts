/**
 * Whether a text can hold anything a rule reports on: the catalogued names (prefixes) every
 * finding starts from. A text with none of them is not parsed at all — by the editor (server
 * scheduler, on the text) and by whole-tree runs (batch/prefilter.ts, on the raw bytes).
 *
 * Prefixes cover families: "get_user_page" matches get_user_pages, _fast, _remote, _unlocked,
 * _fast_only and get_user_page_fast_only.
 */
import { DMA_ACQUIRE_NAMES } from '../catalog/dma';
import { ACQUIRE_APIS, RELEASE_APIS } from '../catalog/gup';

function prefixesFrom(names: readonly string[]): string[] {
  const sorted = [...new Set(names)].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const n of sorted) if (!kept.some((k) => n.startsWith(k))) kept.push(n);
  return kept;
}

/**
 * Needles: every acquire, the pin-family and renamed releases (api-version can flag those even
 * without an acquire in the file), and the DMA maps and allocations. put_page()/release_pages()
 * or dma_unmap_*() alone are not needles: without an acquire in the same file no rule can say
 * anything about them.
 */
export const PREFILTER_NEEDLES: readonly string[] = prefixesFrom([
  ...ACQUIRE_APIS.map((a) => a.name),
  ...RELEASE_APIS.filter((r) => r.family === 'pin').map((r) => r.name),
  ...DMA_ACQUIRE_NAMES,
  'get_user_page',
  'pin_user_page',
]);

export function textMayContainCatalogued(text: string): boolean {
  for (const needle of PREFILTER_NEEDLES) if (text.includes(needle)) return true;
  return false;
}
