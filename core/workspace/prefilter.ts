/**
 * The byte-level prefilter: a file that contains none of these byte strings cannot contain a call
 * any rule reports on, so it is not parsed. Checked with Buffer.indexOf on the raw bytes (native
 * memchr-style search), which keeps whole-tree runs close to the cost of reading every byte once.
 *
 * Prefixes cover families: "get_user_page" matches get_user_pages, _fast, _remote, _unlocked,
 * _fast_only and get_user_page_fast_only.
 */
import { ACQUIRE_APIS, RELEASE_APIS } from '../catalog/gup';
import { DMA_ACQUIRE_NAMES } from '../catalog/dma';
import { MultiSearch } from './multiSearch';

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

const search = new MultiSearch(PREFILTER_NEEDLES);

/**
 * Short substrings at least one of which every needle contains. Buffer.indexOf (native, SIMD
 * memmem) rules most files out at memory speed; the automaton then reads only the rest.
 */
const ANCHORS = ['_page', '_folio', 'dma_'];
for (const needle of PREFILTER_NEEDLES) {
  if (!ANCHORS.some((a) => needle.includes(a))) ANCHORS.push(needle);
}
const anchorBuffers = ANCHORS.map((a) => Buffer.from(a, 'latin1'));

/** Whether `bytes[0..length)` contains any needle. */
export function mayContainCatalogued(bytes: Uint8Array, length = bytes.length): boolean {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const view = length === buf.length ? buf : buf.subarray(0, length);
  let anchored = false;
  for (const anchor of anchorBuffers) {
    if (view.indexOf(anchor) >= 0) {
      anchored = true;
      break;
    }
  }
  return anchored && search.test(bytes, length);
}

export function textMayContainCatalogued(text: string): boolean {
  for (const needle of PREFILTER_NEEDLES) if (text.includes(needle)) return true;
  return false;
}
