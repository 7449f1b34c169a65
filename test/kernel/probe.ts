/**
 * Real-kernel ground truth for the pin simulator.
 *
 * `pinprobe.c` performs real FOLL_PIN users (O_DIRECT through the block layer,
 * io_uring fixed buffers) and reports the per-repetition deltas of
 * /proc/vmstat `nr_foll_pin_acquired` / `nr_foll_pin_released`. This module
 * builds it, runs it, reduces the samples to their mode, and describes, per
 * scenario, which GUP calls the kernel makes (`SCENARIOS`), so the lead can
 * translate each scenario into the simulator's trace language.
 *
 * `SCENARIOS` was derived by reading Linux 6.12 (6.12.117) source; file:function
 * citations sit next to every op. The machine the numbers in README.md come
 * from ran 6.18; the measured deltas matched the 6.12 reading in every
 * scenario (see README.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------
// Result types

export interface ProbeStep {
  label: string;
  /** Mode of the per-repetition deltas (ties → the smaller value). */
  acquired: number;
  released: number;
  samples: { acquired: number[]; released: number[] };
}

export type ProbeResult =
  { scenario: string; ok: true; steps: ProbeStep[]; notes: string[] } | { scenario: string; ok: false; skip: string };

// ---------------------------------------------------------------------------
// Scenario description types (what the kernel does, in GUP terms)

/** Caller-visible FOLL_* flags passed to the pin API. FOLL_PIN itself is implied by every pin_* API. */
export type FollFlag = 'FOLL_WRITE' | 'FOLL_LONGTERM' | 'FOLL_NOFAULT' | 'FOLL_PCI_P2PDMA';

/**
 * What the pinned/unpinned pages are:
 * - 'base': order-0 anon pages (pin = refcount +1024, acquired +1 per page)
 * - 'thp':  pages of one PMD-mapped 2 MiB anon THP (pin = refcount +n, _pincount +n, acquired +n)
 * - 'zero': the shared zero page (pin/unpin change nothing, not even vmstat; mm/gup.c try_grab_folio / gup_put_folio)
 */
export type PageKind = 'base' | 'thp' | 'zero';

export type PinApi = 'pin_user_pages_fast';
export type UnpinApi = 'unpin_user_pages' | 'unpin_user_folio' | 'unpin_user_page';

export interface PinOp {
  readonly op: 'pin';
  readonly api: PinApi;
  /** nr_pages argument of one call (all of them are returned in every scenario here). */
  readonly nr: number;
  /** Number of identical consecutive calls (default 1). Total pages = nr × times. */
  readonly times?: number;
  readonly flags: readonly FollFlag[];
  /** What the returned pages are. */
  readonly target: PageKind;
  /** file:function in Linux 6.12 that makes the call. */
  readonly source: string;
  readonly note?: string;
}

export interface UnpinOp {
  readonly op: 'unpin';
  readonly api: UnpinApi;
  /** npages argument of one call (for unpin_user_page: 1). */
  readonly nr: number;
  /** Number of identical consecutive calls (default 1). Total pages = nr × times. */
  readonly times?: number;
  readonly target: PageKind;
  readonly source: string;
  readonly note?: string;
}

/** Data moved without any GUP (e.g. a DIO read of a hole is a plain copy_to_user of zeroes). */
export interface CopyOp {
  readonly op: 'copy';
  readonly bytes: number;
  readonly source: string;
  readonly note?: string;
}

export type GupOp = PinOp | UnpinOp | CopyOp;

export interface ScenarioStepSpec {
  /** Matches the step label pinprobe prints. */
  readonly label: string;
  /** In kernel execution order. */
  readonly ops: readonly GupOp[];
  /**
   * Deltas the 6.12 source predicts for /proc/vmstat (base pages; zero page not counted;
   * released counted in gup_put_folio). Measured values are in README.md.
   */
  readonly expected: { readonly acquired: number; readonly released: number };
}

export interface ScenarioSpec {
  readonly id: string;
  /** The user-space action, in one line. */
  readonly action: string;
  /** The kind of memory behind the user buffer before the step runs. */
  readonly pageKind: PageKind;
  /** Number of 4 KiB user pages the buffer range covers. */
  readonly pages: number;
  readonly steps: readonly ScenarioStepSpec[];
  /** Kernel facts a simulator trace must respect (state left behind, etc.). */
  readonly notes: readonly string[];
}

// ---------------------------------------------------------------------------
// Scenario specs, derived from Linux 6.12 source

/** O_DIRECT from user memory: who pins and who unpins (shared by all odirect-* specs). */
const DIO_PIN_SRC =
  'lib/iov_iter.c:iov_iter_extract_user_pages (pin_user_pages_fast; FOLL_WRITE iff data_source == ITER_DEST, i.e. read()) ' +
  '<- block/bio.c:__bio_iov_iter_get_pages (iov_iter_extract_pages) <- block/bio.c:bio_iov_iter_get_pages (sets BIO_PAGE_PINNED) ' +
  '<- fs/iomap/direct-io.c:iomap_dio_bio_iter <- fs/ext4/file.c:ext4_dio_read_iter/ext4_dio_write_iter (iomap_dio_rw)';
const DIO_UNPIN_SRC =
  'block/bio.c:__bio_release_pages (bio_for_each_folio_all: unpin_user_folio(fi.folio, nr_pages) once per folio) ' +
  '<- include/linux/bio.h:bio_release_pages <- fs/iomap/direct-io.c:iomap_dio_bio_end_io ' +
  '(reads: via block/bio.c:bio_check_pages_dirty, which may defer to bio_dirty_work)';

export const SCENARIOS: readonly ScenarioSpec[] = [
  {
    id: 'odirect-read-base',
    action:
      'pread(O_DIRECT fd on ext4, 16 KiB) into a 4096-aligned buffer of 4 written-to base pages (MADV_NOHUGEPAGE)',
    pageKind: 'base',
    pages: 4,
    steps: [
      {
        label: 'read',
        ops: [
          // lib/iov_iter.c:iov_iter_extract_user_pages -> mm/gup.c:pin_user_pages_fast (fast path, gup_fast_pte_range)
          {
            op: 'pin',
            api: 'pin_user_pages_fast',
            nr: 4,
            flags: ['FOLL_WRITE'],
            target: 'base',
            source: DIO_PIN_SRC,
            note: 'nr = bio_iov_vecs_to_alloc(iter, BIO_MAX_VECS) = 4; one call',
          },
          // block/bio.c:__bio_release_pages -> mm/gup.c:unpin_user_folio -> gup_put_folio(folio, 1, FOLL_PIN)
          {
            op: 'unpin',
            api: 'unpin_user_folio',
            nr: 1,
            times: 4,
            target: 'base',
            source: DIO_UNPIN_SRC,
            note: 'per folio even when physically contiguous base pages were merged into one bvec; runs in bio completion, which wakes the caller first (iomap_dio_bio_end_io: iomap_dio_done() before bio_release_pages())',
          },
        ],
        expected: { acquired: 4, released: 4 },
      },
    ],
    notes: [
      'Short-term pin (no FOLL_LONGTERM). Pages are marked dirty before submission (fs/iomap/direct-io.c:iomap_dio_bio_iter -> block/bio.c:bio_set_pages_dirty).',
      'ext4 only takes the DIO path when ext4_should_use_dio() (fs/ext4/file.c) is true (aligned, not encrypted/verity/data=journal); otherwise buffered I/O: no pins.',
    ],
  },
  {
    id: 'odirect-write-base',
    action: 'pwrite(O_DIRECT fd on ext4, 16 KiB, overwrite of written blocks) from 4 written-to base pages',
    pageKind: 'base',
    pages: 4,
    steps: [
      {
        label: 'write',
        ops: [
          // lib/iov_iter.c:iov_iter_extract_user_pages: ITER_SOURCE -> no FOLL_WRITE
          { op: 'pin', api: 'pin_user_pages_fast', nr: 4, flags: [], target: 'base', source: DIO_PIN_SRC },
          // fs/iomap/direct-io.c:iomap_dio_bio_end_io (writes: bio_release_pages(bio, false) directly)
          { op: 'unpin', api: 'unpin_user_folio', nr: 1, times: 4, target: 'base', source: DIO_UNPIN_SRC },
        ],
        expected: { acquired: 4, released: 4 },
      },
    ],
    notes: [
      'A write pins without FOLL_WRITE: the device only reads the pages, but they are still FOLL_PIN pinned (counted).',
    ],
  },
  {
    id: 'odirect-read-thp',
    action: 'pread(O_DIRECT, 2 MiB) into one 2 MiB-aligned PMD-mapped anon THP (MADV_HUGEPAGE, verified in smaps)',
    pageKind: 'thp',
    pages: 512,
    steps: [
      {
        label: 'read',
        ops: [
          // mm/gup.c:gup_fast_pmd_leaf: record_subpages() + ONE try_grab_folio_fast(page, refs) per call
          // block/bio.c:bio_iov_iter_get_pages loops __bio_iov_iter_get_pages while !bio_full():
          //   call 1: nr_pages = bi_max_vecs(256) - bi_vcnt(0) = 256 -> one 1 MiB bvec (get_contig_folio_len)
          //   call 2: 256 - 1 = 255 pages, merged into the same bvec (bvec_try_merge_page)
          //   call 3: the 1 remaining page, merged too
          { op: 'pin', api: 'pin_user_pages_fast', nr: 256, flags: ['FOLL_WRITE'], target: 'thp', source: DIO_PIN_SRC },
          { op: 'pin', api: 'pin_user_pages_fast', nr: 255, flags: ['FOLL_WRITE'], target: 'thp', source: DIO_PIN_SRC },
          {
            op: 'pin',
            api: 'pin_user_pages_fast',
            nr: 1,
            flags: ['FOLL_WRITE'],
            target: 'thp',
            source: DIO_PIN_SRC,
            note: 'the 256/255/1 split follows from BIO_MAX_VECS = 256 (include/linux/bio.h) and is not observable in vmstat; only the 512 total is',
          },
          // block/bio.c:__bio_release_pages: one folio_iter covering the whole THP -> nr_pages = 512
          {
            op: 'unpin',
            api: 'unpin_user_folio',
            nr: 512,
            times: 1,
            target: 'thp',
            source: DIO_UNPIN_SRC,
            note: 'one gup_put_folio(folio, 512, FOLL_PIN): _pincount -512, refcount -512, released +512',
          },
        ],
        expected: { acquired: 512, released: 512 },
      },
    ],
    notes: [
      'Exactly 512 acquisitions (one per base page, not one per folio, not 512×1024): the counters count base pages even for a large folio (mm/gup.c:try_grab_folio_fast node_stat_mod_folio(..., refs)).',
      'Refcount effect while in flight: folio refcount +512 and _pincount +512 (large folio: no GUP_PIN_COUNTING_BIAS).',
    ],
  },
  {
    id: 'odirect-write-thp',
    action: 'pwrite(O_DIRECT, 2 MiB) from one 2 MiB-aligned PMD-mapped anon THP',
    pageKind: 'thp',
    pages: 512,
    steps: [
      {
        label: 'write',
        ops: [
          // same call split as odirect-read-thp, without FOLL_WRITE (lib/iov_iter.c:iov_iter_extract_user_pages)
          { op: 'pin', api: 'pin_user_pages_fast', nr: 256, flags: [], target: 'thp', source: DIO_PIN_SRC },
          { op: 'pin', api: 'pin_user_pages_fast', nr: 255, flags: [], target: 'thp', source: DIO_PIN_SRC },
          { op: 'pin', api: 'pin_user_pages_fast', nr: 1, flags: [], target: 'thp', source: DIO_PIN_SRC },
          // block/bio.c:__bio_release_pages
          { op: 'unpin', api: 'unpin_user_folio', nr: 512, times: 1, target: 'thp', source: DIO_UNPIN_SRC },
        ],
        expected: { acquired: 512, released: 512 },
      },
    ],
    notes: [],
  },
  {
    id: 'odirect-write-zero',
    action: 'pwrite(O_DIRECT, 16 KiB) from 4 anon pages that were only read, so all 4 PTEs map the shared zero page',
    pageKind: 'zero',
    pages: 4,
    steps: [
      {
        label: 'write',
        ops: [
          // mm/gup.c:gup_fast_pte_range bails on pte_special() (the zero-page PTE is special) -> slow path
          // mm/gup.c:follow_page_pte: vm_normal_page() == NULL but is_zero_pfn() -> page = zero page
          // mm/gup.c:try_grab_folio: FOLL_PIN on is_zero_folio() -> return 0, no refcount, no NR_FOLL_PIN_ACQUIRED
          {
            op: 'pin',
            api: 'pin_user_pages_fast',
            nr: 4,
            flags: [],
            target: 'zero',
            source: DIO_PIN_SRC,
            note: 'returns 4 (the same zero page 4 times) but nothing is counted',
          },
          // mm/gup.c:gup_put_folio: is_zero_folio() -> return before NR_FOLL_PIN_RELEASED
          {
            op: 'unpin',
            api: 'unpin_user_folio',
            nr: 1,
            times: 4,
            target: 'zero',
            source: DIO_UNPIN_SRC,
            note: 'the 4 zero-page bvecs are not merged (same physical page, not contiguous), so 4 calls, all no-ops',
          },
        ],
        expected: { acquired: 0, released: 0 },
      },
    ],
    notes: [
      'A real kernel FOLL_PIN user that moves no counter at all: "pinning" the zero page is a no-op since v6.5 (mm/gup.c try_grab_folio/try_grab_folio_fast/gup_put_folio). The write still succeeds and writes zeroes.',
    ],
  },
  {
    id: 'odirect-read-hole',
    action: 'pread(O_DIRECT, 16 KiB) from a hole of a sparse ext4 file into 4 written-to base pages',
    pageKind: 'base',
    pages: 4,
    steps: [
      {
        label: 'read',
        ops: [
          // fs/iomap/direct-io.c:iomap_dio_iter: IOMAP_HOLE (and IOMAP_UNWRITTEN for reads) -> iomap_dio_hole_iter -> iov_iter_zero()
          {
            op: 'copy',
            bytes: 16384,
            source: 'fs/iomap/direct-io.c:iomap_dio_hole_iter (iov_iter_zero)',
            note: 'no bio, no GUP: zeroes are copied to user memory',
          },
        ],
        expected: { acquired: 0, released: 0 },
      },
    ],
    notes: [
      'An O_DIRECT read does not always pin: holes and unwritten (fallocated) extents are served by a plain copy.',
    ],
  },
  {
    id: 'iouring-fixed-base',
    action:
      'io_uring_register(IORING_REGISTER_BUFFERS, {buf, 16 KiB}) of 4 written-to base pages, then IORING_UNREGISTER_BUFFERS',
    pageKind: 'base',
    pages: 4,
    steps: [
      {
        label: 'register',
        ops: [
          // io_uring/memmap.c:io_pin_pages <- io_uring/rsrc.c:io_sqe_buffer_register <- io_sqe_buffers_register
          {
            op: 'pin',
            api: 'pin_user_pages_fast',
            nr: 4,
            flags: ['FOLL_WRITE', 'FOLL_LONGTERM'],
            target: 'base',
            source: 'io_uring/memmap.c:io_pin_pages <- io_uring/rsrc.c:io_sqe_buffer_register',
            note: 'io_uring/rsrc.c:io_try_coalesce_buffer returns false (folio_nr_pages == 1): no coalescing, 4 bvecs',
          },
        ],
        expected: { acquired: 4, released: 0 },
      },
      {
        label: 'unregister',
        ops: [
          // io_uring/rsrc.c:io_buffer_unmap: for each bvec unpin_user_folio(page_folio(bv_page), 1)
          {
            op: 'unpin',
            api: 'unpin_user_folio',
            nr: 1,
            times: 4,
            target: 'base',
            source: 'io_uring/rsrc.c:io_buffer_unmap <- __io_sqe_buffers_unregister <- io_sqe_buffers_unregister',
          },
        ],
        expected: { acquired: 0, released: 4 },
      },
    ],
    notes: [
      'Long-term pins stay between the steps: each page sits at refcount +1024 (GUP_PIN_COUNTING_BIAS) until unregister.',
      'Closing the ring without unregistering unpins the same way, but asynchronously (io_ring_exit_work).',
    ],
  },
  {
    id: 'iouring-fixed-thp',
    action: 'IORING_REGISTER_BUFFERS of one 2 MiB-aligned 2 MiB PMD-mapped anon THP, then IORING_UNREGISTER_BUFFERS',
    pageKind: 'thp',
    pages: 512,
    steps: [
      {
        label: 'register',
        ops: [
          // io_uring/memmap.c:io_pin_pages; mm/gup.c:gup_fast_pmd_leaf grabs refs=512 in one try_grab_folio_fast
          {
            op: 'pin',
            api: 'pin_user_pages_fast',
            nr: 512,
            flags: ['FOLL_WRITE', 'FOLL_LONGTERM'],
            target: 'thp',
            source: 'io_uring/memmap.c:io_pin_pages <- io_uring/rsrc.c:io_sqe_buffer_register',
          },
          // io_uring/rsrc.c:io_do_coalesce_buffer: "drops all but one reference":
          //   if (data->nr_pages_head > 1) unpin_user_pages(&page_array[1], data->nr_pages_head - 1);
          // unpin_user_pages batches same-folio entries (mm/gup.c:gup_folio_next) -> one gup_put_folio(folio, 511)
          {
            op: 'unpin',
            api: 'unpin_user_pages',
            nr: 511,
            target: 'thp',
            source: 'io_uring/rsrc.c:io_do_coalesce_buffer <- io_try_coalesce_buffer <- io_sqe_buffer_register',
            note: 'coalescing: the buffer becomes ONE bvec (head page, folio_shift 21) holding ONE pin on the folio',
          },
        ],
        expected: { acquired: 512, released: 511 },
      },
      {
        label: 'unregister',
        ops: [
          // io_uring/rsrc.c:io_buffer_unmap: nr_bvecs == 1 -> unpin_user_folio(folio, 1)
          {
            op: 'unpin',
            api: 'unpin_user_folio',
            nr: 1,
            target: 'thp',
            source: 'io_uring/rsrc.c:io_buffer_unmap <- io_sqe_buffers_unregister',
          },
        ],
        expected: { acquired: 0, released: 1 },
      },
    ],
    notes: [
      'Between register and unregister the THP holds _pincount 1 and refcount R0+1 (not 512), and acquired - released = 1 for a 2 MiB long-term pin.',
      'RLIMIT_MEMLOCK accounting still charges the whole huge page: io_uring/rsrc.c:io_buffer_account_pin adds page_size(hpage) >> PAGE_SHIFT = 512.',
      'Newer kernels (seen in a post-6.18 mainline copy) split this into io_check_coalesce_buffer + io_coalesce_buffer and use unpin_user_folio(folio, nr - 1): same counts.',
    ],
  },
  {
    id: 'iouring-fixed-thp-sub',
    action:
      'IORING_REGISTER_BUFFERS of {thp + 4 KiB, 64 KiB} (16 pages in the middle of one THP), then IORING_UNREGISTER_BUFFERS',
    pageKind: 'thp',
    pages: 16,
    steps: [
      {
        label: 'register',
        ops: [
          {
            op: 'pin',
            api: 'pin_user_pages_fast',
            nr: 16,
            flags: ['FOLL_WRITE', 'FOLL_LONGTERM'],
            target: 'thp',
            source: 'io_uring/memmap.c:io_pin_pages <- io_uring/rsrc.c:io_sqe_buffer_register',
          },
          // io_uring/rsrc.c:io_try_coalesce_buffer: nr_folios == 1 -> nr_pages_head = 16 (no alignment requirement for a single folio)
          {
            op: 'unpin',
            api: 'unpin_user_pages',
            nr: 15,
            target: 'thp',
            source: 'io_uring/rsrc.c:io_do_coalesce_buffer',
            note: 'bvec[0] = compound_head(page) with offset first_folio_page_idx << PAGE_SHIFT',
          },
        ],
        expected: { acquired: 16, released: 15 },
      },
      {
        label: 'unregister',
        ops: [
          { op: 'unpin', api: 'unpin_user_folio', nr: 1, target: 'thp', source: 'io_uring/rsrc.c:io_buffer_unmap' },
        ],
        expected: { acquired: 0, released: 1 },
      },
    ],
    notes: ['Coalescing applies to any multi-page buffer inside a large folio, not only to whole huge pages.'],
  },
  {
    id: 'iouring-fixed-zero',
    action:
      'IORING_REGISTER_BUFFERS of 4 anon pages that were only read (PTEs map the zero page), then IORING_UNREGISTER_BUFFERS',
    pageKind: 'zero',
    pages: 4,
    steps: [
      {
        label: 'register',
        ops: [
          // mm/gup.c:gup_fast_pte_range: pte_access_permitted(pte, FOLL_WRITE) fails -> slow path;
          // follow_page_pte -> faultin_page(FOLL_WRITE) -> write fault COWs the zero page into a new anon page
          {
            op: 'pin',
            api: 'pin_user_pages_fast',
            nr: 4,
            flags: ['FOLL_WRITE', 'FOLL_LONGTERM'],
            target: 'base',
            source: 'io_uring/memmap.c:io_pin_pages <- io_uring/rsrc.c:io_sqe_buffer_register',
            note: 'FOLL_WRITE replaces each zero-page PTE with a fresh page before pinning it: 4 real pins, the zero page is never pinned',
          },
        ],
        expected: { acquired: 4, released: 0 },
      },
      {
        label: 'unregister',
        ops: [
          {
            op: 'unpin',
            api: 'unpin_user_folio',
            nr: 1,
            times: 4,
            target: 'base',
            source: 'io_uring/rsrc.c:io_buffer_unmap',
          },
        ],
        expected: { acquired: 0, released: 4 },
      },
    ],
    notes: [
      'Side effect the simulator should model: after register the 4 PTEs map 4 distinct new pages (pinprobe checks /proc/self/pagemap).',
    ],
  },
];

// ---------------------------------------------------------------------------
// Build and run

const PINPROBE_SOURCE = fileURLToPath(new URL('./pinprobe.c', import.meta.url));

/** Most common value; ties → the smaller value. Throws on an empty list. */
export function mode(values: readonly number[]): number {
  if (values.length === 0) throw new Error('mode() of an empty sample');
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = Number.POSITIVE_INFINITY;
  let bestCount = 0;
  for (const [v, c] of counts) {
    if (c > bestCount || (c === bestCount && v < best)) {
      best = v;
      bestCount = c;
    }
  }
  return best;
}

/** Compile pinprobe.c into outDir with `cc`. Never throws for a missing or failing compiler. */
export function buildProbe(outDir: string): { binary: string } | { skip: string } {
  if (!existsSync(PINPROBE_SOURCE)) return { skip: `pinprobe source not found at ${PINPROBE_SOURCE}` };
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e: unknown) {
    return { skip: `cannot create ${outDir}: ${e instanceof Error ? e.message : String(e)}` };
  }
  const binary = join(outDir, 'pinprobe');
  const r = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-o', binary, PINPROBE_SOURCE], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { skip: code === 'ENOENT' ? 'C compiler `cc` not found on PATH' : `cannot run cc: ${r.error.message}` };
  }
  if (r.status !== 0) {
    const msg = (r.stderr || r.stdout || '').trim();
    return { skip: `cc failed (status ${String(r.status ?? r.signal)}): ${msg || 'no compiler output'}` };
  }
  return { binary };
}

/** Scenario ids compiled into the binary (`pinprobe --list`). */
export function listScenarios(binary: string): string[] {
  const r = spawnSync(binary, ['--list'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`pinprobe --list exited ${String(r.status)}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): readonly unknown[] | undefined {
  return Array.isArray(v) ? (v as readonly unknown[]) : undefined;
}

function intArray(v: unknown, what: string): number[] {
  const arr = asArray(v);
  if (!arr) throw new Error(`pinprobe: ${what} is not an array`);
  return arr.map((x: unknown, i: number): number => {
    if (typeof x !== 'number' || !Number.isInteger(x)) throw new Error(`pinprobe: ${what}[${i}] is not an integer`);
    return x;
  });
}

/** Validate pinprobe's JSON and reduce every step to the mode of its samples. */
export function parseProbeOutput(stdout: string): ProbeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch (e: unknown) {
    throw new Error(
      `pinprobe printed invalid JSON (${e instanceof Error ? e.message : String(e)}): ${stdout.slice(0, 500)}`,
      { cause: e },
    );
  }
  if (!isRecord(raw) || typeof raw.scenario !== 'string' || typeof raw.ok !== 'boolean') {
    throw new Error(`pinprobe output lacks scenario/ok: ${stdout.slice(0, 500)}`);
  }
  const scenario = raw.scenario;
  if (!raw.ok) {
    const skip = typeof raw.skip === 'string' && raw.skip.length > 0 ? raw.skip : 'skipped (no reason given)';
    return { scenario, ok: false, skip };
  }
  const rawSteps = asArray(raw.steps);
  if (!rawSteps) throw new Error('pinprobe: steps is not an array');
  const steps: ProbeStep[] = rawSteps.map((s: unknown, i: number): ProbeStep => {
    if (!isRecord(s) || typeof s.label !== 'string') throw new Error(`pinprobe: steps[${i}] is malformed`);
    const acquired = intArray(s.acquired, `steps[${i}].acquired`);
    const released = intArray(s.released, `steps[${i}].released`);
    return {
      label: s.label,
      acquired: mode(acquired),
      released: mode(released),
      samples: { acquired, released },
    };
  });
  const notes = (asArray(raw.notes) ?? []).filter((n: unknown): n is string => typeof n === 'string');
  return { scenario, ok: true, steps, notes };
}

/**
 * Run one scenario `repeat` times (default 5). Skips come back as `{ ok: false, skip }`;
 * a crash or malformed output throws.
 */
export function runProbe(binary: string, scenario: string, repeat = 5): ProbeResult {
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 1000) {
    throw new RangeError(`repeat must be an integer in 1..1000, got ${repeat}`);
  }
  const r = spawnSync(binary, [scenario, '--repeat', String(repeat)], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`pinprobe ${scenario} exited ${String(r.status ?? r.signal)}: ${(r.stderr || r.stdout).trim()}`);
  }
  return parseProbeOutput(r.stdout);
}
