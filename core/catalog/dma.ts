/**
 * The DMA API (Documentation/core-api/dma-api.rst, kernel-semantics.md §4): streaming mappings,
 * coherent and non-coherent allocations, pools, syncs, mapping-error checks, masks and the IOVA
 * API, with argument positions, what each creates or releases, and its counterpart.
 */
import type { KernelDocKey } from './docs';
import type { VersionRange } from './version';

/** dma-debug's entry types (kernel/dma/debug.c type2name). */
export type DmaEntryType = 'single' | 'sg' | 'coherent' | 'resource' | 'noncoherent' | 'pool' | 'iova';

export type DmaRole =
  'map' | 'unmap' | 'check' | 'sync' | 'alloc' | 'free' | 'pool-create' | 'pool-destroy' | 'mask' | 'iova';

export type DmaParam =
  | 'dev'
  | 'ptr'
  | 'page'
  | 'offset'
  | 'size'
  | 'dir'
  | 'attrs'
  | 'sg'
  | 'nents'
  | 'sgt'
  | 'addr'
  | 'handle'
  | 'cpu_addr'
  | 'gfp'
  | 'pool'
  | 'vaddr'
  | 'name'
  | 'align'
  | 'boundary'
  | 'mask'
  | 'phys'
  | 'state'
  | 'mapped_len'
  /** A SCSI command (`struct scsi_cmnd *`): the mid-layer maps and unmaps what it carries. */
  | 'cmd';

export interface DmaApi {
  readonly name: string;
  readonly role: DmaRole;
  readonly type: DmaEntryType;
  readonly params: readonly DmaParam[];
  /**
   * What the call returns: a handle (dma_addr_t), a mapped count, a status, a CPU address, …
   * `count-or-errno`: the number of mapped segments, 0 when there was nothing to map, or a
   * negative errno when the mapping failed (scsi_dma_map()).
   */
  readonly returns:
    'handle' | 'count' | 'count-or-errno' | 'status' | 'cpu-addr' | 'page' | 'sgt' | 'pool' | 'bool' | 'void';
  /** The matching release, for maps and allocations. */
  readonly release?: string;
  /** dmam_*: device-managed, released when the driver detaches (never a leak). */
  readonly managed?: boolean;
  /**
   * The mapping is kept in the object this parameter names, not in a value the call returns
   * (scsi_dma_map(cmd): the command carries its scatterlist). Whoever owns that object unmaps it
   * later — the completion path, on success — so the mapping is this function's to undo only on
   * its error returns; and the map is known by that object.
   */
  readonly keptIn?: DmaParam;
  /** `for_cpu` syncs hand the buffer to the CPU, `for_device` back to the device. */
  readonly sync?: 'cpu' | 'device';
  readonly exists: VersionRange;
  readonly summary: string;
  readonly doc: KernelDocKey;
}

const api = (
  name: string,
  role: DmaRole,
  type: DmaEntryType,
  returns: DmaApi['returns'],
  params: DmaParam[],
  summary: string,
  extra: Partial<DmaApi> = {},
): DmaApi => ({
  name,
  role,
  type,
  returns,
  params,
  summary,
  exists: {},
  doc:
    role === 'alloc' || role === 'free'
      ? 'dmaCoherent'
      : role === 'pool-create' || role === 'pool-destroy'
        ? 'dmaPool'
        : 'dmaStreaming',
  ...extra,
});

export const DMA_APIS: readonly DmaApi[] = [
  api(
    'dma_map_single',
    'map',
    'single',
    'handle',
    ['dev', 'ptr', 'size', 'dir'],
    'Maps a kernel virtual buffer (not stack, not vmalloc) for streaming DMA; check the handle with dma_mapping_error().',
    { release: 'dma_unmap_single' },
  ),
  api(
    'dma_map_single_attrs',
    'map',
    'single',
    'handle',
    ['dev', 'ptr', 'size', 'dir', 'attrs'],
    'dma_map_single() with DMA_ATTR_* attributes.',
    { release: 'dma_unmap_single_attrs' },
  ),
  api(
    'dma_map_page',
    'map',
    'single',
    'handle',
    ['dev', 'page', 'offset', 'size', 'dir'],
    'Maps part of a page for streaming DMA; check the handle with dma_mapping_error().',
    { release: 'dma_unmap_page' },
  ),
  api(
    'dma_map_page_attrs',
    'map',
    'single',
    'handle',
    ['dev', 'page', 'offset', 'size', 'dir', 'attrs'],
    'dma_map_page() with DMA_ATTR_* attributes.',
    { release: 'dma_unmap_page_attrs' },
  ),
  api(
    'dma_map_resource',
    'map',
    'resource',
    'handle',
    ['dev', 'phys', 'size', 'dir', 'attrs'],
    'Maps an MMIO resource (a physical address) for DMA; check with dma_mapping_error().',
    { release: 'dma_unmap_resource' },
  ),
  api(
    'dma_map_sg',
    'map',
    'sg',
    'count',
    ['dev', 'sg', 'nents', 'dir'],
    'Maps a scatterlist; returns the number of DMA segments (possibly fewer than nents) or 0 on failure. Unmap with the original nents.',
    { release: 'dma_unmap_sg' },
  ),
  api(
    'dma_map_sg_attrs',
    'map',
    'sg',
    'count',
    ['dev', 'sg', 'nents', 'dir', 'attrs'],
    'dma_map_sg() with attributes.',
    { release: 'dma_unmap_sg_attrs' },
  ),
  api(
    'dma_map_sgtable',
    'map',
    'sg',
    'status',
    ['dev', 'sgt', 'dir', 'attrs'],
    'Maps an sg_table; returns 0 or -errno and stores the mapped count in sgt->nents.',
    { release: 'dma_unmap_sgtable' },
  ),
  api(
    'scsi_dma_map',
    'map',
    'sg',
    'count-or-errno',
    ['cmd'],
    "SCSI mid-layer: maps a command's scatterlist (dma_map_sg() on the host's DMA device); returns the number of mapped segments, 0 when the command has no data, or -ENOMEM when the mapping failed. Test it for a negative value; unmap with scsi_dma_unmap(cmd).",
    { release: 'scsi_dma_unmap', keptIn: 'cmd', doc: 'scsiDma' },
  ),
  api(
    'dma_unmap_single',
    'unmap',
    'single',
    'void',
    ['dev', 'addr', 'size', 'dir'],
    'Unmaps a dma_map_single() mapping: same device, handle, size and direction.',
  ),
  api(
    'dma_unmap_single_attrs',
    'unmap',
    'single',
    'void',
    ['dev', 'addr', 'size', 'dir', 'attrs'],
    'dma_unmap_single() with attributes.',
  ),
  api('dma_unmap_page', 'unmap', 'single', 'void', ['dev', 'addr', 'size', 'dir'], 'Unmaps a dma_map_page() mapping.'),
  api(
    'dma_unmap_page_attrs',
    'unmap',
    'single',
    'void',
    ['dev', 'addr', 'size', 'dir', 'attrs'],
    'dma_unmap_page() with attributes.',
  ),
  api(
    'dma_unmap_resource',
    'unmap',
    'resource',
    'void',
    ['dev', 'addr', 'size', 'dir', 'attrs'],
    'Unmaps a dma_map_resource() mapping.',
  ),
  api(
    'dma_unmap_sg',
    'unmap',
    'sg',
    'void',
    ['dev', 'sg', 'nents', 'dir'],
    'Unmaps a scatterlist: pass the nents given to dma_map_sg(), not the count it returned.',
  ),
  api(
    'dma_unmap_sg_attrs',
    'unmap',
    'sg',
    'void',
    ['dev', 'sg', 'nents', 'dir', 'attrs'],
    'dma_unmap_sg() with attributes.',
  ),
  api(
    'scsi_dma_unmap',
    'unmap',
    'sg',
    'void',
    ['cmd'],
    'SCSI mid-layer: unmaps what scsi_dma_map() mapped of the command (harmless when the command has no data).',
    { keptIn: 'cmd', doc: 'scsiDma' },
  ),
  api(
    'dma_unmap_sgtable',
    'unmap',
    'sg',
    'void',
    ['dev', 'sgt', 'dir', 'attrs'],
    'Unmaps an sg_table (uses sgt->orig_nents).',
  ),
  api(
    'dma_mapping_error',
    'check',
    'single',
    'status',
    ['dev', 'addr'],
    'Non-zero when a dma_map_single/page/resource() handle is DMA_MAPPING_ERROR. The only correct failure check for those handles.',
  ),
  api(
    'dma_sync_single_for_cpu',
    'sync',
    'single',
    'void',
    ['dev', 'addr', 'size', 'dir'],
    'Gives a streaming mapping back to the CPU before it reads what the device wrote.',
    { sync: 'cpu' },
  ),
  api(
    'dma_sync_single_for_device',
    'sync',
    'single',
    'void',
    ['dev', 'addr', 'size', 'dir'],
    'Gives a streaming mapping back to the device after the CPU wrote to it.',
    { sync: 'device' },
  ),
  api(
    'dma_sync_single_range_for_cpu',
    'sync',
    'single',
    'void',
    ['dev', 'addr', 'offset', 'size', 'dir'],
    'dma_sync_single_for_cpu() on part of a mapping.',
    { sync: 'cpu' },
  ),
  api(
    'dma_sync_single_range_for_device',
    'sync',
    'single',
    'void',
    ['dev', 'addr', 'offset', 'size', 'dir'],
    'dma_sync_single_for_device() on part of a mapping.',
    { sync: 'device' },
  ),
  api(
    'dma_sync_sg_for_cpu',
    'sync',
    'sg',
    'void',
    ['dev', 'sg', 'nents', 'dir'],
    'dma_sync_single_for_cpu() for a scatterlist (original nents).',
    { sync: 'cpu' },
  ),
  api(
    'dma_sync_sg_for_device',
    'sync',
    'sg',
    'void',
    ['dev', 'sg', 'nents', 'dir'],
    'dma_sync_single_for_device() for a scatterlist (original nents).',
    { sync: 'device' },
  ),
  api('dma_sync_sgtable_for_cpu', 'sync', 'sg', 'void', ['dev', 'sgt', 'dir'], 'Syncs an sg_table for the CPU.', {
    sync: 'cpu',
  }),
  api('dma_sync_sgtable_for_device', 'sync', 'sg', 'void', ['dev', 'sgt', 'dir'], 'Syncs an sg_table for the device.', {
    sync: 'device',
  }),
  api(
    'dma_alloc_coherent',
    'alloc',
    'coherent',
    'cpu-addr',
    ['dev', 'size', 'handle', 'gfp'],
    'Allocates coherent memory: returns the CPU address (NULL on failure) and the DMA address through `handle`.',
    { release: 'dma_free_coherent' },
  ),
  api(
    'dma_alloc_attrs',
    'alloc',
    'coherent',
    'cpu-addr',
    ['dev', 'size', 'handle', 'gfp', 'attrs'],
    'dma_alloc_coherent() with attributes.',
    { release: 'dma_free_attrs' },
  ),
  api(
    'dmam_alloc_coherent',
    'alloc',
    'coherent',
    'cpu-addr',
    ['dev', 'size', 'handle', 'gfp'],
    'Device-managed dma_alloc_coherent(): freed when the driver detaches.',
    { release: 'dmam_free_coherent', managed: true },
  ),
  api(
    'dma_free_coherent',
    'free',
    'coherent',
    'void',
    ['dev', 'size', 'cpu_addr', 'handle'],
    'Frees dma_alloc_coherent() memory: same size, CPU address and handle.',
  ),
  api(
    'dma_free_attrs',
    'free',
    'coherent',
    'void',
    ['dev', 'size', 'cpu_addr', 'handle', 'attrs'],
    'Frees dma_alloc_attrs() memory.',
  ),
  api(
    'dmam_free_coherent',
    'free',
    'coherent',
    'void',
    ['dev', 'size', 'cpu_addr', 'handle'],
    'Frees dmam_alloc_coherent() memory early.',
  ),
  api(
    'dma_alloc_pages',
    'alloc',
    'noncoherent',
    'page',
    ['dev', 'size', 'handle', 'dir', 'gfp'],
    'Allocates non-coherent pages mapped for DMA; sync explicitly.',
    { release: 'dma_free_pages', doc: 'dmaNonCoherent' },
  ),
  api(
    'dma_free_pages',
    'free',
    'noncoherent',
    'void',
    ['dev', 'size', 'page', 'handle', 'dir'],
    'Frees dma_alloc_pages() memory.',
    { doc: 'dmaNonCoherent' },
  ),
  api(
    'dma_alloc_noncoherent',
    'alloc',
    'noncoherent',
    'cpu-addr',
    ['dev', 'size', 'handle', 'dir', 'gfp'],
    'Allocates non-coherent memory mapped for DMA; sync explicitly.',
    { release: 'dma_free_noncoherent', doc: 'dmaNonCoherent' },
  ),
  api(
    'dma_free_noncoherent',
    'free',
    'noncoherent',
    'void',
    ['dev', 'size', 'vaddr', 'handle', 'dir'],
    'Frees dma_alloc_noncoherent() memory.',
    { doc: 'dmaNonCoherent' },
  ),
  api(
    'dma_alloc_noncontiguous',
    'alloc',
    'noncoherent',
    'sgt',
    ['dev', 'size', 'dir', 'gfp', 'attrs'],
    'Allocates non-contiguous non-coherent memory as an sg_table.',
    { release: 'dma_free_noncontiguous', doc: 'dmaNonCoherent', exists: { since: '5.15' } },
  ),
  api(
    'dma_free_noncontiguous',
    'free',
    'noncoherent',
    'void',
    ['dev', 'size', 'sgt', 'dir'],
    'Frees dma_alloc_noncontiguous() memory.',
    { doc: 'dmaNonCoherent', exists: { since: '5.15' } },
  ),
  api(
    'dma_pool_create',
    'pool-create',
    'pool',
    'pool',
    ['name', 'dev', 'size', 'align', 'boundary'],
    'Creates a pool of small coherent blocks.',
    { release: 'dma_pool_destroy' },
  ),
  api(
    'dmam_pool_create',
    'pool-create',
    'pool',
    'pool',
    ['name', 'dev', 'size', 'align', 'boundary'],
    'Device-managed dma_pool_create().',
    { release: 'dma_pool_destroy', managed: true },
  ),
  api(
    'dma_pool_destroy',
    'pool-destroy',
    'pool',
    'void',
    ['pool'],
    'Destroys a pool; every block must have been freed ("dma_pool_destroy %s, %p busy").',
  ),
  api(
    'dma_pool_alloc',
    'alloc',
    'pool',
    'cpu-addr',
    ['pool', 'gfp', 'handle'],
    'Allocates a block from a pool; the DMA address comes back through `handle`.',
    { release: 'dma_pool_free' },
  ),
  api(
    'dma_pool_zalloc',
    'alloc',
    'pool',
    'cpu-addr',
    ['pool', 'gfp', 'handle'],
    'dma_pool_alloc() that zeroes the block.',
    { release: 'dma_pool_free' },
  ),
  api('dma_pool_free', 'free', 'pool', 'void', ['pool', 'vaddr', 'addr'], 'Returns a block to its pool.'),
  api('dma_set_mask', 'mask', 'single', 'status', ['dev', 'mask'], 'Sets the streaming DMA mask; returns 0 or -EIO.', {
    doc: 'dmaStreaming',
  }),
  api('dma_set_coherent_mask', 'mask', 'coherent', 'status', ['dev', 'mask'], 'Sets the coherent DMA mask.', {
    doc: 'dmaStreaming',
  }),
  api('dma_set_mask_and_coherent', 'mask', 'single', 'status', ['dev', 'mask'], 'Sets both masks; returns 0 or -EIO.', {
    doc: 'dmaStreaming',
  }),
  api(
    'dma_iova_try_alloc',
    'iova',
    'iova',
    'bool',
    ['dev', 'state', 'phys', 'size'],
    'IOVA API: reserves an IOVA range for two-step mapping (≈v6.17).',
    { exists: { since: '6.17' } },
  ),
  api(
    'dma_iova_link',
    'iova',
    'iova',
    'status',
    ['dev', 'state', 'phys', 'offset', 'size', 'dir', 'attrs'],
    'IOVA API: links physical memory into a reserved range (≈v6.17).',
    { exists: { since: '6.17' } },
  ),
  api(
    'dma_iova_unlink',
    'iova',
    'iova',
    'void',
    ['dev', 'state', 'offset', 'size', 'dir', 'attrs'],
    'IOVA API: unlinks part of a range (≈v6.17).',
    { exists: { since: '6.17' } },
  ),
  api('dma_iova_free', 'iova', 'iova', 'void', ['dev', 'state'], 'IOVA API: frees a reserved range (≈v6.17).', {
    exists: { since: '6.17' },
  }),
  api(
    'dma_iova_destroy',
    'iova',
    'iova',
    'void',
    ['dev', 'state', 'mapped_len', 'dir', 'attrs'],
    'IOVA API: unlinks and frees a range (≈v6.17).',
    { exists: { since: '6.17' } },
  ),
];

export const DMA_DIRECTIONS = ['DMA_BIDIRECTIONAL', 'DMA_TO_DEVICE', 'DMA_FROM_DEVICE', 'DMA_NONE'] as const;

const byName = new Map(DMA_APIS.map((a) => [a.name, a]));

export function dmaApi(name: string): DmaApi | undefined {
  return byName.get(name);
}

export function dmaParam(api: DmaApi, role: DmaParam): number {
  return api.params.indexOf(role);
}

/**
 * The parameter that names what a scatterlist map, unmap or sync works on: the object the
 * mapping is kept in (scsi_dma_map()'s `cmd`), the sg_table, or the scatterlist.
 */
export function sgParam(api: DmaApi): DmaParam {
  return api.keptIn ?? (api.params.includes('sgt') ? 'sgt' : 'sg');
}

/** DMA calls that create something to release (mappings, coherent memory, pool blocks, pools). */
export const DMA_ACQUIRE_NAMES: readonly string[] = DMA_APIS.filter(
  (a) => a.role === 'map' || a.role === 'alloc' || a.role === 'pool-create',
).map((a) => a.name);

/** Coherent allocations and their frees (not the device-managed ones): paired across functions by dma-unmap-mismatch. */
export const COHERENT_ALLOC_NAMES: readonly string[] = DMA_APIS.filter(
  (a) => a.role === 'alloc' && a.type === 'coherent' && !a.managed,
).map((a) => a.name);
export const COHERENT_FREE_NAMES: readonly string[] = DMA_APIS.filter(
  (a) => a.role === 'free' && a.type === 'coherent' && !a.managed,
).map((a) => a.name);

/**
 * Scatterlist maps that return a segment count, and the unmaps and syncs that take an sg count:
 * dma-unmap-sg-nents pairs a count kept in a struct field with an unmap in another function.
 */
export const SG_COUNT_MAP_NAMES: readonly string[] = DMA_APIS.filter(
  (a) => a.role === 'map' && a.type === 'sg' && a.returns === 'count',
).map((a) => a.name);
export const SG_COUNT_TAKER_NAMES: readonly string[] = DMA_APIS.filter(
  (a) => a.type === 'sg' && (a.role === 'unmap' || a.role === 'sync') && a.params.includes('nents'),
).map((a) => a.name);

/** Syncs that give a single mapping back to the device (dma-sync-direction reads what follows them). */
export const SINGLE_DEVICE_SYNC_NAMES: readonly string[] = DMA_APIS.filter(
  (a) => a.role === 'sync' && a.type === 'single' && a.sync === 'device',
).map((a) => a.name);

/**
 * The DMA calls that make a function worth analysing: every DMA rule needs a map or allocation in
 * the same function, and dma_mapping_error() marks in-file helpers that check for their callers.
 * Masks, and unmaps or syncs alone (a teardown function), give no rule anything to say.
 */
export const DMA_RELEVANT_NAMES: readonly string[] = [...DMA_ACQUIRE_NAMES, 'dma_mapping_error'];

/** Streaming unmaps: a helper made of them (`foo_unmap_buf(dev, buf)`) is summarised for its callers. */
export const DMA_UNMAP_NAMES: readonly string[] = DMA_APIS.filter((a) => a.role === 'unmap').map((a) => a.name);

/** Whether a DMA direction lets the device write the memory. */
export function deviceWrites(dir: string | null): boolean {
  return dir === 'DMA_FROM_DEVICE' || dir === 'DMA_BIDIRECTIONAL';
}
