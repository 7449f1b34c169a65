// SPDX-License-Identifier: GPL-2.0
/*
 * pinscope example: partial-pin.
 * A short pin (0 < pinned < npages) fails the request without releasing what was pinned.
 */
#include <linux/mm.h>
#include <linux/slab.h>

struct dma_region {
	unsigned long user_addr;
	unsigned long length;
	struct page **pages;
};

static int region_pin_pages(struct dma_region *region)
{
	int npages = region->length >> PAGE_SHIFT;
	int pinned;

	region->pages = kcalloc(npages, sizeof(struct page *), GFP_KERNEL);
	if (!region->pages)
		return -ENOMEM;

	pinned = pin_user_pages_fast(region->user_addr, npages, FOLL_WRITE, region->pages);
	if (pinned != npages) {
		kfree(region->pages);
		return pinned < 0 ? pinned : -EFAULT;
	}
	return 0;
}

/* pinscope's findings on examples/partial-pin.c as written (test/unit/examples.test.ts checks them): */
/* expect: partial-pin 25:6-25:22 */
