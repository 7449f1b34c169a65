// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: missing-release.
 * The pages leak when the device rejects the buffer.
 */
#include <linux/mm.h>

int xfer_start(void *dev, struct page **pages, int n);

static int xfer_user_buffer(void *dev, unsigned long uaddr, int n, struct page **pages)
{
	int ret;

	ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);
	if (ret < 0)
		return ret;
	if (ret != n) {
		unpin_user_pages(pages, ret);
		return -EFAULT;
	}
	if (!dev)
		return -ENODEV;		/* the n pinned pages leak */

	ret = xfer_start(dev, pages, n);
	unpin_user_pages_dirty_lock(pages, n, true);
	return ret;
}

/* pinscope's findings on examples/missing-release.c as written (test/unit/examples.test.ts checks them): */
/* expect: missing-release 22:3-22:18 */
