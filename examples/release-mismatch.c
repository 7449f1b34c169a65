// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: release-mismatch.
 * Pinned pages released with put_page(): each page stays 1023 references high.
 */
#include <linux/mm.h>

static int copy_from_user_pages(unsigned long uaddr, int npages, struct page **pages)
{
	int pinned, i;

	pinned = pin_user_pages_fast(uaddr, npages, 0, pages);
	if (pinned < 0)
		return pinned;

	/* ... the device reads the pages ... */

	for (i = 0; i < pinned; i++)
		put_page(pages[i]);
	return pinned == npages ? 0 : -EFAULT;
}

/* pinscope's findings on examples/release-mismatch.c as written (test/unit/examples.test.ts checks them): */
/* expect: release-mismatch 19:3-19:21 */
