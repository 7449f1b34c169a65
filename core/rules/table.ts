/**
 * The rule table: the one place a rule's id, title, default severity, description, documentation
 * link and explanation live. README's rule list, docs/rules/*.md, SARIF's tool.driver.rules and
 * package.json's settings are generated from it or tested against it (test/unit/ruleTable.test.ts).
 */
import { KERNEL_DOCS, type KernelDocKey } from '../catalog/docs';
import type { Severity } from '../findings';
import { RULE_IDS, type RuleId } from './ids';

export type RuleGroup = 'gup' | 'path' | 'dma';

export interface RuleMeta {
  readonly id: RuleId;
  readonly title: string;
  readonly severity: Severity;
  readonly group: RuleGroup;
  /** One sentence: what is wrong. Used as SARIF shortDescription and in README's table. */
  readonly description: string;
  readonly doc: KernelDocKey;
  /** The rule page: what it catches, why it matters, a wrong and a right example, the fix. */
  readonly catches: string;
  readonly why: string;
  readonly wrong: string;
  readonly right: string;
  readonly fix: string;
  /** Whether pinscope can fix it: safely (applied by --fix / fixAll), offered only, or not at all. */
  readonly fixable: 'safe' | 'offered' | 'none';
}

const RULES: readonly RuleMeta[] = [
  {
    id: 'internal-foll-flag',
    title: 'Internal FOLL_* flag passed by a caller',
    severity: 'error',
    group: 'gup',
    doc: 'pinBasics',
    fixable: 'safe',
    description:
      'A GUP call is passed a flag that only GUP itself may set (FOLL_PIN, FOLL_TOUCH, FOLL_TRIED, FOLL_REMOTE, FOLL_FAST_ONLY, FOLL_UNLOCKABLE, or FOLL_GET on pin_user_pages*()).',
    catches:
      'FOLL_PIN, FOLL_TOUCH, FOLL_TRIED, FOLL_REMOTE, FOLL_FAST_ONLY, FOLL_UNLOCKABLE, FOLL_MADV_POPULATE and FOLL_COW passed to any get_user_pages*()/pin_user_pages*() call, and FOLL_GET passed to a pin_user_pages*() call — written at the call, built up in a local flags variable (`flags |= FOLL_PIN`), or hidden in a `#define` in the same file. FOLL_GET and FOLL_PIN together get a message of their own.',
    why: '"FOLL_PIN is internal to gup, meaning that it should not appear at the gup call sites." Since v6.3 is_valid_gup_args() rejects every internal flag with a WARN_ON_ONCE() and returns -EINVAL (get_*) or 0 (pin_*), and the names live in mm/internal.h so a module using them does not build. Before v6.3, FOLL_PIN on a get_* call silently produced pinned pages that the code then released with put_page().',
    wrong: 'ret = get_user_pages_fast(uaddr, nr, FOLL_WRITE | FOLL_PIN, pages);\n...\nput_page(pages[i]);',
    right: 'ret = pin_user_pages_fast(uaddr, nr, FOLL_WRITE, pages);\n...\nunpin_user_pages(pages, ret);',
    fix: 'Removes the flag where it is written (`A | FOLL_PIN | B` → `A | B`, `FOLL_PIN` alone → `0`). Where FOLL_PIN was used to get pin semantics out of a get_* call, the fix is the get→pin conversion: the call becomes pin_*, FOLL_PIN and FOLL_GET go, and the releases become unpin_user_page*().',
  },
  {
    id: 'longterm-get',
    title: 'FOLL_LONGTERM passed to get_user_pages*()',
    severity: 'error',
    group: 'gup',
    doc: 'case2',
    fixable: 'offered',
    description:
      'FOLL_LONGTERM is only valid with FOLL_PIN: get_user_pages*() rejects it (since v6.1) with a WARN and -EINVAL.',
    catches:
      'FOLL_LONGTERM in the flags of get_user_pages(), get_user_pages_fast(), get_user_pages_remote(), get_user_pages_unlocked() or get_user_pages_fast_only(), directly, via a local variable or a macro.',
    why: '"FOLL_PIN is a prerequisite to FOLL_LONGTERM" (mm/gup.c). v6.1 is_valid_gup_flags() and v6.3+ is_valid_gup_args() ("LONGTERM can only be specified when pinning") both reject it: the call fails every time. A long-term user (RDMA, VFIO, userptr) holds the pages while the device accesses their data, which is pin_user_pages.rst case 2.',
    wrong: 'ret = get_user_pages_fast(addr, n, FOLL_WRITE | FOLL_LONGTERM, pages);',
    right: 'ret = pin_user_pages_fast(addr, n, FOLL_WRITE | FOLL_LONGTERM, pages);',
    fix: 'The get→pin conversion: the call becomes its pin_* counterpart and every release of those pages in the function becomes the matching unpin_user_page*() in the same edit.',
  },
  {
    id: 'release-mismatch',
    title: "Pages released with the other family's release",
    severity: 'error',
    group: 'gup',
    doc: 'pinBasics',
    fixable: 'safe',
    description:
      'Pinned pages (pin_user_pages*) released with put_page()/release_pages()/folio_put(), or referenced pages (get_user_pages*) released with unpin_user_page*().',
    catches:
      'In one function: pages filled by a pin_* call released with put_page(), release_pages() or folio_put() (one page, or a loop over the array); pages filled by a get_* call released with any unpin_user_page*(). Across functions of one file: a struct field or global filled by one family and released by the other in another function.',
    why: "A pin adds GUP_PIN_COUNTING_BIAS (1024) to a small page's refcount; put_page() takes away 1. The page stays 1023 high forever, folio_maybe_dma_pinned() stays true, nr_foll_pin_released never moves. The reverse (unpin on a FOLL_GET page) subtracts 1024 from a page that got +1: the refcount underflows and the page is freed while mapped.",
    wrong:
      'npinned = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\n...\nfor (i = 0; i < npinned; i++)\n\tput_page(pages[i]);',
    right: 'npinned = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\n...\nunpin_user_pages(pages, npinned);',
    fix: 'The matching release: a put_page(pages[i]) loop becomes unpin_user_pages(pages, n); `set_page_dirty_lock(p); put_page(p)` becomes unpin_user_pages_dirty_lock(pages, n, true); a single put_page(page) becomes unpin_user_page(page); unpin on FOLL_GET pages becomes put_page()/release_pages().',
  },
  {
    id: 'api-version',
    title: 'GUP/DMA call does not fit the kernel version',
    severity: 'error',
    group: 'gup',
    doc: 'gupKernelDoc',
    fixable: 'offered',
    description:
      'The function does not exist in the configured kernel version, or is called with an argument count its signature there does not have.',
    catches:
      'Calls to catalogued functions that are absent in the configured version (pin_user_pages_fast_only() on ≥6.3, put_user_pages() on ≥5.6, memfd_pin_folios() before 6.11 …) or whose argument count does not match (a `vmas` argument on ≥6.5, a `tsk` argument on ≥5.9).',
    why: 'GUP signatures changed several times (tsk removed in v5.9, vmas removed in v6.5, pages-before-flags in *_unlocked). A driver carried across versions with a stale call either does not build or, worse, has its arguments shifted by one.',
    wrong: '/* Linux 6.5+ */\nret = pin_user_pages(start, n, FOLL_WRITE, pages, NULL);',
    right: '/* Linux 6.5+ */\nret = pin_user_pages(start, n, FOLL_WRITE, pages);',
    fix: 'Drops a NULL `vmas` argument (≥6.5) or a `current`/NULL `tsk` argument (≥5.9); renames put_user_page*() to unpin_user_page*() (≥5.6). Other cases need a human.',
  },
  {
    id: 'missing-release',
    title: 'Acquired pages neither released nor handed off on some path',
    severity: 'warning',
    group: 'path',
    doc: 'pinTracking',
    fixable: 'none',
    description:
      'On some path through the function, pages taken by GUP are neither released nor stored where their owner will release them.',
    catches:
      'A path from a successful get_*/pin_* call to a return on which the pages are not released and do not escape (stored into a struct field, a global, an out-parameter, or returned). Escapes count only on paths that return success: by kernel convention a function returning -errno has released what it took. Across one file: a field filled by a pin in one function and never released anywhere in the file.',
    why: "A leaked FOLL_PIN keeps the page's refcount 1024 high: the page can never be freed, migrated or compacted, and folio_maybe_dma_pinned() makes writeback and fork treat it as DMA-pinned forever. nr_foll_pin_acquired and nr_foll_pin_released drift apart.",
    wrong:
      'ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\nif (ret < 0)\n\treturn ret;\nif (check(dev))\n\treturn -EINVAL;\t/* pages leak */',
    right:
      'ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\nif (ret < 0)\n\treturn ret;\nif (check(dev)) {\n\tunpin_user_pages(pages, ret);\n\treturn -EINVAL;\n}',
    fix: 'No automatic fix: where the release belongs depends on the unwind ladder. The finding carries the leaking path step by step.',
  },
  {
    id: 'partial-pin',
    title: 'Short GUP result mishandled',
    severity: 'warning',
    group: 'path',
    doc: 'gupKernelDoc',
    fixable: 'none',
    description:
      'A short positive result (fewer pages than asked) is treated as failure without releasing the pages taken, treated as complete, or released with the requested count instead of the returned one.',
    catches:
      'After `ret = pin_user_pages*(…, nr, …)`: a path where 0 < ret < nr returns an error without releasing the ret pages; a result checked only for `< 0` and then used as if all nr pages were there; a release that passes nr (or a negative ret) instead of the number actually taken.',
    why: '"If nr_pages is >0, and some pages were pinned, returns the number of pages pinned. Again, this may be less than nr_pages." The pages before the failure stay pinned and only the caller can release them. unpin_user_pages() with a -errno count WARNs and does nothing; with the requested count it unpins entries that were never pinned (NULL or stale pointers).',
    wrong:
      'pinned = pin_user_pages_fast(addr, npages, FOLL_WRITE, pages);\nif (pinned != npages)\n\treturn -EFAULT;\t/* leaks 0 < pinned < npages pages */',
    right:
      'pinned = pin_user_pages_fast(addr, npages, FOLL_WRITE, pages);\nif (pinned != npages) {\n\tif (pinned > 0)\n\t\tunpin_user_pages(pages, pinned);\n\treturn -EFAULT;\n}',
    fix: 'No automatic fix; the message names the count to use.',
  },
  {
    id: 'double-release',
    title: 'Pages released twice',
    severity: 'error',
    group: 'path',
    doc: 'pinTracking',
    fixable: 'none',
    description: 'The same pages are released twice on one path.',
    catches:
      'Two releases of the same page array (or page) on one path without a new acquire in between, typically an error label falling through into a second unwind step that releases again.',
    why: 'Each unpin subtracts 1024 (small page) or 1 from the pincount (large folio); the second one takes references the code never had and frees the page while someone still maps it.',
    wrong: 'err_unmap:\n\tunpin_user_pages(pages, n);\nerr_free:\n\tunpin_user_pages(pages, n);\n\tkfree(pages);',
    right: 'err_unmap:\n\tunpin_user_pages(pages, n);\nerr_free:\n\tkfree(pages);',
    fix: 'No automatic fix; the finding shows both releases on the path.',
  },
  {
    id: 'gup-for-dma',
    title: 'get_user_pages*() used where the page data is accessed',
    severity: 'warning',
    group: 'path',
    doc: 'pinWhichFlags',
    fixable: 'offered',
    description:
      'Pages from get_user_pages*() are accessed as data or handed to DMA/Direct I/O: they must be pinned with pin_user_pages*() (pin_user_pages.rst cases 1, 2 and 5).',
    catches:
      'Pages from a get_* call that reach kmap*()/page_address()/memcpy_*_page()/flush_dcache_page() (case 5), sg_set_page()/sg_alloc_table_from_pages()/dma_map_page() (case 2) or bio_add_page() (case 1); pages requested with FOLL_WRITE and kept past the call (stored in an object or returned through a parameter) for someone to write later; and releases that dirty the pages (set_page_dirty before put_page). Silent when the file registers an MMU notifier (case 3).',
    why: '"use pin_user_pages*() for DMA-pinned pages, and get_user_pages*() for other cases" — FOLL_GET references are invisible to folio_maybe_dma_pinned(), so writeback, page migration and fork-COW treat the page as unused while the device or the CPU is writing it: data corruption and file system crashes (the reason for the whole FOLL_PIN work).',
    wrong:
      'ret = get_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\n...\nsg_set_page(sg, pages[i], PAGE_SIZE, 0);\n...\nput_page(pages[i]);',
    right:
      'ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\n...\nsg_set_page(sg, pages[i], PAGE_SIZE, 0);\n...\nunpin_user_pages_dirty_lock(pages, ret, true);',
    fix: 'The get→pin conversion, in one edit: the call becomes its pin_* counterpart, FOLL_GET is dropped, and every release of those pages in the file becomes the matching unpin (a put_page() loop becomes unpin_user_pages(); dirty-then-put becomes unpin_user_pages_dirty_lock()).',
  },
  {
    id: 'gup-result-unsigned',
    title: 'GUP result stored in an unsigned variable',
    severity: 'warning',
    group: 'path',
    doc: 'gupKernelDoc',
    fixable: 'none',
    description: 'The result of a GUP call is stored in an unsigned variable, so a negative errno is lost.',
    catches: '`unsigned int n = get_user_pages_fast(...)`, `size_t ret = pin_user_pages(...)` and the like.',
    why: 'GUP returns -errno on failure. In an unsigned variable -EFAULT becomes a huge page count: `n < 0` is never true, the error path is dead, and a later unpin_user_pages(pages, n) walks off the array.',
    wrong:
      'unsigned int pinned;\npinned = pin_user_pages_fast(addr, n, FOLL_WRITE, pages);\nif (pinned < 0)\t/* never true */\n\treturn pinned;',
    right: 'long pinned;\npinned = pin_user_pages_fast(addr, n, FOLL_WRITE, pages);\nif (pinned < 0)\n\treturn pinned;',
    fix: 'Declare the variable as `long` (or `int` for the *_fast variants).',
  },
  {
    id: 'missing-foll-write',
    title: 'Pages written later acquired without FOLL_WRITE',
    severity: 'warning',
    group: 'path',
    doc: 'case5',
    fixable: 'safe',
    description:
      'Pages that the device or the kernel will write (DMA_FROM_DEVICE/BIDIRECTIONAL, set_page_dirty, a copy into the page) are acquired without FOLL_WRITE.',
    catches:
      'A GUP call without FOLL_WRITE (and with flags pinscope can see completely) whose pages are then mapped DMA_FROM_DEVICE or DMA_BIDIRECTIONAL, dirtied, released with make_dirty = true, or written through a kernel mapping.',
    why: 'Without FOLL_WRITE, GUP does not break COW and may return the shared zero page for untouched anonymous memory: "If @gup_flags & FOLL_WRITE == 0, the page must not be written to." A device writing into it corrupts every process\'s zero page; writing into a COW-shared page corrupts the other process\'s copy.',
    wrong: 'ret = pin_user_pages_fast(uaddr, n, 0, pages);\n...\ndma_map_sg(dev, sgl, n, DMA_FROM_DEVICE);',
    right: 'ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\n...\ndma_map_sg(dev, sgl, n, DMA_FROM_DEVICE);',
    fix: 'Adds FOLL_WRITE to the flags (`0` → `FOLL_WRITE`, `X` → `X | FOLL_WRITE`).',
  },
  {
    id: 'missing-longterm',
    title: 'Long-lived pin without FOLL_LONGTERM',
    severity: 'warning',
    group: 'path',
    doc: 'case2',
    fixable: 'safe',
    description:
      'Pinned pages are kept past the call (stored in an object on a success path) without FOLL_LONGTERM, and no MMU notifier is registered in the file (pin_user_pages.rst case 2 versus case 3).',
    catches:
      'A pin_* call without FOLL_LONGTERM whose pages are stored in a struct field or global on the success path (userptr objects, registered memory regions, DMA regions released by a later ioctl), in a file that registers no MMU notifier.',
    why: 'A pin held for a user-controlled time must not sit in ZONE_MOVABLE or CMA: FOLL_LONGTERM makes GUP migrate such pages first (check_and_migrate_movable_pages()) and refuses FS-DAX and file-backed dirty-tracked mappings. Without it, memory hot-unplug and CMA allocations fail for as long as the object lives.',
    wrong:
      'ret = pin_user_pages_fast(ptr, n, FOLL_WRITE, pvec);\n...\nobj->pages = pvec;\t/* released when userspace frees obj */',
    right: 'ret = pin_user_pages_fast(ptr, n, FOLL_WRITE | FOLL_LONGTERM, pvec);\n...\nobj->pages = pvec;',
    fix: 'Adds FOLL_LONGTERM to the flags.',
  },
  {
    id: 'dirty-without-lock',
    title: 'User pages dirtied without the page lock',
    severity: 'warning',
    group: 'path',
    doc: 'case5',
    fixable: 'offered',
    description:
      'set_page_dirty() or SetPageDirty() on user pages before release; use set_page_dirty_lock(), or unpin_user_pages_dirty_lock(..., true).',
    catches:
      'set_page_dirty(), SetPageDirty() or folio_mark_dirty() on pages that came from GUP (in this function, or through a struct field filled by GUP elsewhere in the file), without the page lock.',
    why: "User pages may be file-backed. set_page_dirty() without the page lock races with truncation and writeback (the inode can go away under it); SetPageDirty() only flips the flag and skips the mapping's dirty accounting altogether. unpin_user_pages_dirty_lock() takes the folio lock around folio_mark_dirty().",
    wrong: 'for (i = 0; i < n; i++) {\n\tSetPageDirty(pages[i]);\n\tunpin_user_page(pages[i]);\n}',
    right: 'unpin_user_pages_dirty_lock(pages, n, true);',
    fix: 'For pinned pages: the loop becomes unpin_user_pages_dirty_lock(pages, n, dirty). Otherwise set_page_dirty_lock().',
  },
  {
    id: 'dma-mapping-unchecked',
    title: 'DMA mapping used without dma_mapping_error()',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaHowtoErrors',
    fixable: 'offered',
    description: 'A dma_map_single/page/resource() handle is used on some path without a dma_mapping_error() check.',
    catches:
      "A dma_map_single(), dma_map_page(), dma_map_resource() (and _attrs forms) whose handle is used, stored or passed on before any dma_mapping_error() check on that path, or unmapped without one. A check kept in a variable (`ret = dma_mapping_error(...); if (ret)`) or made by an in-file helper that calls dma_mapping_error() on its argument counts; a handle returned to the caller is the caller's to check.",
    why: '"In some cases the DMA mapping can fail … drivers must check the result with dma_mapping_error()." A failed mapping returns DMA_MAPPING_ERROR (all ones), which the device will happily DMA to. dma-debug reports "device driver failed to check map error" at unmap.',
    wrong: 'addr = dma_map_single(dev, buf, len, DMA_TO_DEVICE);\nwritel(lower_32_bits(addr), reg);',
    right:
      'addr = dma_map_single(dev, buf, len, DMA_TO_DEVICE);\nif (dma_mapping_error(dev, addr))\n\treturn -ENOMEM;\nwritel(lower_32_bits(addr), reg);',
    fix: 'Inserts `if (dma_mapping_error(dev, addr)) goto <label>;` when the function has exactly one sensible error label.',
  },
  {
    id: 'dma-mapping-null-check',
    title: 'DMA handle checked against 0 instead of dma_mapping_error()',
    severity: 'error',
    group: 'dma',
    doc: 'dmaHowtoErrors',
    fixable: 'safe',
    description:
      'The mapping handle is checked with `!addr` or `== 0`, which never detects DMA_MAPPING_ERROR (and 0 can be a valid address).',
    catches: '`if (!addr)`, `if (addr == 0)`, `if (addr == NULL)` on the result of dma_map_single/page/resource().',
    why: 'DMA_MAPPING_ERROR is (~(dma_addr_t)0), not 0; 0 is a valid bus address on many IOMMUs. The check misses every failure and rejects a legal mapping.',
    wrong: 'paddr = dma_map_single(dev, skb->data, skb->len, DMA_TO_DEVICE);\nif (!paddr)\n\tcontinue;',
    right:
      'paddr = dma_map_single(dev, skb->data, skb->len, DMA_TO_DEVICE);\nif (dma_mapping_error(dev, paddr))\n\tcontinue;',
    fix: 'Replaces the test with dma_mapping_error(dev, addr).',
  },
  {
    id: 'dma-map-sg-unchecked',
    title: 'dma_map_sg() returning 0 not handled',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaStreaming',
    fixable: 'none',
    description: 'The result of dma_map_sg() is not checked for 0 (failure) before it is used.',
    catches:
      'dma_map_sg()/dma_map_sg_attrs() whose result is ignored, or used as a segment count without a `== 0` (or `<= 0`) check on the path.',
    why: '"dma_map_sg() returns the number of DMA address segments mapped … or 0 in case of failure." There is no dma_mapping_error() for scatterlists; an unchecked 0 programs the device with no segments, or with stale ones.',
    wrong:
      'count = dma_map_sg(dev, sgl, nents, DMA_TO_DEVICE);\nfor_each_sg(sgl, sg, count, i) hw_add(sg_dma_address(sg));',
    right: 'count = dma_map_sg(dev, sgl, nents, DMA_TO_DEVICE);\nif (!count)\n\treturn -ENOMEM;',
    fix: 'No automatic fix.',
  },
  {
    id: 'dma-unmap-sg-nents',
    title: 'dma_unmap_sg() given the mapped count',
    severity: 'error',
    group: 'dma',
    doc: 'dmaStreaming',
    fixable: 'safe',
    description: 'dma_unmap_sg() is passed the count dma_map_sg() returned instead of the original nents.',
    catches: '`n = dma_map_sg(dev, sg, nents, dir); … dma_unmap_sg(dev, sg, n, dir);`',
    why: '"The nents argument to dma_unmap_sg must be the same one you passed into dma_map_sg, it should NOT be the value returned from dma_map_sg." An IOMMU may merge segments; unmapping fewer leaves IOVA space and bounce buffers leaked. dma-debug: "device driver frees DMA sg list with different entry count".',
    wrong:
      'count = dma_map_sg(dev, sgl, nents, DMA_FROM_DEVICE);\n...\ndma_unmap_sg(dev, sgl, count, DMA_FROM_DEVICE);',
    right:
      'count = dma_map_sg(dev, sgl, nents, DMA_FROM_DEVICE);\n...\ndma_unmap_sg(dev, sgl, nents, DMA_FROM_DEVICE);',
    fix: 'Uses the original nents in dma_unmap_sg().',
  },
  {
    id: 'dma-unmap-mismatch',
    title: 'Unmapped or freed unlike it was mapped',
    severity: 'error',
    group: 'dma',
    doc: 'dmaDebug',
    fixable: 'offered',
    description:
      'A mapping is unmapped with another direction, size or function family than it was mapped with, or coherent memory is freed with the wrong function or size.',
    catches:
      'dma_unmap_single() on a dma_map_page() handle (and every other family pairing), a different DMA direction or size at unmap, dma_free_coherent() with a different size than dma_alloc_coherent(), kfree() of coherent memory.',
    why: 'dma-debug checks each of these: "device driver frees DMA memory with wrong function", "… with different direction", "… with different size". On swiotlb and IOMMU systems a mismatch syncs the wrong bounce buffer or unmaps the wrong IOVA range.',
    wrong:
      'addr = dma_map_page(dev, page, 0, len, DMA_TO_DEVICE);\n...\ndma_unmap_single(dev, addr, len, DMA_FROM_DEVICE);',
    right:
      'addr = dma_map_page(dev, page, 0, len, DMA_TO_DEVICE);\n...\ndma_unmap_page(dev, addr, len, DMA_TO_DEVICE);',
    fix: "Offers the matching unmap/free with the mapping's direction and size.",
  },
  {
    id: 'dma-mapping-leak',
    title: 'DMA mapping or coherent allocation leaked on some path',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaDebug',
    fixable: 'none',
    description: 'A streaming mapping or coherent allocation is neither released nor stored on some path.',
    catches:
      'A path from a successful dma_map_*(), dma_alloc_*() or dma_pool_alloc() to a return on which the mapping is neither unmapped (freed) nor handed on. Handed on means stored in a struct or through an out-parameter, returned, or passed to a function that this function does not unmap it after: ownership has left, and the rule stays silent, on error returns too. A leak that only happens when a loop runs zero times is not reported.',
    why: 'Leaked mappings exhaust IOVA space and swiotlb bounce buffers; dma-debug reports "device driver has pending DMA allocations while released from device" at unbind.',
    wrong:
      'addr = dma_map_single(dev, buf, len, DMA_TO_DEVICE);\nif (dma_mapping_error(dev, addr))\n\treturn -ENOMEM;\nif (start_hw(dev, addr))\n\treturn -EIO;\t/* mapping leaks */\nwait_hw(dev);\ndma_unmap_single(dev, addr, len, DMA_TO_DEVICE);',
    right: 'if (start_hw(dev, addr)) {\n\tdma_unmap_single(dev, addr, len, DMA_TO_DEVICE);\n\treturn -EIO;\n}',
    fix: 'No automatic fix.',
  },
  {
    id: 'dma-double-unmap',
    title: 'DMA mapping unmapped twice',
    severity: 'error',
    group: 'dma',
    doc: 'dmaDebug',
    fixable: 'none',
    description: 'The same DMA mapping is unmapped (or coherent memory freed) twice on one path.',
    catches: 'Two dma_unmap_*/dma_free_* of the same handle on one path without a new mapping in between.',
    why: 'dma-debug: "device driver tries to free DMA memory it has not allocated". With an IOMMU the second unmap can tear down a mapping that now belongs to another buffer.',
    wrong: 'dma_unmap_single(dev, addr, len, DMA_TO_DEVICE);\n...\ndma_unmap_single(dev, addr, len, DMA_TO_DEVICE);',
    right: 'dma_unmap_single(dev, addr, len, DMA_TO_DEVICE);',
    fix: 'No automatic fix.',
  },
  {
    id: 'dma-on-stack',
    title: 'Stack or vmalloc memory mapped for DMA',
    severity: 'error',
    group: 'dma',
    doc: 'dmaHowtoStack',
    fixable: 'none',
    description: 'A stack buffer or vmalloc() memory is passed to a streaming DMA mapping.',
    catches:
      'dma_map_single() (and sg_init_one()/sg_set_buf() feeding dma_map_sg()) on the address of a local array or variable, or on memory from vmalloc()/vzalloc()/kvmalloc().',
    why: '"you cannot take the return of a vmalloc() call and DMA to/from that"; stack memory is not DMA-able with CONFIG_VMAP_STACK and shares cachelines with live locals. dma-debug: "device driver maps memory from stack", "… from vmalloc area"; dma_map_single() itself rejects vmalloc memory with a WARN.',
    wrong: 'u8 cmd[16];\naddr = dma_map_single(dev, cmd, sizeof(cmd), DMA_TO_DEVICE);',
    right: 'u8 *cmd = kmalloc(16, GFP_KERNEL);\naddr = dma_map_single(dev, cmd, 16, DMA_TO_DEVICE);',
    fix: 'No automatic fix: allocate the buffer with kmalloc().',
  },
  {
    id: 'dma-sync-direction',
    title: 'DMA sync direction contradicts the mapping',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaStreaming',
    fixable: 'none',
    description:
      'A dma_sync_* call uses a direction that contradicts the mapping, or the CPU reads a DMA_FROM_DEVICE buffer without dma_sync_*_for_cpu() first (hint).',
    catches:
      "dma_sync_single_for_cpu()/for_device() and the sg forms with a direction other than the mapping's (unless the mapping is DMA_BIDIRECTIONAL), a for_cpu sync of a DMA_TO_DEVICE mapping; and, as a hint, CPU reads of a DMA_FROM_DEVICE streaming buffer with no for_cpu sync between the device's write and the read.",
    why: 'dma-debug: "device driver syncs DMA memory with different direction", "… syncs device read-only DMA memory for cpu". On non-coherent platforms a missing for_cpu sync reads stale cache lines.',
    wrong:
      'addr = dma_map_single(dev, buf, len, DMA_FROM_DEVICE);\n...\ndma_sync_single_for_cpu(dev, addr, len, DMA_TO_DEVICE);',
    right: 'dma_sync_single_for_cpu(dev, addr, len, DMA_FROM_DEVICE);',
    fix: 'No automatic fix.',
  },
  {
    id: 'dma-pool-leak',
    title: 'dma_pool_destroy() with allocations outstanding',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaPool',
    fixable: 'none',
    description:
      'dma_pool_destroy() is called while blocks allocated from the pool on this path are still outstanding.',
    catches:
      'A path on which dma_pool_alloc()/dma_pool_zalloc() blocks are not dma_pool_free()d before dma_pool_destroy() of the same pool.',
    why: 'dma_pool_destroy() reports "dma_pool_destroy %s, %p busy" and leaks the pages still in use; the device may still DMA into them.',
    wrong: 'v = dma_pool_alloc(pool, GFP_KERNEL, &dma);\n...\ndma_pool_destroy(pool);',
    right: 'dma_pool_free(pool, v, dma);\ndma_pool_destroy(pool);',
    fix: 'No automatic fix.',
  },
];

const byId = new Map<RuleId, RuleMeta>(RULES.map((r) => [r.id, r]));

export function ruleMeta(id: RuleId): RuleMeta {
  const meta = byId.get(id);
  if (!meta) throw new Error(`rule table: no entry for ${id}`);
  return meta;
}

/** All rules, in RULE_IDS order. */
export function allRules(): readonly RuleMeta[] {
  return RULE_IDS.map((id) => ruleMeta(id));
}

export function ruleDocsUrl(id: RuleId): string {
  return KERNEL_DOCS[ruleMeta(id).doc].url;
}

/** Where the rule's own page lives in the repository (docs/rules/<id>.md). */
export function rulePagePath(id: RuleId): string {
  return `docs/rules/${id}.md`;
}
