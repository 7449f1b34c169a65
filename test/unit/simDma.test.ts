/**
 * The dma-debug model: one trace pins user pages, maps them DMA_FROM_DEVICE, lets the device
 * write, unmaps and releases with unpin_user_pages_dirty_lock() — clean — and each broken
 * variant reports what the kernel would print (kernel/dma/debug.c, kernel-semantics.md §4.2),
 * with dma-debug's counters exactly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../core/fileAnalysis/analyzeFile';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { createCParser } from '../../core/parse/parser';
import { simulateFunction } from '../../core/sim/index';
import { simulateTrace } from '../../core/sim/machine';
import { DMA_DEBUG_ENTRIES } from '../../core/sim/dma';
import { parseTrace } from '../../core/trace/parse';
import type { SimPath, SimStep, Violation } from '../../core/sim/types';

function run(text: string): SimPath {
  const parsed = parseTrace(text);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('\n'));
  return simulateTrace(parsed.trace);
}

const step = (p: SimPath, n: number): SimStep => p.steps[n - 1] as SimStep;
const violations = (p: SimPath): Violation[] => p.steps.flatMap((s) => s.violations);

/** The clean trace, with lines replaced by index (1-based step number → new line, '' drops it). */
function variant(changes: Record<number, string> = {}): string {
  const steps = [
    'pin_user_pages_fast nr=4 flags=FOLL_WRITE|FOLL_LONGTERM -> 4',
    'dma_map_sg id=sg first=0 nents=4 dir=DMA_FROM_DEVICE -> 4',
    'device_write id=sg',
    'dma_unmap_sg id=sg nents=4 dir=DMA_FROM_DEVICE',
    'unpin_user_pages_dirty_lock first=0 nr=4 dirty=true',
    'return 0',
  ];
  const lines = steps.map((s, i) => changes[i + 1] ?? s).filter((s) => s !== '');
  return `kernel 6.12\npages 4 base\n${lines.join('\n')}\n`;
}

describe('pin → sg → map FROM_DEVICE → device write → unmap → unpin dirty', () => {
  it('simulates clean, with the table and counters at every step', () => {
    const p = run(variant());
    expect(p.outcome).toBe('clean');
    expect(violations(p)).toEqual([]);
    expect(p.initial.dma?.counters).toEqual({
      error_count: 0,
      num_errors: 1,
      num_free_entries: DMA_DEBUG_ENTRIES,
      min_free_entries: DMA_DEBUG_ENTRIES,
      nr_total_entries: 65536,
    });
    expect(step(p, 1).pages.map((x) => x.refcount)).toEqual([1025, 1025, 1025, 1025]);
    const mapped = step(p, 2).dma;
    expect(mapped?.mappings).toEqual([
      {
        id: 'sg',
        type: 'sg',
        device: '0000:01:00.0',
        address: '0x00000000f0000000',
        size: 16384,
        direction: 'DMA_FROM_DEVICE',
        sgCallEnts: 4,
        mappedEnts: 4,
        mapErr: 'n/a',
        pages: [0, 1, 2, 3],
      },
    ]);
    expect(mapped?.counters.num_free_entries).toBe(65532);
    expect(step(p, 4).dma?.mappings).toEqual([]);
    expect(step(p, 4).dma?.counters).toMatchObject({
      num_free_entries: 65536,
      min_free_entries: 65532,
      error_count: 0,
    });
    expect(step(p, 5).pages.map((x) => [x.refcount, x.dirty])).toEqual([
      [1, true],
      [1, true],
      [1, true],
      [1, true],
    ]);
    expect(step(p, 5).vmstat).toEqual({ nr_foll_pin_acquired: 4, nr_foll_pin_released: 4 });
  });

  it('unmap with the count dma_map_sg() returned: "different entry count"', () => {
    const p = run(
      variant({
        2: 'dma_map_sg id=sg first=0 nents=4 dir=DMA_FROM_DEVICE -> 3',
        4: 'dma_unmap_sg id=sg nents=3 dir=DMA_FROM_DEVICE',
      }),
    );
    expect(p.outcome).toBe('dma-error');
    expect(step(p, 4).violations.map((v) => v.kernelMessage)).toEqual([
      'DMA-API: drv 0000:01:00.0: device driver frees DMA sg list with different entry count [map count=4] [unmap count=3]',
    ]);
    expect(step(p, 4).dma?.counters).toMatchObject({ error_count: 1, num_errors: 0 });
  });

  it('unmap with another direction: "different direction", with the mapping address and size', () => {
    const p = run(variant({ 4: 'dma_unmap_sg id=sg nents=4 dir=DMA_TO_DEVICE' }));
    expect(step(p, 4).violations.map((v) => v.kernelMessage)).toEqual([
      'DMA-API: drv 0000:01:00.0: device driver frees DMA memory with different direction [device address=0x00000000f0000000] [size=16384 bytes] [mapped with DMA_FROM_DEVICE] [unmapped with DMA_TO_DEVICE]',
    ]);
  });

  it('unpin before unmap: each page released while still mapped', () => {
    const p = run(
      variant({
        4: 'unpin_user_pages_dirty_lock first=0 nr=4 dirty=true',
        5: 'dma_unmap_sg id=sg nents=4 dir=DMA_FROM_DEVICE',
      }),
    );
    const v = step(p, 4).violations;
    expect(v).toHaveLength(1);
    expect(v[0]?.kind).toBe('dma');
    expect(v[0]?.message).toBe(
      'page 0 is released while sg still maps it for DMA: unmap first — the device may still write into a page that can now be freed and reused (and 3 more pages)',
    );
    expect(p.outcome).toBe('dma-error');
  });

  it("release without marking the pages dirty: the device's writes can be lost", () => {
    const p = run(variant({ 5: 'unpin_user_pages first=0 nr=4' }));
    const v = step(p, 5).violations;
    expect(v.map((x) => x.message)).toEqual([
      'page 0 was written by the device but is released without being marked dirty: the data can be dropped instead of written back. Use unpin_user_pages_dirty_lock(…, true) or set_page_dirty_lock() first (and 3 more pages)',
    ]);
    expect(step(p, 5).pages.map((x) => x.refcount)).toEqual([1, 1, 1, 1]);
  });

  it('no unmap: the mapping leaks, in the words dma-debug uses at unbind', () => {
    const p = run(variant({ 4: '' }));
    expect(p.outcome).toBe('leak');
    const v = step(p, 5).violations;
    expect(v.map((x) => x.kernelMessage)).toEqual([
      'DMA-API: drv 0000:01:00.0: device driver has pending DMA allocations while released from device [count=1]',
    ]);
    expect(step(p, 4).violations.map((x) => x.message)).toEqual([
      'page 0 is released while sg still maps it for DMA: unmap first — the device may still write into a page that can now be freed and reused (and 3 more pages)',
    ]);
  });

  it('the mapping handed to a request is not a leak', () => {
    const p = run(variant({ 4: 'handoff id=sg to=rq', 5: 'handoff first=0 nr=4 to=rq' }));
    expect(violations(p)).toEqual([]);
    expect(step(p, 4).note).toBe('sg is handed to rq, which now owns the mapping');
  });

  it('a device write through a DMA_TO_DEVICE mapping faults on an IOMMU', () => {
    const p = run(
      variant({
        2: 'dma_map_sg id=sg first=0 nents=4 dir=DMA_TO_DEVICE -> 4',
        4: 'dma_unmap_sg id=sg nents=4 dir=DMA_TO_DEVICE',
      }),
    );
    expect(step(p, 3).violations.map((v) => v.message)).toEqual([
      'the device writes through sg, which is mapped DMA_TO_DEVICE (device reads only): an IOMMU maps it read-only and faults; map it DMA_FROM_DEVICE or DMA_BIDIRECTIONAL',
    ]);
  });

  it('a failed dma_map_sg() maps nothing; the device then writes through nothing', () => {
    const p = run(variant({ 2: 'dma_map_sg id=sg first=0 nents=4 dir=DMA_FROM_DEVICE -> 0', 4: '' }));
    expect(step(p, 2).result).toBe('0');
    expect(step(p, 2).dma?.mappings).toEqual([]);
    expect(step(p, 3).violations[0]?.message).toBe(
      'the device writes through sg, but the mapping of sg failed (dma_map_sg() returned 0): with an IOMMU this faults, without one it corrupts whatever memory is there now',
    );
  });
});

describe('single mappings and dma_mapping_error()', () => {
  const single = (lines: string[]): SimPath => run(`kernel 6.12\n${lines.join('\n')}\n`);

  it('an unmap of a never-checked handle: "failed to check map error" (sic, no space)', () => {
    const p = single([
      'dma_map_single id=h size=4096 dir=DMA_TO_DEVICE',
      'dma_unmap_single id=h size=4096 dir=DMA_TO_DEVICE',
    ]);
    expect(step(p, 1).dma?.mappings[0]?.mapErr).toBe('not-checked');
    expect(step(p, 2).violations.map((v) => v.kernelMessage)).toEqual([
      'DMA-API: drv 0000:01:00.0: device driver failed to check map error[device address=0x00000000f0000000] [size=4096 bytes] [mapped as single]',
    ]);
  });

  it('checked, then unmapped with another size by dma_unmap_page(): one error', () => {
    const p = single([
      'dma_map_single id=h size=4096 dir=DMA_TO_DEVICE',
      'dma_mapping_error id=h',
      'dma_unmap_page id=h size=2048 dir=DMA_TO_DEVICE',
    ]);
    expect(step(p, 2).dma?.mappings[0]?.mapErr).toBe('checked');
    const v = step(p, 3).violations;
    // dma_map_single and dma_unmap_page are both "single" to dma-debug: only the size differs.
    expect(v.map((x) => x.kernelMessage)).toEqual([
      'DMA-API: drv 0000:01:00.0: device driver frees DMA memory with different size [device address=0x00000000f0000000] [map size=4096 bytes] [unmap size=2048 bytes]',
    ]);
    expect(step(p, 3).dma?.counters).toMatchObject({ error_count: 1, num_errors: 0 });
  });

  it('two errors in one unmap: error_count 2, num_errors spent on the first', () => {
    const p = single([
      'dma_map_single id=h size=4096 dir=DMA_FROM_DEVICE',
      'dma_unmap_single id=h size=2048 dir=DMA_TO_DEVICE',
    ]);
    const v = step(p, 2).violations;
    expect(v.map((x) => x.kernelMessage)).toEqual([
      'DMA-API: drv 0000:01:00.0: device driver frees DMA memory with different size [device address=0x00000000f0000000] [map size=4096 bytes] [unmap size=2048 bytes]',
      'DMA-API: drv 0000:01:00.0: device driver frees DMA memory with different direction [device address=0x00000000f0000000] [size=4096 bytes] [mapped with DMA_FROM_DEVICE] [unmapped with DMA_TO_DEVICE]',
      'DMA-API: drv 0000:01:00.0: device driver failed to check map error[device address=0x00000000f0000000] [size=4096 bytes] [mapped as single]',
    ]);
    expect(v[1]?.message).toContain('prints only the first error');
    expect(step(p, 2).dma?.counters).toMatchObject({ error_count: 3, num_errors: 0 });
  });

  it('a failed mapping unmapped anyway: "free an invalid DMA memory address"', () => {
    const p = single([
      'dma_map_single id=h size=4096 dir=DMA_TO_DEVICE -> DMA_MAPPING_ERROR',
      'dma_mapping_error id=h',
      'dma_unmap_single id=h size=4096 dir=DMA_TO_DEVICE',
    ]);
    expect(step(p, 1).result).toBe('DMA_MAPPING_ERROR');
    expect(step(p, 2).result).toBe('-ENOMEM');
    expect(step(p, 3).violations.map((v) => v.kernelMessage)).toEqual([
      'DMA-API: drv 0000:01:00.0: device driver tries to free an invalid DMA memory address',
    ]);
    expect(step(p, 3).violations[0]?.message).toBe(
      'dma_unmap_single(h): h is DMA_MAPPING_ERROR (the mapping failed) — there is nothing to unmap',
    );
  });

  it('sync for the CPU of a DMA_TO_DEVICE mapping as FROM_DEVICE: "different direction", then "read-only … for cpu"', () => {
    const p = single([
      'dma_map_single id=h size=4096 dir=DMA_TO_DEVICE',
      'dma_mapping_error id=h',
      'dma_sync_single_for_cpu id=h size=4096 dir=DMA_FROM_DEVICE',
      'dma_sync_single_for_cpu id=h size=4096 dir=DMA_TO_DEVICE',
    ]);
    expect(step(p, 3).violations.map((v) => v.kernelMessage)).toEqual([
      'DMA-API: drv 0000:01:00.0: device driver syncs DMA memory with different direction [device address=0x00000000f0000000] [size=4096 bytes] [mapped with DMA_TO_DEVICE] [synced with DMA_FROM_DEVICE]',
      'DMA-API: drv 0000:01:00.0: device driver syncs device read-only DMA memory for cpu [device address=0x00000000f0000000] [size=4096 bytes] [mapped with DMA_TO_DEVICE] [synced with DMA_FROM_DEVICE]',
    ]);
    // check_sync(): the same direction for the CPU is allowed (a no-op for TO_DEVICE).
    expect(step(p, 4).violations).toEqual([]);
  });

  it('vmalloc memory is refused before dma-debug sees it', () => {
    const p = single(['dma_map_single id=h size=4096 dir=DMA_TO_DEVICE buf=vmalloc']);
    expect(step(p, 1).result).toBe('DMA_MAPPING_ERROR');
    expect(step(p, 1).violations[0]?.kernelMessage).toBe(
      'WARNING: drv 0000:01:00.0: rejecting DMA map of vmalloc memory',
    );
    expect(step(p, 1).dma?.counters.error_count).toBe(0);
  });

  it('driver unbind with a live mapping: the pending-allocations report with its details', () => {
    const p = single(['dma_map_single id=h size=4096 dir=DMA_FROM_DEVICE', 'dma_mapping_error id=h', 'unbind']);
    expect(step(p, 3).violations.map((v) => v.kernelMessage)).toEqual([
      'DMA-API: drv 0000:01:00.0: device driver has pending DMA allocations while released from device [count=1]\nOne of leaked entries details: [device address=0x00000000f0000000] [size=4096 bytes] [mapped with DMA_FROM_DEVICE] [mapped as single]',
    ]);
    expect(step(p, 3).dma?.mappings).toEqual([]);
  });
});

describe('coherent memory and pools', () => {
  it('dma_pool_destroy() with a block outstanding: "busy"', () => {
    const p = run(
      'kernel 6.12\ndma_pool_create id=pool size=64\ndma_pool_alloc id=b pool=pool\ndma_pool_destroy id=pool\n',
    );
    expect(step(p, 3).violations.map((v) => v.kernelMessage)).toEqual([
      'drv 0000:01:00.0: dma_pool_destroy pool, 0xffff888004a00000 busy',
    ]);
  });

  it('coherent memory freed with another size: "different size"', () => {
    const p = run('kernel 6.12\ndma_alloc_coherent id=buf size=8192\ndma_free_coherent id=buf size=4096\n');
    expect(step(p, 1).dma?.mappings.map((m) => [m.type, m.size, m.direction])).toEqual([
      ['coherent', 8192, 'DMA_BIDIRECTIONAL'],
    ]);
    expect(step(p, 2).violations.map((v) => v.kernelMessage)).toEqual([
      'DMA-API: drv 0000:01:00.0: device driver frees DMA memory with different size [device address=0x00000000f0000000] [map size=8192 bytes] [unmap size=4096 bytes]',
    ]);
  });
});

describe('from C source to a dma-debug simulation', () => {
  const simulateExample = (file: string, fn: string): SimPath[] => {
    const text = readFileSync(path.join(__dirname, '..', '..', 'examples', file), 'utf8');
    const analysis = analyzeFile(createCParser().parse(text), parseKernelVersion('6.12') as KernelVersion);
    return [...simulateFunction(analysis, fn).paths];
  };

  it('dma-unmap-sg-nents.c: the path that maps reports "different entry count" at the unmap line', () => {
    const mapped = simulateExample('dma-unmap-sg-nents.c', 'demo_read_sg').find((p) => p.outcome === 'dma-error');
    const unmap = mapped?.steps.find((s) => s.call.startsWith('dma_unmap_sg'));
    expect(unmap?.line).toBe(17);
    expect(unmap?.violations.map((v) => v.kernelMessage)).toEqual([
      'DMA-API: drv 0000:01:00.0: device driver frees DMA sg list with different entry count [map count=4] [unmap count=3]',
    ]);
  });

  it('dma-mapping-leak.c: the error path leaks the mapping, the others are clean', () => {
    const paths = simulateExample('dma-mapping-leak.c', 'demo_write_block');
    expect(paths.map((p) => p.outcome).sort()).toEqual(['clean', 'clean', 'leak']);
    const leak = paths.find((p) => p.outcome === 'leak');
    const last = leak?.steps[leak.steps.length - 1];
    expect(last?.line).toBe(18);
    expect(last?.dma?.mappings.map((m) => [m.id, m.type, m.mapErr])).toEqual([['addr', 'single', 'checked']]);
  });
});

describe('overlapping mappings: the active-cacheline tree (kernel/dma/debug.c active_cacheline_insert())', () => {
  const EEXIST = "DMA-API: drv 0000:01:00.0: cacheline tracking EEXIST, overlapping mappings aren't supported";
  const mapTwice = (first: string, second: string): SimPath =>
    run(`kernel 6.12\npages 4 base\npin_user_pages_fast nr=4 flags=FOLL_WRITE\n${first}\n${second}\n`);

  it('an sg list mapped twice FROM_DEVICE: one error per segment whose first cacheline is taken', () => {
    const p = mapTwice(
      'dma_map_sg id=a first=0 nents=4 dir=DMA_FROM_DEVICE -> 4',
      'dma_map_sg id=b first=0 nents=4 dir=DMA_FROM_DEVICE -> 4',
    );
    expect(step(p, 3).violations.map((v) => [v.kernelMessage, v.message])).toEqual([
      [EEXIST, 'b maps pages that a has mapped already (4 of its segments overlap: one error each)'],
    ]);
    expect(step(p, 3).dma?.counters).toMatchObject({ error_count: 4, num_errors: 0, num_free_entries: 65528 });
  });

  it('DMA_TO_DEVICE mappings are not in the tree: neither side of an overlap with one is an error', () => {
    const toFirst = mapTwice(
      'dma_map_single id=a first=0 nr=1 size=4096 dir=DMA_TO_DEVICE',
      'dma_map_single id=b first=0 nr=1 size=4096 dir=DMA_FROM_DEVICE',
    );
    const toSecond = mapTwice(
      'dma_map_single id=a first=0 nr=1 size=4096 dir=DMA_FROM_DEVICE',
      'dma_map_single id=b first=0 nr=1 size=4096 dir=DMA_TO_DEVICE',
    );
    expect(violations(toFirst)).toEqual([]);
    expect(violations(toSecond)).toEqual([]);
  });

  it('only the first cacheline of a mapping is tracked: a mapping of pages 0–1 and one of page 1 do not collide', () => {
    const p = mapTwice(
      'dma_map_page id=a first=0 nr=2 size=8192 dir=DMA_FROM_DEVICE',
      'dma_map_page id=b first=1 nr=1 size=4096 dir=DMA_FROM_DEVICE',
    );
    expect(violations(p)).toEqual([]);
    expect(step(p, 3).dma?.mappings.map((m) => [m.id, m.pages])).toEqual([
      ['a', [0, 1]],
      ['b', [1]],
    ]);
  });

  it('nine live mappings of one cacheline: 8 errors, then the overlap counter saturates with one WARN', () => {
    const map = (i: number): string =>
      `dma_map_page id=m${i} first=0 nr=1 size=4096 dir=DMA_BIDIRECTIONAL\ndma_mapping_error id=m${i}`;
    const unmap = (i: number): string => `dma_unmap_page id=m${i} size=4096 dir=DMA_BIDIRECTIONAL`;
    const nine = Array.from({ length: 9 }, (_, i) => i);
    const p = run(
      `kernel 6.12\npages 1 base\nget_user_pages_fast nr=1\n${[...nine.map(map), ...nine.map(unmap)].join('\n')}\n`,
    );
    const after = (call: string): (number | undefined)[] =>
      p.steps.filter((s) => s.call.startsWith(call)).map((s) => s.dma?.counters.error_count);
    expect(after('dma_map_page')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(after('dma_unmap_page')).toEqual(Array(9).fill(8));
    expect(step(p, 18).violations.map((v) => v.kernelMessage)).toEqual([
      EEXIST,
      'WARNING: DMA-API: exceeded 7 overlapping mappings of cacheline 0x0000000004000000',
    ]);
    // After an unmap the cacheline is free again: a new mapping of it is not an overlap.
    const again = run(`kernel 6.12\npages 1 base\nget_user_pages_fast nr=1\n${map(0)}\n${unmap(0)}\n${map(1)}\n`);
    expect(violations(again)).toEqual([]);
  });

  it('a failed map of a handle that is live: dma-debug records nothing, the earlier handle is lost', () => {
    const p = run(
      'dma_map_single id=h size=64 dir=DMA_FROM_DEVICE\ndma_map_single id=h size=64 dir=DMA_FROM_DEVICE -> DMA_MAPPING_ERROR\n',
    );
    expect(step(p, 2).violations.map((v) => [v.kernelMessage, v.message])).toEqual([
      [
        undefined,
        'h is mapped again while its earlier mapping is live ("the sg cannot be mapped again if it has been mapped once"): the first mapping\'s handle is lost',
      ],
    ]);
    expect(step(p, 2).dma?.counters).toMatchObject({ error_count: 0, num_free_entries: 65535 });
    expect(step(p, 2).result).toBe('DMA_MAPPING_ERROR');
  });

  it('the same buffer mapped again while live (no pages: a kmalloc buffer): EEXIST, named as a re-map', () => {
    const p = run(
      'dma_map_single id=buf size=64 dir=DMA_FROM_DEVICE\ndma_map_single id=buf size=64 dir=DMA_FROM_DEVICE\n',
    );
    expect(step(p, 2).violations.map((v) => v.message)).toEqual([
      'buf is mapped again while its earlier mapping is live: dma-debug sees overlapping mappings of the same cachelines',
    ]);
    expect(step(p, 2).dma?.mappings.map((m) => m.address)).toEqual(['0x00000000f0010000']);
  });
});
