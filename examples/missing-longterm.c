// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: missing-longterm.
 * A GEM userptr object keeps its pages pinned for as long as user space keeps the object,
 * without FOLL_LONGTERM (no MMU notifier in this driver).
 */
#include <linux/mm.h>
#include <linux/slab.h>

struct demo_gem_userptr {
	unsigned long ptr;
	int npages;
	struct page **pages;
};

static int demo_gem_userptr_get_pages(struct demo_gem_userptr *obj)
{
	struct page **pvec;
	int ret;

	pvec = kvmalloc_array(obj->npages, sizeof(*pvec), GFP_KERNEL);
	if (!pvec)
		return -ENOMEM;
	ret = pin_user_pages_fast(obj->ptr, obj->npages, FOLL_WRITE, pvec);
	if (ret != obj->npages) {
		if (ret > 0)
			unpin_user_pages(pvec, ret);
		kvfree(pvec);
		return ret < 0 ? ret : -EFAULT;
	}
	obj->pages = pvec;
	return 0;
}

/* pinscope's findings on examples/missing-longterm.c as written (test/unit/examples.test.ts checks them): */
/* expect: missing-longterm 24:51-24:61 */
