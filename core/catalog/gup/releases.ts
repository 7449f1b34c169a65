/**
 * Every release of GUP pages: put_page()/folio_put()/release_pages() for FOLL_GET references,
 * unpin_user_page*()/unpin_folio*() for FOLL_PIN pins, with the shape of what they release and
 * whether they dirty it. Source: kernel-semantics.md §1 (pairing).
 */
import { sig, type ReleaseApi } from './types';

export const RELEASE_APIS: readonly ReleaseApi[] = [
  {
    name: 'put_page',
    family: 'get',
    exists: {},
    target: 'page',
    dirty: 'no',
    signatures: [sig({}, 'void put_page(struct page *page)', 'page')],
    summary: 'Drops one plain reference.',
  },
  {
    name: 'folio_put',
    family: 'get',
    exists: { since: '5.16' },
    target: 'folio',
    dirty: 'no',
    signatures: [sig({ since: '5.16' }, 'void folio_put(struct folio *folio)', 'folio')],
    summary: 'Drops one plain reference on a folio.',
  },
  {
    name: 'release_pages',
    family: 'get',
    exists: {},
    target: 'pages',
    dirty: 'no',
    signatures: [sig({}, 'void release_pages(struct page **pages, int nr)', 'pages', 'nr')],
    summary: 'Drops one plain reference on each of nr pages (batched put_page()).',
  },
  {
    // The page allocator's frees, seen on GUP pages where put_page() belongs (issue 11: "Releases
    // the get→pin conversion leaves behind"). They drop one reference like put_page(), but not
    // folio-aware (a tail page of a large folio, ZONE_DEVICE pages); on pinned pages they leave
    // the 1024 bias in place.
    name: '__free_page',
    family: 'get',
    exists: {},
    target: 'page',
    dirty: 'no',
    signatures: [sig({}, 'void __free_page(struct page *page)', 'page')],
    summary: "The page allocator's free of one page it allocated; on user pages from GUP use put_page().",
  },
  {
    name: '__free_pages',
    family: 'get',
    exists: {},
    target: 'page',
    dirty: 'no',
    signatures: [sig({}, 'void __free_pages(struct page *page, unsigned int order)', 'page', 'order')],
    summary: "The page allocator's free of 2^order pages it allocated; on user pages from GUP use put_page().",
  },
  {
    name: 'put_user_page',
    family: 'pin',
    exists: { since: '5.3', until: '5.6' },
    target: 'page',
    dirty: 'no',
    renamedTo: { name: 'unpin_user_page', since: '5.6' },
    signatures: [sig({ since: '5.3', until: '5.6' }, 'void put_user_page(struct page *page)', 'page')],
    summary: 'v5.3–v5.5 name of unpin_user_page().',
  },
  {
    name: 'put_user_pages',
    family: 'pin',
    exists: { since: '5.3', until: '5.6' },
    target: 'pages',
    dirty: 'no',
    renamedTo: { name: 'unpin_user_pages', since: '5.6' },
    signatures: [
      sig(
        { since: '5.3', until: '5.6' },
        'void put_user_pages(struct page **pages, unsigned long npages)',
        'pages',
        'npages',
      ),
    ],
    summary: 'v5.3–v5.5 name of unpin_user_pages().',
  },
  {
    name: 'put_user_pages_dirty_lock',
    family: 'pin',
    exists: { since: '5.3', until: '5.6' },
    target: 'pages',
    dirty: 'arg',
    renamedTo: { name: 'unpin_user_pages_dirty_lock', since: '5.6' },
    signatures: [
      sig(
        { since: '5.3', until: '5.6' },
        'void put_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty)',
        'pages',
        'npages',
        'make_dirty',
      ),
    ],
    summary: 'v5.3–v5.5 name of unpin_user_pages_dirty_lock().',
  },
  {
    name: 'unpin_user_page',
    family: 'pin',
    exists: { since: '5.6' },
    target: 'page',
    dirty: 'no',
    signatures: [sig({ since: '5.6' }, 'void unpin_user_page(struct page *page)', 'page')],
    summary: 'Releases one FOLL_PIN pin.',
  },
  {
    name: 'unpin_user_pages',
    family: 'pin',
    exists: { since: '5.6' },
    target: 'pages',
    dirty: 'no',
    signatures: [
      sig({ since: '5.6' }, 'void unpin_user_pages(struct page **pages, unsigned long npages)', 'pages', 'npages'),
    ],
    summary:
      'Releases npages pins. WARNs and does nothing when npages is a -errno (IS_ERR_VALUE). Skips NULL entries since ≈v6.12 (not in v6.1).',
  },
  {
    name: 'unpin_user_pages_dirty_lock',
    family: 'pin',
    exists: { since: '5.6' },
    target: 'pages',
    dirty: 'arg',
    signatures: [
      sig(
        { since: '5.6' },
        'void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages, bool make_dirty)',
        'pages',
        'npages',
        'make_dirty',
      ),
    ],
    summary:
      'Marks each folio dirty under the folio lock when make_dirty, then unpins. Use make_dirty = true after the device or the kernel wrote the pages.',
  },
  {
    name: 'unpin_user_page_range_dirty_lock',
    family: 'pin',
    exists: { since: '5.12' },
    target: 'page-range',
    dirty: 'arg',
    signatures: [
      sig(
        { since: '5.12' },
        'void unpin_user_page_range_dirty_lock(struct page *page, unsigned long npages, bool make_dirty)',
        'page',
        'npages',
        'make_dirty',
      ),
    ],
    summary: 'Unpins npages physically contiguous pages starting at page.',
  },
  {
    name: 'unpin_user_folio',
    family: 'pin',
    exists: { since: '6.12' },
    target: 'folio',
    dirty: 'no',
    signatures: [
      sig({ since: '6.12' }, 'void unpin_user_folio(struct folio *folio, unsigned long npages)', 'folio', 'npages'),
    ],
    summary: 'Releases npages pins of one folio at once.',
  },
  {
    name: 'unpin_folio',
    family: 'pin',
    exists: { since: '6.11' },
    target: 'folio',
    dirty: 'no',
    signatures: [sig({ since: '6.11' }, 'void unpin_folio(struct folio *folio)', 'folio')],
    summary: 'Releases one pin of a folio pinned by memfd_pin_folios().',
  },
  {
    name: 'unpin_folios',
    family: 'pin',
    exists: { since: '6.11' },
    target: 'folios',
    dirty: 'no',
    signatures: [
      sig({ since: '6.11' }, 'void unpin_folios(struct folio **folios, unsigned long nfolios)', 'folios', 'nfolios'),
    ],
    summary: 'Releases the folios pinned by memfd_pin_folios().',
  },
];
