// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: internal-foll-flag.
 * A capture driver asks get_user_pages_fast() for pins by passing FOLL_PIN itself.
 */
#include <linux/mm.h>
#include <linux/slab.h>

#define CAP_GUP_FLAGS	(FOLL_WRITE | FOLL_PIN)

struct cap_buf {
	struct page **pages;
	int nr_pages;
};

static int cap_pin_buffer(struct cap_buf *buf, unsigned long uaddr)
{
	int ret, i;

	ret = get_user_pages_fast(uaddr, buf->nr_pages, CAP_GUP_FLAGS, buf->pages);
	if (ret < 0)
		return ret;
	if (ret != buf->nr_pages) {
		for (i = 0; i < ret; i++)
			put_page(buf->pages[i]);
		return -EFAULT;
	}
	return 0;
}

/* pinscope's findings on examples/internal-foll-flag.c as written (test/unit/examples.test.ts checks them): */
/* expect: internal-foll-flag 9:37-9:45 */
/* expect: gup-for-dma 20:8-20:27 */
