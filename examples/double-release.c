// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: double-release.
 * An unwind ladder that unpins on two labels the error path falls through.
 */
#include <linux/mm.h>
#include <linux/slab.h>

struct stage {
	struct page **pages;
	int n;
};

int dev_map(void *dev, struct page **pages, int n);

static int stage_pages(void *dev, struct stage *st, unsigned long uaddr, int n)
{
	struct page **pages;
	int ret;

	pages = kcalloc(n, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;
	ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);
	if (ret != n)
		goto err_free;
	ret = dev_map(dev, pages, n);
	if (ret)
		goto err_unpin;
	st->pages = pages;
	st->n = n;
	return 0;

err_unpin:
	unpin_user_pages(pages, n);
err_free:
	if (ret > 0)
		unpin_user_pages(pages, ret);
	kfree(pages);
	return ret < 0 ? ret : -EFAULT;
}

/* pinscope's findings on examples/double-release.c as written (test/unit/examples.test.ts checks them): */
/* expect: double-release 38:3-38:31 */
