/**
 * The byte-level prefilter: a file that contains none of core's needles (PREFILTER_NEEDLES, the
 * catalogued names every finding starts from) cannot contain a call any rule reports on, so it is
 * not parsed. Checked with Buffer.indexOf on the raw bytes (native memchr-style search), which
 * keeps whole-tree runs close to the cost of reading every byte once.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { PREFILTER_NEEDLES } from '../core/index';
import { MultiSearch } from './multiSearch';

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

const LONGEST_NEEDLE = Math.max(...PREFILTER_NEEDLES.map((n) => Buffer.byteLength(n, 'latin1')));
const CHUNK = 1 << 20;

/**
 * `mayContainCatalogued` over a whole file read in 1 MiB windows that overlap by a needle's length,
 * so a file over the size limit is judged without holding it in memory: one that cannot contain a
 * catalogued call is skipped by the prefilter, as a small file would be, rather than reported as
 * too large to analyse (the amdgpu register headers of 8–23 MB).
 */
export function fileMayContainCatalogued(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const window = Buffer.allocUnsafe(CHUNK + LONGEST_NEEDLE);
    let kept = 0;
    for (;;) {
      const n = readSync(fd, window, kept, window.length - kept, null);
      if (n === 0) return false;
      const length = kept + n;
      if (mayContainCatalogued(window, length)) return true;
      kept = Math.min(length, LONGEST_NEEDLE - 1);
      window.copyWithin(0, length - kept, length);
    }
  } finally {
    closeSync(fd);
  }
}
