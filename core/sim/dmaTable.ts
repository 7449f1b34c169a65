/**
 * dma-debug's bookkeeping (kernel/dma/debug.c, kernel-semantics.md §4.1): the live entries, the
 * "active cacheline" tree that finds overlapping mappings, the debugfs counters, and err_printk().
 *
 * Every lookup goes through an index — by id, by page, by device, by cacheline — so one step costs
 * the same whether 5 or 50,000 mappings are live; `visits` counts the entries the lookups look at.
 */
import { KERNEL_DOCS } from '../catalog/docs';
import type { DmaDebugCounters, DmaMappingState, DmaState as DmaSnapshot, Violation } from './types';

/** PREALLOC_DMA_DEBUG_ENTRIES: dma-debug's entry pool (dma_debug_entries=<n>). */
export const DMA_DEBUG_ENTRIES = 65536;
/** What the simulation calls the driver and the device in dma-debug's messages. */
export const DRIVER = 'drv';
export const PAGE_SIZE = 4096;
/** ACTIVE_CACHELINE_MAX_OVERLAP: the overlap count lives in the radix tree's 3 tags. */
const MAX_OVERLAP = 7;
/** L1_CACHE_BYTES on x86-64: 64 cachelines per page. */
const CACHELINES_PER_PAGE = 64;
/** Made-up physical addresses: the simulated user pages, and buffers that are not among them. */
const PAGES_CACHELINE_BASE = 0x100000 * CACHELINES_PER_PAGE;
const BUFFERS_CACHELINE_BASE = 0x200000 * CACHELINES_PER_PAGE;

export type EntryType = 'single' | 'sg' | 'coherent' | 'resource' | 'noncoherent';

export const TYPE_NAMES: Readonly<Record<EntryType, string>> = {
  single: 'single',
  sg: 'scatter-gather',
  coherent: 'coherent',
  resource: 'resource',
  noncoherent: 'noncoherent',
};

export interface Entry {
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
  /** Pages of the simulated memory the mapping covers. */
  readonly pages: readonly number[];
  /** Which CPU address a coherent allocation returned (dma_free_coherent must pass the same). */
  readonly cpu: string;
  owner: string | null;
  /** The device wrote through it and the CPU has not synced since. */
  deviceDirty: boolean;
  /** Synced for the CPU (dma_sync_*_for_cpu) and not given back to the device yet. */
  cpuOwned: boolean;
  /** The cachelines it holds in the active-cacheline tree (one per mapped segment; none for DMA_TO_DEVICE). */
  readonly cachelines: readonly number[];
  /** Its row in the last snapshot, while it still says the same. */
  shown?: DmaMappingState;
}

export type NewEntry = Omit<Entry, 'address' | 'owner' | 'deviceDirty' | 'cpuOwned' | 'cachelines' | 'shown'>;

export function hex(n: number): string {
  return `0x${n.toString(16).padStart(16, '0')}`;
}

export class DebugTable {
  /** Live entries by the trace's id, in the order they were made. */
  private readonly live = new Map<string, Entry>();
  private readonly byPage = new Map<number, Set<Entry>>();
  private readonly byDevice = new Map<string, Set<Entry>>();
  /** Live entries no one took over (what a return leaks). */
  readonly unowned = new Set<Entry>();
  /**
   * The active-cacheline tree: for each cacheline a live entry starts a segment at, the overlap count
   * kept in the radix tree's tags (0 = one entry), and the entries there (for the messages).
   */
  private readonly cachelines = new Map<number, { overlap: number; readonly holders: Set<Entry> }>();
  /** Cachelines of buffers that are not simulated pages, by id: the same id is the same buffer. */
  private readonly bufferCachelines = new Map<string, number>();
  /** Mappings and allocations that failed, and how it shows (`DMA_MAPPING_ERROR`, `0`, `NULL`). */
  readonly failed = new Map<string, string>();
  private nextAddress = 0xf000_0000;
  private overlapWarned = false;
  readonly counters = {
    error_count: 0,
    num_errors: 1,
    num_free_entries: DMA_DEBUG_ENTRIES,
    min_free_entries: DMA_DEBUG_ENTRIES,
    nr_total_entries: DMA_DEBUG_ENTRIES,
  };
  /** Entries the lookups looked at: linear in steps and mappings (a test holds it to that). */
  visits = 0;
  /** Bumped on every change a snapshot shows. */
  private version = 0;
  private shownVersion = -1;
  private shown: DmaSnapshot | null = null;

  get(id: string): Entry | undefined {
    return this.live.get(id);
  }

  get size(): number {
    return this.live.size;
  }

  /** err_printk(): counts every error, prints only while num_errors lasts. */
  report(device: string, message: string, what: string): Violation {
    this.counters.error_count += 1;
    this.version++;
    const printed = this.counters.num_errors > 0;
    if (printed) this.counters.num_errors -= 1;
    const kernelMessage = `DMA-API: ${DRIVER} ${device}: ${message.replace(/\n$/, '')}`;
    const quiet = printed
      ? ''
      : ` (dma-debug counts it — error_count ${this.counters.error_count} — but prints only the first error unless num_errors or all_errors is raised)`;
    return { kind: 'dma', message: `${what}${quiet}`, kernelMessage, docsUrl: KERNEL_DOCS.dmaDebug.url };
  }

  /**
   * add_dma_entry(): takes debug entries from the pool, files the entry, and inserts its cachelines
   * into the active-cacheline tree. Returns the entry, the live entries that already held one of its
   * cachelines (-EEXIST), and the cacheline whose overlap count overflowed (WARN_ONCE), if any.
   */
  add(fields: NewEntry): { entry: Entry; overlaps: Entry[]; exceeded: number | null } {
    const entry: Entry = {
      ...fields,
      address: this.nextAddress,
      owner: null,
      deviceDirty: false,
      cpuOwned: false,
      cachelines: fields.direction === 'DMA_TO_DEVICE' ? [] : this.cachelinesOf(fields),
    };
    this.nextAddress += 0x10000;
    const overlaps: Entry[] = [];
    let exceeded: number | null = null;
    for (const cln of entry.cachelines) {
      const line = this.cachelines.get(cln);
      if (line === undefined) {
        this.cachelines.set(cln, { overlap: 0, holders: new Set([entry]) });
        continue;
      }
      this.visits++;
      const [holder] = line.holders;
      if (holder) overlaps.push(holder);
      line.holders.add(entry);
      // active_cacheline_set_overlap() refuses to count past 7, and WARN_ONCE says so.
      if (line.overlap + 1 <= MAX_OVERLAP) line.overlap += 1;
      else if (!this.overlapWarned) {
        this.overlapWarned = true;
        exceeded = cln;
      }
    }
    const previous = this.live.get(entry.id);
    // Mapped again while live: dma-debug still has the old entry, but the trace's name now means the new one.
    if (previous) this.forget(previous);
    this.live.set(entry.id, entry);
    for (const p of entry.pages) this.indexAdd(this.byPage, p, entry);
    this.indexAdd(this.byDevice, entry.device, entry);
    this.unowned.add(entry);
    this.take(entry.type === 'sg' ? entry.mappedEnts : 1);
    this.version++;
    return { entry, overlaps, exceeded };
  }

  /** The entry's cachelines: the first one of each mapped segment. */
  private cachelinesOf(fields: NewEntry): number[] {
    if (fields.pages.length > 0) {
      const segments = fields.type === 'sg' ? fields.pages.slice(0, fields.mappedEnts) : fields.pages.slice(0, 1);
      return segments.map((p) => PAGES_CACHELINE_BASE + p * CACHELINES_PER_PAGE);
    }
    let cln = this.bufferCachelines.get(fields.id);
    if (cln === undefined) {
      cln = BUFFERS_CACHELINE_BASE + this.bufferCachelines.size * CACHELINES_PER_PAGE;
      this.bufferCachelines.set(fields.id, cln);
    }
    return [cln];
  }

  /** The mapping is unmapped or freed: its debug entries go back to the pool, its cachelines out of the tree. */
  remove(entry: Entry): void {
    this.forget(entry);
    this.counters.num_free_entries += entry.type === 'sg' ? entry.mappedEnts : 1;
    for (const cln of entry.cachelines) {
      const line = this.cachelines.get(cln);
      if (!line) continue;
      line.holders.delete(entry);
      // active_cacheline_remove(): the put that takes the count below 0 deletes the cacheline.
      if (line.overlap - 1 < 0) this.cachelines.delete(cln);
      else line.overlap -= 1;
    }
  }

  /** Takes the entry out of the table the trace sees (dma-debug may still hold it). */
  forget(entry: Entry): void {
    if (this.live.get(entry.id) === entry) this.live.delete(entry.id);
    for (const p of entry.pages) this.byPage.get(p)?.delete(entry);
    this.byDevice.get(entry.device)?.delete(entry);
    this.unowned.delete(entry);
    this.version++;
  }

  /** `escape id=h` / `handoff id=h`: someone else now unmaps it. */
  hand(entry: Entry, to: string): void {
    entry.owner = to;
    this.unowned.delete(entry);
  }

  setMapErr(entry: Entry, state: Entry['mapErr']): void {
    entry.mapErr = state;
    this.version++;
  }

  private take(n: number): void {
    this.counters.num_free_entries -= n;
    this.counters.min_free_entries = Math.min(this.counters.min_free_entries, this.counters.num_free_entries);
  }

  private indexAdd<K>(index: Map<K, Set<Entry>>, key: K, entry: Entry): void {
    const set = index.get(key);
    if (set) set.add(entry);
    else index.set(key, new Set([entry]));
  }

  /** A live mapping that covers page `index` (`deviceOwned`: only one the CPU has not synced back). */
  mappingOn(index: number, deviceOwned: boolean): Entry | null {
    for (const e of this.byPage.get(index) ?? []) {
      this.visits++;
      if (!(deviceOwned && e.cpuOwned)) return e;
    }
    return null;
  }

  /** The device's live entries, in the order they were made. */
  onDevice(device: string): Entry[] {
    const entries = [...(this.byDevice.get(device) ?? [])];
    this.visits += entries.length;
    return entries;
  }

  /** Up to `most` live entries no one took over, and how many there are. */
  someUnowned(most: number): { entries: Entry[]; count: number } {
    const entries: Entry[] = [];
    for (const e of this.unowned) {
      if (entries.length >= most) break;
      this.visits++;
      entries.push(e);
    }
    return { entries, count: this.unowned.size };
  }

  /** dma-debug's table and counters now; rows and the whole table are reused while they do not change. */
  snapshot(): DmaSnapshot {
    if (this.shown && this.shownVersion === this.version) return this.shown;
    const mappings: DmaMappingState[] = [];
    for (const e of this.live.values()) {
      if (!e.shown || e.shown.mapErr !== e.mapErr) e.shown = mappingState(e);
      mappings.push(e.shown);
    }
    const counters: DmaDebugCounters = { ...this.counters };
    this.shown = { mappings, counters };
    this.shownVersion = this.version;
    return this.shown;
  }

  /** Something the snapshot shows changed outside the methods above (the counters). */
  touch(): void {
    this.version++;
  }
}

function mappingState(e: Entry): DmaMappingState {
  return {
    id: e.id,
    type: e.type,
    device: e.device,
    address: hex(e.address),
    size: e.size,
    direction: e.direction,
    ...(e.type === 'sg' ? { sgCallEnts: e.sgCallEnts, mappedEnts: e.mappedEnts } : {}),
    mapErr: e.mapErr,
    pages: e.pages,
  };
}
