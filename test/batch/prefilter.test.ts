/**
 * The byte-level prefilter (batch/prefilter.ts) says yes exactly when one of core's needles occurs
 * in the bytes: checked needle by needle, on near misses, against a plain search of every needle
 * on seeded random texts made of needle fragments, and across the 1 MiB windows of a file too
 * large to read whole.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileMayContainCatalogued, mayContainCatalogued } from '../../batch/prefilter';
import { PREFILTER_NEEDLES } from '../../core/index';
import { scratch } from '../cli/harness';

const plain = (text: string): boolean => PREFILTER_NEEDLES.some((n) => text.includes(n));
const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

describe('the prefilter', () => {
  it('finds every needle alone, at the start, in the middle and at the end', () => {
    for (const n of PREFILTER_NEEDLES)
      for (const text of [n, `${n}(x);`, `int f(void) { return ${n}(a, b); }`, `/* é\u00ff */ x = ${n}`])
        expect(mayContainCatalogued(bytes(text)), text).toBe(true);
  });

  it('says no to near misses: releases alone, unmaps, names cut short', () => {
    for (const text of [
      'dma_unmap_single(dev, a, n, DMA_TO_DEVICE);',
      'dmam_pool_destroy(p); dma_free_coherent(d, n, v, h);',
      'put_page(p); unpin_user_pag; get_user_pag; dma_ma_single',
      'struct page *page; folio_put(folio); dma_addr_t dma_handle;',
      '',
    ])
      expect(mayContainCatalogued(bytes(text)), text).toBe(false);
  });

  it('agrees with a plain search of every needle on seeded random texts of needle fragments', () => {
    let seed = 12;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    // Needles cut in two at one place (a random text joins the halves now and then), cut short,
    // whole now and then, and what sits between names in C.
    const pieces = PREFILTER_NEEDLES.flatMap((n) => {
      const cut = random(n.length - 1) + 1;
      return [n.slice(0, cut), n.slice(cut), n.slice(0, -1)];
    });
    pieces.push(...PREFILTER_NEEDLES.slice(0, 4), ' ', '_', '(', '\n', 'dma', 'page', 'folio', '\u00e9');
    let yes = 0;
    for (let i = 0; i < 3000; i++) {
      const text = Array.from({ length: random(8) + 1 }, () => pieces[random(pieces.length)]).join('');
      const expected = plain(text);
      if (expected) yes++;
      expect(mayContainCatalogued(bytes(text)), text).toBe(expected);
      // Only the first `length` bytes count.
      expect(mayContainCatalogued(bytes(`${text}${PREFILTER_NEEDLES[0]}`), text.length), text).toBe(expected);
    }
    expect(yes).toBeGreaterThan(100);
    expect(yes).toBeLessThan(2900);
  });

  it('in memory, a needle across the 64 KiB windows the text is made in is found', () => {
    const window = 1 << 16;
    for (const offset of [window - 30, window - 25, window - 24, window - 1, window, 2 * window - 40, 5 * window + 7]) {
      const text = Buffer.alloc(6 * window, 'x');
      bytes('dma_alloc_noncontiguous').copy(text, offset);
      expect(mayContainCatalogued(text), String(offset)).toBe(true);
      expect(mayContainCatalogued(text, offset + 22), String(offset)).toBe(false);
    }
    expect(mayContainCatalogued(Buffer.alloc(6 * window, 'x'))).toBe(false);
  });

  it('on a file read in windows: a needle across the 1 MiB boundary is found, one past a near miss is not made up', () => {
    const dir = scratch();
    const mib = 1 << 20;
    for (const offset of [mib - 5, mib - 1, mib, 2 * mib + 3]) {
      const file = path.join(dir, `at-${offset}.c`);
      const text = Buffer.alloc(3 * mib, 'x');
      bytes('pin_user_pages_fast').copy(text, offset);
      writeFileSync(file, text);
      expect(fileMayContainCatalogued(file), String(offset)).toBe(true);
    }
    const file = path.join(dir, 'none.c');
    const text = Buffer.alloc(3 * mib, 'x');
    bytes('pin_user_pa').copy(text, mib - 5);
    writeFileSync(file, text);
    expect(fileMayContainCatalogued(file)).toBe(false);
  });
});
