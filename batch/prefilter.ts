/**
 * The byte-level prefilter: a file that contains none of core's needles (PREFILTER_NEEDLES, the
 * catalogued names every finding starts from) cannot contain a call any rule reports on, so it is
 * not parsed. It is what most of a whole-tree run costs besides reading (58,000 of 60,000 kernel
 * files stop here), so it is two regular expressions over the bytes as a Latin-1 string (one
 * character per byte, copied natively): V8 compiles them to machine code that skips ahead on the
 * first characters, which measured 2–3× faster on the 6.12 tree than a Buffer.indexOf per anchor
 * followed by an Aho–Corasick automaton in JavaScript (the same files pass).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { PREFILTER_NEEDLES } from '../core/index';

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Short substrings at least one of which every needle contains: most files have none, and this
 * short alternation rules them out fastest.
 */
const ANCHORS = ['_page', '_folio', 'dma_'];
for (const needle of PREFILTER_NEEDLES) {
  if (!ANCHORS.some((a) => needle.includes(a))) ANCHORS.push(needle);
}
const anchor = new RegExp(ANCHORS.map(escape).join('|'));

/**
 * The needles as one expression factored by common prefixes (`dma(?:_(?:map_(?:s(?:g|ingle)|…`),
 * so that it reads each position once instead of trying every needle there.
 */
function factored(words: readonly string[]): string {
  if (words.includes('')) return ''; // a needle ends here: what follows does not matter
  const byFirst = new Map<string, string[]>();
  for (const w of words) {
    const first = w.charAt(0);
    byFirst.set(first, [...(byFirst.get(first) ?? []), w.slice(1)]);
  }
  const alternatives = [...byFirst].map(([first, rest]) => escape(first) + factored(rest));
  return alternatives.length === 1 ? (alternatives[0] as string) : `(?:${alternatives.join('|')})`;
}
const needles = new RegExp(factored(PREFILTER_NEEDLES));

const LONGEST_NEEDLE = Math.max(...PREFILTER_NEEDLES.map((n) => Buffer.byteLength(n, 'latin1')));
/**
 * The text is made 64 KiB at a time (windows overlapping by a needle's length): a whole large file
 * as one string lands in V8's large-object space, which only a full collection frees, and a
 * whole-tree run then held ~100 MB more. Windows this size die young.
 */
const WINDOW = 1 << 16;

/** Whether `bytes[0..length)` contains any needle. */
export function mayContainCatalogued(bytes: Uint8Array, length = bytes.length): boolean {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let start = 0; ; start += WINDOW - (LONGEST_NEEDLE - 1)) {
    const end = Math.min(length, start + WINDOW);
    const text = buf.toString('latin1', start, end);
    if (anchor.test(text) && needles.test(text)) return true;
    if (end >= length) return false;
  }
}

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
