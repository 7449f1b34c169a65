// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: gup-result-unsigned.
 * The pin result lands in an unsigned variable: -EFAULT becomes a huge count.
 */
#include <linux/mm.h>

static int lock_user_buffer(unsigned long uaddr, unsigned int n, struct page **pages)
{
	unsigned int pinned;

	pinned = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);
	if (pinned != n) {
		unpin_user_pages(pages, pinned);
		return -EFAULT;
	}
	return 0;
}

/* pinscope's findings on examples/gup-result-unsigned.c as written (test/unit/examples.test.ts checks them): */
/* expect: gup-result-unsigned 12:11-12:59 */
