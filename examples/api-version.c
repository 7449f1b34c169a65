// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: api-version (Linux 6.12).
 * A driver carried over from v6.1 still passes the `vmas` argument that v6.5 removed,
 * and uses a pre-v5.6 release name.
 */
#include <linux/mm.h>

static long legacy_pin(unsigned long start, unsigned long n, struct page **pages)
{
	long ret;

	mmap_read_lock(current->mm);
	ret = pin_user_pages(start, n, FOLL_WRITE, pages, NULL);
	mmap_read_unlock(current->mm);
	if (ret > 0 && ret < n) {
		put_user_pages(pages, ret);
		return -EFAULT;
	}
	return ret;
}

/* pinscope's findings on examples/api-version.c as written (test/unit/examples.test.ts checks them): */
/* expect: api-version 14:8-14:57 */
/* expect: api-version 17:3-17:17 */
