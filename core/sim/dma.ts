/**
 * The dma-debug model (kernel/dma/debug.c, kernel-semantics.md §4): the table of live mappings,
 * the checks it runs on every map, unmap, sync and mapping-error call, the messages it prints —
 * "DMA-API: <driver> <device>: <message>", only the first one unless num_errors is raised — and
 * its debugfs counters. Beside it, what dma-debug does not see but a driver author must: the
 * device writing through a mapping, pages unpinned while still mapped, device writes lost because
 * the pages were not marked dirty, and CPU reads before dma_sync_*_for_cpu().
 */
import { dmaApi, type DmaApi } from '../catalog/dma';
import { KERNEL_DOCS } from '../catalog/docs';
import type { TraceStep } from '../trace/types';
import type { DmaDebugCounters, DmaMappingState, DmaState as DmaSnapshot, Violation } from './types';

/** PREALLOC_DMA_DEBUG_ENTRIES: dma-debug's entry pool (dma_debug_entries=<n>). */
export const DMA_DEBUG_ENTRIES = 65536;
/** What the simulation calls the driver and the device in dma-debug's messages. */
const DRIVER = 'drv';
const DEFAULT_DEVICE = '0000:01:00.0';
const DEBUG_DOC = KERNEL_DOCS.dmaDebug.url;
const PAGE_SIZE = 4096;

type EntryType = 'single' | 'sg' | 'coherent' | 'resource' | 'noncoherent';

interface Entry {
  readonly id: string;
  readonly type: EntryType;
  /** The call that made it (dma_map_page and dma_map_single are both "single" to dma-debug). */
  readonly mappedBy: string;
  readonly device: string;
  readonly address: number;
  readonly size: number;
  readonly direction: string;
  readonly sgCallEnts: number;
  readonly mappedEnts: number;
  mapErr: 'not-checked' | 'checked' | 'n/a';
  readonly pages: readonly number[];
  /** Which CPU address a coherent allocation returned (dma_free_coherent must pass the same). */
  readonly cpu: string;
  owner: string | null;
  /** The device wrote through it and the CPU has not synced since. */
  deviceDirty: boolean;
  /** Synced for the CPU (dma_sync_*_for_cpu) and not given back to the device yet. */
  cpuOwned: boolean;
}

interface Pool {
  readonly id: string;
  readonly size: number;
  /** Blocks allocated and not freed. */
  readonly blocks: Set<string>;
}

/** What the machine tells the DMA model about its pages. */
export interface PageView {
  readonly count: number;
  /** The path holds a pin or a reference on the page. */
  held(index: number): boolean;
}

export interface DmaStepResult {
  readonly violations: Violation[];
  readonly result?: string;
  readonly note?: string;
}

const TYPE_NAMES: Readonly<Record<EntryType, string>> = {
  single: 'single',
  sg: 'scatter-gather',
  coherent: 'coherent',
  resource: 'resource',
  noncoherent: 'noncoherent',
};

function hex(n: number): string {
  return `0x${n.toString(16).padStart(16, '0')}`;
}

function entryTypeOf(api: DmaApi): EntryType {
  return api.type === 'pool' ? 'coherent' : api.type === 'iova' ? 'single' : api.type;
}

export class DmaState {
  private readonly entries = new Map<string, Entry>();
  /** Mappings and allocations that failed, and how it shows (`DMA_MAPPING_ERROR`, `0`, `NULL`). */
  private readonly failed = new Map<string, string>();
  private readonly pools = new Map<string, Pool>();
  /** Pages the device wrote (through any mapping) since they were last marked dirty. */
  private readonly written = new Set<number>();
  private nextAddress = 0xf000_0000;
  private counters = {
    error_count: 0,
    num_errors: 1,
    num_free_entries: DMA_DEBUG_ENTRIES,
    min_free_entries: DMA_DEBUG_ENTRIES,
    nr_total_entries: DMA_DEBUG_ENTRIES,
  };
  /** The trace used the DMA API at all (steps then carry a DMA snapshot). */
  used = false;

  /** Runs a DMA step; null when the call is not a DMA one. */
  step(step: TraceStep, pages: PageView): DmaStepResult | null {
    const api = dmaApi(step.call);
    if (!api && !['device_write', 'device_read', 'cpu_read', 'unbind'].includes(step.call)) return null;
    this.used = true;
    if (!api) return this.event(step, pages);
    switch (api.role) {
      case 'map':
        return this.map(api, step, pages);
      case 'unmap':
      case 'free':
        return api.type === 'pool' ? this.poolFree(step) : this.unmap(api, step);
      case 'check':
        return this.check(step);
      case 'sync':
        return this.sync(api, step);
      case 'alloc':
        return api.type === 'pool' ? this.poolAlloc(step) : this.alloc(api, step);
      case 'pool-create':
        return this.poolCreate(step);
      case 'pool-destroy':
        return this.poolDestroy(step);
      default:
        return { violations: [] };
    }
  }

  // ─── dma-debug's reporting ──────────────────────────────────────────────────────────────────

  /** err_printk(): counts every error, prints only while num_errors lasts. */
  private report(device: string, message: string, what: string): Violation {
    this.counters.error_count += 1;
    const printed = this.counters.num_errors > 0;
    if (printed) this.counters.num_errors -= 1;
    const kernelMessage = `DMA-API: ${DRIVER} ${device}: ${message.replace(/\n$/, '')}`;
    const quiet = printed
      ? ''
      : ` (dma-debug counts it — error_count ${this.counters.error_count} — but prints only the first error unless num_errors or all_errors is raised)`;
    return { kind: 'dma', message: `${what}${quiet}`, kernelMessage, docsUrl: DEBUG_DOC };
  }

  private device(step: TraceStep): string {
    return typeof step.args.dev === 'string' ? step.args.dev : DEFAULT_DEVICE;
  }

  private id(step: TraceStep): string {
    return typeof step.args.id === 'string' ? step.args.id : step.call;
  }

  private take(n: number): void {
    this.counters.num_free_entries -= n;
    this.counters.min_free_entries = Math.min(this.counters.min_free_entries, this.counters.num_free_entries);
  }

  private give(n: number): void {
    this.counters.num_free_entries += n;
  }

  private newEntry(fields: Omit<Entry, 'address' | 'owner' | 'deviceDirty' | 'cpuOwned'>): Entry {
    const entry: Entry = { ...fields, address: this.nextAddress, owner: null, deviceDirty: false, cpuOwned: false };
    this.nextAddress += 0x10000;
    this.entries.set(entry.id, entry);
    this.take(entry.type === 'sg' ? entry.mappedEnts : 1);
    return entry;
  }

  // ─── maps ───────────────────────────────────────────────────────────────────────────────────

  private map(api: DmaApi, step: TraceStep, pages: PageView): DmaStepResult {
    const id = this.id(step);
    const device = this.device(step);
    const dir = typeof step.args.dir === 'string' ? step.args.dir : 'DMA_BIDIRECTIONAL';
    const violations: Violation[] = [];
    const sg = api.type === 'sg';
    const first = typeof step.args.first === 'number' ? step.args.first : null;
    const count = sg
      ? typeof step.args.nents === 'number'
        ? step.args.nents
        : 1
      : typeof step.args.nr === 'number'
        ? step.args.nr
        : first !== null
          ? 1
          : 0;
    const covered = first !== null ? Array.from({ length: count }, (_, k) => first + k) : [];
    for (const p of covered) {
      if (p >= pages.count) {
        violations.push({
          kind: 'count-mismatch',
          message: `${step.call}: page ${p} is past the end of the simulated memory (add pages to the "pages" line)`,
        });
        break;
      }
      if (!pages.held(p)) {
        violations.push({
          kind: 'use-after-release',
          message: `${step.call} maps page ${p}, on which this path holds no pin or reference: the page can be freed and reused while the device uses it`,
        });
        break;
      }
    }
    if (this.entries.has(id)) {
      // dma-api.rst: "the sg cannot be mapped again if it has been mapped once".
      const old = this.entries.get(id) as Entry;
      if (old.direction !== 'DMA_TO_DEVICE' && dir !== 'DMA_TO_DEVICE')
        violations.push(
          this.report(
            device,
            "cacheline tracking EEXIST, overlapping mappings aren't supported\n",
            `${id} is mapped again while its earlier mapping is live: dma-debug sees overlapping mappings of the same cachelines`,
          ),
        );
      else
        violations.push({
          kind: 'dma',
          message: `${id} is mapped again while its earlier mapping is live ("the sg cannot be mapped again if it has been mapped once"): the first mapping's handle is lost`,
          docsUrl: KERNEL_DOCS.dmaStreaming.url,
        });
    }
    const buf = step.args.buf;
    if (buf === 'vmalloc' && !sg) {
      // include/linux/dma-mapping.h: dma_map_single_attrs() refuses before dma-debug sees it.
      this.failed.set(id, `${id} is DMA_MAPPING_ERROR (the mapping failed)`);
      this.entries.delete(id);
      violations.push({
        kind: 'dma',
        message: `${step.call} of vmalloc memory is refused and returns DMA_MAPPING_ERROR: vmalloc memory is not physically contiguous ("you cannot take the return of a vmalloc() call and DMA to/from that")`,
        kernelMessage: `WARNING: ${DRIVER} ${device}: rejecting DMA map of vmalloc memory`,
        docsUrl: KERNEL_DOCS.dmaStreaming.url,
      });
      return { violations, result: 'DMA_MAPPING_ERROR' };
    }
    if (buf === 'stack') {
      violations.push(
        this.report(
          device,
          `device driver maps memory from stack [probable addr=${hex(0xffffc90000a3bd00)}]\n`,
          `${step.call} maps a stack buffer: with CONFIG_VMAP_STACK it is not in the linear map and not DMA-able`,
        ),
      );
    }
    // dma_map_sgtable() returns 0 or -errno; dma_map_sg() the mapped count (0: failed);
    // dma_map_single/page/resource() a handle (DMA_MAPPING_ERROR: failed).
    const failed =
      api.returns === 'status'
        ? typeof step.result === 'string' && step.result.startsWith('-')
        : api.returns === 'count'
          ? step.result === 0
          : step.result === 'DMA_MAPPING_ERROR';
    if (failed) {
      this.failed.set(
        id,
        sg
          ? `the mapping of ${id} failed (${step.call}() returned ${api.returns === 'status' ? String(step.result) : '0'})`
          : `${id} is DMA_MAPPING_ERROR (the mapping failed)`,
      );
      this.entries.delete(id);
      return {
        violations,
        result: sg ? '0' : api.returns === 'status' ? String(step.result) : 'DMA_MAPPING_ERROR',
        note: 'the mapping failed: nothing to unmap',
      };
    }
    this.failed.delete(id);
    const mappedEnts = sg
      ? api.returns === 'count' && typeof step.result === 'number'
        ? Math.min(step.result, count)
        : count
      : 1;
    const size = sg
      ? mappedEnts * PAGE_SIZE
      : typeof step.args.size === 'number'
        ? step.args.size
        : Math.max(1, covered.length) * PAGE_SIZE;
    for (const other of this.entries.values()) {
      const overlap = other.pages.some((p) => covered.includes(p));
      if (overlap && other.direction !== 'DMA_TO_DEVICE' && dir !== 'DMA_TO_DEVICE') {
        violations.push(
          this.report(
            device,
            "cacheline tracking EEXIST, overlapping mappings aren't supported\n",
            `${id} maps pages that ${other.id} has mapped already`,
          ),
        );
        break;
      }
    }
    const entry = this.newEntry({
      id,
      type: entryTypeOf(api),
      mappedBy: step.call,
      device,
      size,
      direction: dir,
      sgCallEnts: sg ? count : 0,
      mappedEnts,
      mapErr: !sg && api.returns === 'handle' ? 'not-checked' : 'n/a',
      pages: covered,
      cpu: 'cpu0',
    });
    const result = sg ? (api.returns === 'status' ? '0' : String(mappedEnts)) : hex(entry.address);
    return { violations, result };
  }

  private check(step: TraceStep): DmaStepResult {
    const id = this.id(step);
    if (this.failed.has(id))
      return { violations: [], result: '-ENOMEM', note: `${id} is DMA_MAPPING_ERROR: the mapping failed` };
    const entry = this.entries.get(id);
    // debug_dma_mapping_error() flips the first not-checked entry with this (dev, addr).
    if (entry && entry.mapErr === 'not-checked') entry.mapErr = 'checked';
    return { violations: [], result: '0' };
  }

  // ─── unmaps and frees: check_unmap() ────────────────────────────────────────────────────────

  private unmap(api: DmaApi, step: TraceStep): DmaStepResult {
    const id = this.id(step);
    const device = this.device(step);
    const entry = this.entries.get(id);
    if (!entry) {
      const failure = this.failed.get(id);
      if (failure !== undefined) {
        return {
          violations: [
            this.report(
              device,
              'device driver tries to free an invalid DMA memory address\n',
              `${step.call}(${id}): ${failure} — there is nothing to unmap`,
            ),
          ],
        };
      }
      return {
        violations: [
          this.report(
            device,
            `device driver tries to free DMA memory it has not allocated [device address=${hex(0xf0000000)}] [size=${typeof step.args.size === 'number' ? step.args.size : PAGE_SIZE} bytes]\n`,
            `${step.call}(${id}): no live mapping — it was never mapped, or was already unmapped`,
          ),
        ],
      };
    }
    const violations: Violation[] = [];
    const type = entryTypeOf(api);
    const size = api.type === 'sg' ? entry.size : typeof step.args.size === 'number' ? step.args.size : entry.size;
    const addr = hex(entry.address);
    if (size !== entry.size) {
      violations.push(
        this.report(
          device,
          `device driver frees DMA memory with different size [device address=${addr}] [map size=${entry.size} bytes] [unmap size=${size} bytes]\n`,
          `${step.call}(${id}) passes size ${size}; it was mapped with ${entry.size}`,
        ),
      );
    }
    if (type !== entry.type) {
      violations.push(
        this.report(
          device,
          `device driver frees DMA memory with wrong function [device address=${addr}] [size=${entry.size} bytes] [mapped as ${TYPE_NAMES[entry.type]}] [unmapped as ${TYPE_NAMES[type]}]\n`,
          `${step.call}(${id}) releases a mapping made by ${entry.mappedBy}()`,
        ),
      );
    } else if (
      (entry.type === 'coherent' || entry.type === 'noncoherent') &&
      typeof step.args.cpu === 'string' &&
      step.args.cpu !== entry.cpu
    ) {
      violations.push(
        this.report(
          device,
          `device driver frees DMA memory with different CPU address [device address=${addr}] [size=${entry.size} bytes] [cpu alloc address=0xffff888004a00000] [cpu free address=0xffff888004a01000]`,
          `${step.call}(${id}) passes a different CPU address than the allocation returned`,
        ),
      );
    }
    if (api.type === 'sg' && typeof step.args.nents === 'number' && step.args.nents !== entry.sgCallEnts) {
      violations.push(
        this.report(
          device,
          `device driver frees DMA sg list with different entry count [map count=${entry.sgCallEnts}] [unmap count=${step.args.nents}]\n`,
          `${step.call}(${id}, nents=${step.args.nents}): pass the nents given to dma_map_sg() (${entry.sgCallEnts}), not the count it returned`,
        ),
      );
    }
    const dir = typeof step.args.dir === 'string' ? step.args.dir : entry.direction;
    if (dir !== entry.direction) {
      violations.push(
        this.report(
          device,
          `device driver frees DMA memory with different direction [device address=${addr}] [size=${entry.size} bytes] [mapped with ${entry.direction}] [unmapped with ${dir}]\n`,
          `${step.call}(${id}) uses ${dir}; it was mapped ${entry.direction}`,
        ),
      );
    }
    if (entry.mapErr === 'not-checked') {
      violations.push(
        this.report(
          device,
          `device driver failed to check map error[device address=${addr}] [size=${entry.size} bytes] [mapped as ${TYPE_NAMES[entry.type]}]`,
          `${id} was never checked with dma_mapping_error() before this unmap`,
        ),
      );
    }
    this.entries.delete(id);
    this.give(entry.type === 'sg' ? entry.mappedEnts : 1);
    return { violations };
  }

  // ─── syncs: check_sync() ────────────────────────────────────────────────────────────────────

  private sync(api: DmaApi, step: TraceStep): DmaStepResult {
    const id = this.id(step);
    const device = this.device(step);
    const entry = this.entries.get(id);
    const toCpu = api.sync === 'cpu';
    if (!entry) {
      return {
        violations: [
          this.report(
            device,
            `device driver tries to sync DMA memory it has not allocated [device address=${hex(0xf0000000)}] [size=${typeof step.args.size === 'number' ? step.args.size : PAGE_SIZE} bytes]\n`,
            `${step.call}(${id}): no live mapping to sync`,
          ),
        ],
      };
    }
    const violations: Violation[] = [];
    const addr = hex(entry.address);
    const size = typeof step.args.size === 'number' ? step.args.size : entry.size;
    const dir = typeof step.args.dir === 'string' ? step.args.dir : entry.direction;
    if (size > entry.size) {
      violations.push(
        this.report(
          device,
          `device driver syncs DMA memory outside allocated range [device address=${addr}] [allocation size=${entry.size} bytes] [sync offset+size=${size}]\n`,
          `${step.call}(${id}) syncs ${size} bytes of a ${entry.size}-byte mapping`,
        ),
      );
    }
    if (entry.direction !== 'DMA_BIDIRECTIONAL') {
      if (dir !== entry.direction) {
        violations.push(
          this.report(
            device,
            `device driver syncs DMA memory with different direction [device address=${addr}] [size=${entry.size} bytes] [mapped with ${entry.direction}] [synced with ${dir}]\n`,
            `${step.call}(${id}) uses ${dir}; it was mapped ${entry.direction}`,
          ),
        );
      }
      if (toCpu && entry.direction !== 'DMA_FROM_DEVICE' && dir !== 'DMA_TO_DEVICE') {
        violations.push(
          this.report(
            device,
            `device driver syncs device read-only DMA memory for cpu [device address=${addr}] [size=${entry.size} bytes] [mapped with ${entry.direction}] [synced with ${dir}]\n`,
            `${step.call}(${id}): the device only reads a ${entry.direction} mapping; there is nothing to sync for the CPU`,
          ),
        );
      }
      if (!toCpu && entry.direction !== 'DMA_TO_DEVICE' && dir !== 'DMA_FROM_DEVICE') {
        violations.push(
          this.report(
            device,
            `device driver syncs device write-only DMA memory to device [device address=${addr}] [size=${entry.size} bytes] [mapped with ${entry.direction}] [synced with ${dir}]\n`,
            `${step.call}(${id}): the device only writes a ${entry.direction} mapping; syncing it to the device is wrong`,
          ),
        );
      }
    }
    if (api.type === 'sg' && typeof step.args.nents === 'number' && step.args.nents !== entry.sgCallEnts) {
      violations.push(
        this.report(
          device,
          `device driver syncs DMA sg list with different entry count [map count=${entry.sgCallEnts}] [sync count=${step.args.nents}]\n`,
          `${step.call}(${id}, nents=${step.args.nents}): pass the original nents (${entry.sgCallEnts})`,
        ),
      );
    }
    if (toCpu) entry.deviceDirty = false;
    entry.cpuOwned = toCpu;
    return { violations };
  }

  // ─── coherent memory and pools ──────────────────────────────────────────────────────────────

  private alloc(api: DmaApi, step: TraceStep): DmaStepResult {
    const id = this.id(step);
    if (step.result === 'NULL') {
      this.failed.set(id, `the allocation ${id} failed (NULL)`);
      return { violations: [], result: 'NULL', note: 'the allocation failed: nothing to free' };
    }
    const managed = api.managed === true;
    const entry = this.newEntry({
      id,
      type: entryTypeOf(api),
      mappedBy: step.call,
      device: this.device(step),
      size: typeof step.args.size === 'number' ? step.args.size : PAGE_SIZE,
      direction: typeof step.args.dir === 'string' ? step.args.dir : 'DMA_BIDIRECTIONAL',
      sgCallEnts: 0,
      mappedEnts: 1,
      mapErr: 'n/a',
      pages: [],
      cpu: 'cpu0',
    });
    if (managed) entry.owner = 'the device (devres frees it at unbind)';
    return { violations: [], result: hex(entry.address) };
  }

  private poolCreate(step: TraceStep): DmaStepResult {
    const id = this.id(step);
    if (step.result === 'NULL') return { violations: [], result: 'NULL' };
    this.pools.set(id, { id, size: typeof step.args.size === 'number' ? step.args.size : 64, blocks: new Set() });
    return { violations: [] };
  }

  private poolAlloc(step: TraceStep): DmaStepResult {
    const id = this.id(step);
    const poolId = typeof step.args.pool === 'string' ? step.args.pool : '';
    const pool = this.pools.get(poolId);
    if (!pool)
      return {
        violations: [
          {
            kind: 'invalid-args',
            message: `${step.call}(${id}): no pool "${poolId}" (create it with dma_pool_create id=${poolId || 'pool'})`,
          },
        ],
      };
    if (step.result === 'NULL') {
      this.failed.set(id, `the block ${id} was not allocated (NULL)`);
      return { violations: [], result: 'NULL' };
    }
    pool.blocks.add(id);
    return { violations: [] };
  }

  private poolFree(step: TraceStep): DmaStepResult {
    const id = this.id(step);
    const poolId =
      typeof step.args.pool === 'string'
        ? step.args.pool
        : ([...this.pools.values()].find((p) => p.blocks.has(id))?.id ?? '');
    const pool = this.pools.get(poolId);
    if (!pool || !pool.blocks.has(id)) {
      return {
        violations: [
          {
            kind: 'double-release',
            message: `dma_pool_free(${id}): the block is not allocated from ${poolId || 'any pool'} (freed twice, or never allocated)`,
            kernelMessage: `${DRIVER} ${DEFAULT_DEVICE}: dma_pool_free ${poolId || 'pool'}, ${'0xffff888004a00000'}/${hex(0xf0000000)} (bad dma)`,
            docsUrl: KERNEL_DOCS.dmaPool.url,
          },
        ],
      };
    }
    pool.blocks.delete(id);
    return { violations: [] };
  }

  private poolDestroy(step: TraceStep): DmaStepResult {
    const id = this.id(step);
    const pool = this.pools.get(id);
    if (!pool) return { violations: [] };
    this.pools.delete(id);
    if (pool.blocks.size === 0) return { violations: [] };
    // mm/dmapool.c: a busy pool page is reported and leaked, not freed.
    return {
      violations: [
        {
          kind: 'dma',
          message: `dma_pool_destroy(${id}) while ${pool.blocks.size} block${pool.blocks.size === 1 ? '' : 's'} (${[...pool.blocks].join(', ')}) ${pool.blocks.size === 1 ? 'is' : 'are'} still allocated: the pool's pages are leaked, and a later dma_pool_free() touches a destroyed pool`,
          kernelMessage: `${DRIVER} ${DEFAULT_DEVICE}: dma_pool_destroy ${id}, 0xffff888004a00000 busy`,
          docsUrl: KERNEL_DOCS.dmaPool.url,
        },
      ],
    };
  }

  // ─── events that are not API calls ──────────────────────────────────────────────────────────

  private event(step: TraceStep, pages: PageView): DmaStepResult {
    const id = this.id(step);
    switch (step.call) {
      case 'device_write':
      case 'device_read': {
        const entry = this.entries.get(id);
        const writes = step.call === 'device_write';
        if (!entry) {
          const why = this.failed.get(id) ?? `${id} is not mapped (any more)`;
          return {
            violations: [
              {
                kind: 'dma',
                message: `the device ${writes ? 'writes' : 'reads'} through ${id}, but ${why}: with an IOMMU this faults, without one it ${writes ? 'corrupts whatever memory is there now' : 'reads whatever memory is there now'}`,
                docsUrl: KERNEL_DOCS.dmaStreaming.url,
              },
            ],
          };
        }
        if (writes && entry.direction === 'DMA_TO_DEVICE') {
          return {
            violations: [
              {
                kind: 'dma',
                message: `the device writes through ${id}, which is mapped DMA_TO_DEVICE (device reads only): an IOMMU maps it read-only and faults; map it DMA_FROM_DEVICE or DMA_BIDIRECTIONAL`,
                docsUrl: KERNEL_DOCS.dmaStreaming.url,
              },
            ],
          };
        }
        if (writes) {
          entry.deviceDirty = true;
          const first = typeof step.args.first === 'number' ? step.args.first : null;
          const nr = typeof step.args.nr === 'number' ? step.args.nr : entry.pages.length;
          const hit = first === null ? entry.pages : entry.pages.filter((p) => p >= first && p < first + nr);
          for (const p of hit) if (p < pages.count) this.written.add(p);
          return {
            violations: [],
            note:
              hit.length > 0
                ? `the device wrote page${hit.length === 1 ? '' : 's'} ${hit.join(', ')}: mark them dirty before releasing them`
                : 'the device wrote the buffer',
          };
        }
        return { violations: [] };
      }
      case 'cpu_read': {
        const entry = this.entries.get(id);
        if (entry && entry.deviceDirty && entry.type !== 'coherent') {
          return {
            violations: [
              {
                kind: 'dma',
                message: `the CPU reads ${id} after the device wrote it and before dma_sync_*_for_cpu() or the unmap: on a non-coherent platform it reads stale cache lines`,
                docsUrl: KERNEL_DOCS.dmaStreaming.url,
              },
            ],
          };
        }
        return { violations: [] };
      }
      case 'unbind':
        return { violations: this.unbind(step) };
      default:
        return { violations: [] };
    }
  }

  /** dma_debug_device_change(BUS_NOTIFY_UNBOUND_DRIVER): one report for the device's leftovers. */
  private unbind(step: TraceStep): Violation[] {
    const device = this.device(step);
    const left = [...this.entries.values()].filter(
      (e) => e.device === device && !(e.owner?.startsWith('the device') ?? false),
    );
    for (const e of [...this.entries.values()]) if (e.device === device) this.entries.delete(e.id);
    if (left.length === 0) return [];
    const e = left[0] as Entry;
    return [
      this.report(
        device,
        `device driver has pending DMA allocations while released from device [count=${left.length}]\nOne of leaked entries details: [device address=${hex(e.address)}] [size=${e.size} bytes] [mapped with ${e.direction}] [mapped as ${TYPE_NAMES[e.type]}]\n`,
        `the driver is unbound with ${left.length} mapping${left.length === 1 ? '' : 's'} still live (${left.map((x) => x.id).join(', ')})`,
      ),
    ];
  }

  // ─── what the machine asks ──────────────────────────────────────────────────────────────────

  /** `escape id=h` / `handoff id=h`: someone else now unmaps it. */
  hand(id: string, to: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    entry.owner = to;
    return true;
  }

  /** A live mapping that covers page `index`, if any (`deviceOwned`: only one the CPU has not synced back). */
  mappingOn(index: number, deviceOwned = false): string | null {
    for (const e of this.entries.values()) if (e.pages.includes(index) && !(deviceOwned && e.cpuOwned)) return e.id;
    return null;
  }

  /** Whether the device wrote page `index` since it was last marked dirty; clears it when `dirty`. */
  deviceWrote(index: number, markedDirty: boolean): boolean {
    const wrote = this.written.has(index);
    if (markedDirty) this.written.delete(index);
    return wrote;
  }

  /**
   * At `return`: live mappings nobody owns leak, error return or not (what the function handed
   * on is its new owner's); dma-debug itself only says so at unbind.
   */
  atReturn(): Violation[] {
    const left = [...this.entries.values()].filter((e) => e.owner === null);
    const blocks = [...this.pools.values()].flatMap((p) => [...p.blocks]);
    const out: Violation[] = [];
    if (left.length > 0) {
      const e = left[0] as Entry;
      out.push({
        kind: 'leak',
        message: `returns with ${left.map((x) => `${x.id} (${x.mappedBy})`).join(', ')} still mapped and not handed to anyone: the IOVA space and any bounce buffer stay taken until the driver is unbound`,
        kernelMessage: `DMA-API: ${DRIVER} ${e.device}: device driver has pending DMA allocations while released from device [count=${left.length}]`,
        docsUrl: DEBUG_DOC,
      });
    }
    if (blocks.length > 0)
      out.push({
        kind: 'leak',
        message: `returns with pool block${blocks.length === 1 ? '' : 's'} ${blocks.join(', ')} still allocated and not handed to anyone`,
        docsUrl: KERNEL_DOCS.dmaPool.url,
      });
    return out;
  }

  snapshot(): DmaSnapshot {
    const mappings: DmaMappingState[] = [...this.entries.values()].map((e) => ({
      id: e.id,
      type: e.type,
      device: e.device,
      address: hex(e.address),
      size: e.size,
      direction: e.direction,
      ...(e.type === 'sg' ? { sgCallEnts: e.sgCallEnts, mappedEnts: e.mappedEnts } : {}),
      mapErr: e.mapErr,
      pages: e.pages,
    }));
    const counters: DmaDebugCounters = { ...this.counters };
    return { mappings, counters };
  }
}
