/**
 * The dma-debug model (kernel/dma/debug.c, kernel-semantics.md §4): the table of live mappings,
 * the checks it runs on every map, unmap, sync and mapping-error call, the messages it prints —
 * "DMA-API: <driver> <device>: <message>", only the first one unless num_errors is raised — and
 * its debugfs counters. Beside it, what dma-debug does not see but a driver author must: the
 * device writing through a mapping, pages unpinned while still mapped, device writes lost because
 * the pages were not marked dirty, and CPU reads before dma_sync_*_for_cpu().
 *
 * This file dispatches the steps and answers the machine's questions; the table is dmaTable.ts,
 * streaming mappings dmaMap.ts, coherent memory and pools dmaAlloc.ts.
 */
import { dmaApi } from '../catalog/dma';
import { KERNEL_DOCS } from '../catalog/docs';
import type { TraceStep } from '../trace/types';
import { alloc, Pools } from './dmaAlloc';
import { checkMapping, deviceOf, idOf, map, sync, unmap, type DmaStepResult, type PageView } from './dmaMap';
import { DebugTable, DRIVER, hex, TYPE_NAMES, type Entry } from './dmaTable';
import type { DmaState as DmaSnapshot, Violation } from './types';

export { DMA_DEBUG_ENTRIES } from './dmaTable';
export type { DmaStepResult, PageView } from './dmaMap';

/** Mappings or blocks a message names before it says how many more. */
const LISTED = 16;
const EVENTS: ReadonlySet<string> = new Set(['device_write', 'device_read', 'cpu_read', 'unbind']);

export class DmaState {
  private readonly table = new DebugTable();
  private readonly pools = new Pools();
  /** Pages the device wrote (through any mapping) since they were last marked dirty. */
  private readonly written = new Set<number>();
  /** The trace used the DMA API at all (steps then carry a DMA snapshot). */
  used = false;

  /** Entries dma-debug's lookups looked at so far (linear in steps and mappings). */
  get visits(): number {
    return this.table.visits;
  }

  /** Runs a DMA step; null when the call is not a DMA one. */
  step(step: TraceStep, pages: PageView): DmaStepResult | null {
    const api = dmaApi(step.call);
    if (!api && !EVENTS.has(step.call)) return null;
    this.used = true;
    if (!api) return this.event(step, pages);
    switch (api.role) {
      case 'map':
        return map(this.table, api, step, pages);
      case 'unmap':
      case 'free':
        return api.type === 'pool' ? this.pools.free(step) : unmap(this.table, api, step);
      case 'check':
        return checkMapping(this.table, step);
      case 'sync':
        return sync(this.table, api, step);
      case 'alloc':
        return api.type === 'pool' ? this.pools.alloc(this.table, step) : alloc(this.table, api, step);
      case 'pool-create':
        return this.pools.create(step);
      case 'pool-destroy':
        return this.pools.destroy(step);
      default:
        return { violations: [] };
    }
  }

  // ─── events that are not API calls ──────────────────────────────────────────────────────────

  private event(step: TraceStep, pages: PageView): DmaStepResult {
    switch (step.call) {
      case 'device_write':
      case 'device_read':
        return this.deviceAccess(step, pages);
      case 'cpu_read': {
        const id = idOf(step);
        const entry = this.table.get(id);
        if (!entry || !entry.deviceDirty || entry.type === 'coherent') return { violations: [] };
        const message = `the CPU reads ${id} after the device wrote it and before dma_sync_*_for_cpu() or the unmap: on a non-coherent platform it reads stale cache lines`;
        return { violations: [{ kind: 'dma', message, docsUrl: KERNEL_DOCS.dmaStreaming.url }] };
      }
      case 'unbind':
        return { violations: this.unbind(step) };
      default:
        return { violations: [] };
    }
  }

  private deviceAccess(step: TraceStep, pages: PageView): DmaStepResult {
    const id = idOf(step);
    const entry = this.table.get(id);
    const writes = step.call === 'device_write';
    if (!entry) {
      const why = this.table.failed.get(id) ?? `${id} is not mapped (any more)`;
      const message = `the device ${writes ? 'writes' : 'reads'} through ${id}, but ${why}: with an IOMMU this faults, without one it ${writes ? 'corrupts whatever memory is there now' : 'reads whatever memory is there now'}`;
      return { violations: [{ kind: 'dma', message, docsUrl: KERNEL_DOCS.dmaStreaming.url }] };
    }
    if (!writes) return { violations: [] };
    if (entry.direction === 'DMA_TO_DEVICE') {
      const message = `the device writes through ${id}, which is mapped DMA_TO_DEVICE (device reads only): an IOMMU maps it read-only and faults; map it DMA_FROM_DEVICE or DMA_BIDIRECTIONAL`;
      return { violations: [{ kind: 'dma', message, docsUrl: KERNEL_DOCS.dmaStreaming.url }] };
    }
    entry.deviceDirty = true;
    const first = typeof step.args.first === 'number' ? step.args.first : null;
    const nr = typeof step.args.nr === 'number' ? step.args.nr : entry.pages.length;
    const hit = first === null ? entry.pages : entry.pages.filter((p) => p >= first && p < first + nr);
    for (const p of hit) if (p < pages.count) this.written.add(p);
    const list =
      hit.length > LISTED ? `${hit.slice(0, LISTED).join(', ')} and ${hit.length - LISTED} more` : hit.join(', ');
    return {
      violations: [],
      note:
        hit.length > 0
          ? `the device wrote page${hit.length === 1 ? '' : 's'} ${list}: mark them dirty before releasing them`
          : 'the device wrote the buffer',
    };
  }

  /** dma_debug_device_change(BUS_NOTIFY_UNBOUND_DRIVER): one report for the device's leftovers. */
  private unbind(step: TraceStep): Violation[] {
    const device = deviceOf(step);
    const entries = this.table.onDevice(device);
    // The entries stay in dma-debug (nothing frees them); the driver just cannot name them any more.
    for (const e of entries) this.table.forget(e);
    const left = entries.filter((e) => !(e.owner?.startsWith('the device') ?? false));
    const e = left[0];
    if (!e) return [];
    return [
      this.table.report(
        device,
        `device driver has pending DMA allocations while released from device [count=${left.length}]\nOne of leaked entries details: [device address=${hex(e.address)}] [size=${e.size} bytes] [mapped with ${e.direction}] [mapped as ${TYPE_NAMES[e.type]}]\n`,
        `the driver is unbound with ${left.length} mapping${left.length === 1 ? '' : 's'} still live (${idList(left, left.length)})`,
      ),
    ];
  }

  // ─── what the machine asks ──────────────────────────────────────────────────────────────────

  /** `escape id=h` / `handoff id=h`: someone else now unmaps it. */
  hand(id: string, to: string): boolean {
    const entry = this.table.get(id);
    if (!entry) return false;
    this.table.hand(entry, to);
    return true;
  }

  /** A live mapping that covers page `index`, if any (`deviceOwned`: only one the CPU has not synced back). */
  mappingOn(index: number, deviceOwned = false): string | null {
    return this.table.mappingOn(index, deviceOwned)?.id ?? null;
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
    const { entries: left, count } = this.table.someUnowned(LISTED);
    const blocks = this.pools.allocated(LISTED);
    const out: Violation[] = [];
    const e = left[0];
    if (e) {
      out.push({
        kind: 'leak',
        message: `returns with ${idList(left, count, true)} still mapped and not handed to anyone: the IOVA space and any bounce buffer stay taken until the driver is unbound`,
        kernelMessage: `DMA-API: ${DRIVER} ${e.device}: device driver has pending DMA allocations while released from device [count=${count}]`,
        docsUrl: KERNEL_DOCS.dmaDebug.url,
      });
    }
    if (blocks.count > 0) {
      const more = blocks.count > blocks.blocks.length ? ` and ${blocks.count - blocks.blocks.length} more` : '';
      out.push({
        kind: 'leak',
        message: `returns with pool block${blocks.count === 1 ? '' : 's'} ${blocks.blocks.join(', ')}${more} still allocated and not handed to anyone`,
        docsUrl: KERNEL_DOCS.dmaPool.url,
      });
    }
    return out;
  }

  snapshot(): DmaSnapshot {
    return this.table.snapshot();
  }
}

/** `m1 (dma_map_single), m2 (dma_map_page)`, the first few of `count`. */
function idList(entries: readonly Entry[], count: number, withCall = false): string {
  const shown = entries.slice(0, LISTED).map((x) => (withCall ? `${x.id} (${x.mappedBy})` : x.id));
  return count > shown.length ? `${shown.join(', ')} and ${count - shown.length} more` : shown.join(', ');
}
