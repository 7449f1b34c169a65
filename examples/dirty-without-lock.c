// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: dirty-without-lock.
 * After the device wrote the pages, the driver marks them dirty without the page lock.
 */
#include <linux/mm.h>

struct rx_buf {
	struct page **pages;
	int nr_pages;
};

static void rx_buf_release(struct rx_buf *buf)
{
	int i;

	for (i = 0; i < buf->nr_pages; i++) {
		set_page_dirty(buf->pages[i]);
		unpin_user_page(buf->pages[i]);
	}
}

static int rx_buf_pin(struct rx_buf *buf, unsigned long uaddr)
{
	int ret = pin_user_pages_fast(uaddr, buf->nr_pages, FOLL_WRITE, buf->pages);

	if (ret == buf->nr_pages)
		return 0;
	if (ret > 0)
		unpin_user_pages(buf->pages, ret);
	return -EFAULT;
}

/*
 * The pages come in as a parameter: no pin is in sight, but unpinning them in the same loop says
 * they are pinned user pages, so they may be file-backed too.
 */
static void demo_release_pages(struct page **pages, unsigned long n, bool dirty)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (dirty)
			set_page_dirty(pages[i]);
		unpin_user_page(pages[i]);
	}
}

/* pinscope's findings on examples/dirty-without-lock.c as written (test/unit/examples.test.ts checks them): */
/* expect: dirty-without-lock 18:3-18:32 */
/* expect: dirty-without-lock 44:4-44:28 */
