/**
 * Hover texts (core/hover.ts) and the word lookup of server/hover.ts: exact Markdown for one entry
 * of each kind, the signature following the kernel version, null for unknown names.
 */
import { describe, expect, test } from 'vitest';
import { hoverFor } from '../../core/hover';
import { hoverAt, wordAt } from '../../server/hover';

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
        `**pin_user_pages.rst:** a FOLL_GET reference fits [CASE 4: Pinning for struct page manipulation only](${PIN}#case-4-pinning-for-struct-page-manipulation-only) only; to read or write the data (cases 1, 2 and 5) use \`pin_user_pages_fast()\` and unpin the pages.`,
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
