/**
 * Hover texts (core/hover.ts) and the word lookup of server/hover.ts: exact Markdown for one entry
 * of each kind, the signature following the kernel version, null for unknown names; the brief text
 * for a name inside a finding; and the places listed under a finding, each once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Finding } from '../../core/findings';
import { hoverFor } from '../../core/hover';
import { lintText } from '../../core/lint';
import { hoverAt, relatedPlaces, wordAt } from '../../server/hover';

const v612 = { major: 6, minor: 12 };
const PIN = 'https://docs.kernel.org/core-api/pin_user_pages.html';

describe('core/hover', () => {
  test('get_user_pages_fast on 6.12: signature, family, releases, the pin_user_pages.rst case, link', () => {
    expect(hoverFor('get_user_pages_fast', v612)?.markdown).toBe(
      [
        '**get_user_pages_fast()** · takes a FOLL_GET reference · all versions · EXPORT_SYMBOL_GPL',
        '```c\nint get_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags, struct page **pages)\n```',
        '*Signature in Linux 6.12.*',
        'Lockless page-table walk first, slow path for the rest. Returns int: pages taken or -errno.',
        '**Returns** the number of pages taken (possibly fewer than asked: release exactly that many), or -errno.',
        '**Release with** `put_page()`, `folio_put()`, `release_pages()` — never `unpin_user_page()`, `unpin_user_pages()`, `unpin_user_pages_dirty_lock()`.',
        '**Sets itself:** FOLL_GET (do not pass it).',
        `**pin_user_pages.rst:** a FOLL_GET reference is right for [CASE 4: Pinning for struct page manipulation only](${PIN}#case-4-pinning-for-struct-page-manipulation-only); to read or write the data (cases 1, 2 and 5) use \`pin_user_pages_fast()\` and unpin the pages.`,
        '**Invalid flags** (is_valid_gup_args(), since v6.3): WARN_ON_ONCE() and -EINVAL.',
      ].join('\n\n'),
    );
  });

  test('the signature follows the kernel version (5.1: `int write`, no v6.3 note)', () => {
    const md = hoverFor('get_user_pages_fast', { major: 5, minor: 1 })?.markdown ?? '';
    expect(md).toContain(
      '```c\nint get_user_pages_fast(unsigned long start, int nr_pages, int write, struct page **pages)\n```\n\n*Signature in Linux 5.1.*',
    );
    expect(md).toContain('use a pin_user_pages*() function'); // pin_user_pages_fast() is 5.6+
    expect(md).not.toContain('Invalid flags');
  });

  test('a removed function says so and shows its last signature', () => {
    const md = hoverFor('put_user_pages', v612)?.markdown ?? '';
    expect(md.split('\n\n').slice(0, 4)).toEqual([
      '**put_user_pages()** · releases FOLL_PIN pins · v5.3–v5.5',
      '**Not in Linux 6.12**: it exists v5.3–v5.5. Renamed to `unpin_user_pages()` in v5.6.',
      '```c\nvoid put_user_pages(struct page **pages, unsigned long npages)\n```',
      '*Signature v5.3–v5.5.*',
    ]);
  });

  test('FOLL_LONGTERM: who may pass it and pin_user_pages.rst case 2', () => {
    expect(hoverFor('FOLL_LONGTERM', v612)).toEqual({
      name: 'FOLL_LONGTERM',
      kind: 'flag',
      markdown: [
        '**FOLL_LONGTERM** · since v5.2 · allowed on the fast path',
        'The pin is held for an indefinite time (RDMA, VFIO, io_uring fixed buffers, userptr objects): pin_user_pages.rst case 2.',
        '**Who passes it:** pin_user_pages*() only — get_user_pages*() rejects it ("LONGTERM can only be specified when pinning").',
        `**pin_user_pages.rst:** [CASE 2: RDMA](${PIN}#case-2-rdma).`,
      ].join('\n\n'),
    });
  });

  test('a DMA API call: the arguments, what it returns, the matching release, the dma-api.rst section', () => {
    expect(hoverFor('dma_map_single', v612)?.markdown).toBe(
      [
        '**dma_map_single()** · DMA API, map · all versions',
        '```c\ndma_map_single(dev, ptr, size, dir)\n```',
        'Maps a kernel virtual buffer (not stack, not vmalloc) for streaming DMA; check the handle with dma_mapping_error().',
        '**Returns** a dma_addr_t handle; check it with `dma_mapping_error()` (never against 0).',
        '**Release with** `dma_unmap_single()`.',
        'Docs: [dma-api.rst: Part Id - Streaming DMA mappings](https://docs.kernel.org/core-api/dma-api.html#part-id-streaming-dma-mappings)',
      ].join('\n\n'),
    );
    expect(hoverFor('dma_iova_link', v612)?.markdown.split('\n\n')[1]).toBe(
      '**Not in Linux 6.12**: it exists since v6.17.',
    );
  });

  test('release functions and unknown names', () => {
    expect(hoverFor('unpin_user_pages', v612)?.markdown.split('\n\n')[0]).toBe(
      '**unpin_user_pages()** · releases FOLL_PIN pins · since v5.6',
    );
    expect(hoverFor('kmalloc', v612)).toBeNull();
    expect(hoverFor('FOLL_NOT_A_FLAG', v612)).toBeNull();
  });
});

describe('server/hover', () => {
  test('wordAt finds the identifier under or touching the cursor', () => {
    const line = '\tret = get_user_pages_fast(uaddr, n, FOLL_WRITE, pages);';
    expect(wordAt(line, 10)).toEqual({ word: 'get_user_pages_fast', start: 7, end: 26 });
    expect(wordAt(line, 26)).toEqual({ word: 'get_user_pages_fast', start: 7, end: 26 });
    expect(wordAt(line, 0)).toBeNull();
  });

  test('hoverAt: range of the word, nothing in comments or strings, rule ids in pinscope-ignore comments', () => {
    const text = [
      '/* get_user_pages_fast() in a block',
      '   comment: FOLL_LONGTERM */',
      'static int f(void)',
      '{',
      '\tflags = FOLL_WRITE | FOLL_LONGTERM; // FOLL_PIN',
      '\tpr_info("FOLL_GET");',
      '\t/* pinscope-ignore longterm-get */',
      '}',
    ].join('\n');
    expect(hoverAt(text, { line: 4, character: 25 }, v612)?.range).toEqual({
      start: { line: 4, character: 22 },
      end: { line: 4, character: 35 },
    });
    expect(hoverAt(text, { line: 0, character: 5 }, v612)).toBeNull();
    expect(hoverAt(text, { line: 1, character: 15 }, v612)).toBeNull();
    expect(hoverAt(text, { line: 4, character: 42 }, v612)).toBeNull();
    expect(hoverAt(text, { line: 5, character: 12 }, v612)).toBeNull();
    const rule = hoverAt(text, { line: 6, character: 24 }, v612);
    expect(rule?.contents).toMatchObject({ kind: 'markdown' });
    expect((rule?.contents as { value: string }).value.split('\n\n')[0]).toBe(
      '**longterm-get** · FOLL_LONGTERM passed to get_user_pages*() · default error',
    );
  });
});

describe('a name inside a finding: the brief hover', () => {
  test('an acquire: its line, its signature, its release', () => {
    expect(hoverFor('get_user_pages_fast', v612, { brief: true })?.markdown).toBe(
      [
        '**get_user_pages_fast()** · takes a FOLL_GET reference · all versions · EXPORT_SYMBOL_GPL',
        '```c\nint get_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags, struct page **pages)\n```',
        '**Release with** `put_page()`, `folio_put()`, `release_pages()` — never `unpin_user_page()`, `unpin_user_pages()`, `unpin_user_pages_dirty_lock()`.',
      ].join('\n\n'),
    );
  });

  test('a flag, a removed release, a DMA call', () => {
    expect(hoverFor('FOLL_LONGTERM', v612, { brief: true })?.markdown).toBe(
      [
        '**FOLL_LONGTERM** · since v5.2 · allowed on the fast path',
        '**Who passes it:** pin_user_pages*() only — get_user_pages*() rejects it ("LONGTERM can only be specified when pinning").',
      ].join('\n\n'),
    );
    expect(hoverFor('put_user_pages', v612, { brief: true })?.markdown.split('\n\n')).toEqual([
      '**put_user_pages()** · releases FOLL_PIN pins · v5.3–v5.5',
      '**Not in Linux 6.12**: it exists v5.3–v5.5. Renamed to `unpin_user_pages()` in v5.6.',
      '```c\nvoid put_user_pages(struct page **pages, unsigned long npages)\n```',
      '**For pages from** pin_user_pages*() (and iov_iter_extract_pages() when it pinned). Pages from get_user_pages*() must be released with `put_page()` instead: unpinning them subtracts 1024 from a page that got +1.',
    ]);
    expect(hoverFor('dma_map_single', v612, { brief: true })?.markdown).toBe(
      [
        '**dma_map_single()** · DMA API, map · all versions',
        '```c\ndma_map_single(dev, ptr, size, dir)\n```',
        '**Release with** `dma_unmap_single()`.',
      ].join('\n\n'),
    );
  });

  test('hoverAt gives the brief text where a finding is, and the full one elsewhere', () => {
    const text = '\tret = get_user_pages_fast(uaddr, n, FOLL_WRITE | FOLL_LONGTERM, pages);\n';
    // The longterm-get finding covers FOLL_LONGTERM (1-based columns 44–57), not the call's name.
    const findings = [{ range: { line: 1, column: 44, endLine: 1, endColumn: 57 } }];
    const value = (character: number): string =>
      (hoverAt(text, { line: 0, character }, v612, findings)?.contents as { value: string }).value;
    expect(value(50)).toBe(hoverFor('FOLL_LONGTERM', v612, { brief: true })?.markdown);
    expect(value(10)).toBe(hoverFor('get_user_pages_fast', v612)?.markdown);
    expect(value(10).split('\n\n')).toHaveLength(9);
    // The finding's last column still shows it (the editor's ranges include their end).
    expect(value(56)).toBe(hoverFor('FOLL_LONGTERM', v612, { brief: true })?.markdown);
  });
});

describe('the places listed under a finding (relatedInformation)', () => {
  const examples = path.join(__dirname, '..', '..', 'examples');
  const lint = (file: string) =>
    lintText(readFileSync(path.join(examples, file), 'utf8'), { kernelVersion: v612 }).findings;
  const where = (r: { range: { line: number; column: number } }): string => `${r.range.line}:${r.range.column}`;
  const firstFinding = (file: string): Finding => {
    const [f] = lint(file);
    if (!f) throw new Error(`${file}: no finding`);
    return f;
  };

  test('a leak: the related places first, with the steps that repeat them, then the other steps', () => {
    expect(relatedPlaces(firstFinding('missing-release.c')).map((p) => `${where(p)} ${p.message}`)).toEqual([
      '14:8 pages pinned here (path step 1)',
      '17:6 on this path `ret != n` is false (path step 3)',
      '22:3 return -ENODEV without releasing them (path step 5)',
      '15:6 path step 2: ret < 0: false',
      '21:6 path step 4: !dev: true',
    ]);
  });

  test('a call and the branch on its result are one place', () => {
    expect(relatedPlaces(firstFinding('dma-double-unmap.c')).map((p) => `${where(p)} ${p.message}`)).toEqual([
      '13:9 dma_map_single() here (path step 1)',
      '14:6 the branch this path takes (path steps 2–3)',
      '17:2 first unmapped here (path step 5)',
      '16:33 path step 4: DMA handle passed to demo_start_and_wait()',
      '18:6 path step 6: ret: true',
      '22:2 path step 7: dma_unmap_single(dev, addr, len, DMA_BIDIRECTIONAL)',
    ]);
    expect(
      relatedPlaces({
        related: [],
        path: [
          { range: { line: 3, column: 6, endLine: 3, endColumn: 20 }, label: 'dma_mapping_error(dev, addr)' },
          { range: { line: 3, column: 6, endLine: 3, endColumn: 20 }, label: 'dma_mapping_error(dev, addr): false' },
        ],
      }),
    ).toEqual([
      {
        range: { line: 3, column: 6, endLine: 3, endColumn: 20 },
        message: 'path steps 1–2: dma_mapping_error(dev, addr): false',
      },
    ]);
  });

  test('no place repeats, in any finding of any example', () => {
    let checked = 0;
    for (const file of readdirSync(examples).filter((f) => f.endsWith('.c'))) {
      for (const f of lint(file)) {
        const places = relatedPlaces(f).map((p) => JSON.stringify(p.range));
        expect(new Set(places).size, `${file} ${f.rule}: ${places.join(' ')}`).toBe(places.length);
        checked += places.length;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });
});
