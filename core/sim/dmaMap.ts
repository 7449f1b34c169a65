/**
 * Streaming mappings through dma-debug (kernel/dma/debug.c, kernel-semantics.md §4.2): the checks
 * it runs when a driver maps (stack and vmalloc buffers, overlapping cachelines), checks a mapping
 * (dma_mapping_error()), unmaps or frees (check_unmap()) and syncs (check_sync()), in its own words.
 */
import type { DmaApi } from '../catalog/dma';
import { KERNEL_DOCS } from '../catalog/docs';
import type { TraceStep } from '../trace/types';
import { DRIVER, hex, PAGE_SIZE, TYPE_NAMES, type DebugTable, type Entry, type EntryType } from './dmaTable';
import type { Violation } from './types';

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

export const DEFAULT_DEVICE = '0000:01:00.0';
const EEXIST = "cacheline tracking EEXIST, overlapping mappings aren't supported\n";

export function entryTypeOf(api: DmaApi): EntryType {
  return api.type === 'pool' ? 'coherent' : api.type === 'iova' ? 'single' : api.type;
}

export function deviceOf(step: TraceStep): string {
  return typeof step.args.dev === 'string' ? step.args.dev : DEFAULT_DEVICE;
}

export function idOf(step: TraceStep): string {
  return typeof step.args.id === 'string' ? step.args.id : step.call;
}

function num(step: TraceStep, key: string): number | undefined {
  const v = step.args[key];
  return typeof v === 'number' ? v : undefined;
}

/** The pages a map covers (within the simulated memory), and the first thing wrong with them. */
function coveredPages(step: TraceStep, sg: boolean, pages: PageView): { covered: number[]; violations: Violation[] } {
  const first = num(step, 'first');
  if (first === undefined) return { covered: [], violations: [] };
  const count = sg ? (num(step, 'nents') ?? 1) : (num(step, 'nr') ?? 1);
  const covered: number[] = [];
  let problem: Violation | null = null;
  for (let p = first; p < first + count; p++) {
    if (p >= pages.count) {
      const message = `${step.call}: page ${p} is past the end of the simulated memory (add pages to the "pages" line)`;
      problem ??= { kind: 'count-mismatch', message };
      break;
    }
    covered.push(p);
    if (!pages.held(p))
      problem ??= {
        kind: 'use-after-release',
        message: `${step.call} maps page ${p}, on which this path holds no pin or reference: the page can be freed and reused while the device uses it`,
      };
  }
  return { covered, violations: problem ? [problem] : [] };
}

/** Whether the map call failed, by what it returns: a status, a segment count, or a handle. */
function mapFailed(api: DmaApi, step: TraceStep): boolean {
  if (api.returns === 'status') return typeof step.result === 'string' && step.result.startsWith('-');
  if (api.returns === 'count') return step.result === 0;
  // scsi_dma_map(): -ENOMEM when it failed (0 is a command with no data: nothing mapped, no failure).
  if (api.returns === 'count-or-errno')
    return (typeof step.result === 'number' && step.result < 0) || String(step.result).startsWith('-');
  return step.result === 'DMA_MAPPING_ERROR';
}

/** The checks debug_dma_map_single() runs on the buffer before anything is mapped. */
function bufferChecks(table: DebugTable, step: TraceStep, id: string, sg: boolean): DmaStepResult | Violation | null {
  const device = deviceOf(step);
  if (step.args.buf === 'vmalloc' && !sg) {
    // include/linux/dma-mapping.h: dma_map_single_attrs() refuses before dma-debug sees it.
    table.failed.set(id, `${id} is DMA_MAPPING_ERROR (the mapping failed)`);
    const old = table.get(id);
    if (old) table.forget(old);
    return {
      violations: [
        {
          kind: 'dma',
          message: `${step.call} of vmalloc memory is refused and returns DMA_MAPPING_ERROR: vmalloc memory is not physically contiguous ("you cannot take the return of a vmalloc() call and DMA to/from that")`,
          kernelMessage: `WARNING: ${DRIVER} ${device}: rejecting DMA map of vmalloc memory`,
          docsUrl: KERNEL_DOCS.dmaStreaming.url,
        },
      ],
      result: 'DMA_MAPPING_ERROR',
    };
  }
  if (step.args.buf === 'stack')
    return table.report(
      device,
      'device driver maps memory from stack [probable addr=0xffffc90000a3bd00]\n',
      `${step.call} maps a stack buffer: with CONFIG_VMAP_STACK it is not in the linear map and not DMA-able`,
    );
  return null;
}

/** The earlier mapping of `id` is still live when it is mapped again: its handle is lost (dma-debug says nothing). */
function lostHandle(id: string): Violation {
  return {
    kind: 'dma',
    message: `${id} is mapped again while its earlier mapping is live ("the sg cannot be mapped again if it has been mapped once"): the first mapping's handle is lost`,
    docsUrl: KERNEL_DOCS.dmaStreaming.url,
  };
}

export function map(table: DebugTable, api: DmaApi, step: TraceStep, pages: PageView): DmaStepResult {
  const id = idOf(step);
  const device = deviceOf(step);
  const dir = typeof step.args.dir === 'string' ? step.args.dir : 'DMA_BIDIRECTIONAL';
  const sg = api.type === 'sg';
  const previous = table.get(id);
  const { covered, violations } = coveredPages(step, sg, pages);
  const checked = bufferChecks(table, step, id, sg);
  if (checked && 'kind' in checked) violations.push(checked);
  else if (checked)
    return { ...checked, violations: [...violations, ...(previous ? [lostHandle(id)] : []), ...checked.violations] };
  if (mapFailed(api, step)) {
    // dma_map_sgtable() returns 0 or -errno; dma_map_sg() the mapped count (0: failed);
    // dma_map_single/page/resource() a handle (DMA_MAPPING_ERROR: failed). dma-debug records nothing.
    table.failed.set(
      id,
      sg
        ? `the mapping of ${id} failed (${step.call}() returned ${api.returns === 'count' ? '0' : String(step.result)})`
        : `${id} is DMA_MAPPING_ERROR (the mapping failed)`,
    );
    if (previous) {
      violations.push(lostHandle(id));
      table.forget(previous);
    }
    return {
      violations,
      result: sg
        ? api.returns === 'count'
          ? '0'
          : String(step.result)
        : api.returns === 'status'
          ? String(step.result)
          : 'DMA_MAPPING_ERROR',
      note: 'the mapping failed: nothing to unmap',
    };
  }
  table.failed.delete(id);
  const nents = sg ? (num(step, 'nents') ?? 1) : 0;
  const mappedEnts = sg
    ? (api.returns === 'count' || api.returns === 'count-or-errno') && typeof step.result === 'number'
      ? Math.min(step.result, nents)
      : nents
    : 1;
  const size = sg ? mappedEnts * PAGE_SIZE : (num(step, 'size') ?? Math.max(1, covered.length) * PAGE_SIZE);
  const { entry, overlaps, exceeded } = table.add({
    id,
    type: entryTypeOf(api),
    mappedBy: step.call,
    device,
    size,
    direction: dir,
    sgCallEnts: nents,
    mappedEnts,
    mapErr: !sg && api.returns === 'handle' ? 'not-checked' : 'n/a',
    pages: covered,
    cpu: 'cpu0',
  });
  for (const v of overlapViolations(table, entry, overlaps, exceeded)) violations.push(v);
  if (previous && !overlaps.includes(previous)) violations.push(lostHandle(id));
  const result = sg ? (api.returns === 'status' ? '0' : String(mappedEnts)) : hex(entry.address);
  return { violations, result };
}

/**
 * What add_dma_entry() prints when the new entry's cachelines were taken: one error per segment
 * (error_count counts each), shown as one violation.
 */
function overlapViolations(
  table: DebugTable,
  entry: Entry,
  overlaps: readonly Entry[],
  exceeded: number | null,
): Violation[] {
  const out: Violation[] = [];
  const other = overlaps[0];
  if (other) {
    const what =
      other.id === entry.id
        ? `${entry.id} is mapped again while its earlier mapping is live: dma-debug sees overlapping mappings of the same cachelines`
        : `${entry.id} maps pages that ${other.id} has mapped already`;
    const more = overlaps.length > 1 ? ` (${overlaps.length} of its segments overlap: one error each)` : '';
    const first = table.report(entry.device, EEXIST, `${what}${more}`);
    for (let i = 1; i < overlaps.length; i++) table.report(entry.device, EEXIST, what);
    out.push(first);
  }
  if (exceeded !== null)
    out.push({
      kind: 'dma',
      message: `more than 7 live mappings start at the same cacheline: dma-debug stops counting them, which usually means mappings are leaked`,
      kernelMessage: `WARNING: DMA-API: exceeded 7 overlapping mappings of cacheline ${hex(exceeded)}`,
      docsUrl: KERNEL_DOCS.dmaDebug.url,
    });
  return out;
}

export function checkMapping(table: DebugTable, step: TraceStep): DmaStepResult {
  const id = idOf(step);
  if (table.failed.has(id))
    return { violations: [], result: '-ENOMEM', note: `${id} is DMA_MAPPING_ERROR: the mapping failed` };
  const entry = table.get(id);
  // debug_dma_mapping_error() flips the first not-checked entry with this (dev, addr).
  if (entry && entry.mapErr === 'not-checked') table.setMapErr(entry, 'checked');
  return { violations: [], result: '0' };
}

function sizeArg(step: TraceStep): number {
  return num(step, 'size') ?? PAGE_SIZE;
}

/** check_unmap(): the unmap or free must match the mapping in size, type, CPU address, nents and direction. */
export function unmap(table: DebugTable, api: DmaApi, step: TraceStep): DmaStepResult {
  const id = idOf(step);
  const device = deviceOf(step);
  const entry = table.get(id);
  if (!entry) {
    const failure = table.failed.get(id);
    const violation =
      failure !== undefined
        ? table.report(
            device,
            'device driver tries to free an invalid DMA memory address\n',
            `${step.call}(${id}): ${failure} — there is nothing to unmap`,
          )
        : table.report(
            device,
            `device driver tries to free DMA memory it has not allocated [device address=${hex(0xf0000000)}] [size=${sizeArg(step)} bytes]\n`,
            `${step.call}(${id}): no live mapping — it was never mapped, or was already unmapped`,
          );
    return { violations: [violation] };
  }
  const violations = unmapMismatches(table, api, step, entry, device);
  table.remove(entry);
  return { violations };
}

function unmapMismatches(table: DebugTable, api: DmaApi, step: TraceStep, entry: Entry, device: string): Violation[] {
  const violations: Violation[] = [];
  const type = entryTypeOf(api);
  const id = entry.id;
  const size = api.type === 'sg' ? entry.size : (num(step, 'size') ?? entry.size);
  const addr = hex(entry.address);
  if (size !== entry.size)
    violations.push(
      table.report(
        device,
        `device driver frees DMA memory with different size [device address=${addr}] [map size=${entry.size} bytes] [unmap size=${size} bytes]\n`,
        `${step.call}(${id}) passes size ${size}; it was mapped with ${entry.size}`,
      ),
    );
  if (type !== entry.type)
    violations.push(
      table.report(
        device,
        `device driver frees DMA memory with wrong function [device address=${addr}] [size=${entry.size} bytes] [mapped as ${TYPE_NAMES[entry.type]}] [unmapped as ${TYPE_NAMES[type]}]\n`,
        `${step.call}(${id}) releases a mapping made by ${entry.mappedBy}()`,
      ),
    );
  else if (
    (entry.type === 'coherent' || entry.type === 'noncoherent') &&
    typeof step.args.cpu === 'string' &&
    step.args.cpu !== entry.cpu
  )
    violations.push(
      table.report(
        device,
        `device driver frees DMA memory with different CPU address [device address=${addr}] [size=${entry.size} bytes] [cpu alloc address=0xffff888004a00000] [cpu free address=0xffff888004a01000]`,
        `${step.call}(${id}) passes a different CPU address than the allocation returned`,
      ),
    );
  const nents = num(step, 'nents');
  if (api.type === 'sg' && nents !== undefined && nents !== entry.sgCallEnts)
    violations.push(
      table.report(
        device,
        `device driver frees DMA sg list with different entry count [map count=${entry.sgCallEnts}] [unmap count=${nents}]\n`,
        `${step.call}(${id}, nents=${nents}): pass the nents given to dma_map_sg() (${entry.sgCallEnts}), not the count it returned`,
      ),
    );
  const dir = typeof step.args.dir === 'string' ? step.args.dir : entry.direction;
  if (dir !== entry.direction)
    violations.push(
      table.report(
        device,
        `device driver frees DMA memory with different direction [device address=${addr}] [size=${entry.size} bytes] [mapped with ${entry.direction}] [unmapped with ${dir}]\n`,
        `${step.call}(${id}) uses ${dir}; it was mapped ${entry.direction}`,
      ),
    );
  if (entry.mapErr === 'not-checked')
    violations.push(
      table.report(
        device,
        `device driver failed to check map error[device address=${addr}] [size=${entry.size} bytes] [mapped as ${TYPE_NAMES[entry.type]}]`,
        `${id} was never checked with dma_mapping_error() before this unmap`,
      ),
    );
  return violations;
}

/** check_sync(): the sync must stay inside the mapping and agree with its direction. */
export function sync(table: DebugTable, api: DmaApi, step: TraceStep): DmaStepResult {
  const id = idOf(step);
  const device = deviceOf(step);
  const entry = table.get(id);
  const toCpu = api.sync === 'cpu';
  if (!entry) {
    const violation = table.report(
      device,
      `device driver tries to sync DMA memory it has not allocated [device address=${hex(0xf0000000)}] [size=${sizeArg(step)} bytes]\n`,
      `${step.call}(${id}): no live mapping to sync`,
    );
    return { violations: [violation] };
  }
  const violations = syncMismatches(table, api, step, entry, device, toCpu);
  if (toCpu) entry.deviceDirty = false;
  entry.cpuOwned = toCpu;
  return { violations };
}

function syncMismatches(
  table: DebugTable,
  api: DmaApi,
  step: TraceStep,
  entry: Entry,
  device: string,
  toCpu: boolean,
): Violation[] {
  const violations: Violation[] = [];
  const id = entry.id;
  const addr = hex(entry.address);
  const size = num(step, 'size') ?? entry.size;
  const dir = typeof step.args.dir === 'string' ? step.args.dir : entry.direction;
  const mapped = entry.direction;
  if (size > entry.size)
    violations.push(
      table.report(
        device,
        `device driver syncs DMA memory outside allocated range [device address=${addr}] [allocation size=${entry.size} bytes] [sync offset+size=${size}]\n`,
        `${step.call}(${id}) syncs ${size} bytes of a ${entry.size}-byte mapping`,
      ),
    );
  if (mapped !== 'DMA_BIDIRECTIONAL') {
    const tail = `[device address=${addr}] [size=${entry.size} bytes] [mapped with ${mapped}] [synced with ${dir}]\n`;
    if (dir !== mapped)
      violations.push(
        table.report(
          device,
          `device driver syncs DMA memory with different direction ${tail}`,
          `${step.call}(${id}) uses ${dir}; it was mapped ${mapped}`,
        ),
      );
    if (toCpu && mapped !== 'DMA_FROM_DEVICE' && dir !== 'DMA_TO_DEVICE')
      violations.push(
        table.report(
          device,
          `device driver syncs device read-only DMA memory for cpu ${tail}`,
          `${step.call}(${id}): the device only reads a ${mapped} mapping; there is nothing to sync for the CPU`,
        ),
      );
    if (!toCpu && mapped !== 'DMA_TO_DEVICE' && dir !== 'DMA_FROM_DEVICE')
      violations.push(
        table.report(
          device,
          `device driver syncs device write-only DMA memory to device ${tail}`,
          `${step.call}(${id}): the device only writes a ${mapped} mapping; syncing it to the device is wrong`,
        ),
      );
  }
  const nents = num(step, 'nents');
  if (api.type === 'sg' && nents !== undefined && nents !== entry.sgCallEnts)
    violations.push(
      table.report(
        device,
        `device driver syncs DMA sg list with different entry count [map count=${entry.sgCallEnts}] [sync count=${nents}]\n`,
        `${step.call}(${id}, nents=${nents}): pass the original nents (${entry.sgCallEnts})`,
      ),
    );
  return violations;
}
