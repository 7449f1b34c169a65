/**
 * The kernel documentation sections pinscope's rules follow, by stable key. Anchors are the ones
 * Sphinx generates on docs.kernel.org for the section titles of
 * Documentation/core-api/pin_user_pages.rst and Documentation/core-api/dma-api.rst.
 */
const PIN = 'https://docs.kernel.org/core-api/pin_user_pages.html';
const DMA = 'https://docs.kernel.org/core-api/dma-api.html';
const DMA_HOWTO = 'https://docs.kernel.org/core-api/dma-api-howto.html';

export const KERNEL_DOCS = {
  pinBasics: {
    url: `${PIN}#basic-description-of-foll-pin`,
    title: 'pin_user_pages.rst: Basic description of FOLL_PIN',
  },
  pinWrappers: {
    url: `${PIN}#which-flags-are-set-by-each-wrapper`,
    title: 'pin_user_pages.rst: Which flags are set by each wrapper',
  },
  pinTracking: { url: `${PIN}#tracking-dma-pinned-pages`, title: 'pin_user_pages.rst: Tracking dma-pinned pages' },
  pinWhichFlags: {
    url: `${PIN}#foll-pin-foll-get-foll-longterm-when-to-use-which-flags`,
    title: 'pin_user_pages.rst: FOLL_PIN, FOLL_GET, FOLL_LONGTERM: when to use which flags',
  },
  case1: { url: `${PIN}#case-1-direct-io-dio`, title: 'pin_user_pages.rst: CASE 1: Direct IO (DIO)' },
  case2: { url: `${PIN}#case-2-rdma`, title: 'pin_user_pages.rst: CASE 2: RDMA' },
  case3: {
    url: `${PIN}#case-3-mmu-notifier-registration-with-or-without-page-faulting-hardware`,
    title: 'pin_user_pages.rst: CASE 3: MMU notifier registration, with or without page faulting hardware',
  },
  case4: {
    url: `${PIN}#case-4-pinning-for-struct-page-manipulation-only`,
    title: 'pin_user_pages.rst: CASE 4: Pinning for struct page manipulation only',
  },
  case5: {
    url: `${PIN}#case-5-pinning-in-order-to-write-to-the-data-within-the-page`,
    title: 'pin_user_pages.rst: CASE 5: Pinning in order to write to the data within the page',
  },
  maybeDmaPinned: {
    url: `${PIN}#folio-maybe-dma-pinned-the-whole-point-of-pinning`,
    title: 'pin_user_pages.rst: folio_maybe_dma_pinned(): the whole point of pinning',
  },
  pinDiagnostics: { url: `${PIN}#other-diagnostics`, title: 'pin_user_pages.rst: Other diagnostics' },
  gupKernelDoc: {
    url: 'https://docs.kernel.org/core-api/mm-api.html#c.get_user_pages',
    title: 'mm/gup.c kernel-doc: get_user_pages()',
  },
  dmaStreaming: {
    url: `${DMA}#part-id-streaming-dma-mappings`,
    title: 'dma-api.rst: Part Id - Streaming DMA mappings',
  },
  dmaCoherent: {
    url: `${DMA}#part-ia-using-large-dma-coherent-buffers`,
    title: 'dma-api.rst: Part Ia - Using large DMA-coherent buffers',
  },
  dmaPool: {
    url: `${DMA}#part-ib-using-small-dma-coherent-buffers`,
    title: 'dma-api.rst: Part Ib - Using small DMA-coherent buffers',
  },
  dmaNonCoherent: {
    url: `${DMA}#part-ii-non-coherent-dma-allocations`,
    title: 'dma-api.rst: Part II - Non-coherent DMA allocations',
  },
  dmaDebug: {
    url: `${DMA}#part-iii-debug-drivers-use-of-the-dma-api`,
    title: 'dma-api.rst: Part III - Debug drivers use of the DMA-API',
  },
  scsiDma: {
    url: 'https://docs.kernel.org/driver-api/scsi.html#drivers-scsi-scsi-lib-dma-c',
    title: 'driver-api/scsi.rst: drivers/scsi/scsi_lib_dma.c (scsi_dma_map(), scsi_dma_unmap())',
  },
  dmaHowtoErrors: { url: `${DMA_HOWTO}#handling-errors`, title: 'dma-api-howto.rst: Handling Errors' },
  dmaHowtoStack: {
    url: `${DMA_HOWTO}#what-memory-is-dma-able`,
    title: "dma-api-howto.rst: What memory is DMA'able?",
  },
} as const;

export type KernelDocKey = keyof typeof KERNEL_DOCS;
