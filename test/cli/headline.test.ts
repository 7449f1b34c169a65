/** A finding's headline for gcc lines (cli/headline.ts): the first clause, outside (), [], `code` and "quotes". */
import { describe, expect, it } from 'vitest';
import { splitMessage } from '../../cli/headline';

describe('splitMessage', () => {
  it('cuts at the first colon or sentence end outside brackets and quotes', () => {
    expect(
      splitMessage(
        'Pages from get_user_pages_fast() (FOLL_GET) must be pinned: they are handed to DMA (sg_alloc_table_from_pages(), line 21). Use pin_user_pages_fast().',
      ),
    ).toEqual({
      headline: 'Pages from get_user_pages_fast() (FOLL_GET) must be pinned',
      explanation: 'they are handed to DMA (sg_alloc_table_from_pages(), line 21). Use pin_user_pages_fast().',
    });
    expect(
      splitMessage('Pages pinned by x() (line 12) are released with a put_page() loop. Use unpin_user_pages().'),
    ).toEqual({
      headline: 'Pages pinned by x() (line 12) are released with a put_page() loop.',
      explanation: 'Use unpin_user_pages().',
    });
  });

  it('a colon inside `code`, "a quote" or parentheses does not end the headline', () => {
    expect(
      splitMessage('this path ends in `return err < 0 ? err : -EINVAL` (line 83: x) without releasing them: it leaks.'),
    ).toEqual({
      headline: 'this path ends in `return err < 0 ? err : -EINVAL` (line 83: x) without releasing them',
      explanation: 'it leaks.',
    });
    expect(splitMessage('dma-debug says "DMA-API: device driver frees DMA memory". Unmap first.').headline).toBe(
      'dma-debug says "DMA-API: device driver frees DMA memory".',
    );
  });

  it('a message of one clause is all headline', () => {
    expect(splitMessage('FOLL_LONGTERM passed to get_user_pages().')).toEqual({
      headline: 'FOLL_LONGTERM passed to get_user_pages().',
      explanation: '',
    });
    expect(splitMessage('ends with a colon:')).toEqual({ headline: 'ends with a colon:', explanation: '' });
  });
});
