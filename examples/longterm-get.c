// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: longterm-get.
 * A memory-registration ioctl keeps user pages for as long as the region exists, and asks
 * get_user_pages() for FOLL_LONGTERM — which only pin_user_pages*() accept.
 */
#include <linux/mm.h>

struct mr {
	struct page **pages;
	unsigned long npages;
};

static long mr_register(struct mr *mr, unsigned long start)
{
	long got;

	mmap_read_lock(current->mm);
	got = get_user_pages(start, mr->npages, FOLL_WRITE | FOLL_LONGTERM, mr->pages);
	mmap_read_unlock(current->mm);
	if (got < 0)
		return got;
	if (got != mr->npages) {
		release_pages(mr->pages, got);
		return -EFAULT;
	}
	return 0;
}

/* pinscope's findings on examples/longterm-get.c as written (test/unit/examples.test.ts checks them): */
/* expect: gup-for-dma 19:8-19:22 */
/* expect: longterm-get 19:55-19:68 */
