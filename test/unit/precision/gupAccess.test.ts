/**
 * Issue 11, class 5, the GUP side: "access" defined too broadly. pin_user_pages.rst case 5 is
 * *writing* to the data: a read through a mapping of pages taken without FOLL_WRITE is not it. A
 * physical address taken and the reference dropped on the next line (a perf sample's address) is
 * not a hand-off to a device. Messages say which case applies, in the documentation's words.
 */
import { describe, expect, it } from 'vitest';
import { findings, lineOf, messages, mutate } from './support';

const RULE = 'gup-for-dma';

describe('a read-only access (sgx EADD source page, uprobes is_trap_at_addr)', () => {
  const src = `#include <linux/mm.h>
#include <linux/highmem.h>

static int demo_peek(unsigned long src, void *out, size_t len)
{
	struct page *page;
	void *kaddr;

	if (get_user_pages(src, 1, 0, &page) < 1)
		return -EFAULT;
	kaddr = kmap_local_page(page);
	memcpy(out, kaddr, len);
	kunmap_local(kaddr);
	put_page(page);
	return 0;
}
`;
  it('near miss: taken without FOLL_WRITE and only read — not case 5', () => {
    expect(findings(src, RULE)).toEqual([]);
  });
  it('one edit (FOLL_WRITE): the mapping may be written through — case 5, in the words of the document', () => {
    const text = mutate(src, 'get_user_pages(src, 1, 0, &page)', 'get_user_pages(src, 1, FOLL_WRITE, &page)');
    expect(findings(text, RULE)).toEqual([`${RULE} ${lineOf(text, 'get_user_pages(')}`]);
    expect(messages(text, RULE)[0]).toContain(
      'pin_user_pages.rst: "CASE 5: Pinning in order to write to the data within the page"',
    );
  });
  it('one edit (a copy into the page): a write even without FOLL_WRITE', () => {
    const text = mutate(src, '\tmemcpy(out, kaddr, len);\n', '');
    const written = mutate(
      text,
      '\tkaddr = kmap_local_page(page);',
      '\tmemcpy_to_page(page, 0, out, len);\n\tkaddr = kmap_local_page(page);',
    );
    expect(findings(written, RULE)).toEqual([`${RULE} ${lineOf(written, 'get_user_pages(')}`]);
    expect(messages(written, RULE)[0]).toContain('the CPU writes their data (memcpy_to_page()');
  });
});

describe('a physical address kept after the reference is dropped (perf_virt_to_phys)', () => {
  const src = `#include <linux/mm.h>

static u64 demo_virt_to_phys(unsigned long virt)
{
	struct page *p = NULL;
	u64 phys_addr = 0;

	if (get_user_page_fast_only(virt, 0, &p)) {
		phys_addr = page_to_phys(p) + virt % PAGE_SIZE;
		put_page(p);
	}
	return phys_addr;
}
`;
  it('near miss: the address is stamped into a sample, the page released on the next line', () => {
    expect(findings(src, RULE)).toEqual([]);
  });
  it('one edit (the address handed to a hypervisor while the page is held): reported', () => {
    const text = mutate(src, '\t\tput_page(p);', '\t\tdemo_hv_memcpy(phys_addr);\n\t\tput_page(p);');
    expect(findings(text, RULE)).toEqual([`${RULE} ${lineOf(text, 'get_user_page_fast_only(')}`]);
    expect(messages(text, RULE)[0]).toContain('pin_user_pages.rst: "use pin_user_pages*() for DMA-pinned pages"');
  });
});
