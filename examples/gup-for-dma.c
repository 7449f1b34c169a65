// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: gup-for-dma.
 * A scatterlist for DMA built from get_user_pages_fast() references: the device writes
 * data into pages the rest of the kernel believes are unused.
 */
#include <linux/mm.h>
#include <linux/scatterlist.h>

static int build_sgt(struct sg_table *sgt, unsigned long uaddr, int n, struct page **pages)
{
	int got, i, ret;

	got = get_user_pages_fast(uaddr, n, FOLL_WRITE, pages);
	if (got < 0)
		return got;
	if (got != n) {
		ret = -EFAULT;
		goto put;
	}
	ret = sg_alloc_table_from_pages(sgt, pages, n, 0, n * PAGE_SIZE, GFP_KERNEL);
	if (ret)
		goto put;
	return 0;
put:
	for (i = 0; i < got; i++)
		put_page(pages[i]);
	return ret;
}

/* pinscope's findings on examples/gup-for-dma.c as written (test/unit/examples.test.ts checks them): */
/* expect: gup-for-dma 14:8-14:27 */
