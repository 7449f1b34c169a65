/**
 * The refcount simulation: user memory as pages and folios, and what each GUP/pin/release call
 * does to them, following mm/gup.c (kernel-semantics.md §3):
 *
 * - a FOLL_PIN on a small page adds GUP_PIN_COUNTING_BIAS (1024) to the folio's refcount;
 *   on a large folio (THP, hugetlb) it adds 1 to the refcount and 1 to the exact pin count
 *   (page[2] of order > 1 folios in v5.7–5.17, page[1] of every large folio since v5.18);
 * - FOLL_GET adds 1; put_page() takes 1 away; unpin takes 1024 (or 1 + one pin) away;
 * - folio_maybe_dma_pinned(): pincount > 0 for large folios, refcount ≥ 1024 for small ones (so
 *   1024 plain references read as pinned);
 * - nr_foll_pin_acquired/released count base pages, ignore FOLL_GET, and (since v6.5) ignore
 *   the shared zero page, which is never really pinned;
 * - FOLL_LONGTERM on movable pages pins, unpins, migrates and pins again;
 * - a pin that would overflow the 32-bit refcount is refused, leaving a short count;
 * - invalid flag combinations are rejected the way each kernel version rejects them.
 *
 * Violations are reported at the step that causes them, in the kernel's words where it has some.
 */
import { follFlag } from '../catalog/flags';
import { acquireApi, releaseApi, type AcquireApi } from '../catalog/gup';
import { KERNEL_DOCS } from '../catalog/docs';
import {
  formatVersion,
  inRange,
  isAtLeast,
  NEWEST_KNOWN,
  parseKernelVersion,
  type KernelVersion,
} from '../catalog/version';
import type { Trace, TraceStep } from '../trace/types';
import { PAGES_PER_FOLIO } from '../trace/vocabulary';
import type {
  DmaState as DmaSnapshot,
  PageKind,
  PageState,
  PathOutcome,
  SimPath,
  SimStep,
  Violation,
  ViolationKind,
  VmStat,
} from './types';
import { STEP_SPECS } from '../trace/vocabulary';
import { DmaState } from './dma';
import { withDocs } from './violationDocs';

export const GUP_PIN_COUNTING_BIAS = 1024;
const REFCOUNT_MAX = 2 ** 31 - 1;

interface Folio {
  readonly id: number;
  kind: PageKind;
  refcount: number;
  pincount: number;
  movable: boolean;
  dirty: boolean;
  /** References the page tables hold (the mapping): dropping below this frees a mapped page. */
  readonly mapped: number;
}

interface Page {
  readonly index: number;
  folio: number;
  heldRefs: number;
  heldPins: number;
  /** The page array entry was filled by a successful acquire on this path. */
  filled: boolean;
  /** The path released this page at least once. */
  released: boolean;
  /** Handed off to a bio/sg/skb or stored in an object: the owner releases it. */
  owner: string | null;
}

export interface MachineOptions {
  readonly kernelVersion?: KernelVersion;
}

const PIN_DOC = KERNEL_DOCS.pinTracking.url;

export class Machine {
  readonly version: KernelVersion;
  private readonly folios: Folio[] = [];
  private readonly pages: Page[] = [];
  private vmstat = { nr_foll_pin_acquired: 0, nr_foll_pin_released: 0 };
  private zeroFolio: number | null = null;
  readonly dma = new DmaState();

  constructor(trace: Trace, options: MachineOptions = {}) {
    this.version =
      options.kernelVersion ??
      (trace.kernel ? parseKernelVersion(trace.kernel) : null) ??
      (parseKernelVersion(NEWEST_KNOWN) as KernelVersion);
    const memory = trace.memory.length > 0 ? trace.memory : [{ count: 4, kind: 'base' as const, movable: false }];
    for (const region of memory) {
      const per = PAGES_PER_FOLIO[region.kind];
      for (let i = 0; i < region.count; i += per) {
        let folioId: number;
        if (region.kind === 'zero') {
          // Every untouched anonymous page maps the one shared zero page.
          if (this.zeroFolio === null) this.zeroFolio = this.newFolio('zero', region.refcount ?? 1, false);
          folioId = this.zeroFolio;
        } else {
          folioId = this.newFolio(region.kind, region.refcount ?? 1, region.movable);
        }
        for (let j = 0; j < per; j++)
          this.pages.push({
            index: this.pages.length,
            folio: folioId,
            heldRefs: 0,
            heldPins: 0,
            filled: false,
            released: false,
            owner: null,
          });
      }
    }
  }

  private newFolio(kind: PageKind, refcount: number, movable: boolean): number {
    const id = this.folios.length;
    this.folios.push({ id, kind, refcount, pincount: 0, movable, dirty: false, mapped: refcount });
    return id;
  }

  get pageCount(): number {
    return this.pages.length;
  }

  private folioOf(page: Page): Folio {
    return this.folios[page.folio] as Folio;
  }

  private isLarge(f: Folio): boolean {
    return f.kind === 'thp' || f.kind === 'hugetlb';
  }

  /** Large folios keep an exact pin count from v5.7 (order > 1: THP and hugetlb are order 9). */
  private hasPincount(f: Folio): boolean {
    return this.isLarge(f) && isAtLeast(this.version, '5.7');
  }

  /** The zero page is never really pinned since v6.5 ("mm: Don't pin ZERO_PAGE in pin_user_pages()"). */
  private zeroPinIsNoop(f: Folio): boolean {
    return f.kind === 'zero' && isAtLeast(this.version, '6.5');
  }

  snapshot(): { pages: PageState[]; vmstat: VmStat; dma?: DmaSnapshot } {
    const pages = this.pages.map((p): PageState => {
      const f = this.folioOf(p);
      const large = this.hasPincount(f);
      return {
        index: p.index,
        kind: f.kind,
        folio: f.id,
        refcount: f.refcount,
        pincount: large ? f.pincount : null,
        maybeDmaPinned: large ? f.pincount > 0 : f.refcount >>> 0 >= GUP_PIN_COUNTING_BIAS,
        dirty: f.dirty,
        heldRefs: p.heldRefs,
        heldPins: p.heldPins,
      };
    });
    return { pages, vmstat: { ...this.vmstat }, ...(this.dma.used ? { dma: this.dma.snapshot() } : {}) };
  }

  private range(step: TraceStep, defaultCount: number): { first: number; nr: number } {
    const first =
      typeof step.args.first === 'number' ? step.args.first : typeof step.args.page === 'number' ? step.args.page : 0;
    const nr = typeof step.args.nr === 'number' ? step.args.nr : defaultCount;
    return { first, nr };
  }

  private pagesIn(first: number, nr: number): Page[] {
    return this.pages.slice(Math.max(0, first), Math.max(0, first + Math.max(0, nr)));
  }

  /** Runs one step; returns what went wrong and what the call returned. */
  step(step: TraceStep): { violations: Violation[]; result?: string; note?: string } {
    const api = acquireApi(step.call);
    if (api) return this.acquire(api, step);
    const release = releaseApi(step.call);
    if (release) return this.release(step);
    switch (step.call) {
      case 'get_page':
      case 'folio_get': {
        const times = typeof step.args.times === 'number' ? step.args.times : 1;
        const page = this.pages[typeof step.args.page === 'number' ? step.args.page : 0];
        if (!page) return { violations: [outOfRange(step)] };
        this.folioOf(page).refcount += times;
        page.heldRefs += times;
        return { violations: [] };
      }
      case 'set_page_dirty':
      case 'set_page_dirty_lock':
      case 'SetPageDirty':
      case 'folio_mark_dirty': {
        const { first, nr } = this.range(step, typeof step.args.page === 'number' ? 1 : this.pages.length);
        const violations: Violation[] = [];
        for (const p of this.pagesIn(first, nr)) {
          const f = this.folioOf(p);
          if (f.kind === 'zero') violations.push(zeroWrite(`${step.call}() on the shared zero page`));
          f.dirty = true;
        }
        return { violations };
      }
      case 'access': {
        const { first, nr } = this.range(step, this.pages.length);
        const write = step.args.mode === 'write';
        const violations: Violation[] = [];
        for (const p of this.pagesIn(first, nr)) {
          if (p.heldPins + p.heldRefs === 0 && p.owner === null) {
            violations.push(
              p.released
                ? violation(
                    'use-after-release',
                    `page ${p.index} is accessed after this path released it: it may already belong to someone else`,
                  )
                : violation('use-after-release', `page ${p.index} is accessed without a reference or pin held on it`),
            );
            break;
          }
          const f = this.folioOf(p);
          if (write && f.kind === 'zero')
            violations.push(
              zeroWrite(`page ${p.index} is the shared zero page (taken without FOLL_WRITE) and is being written`),
            );
          if (write) f.dirty = true;
          const mapping = this.dma.mappingOn(p.index, true);
          if (mapping !== null)
            violations.push(
              violation(
                'dma',
                `page ${p.index} is accessed by the CPU while ${mapping} still maps it for DMA: sync it for the CPU (dma_sync_*_for_cpu()) or unmap it first, or the CPU and the device see different data`,
                KERNEL_DOCS.dmaStreaming.url,
              ),
            );
        }
        return { violations: dedupeViolations(violations) };
      }
      case 'handoff':
      case 'escape': {
        if (typeof step.args.id === 'string') {
          // A DMA mapping handed to a descriptor, a request or the caller: they unmap it.
          const to = typeof step.args.to === 'string' ? step.args.to : 'its new owner';
          const known = this.dma.hand(step.args.id, to);
          return {
            violations: [],
            note: known
              ? `${step.args.id} is handed to ${to}, which now owns the mapping`
              : `${step.args.id} is not a live mapping`,
          };
        }
        const { first, nr } = this.range(step, this.pages.length);
        const to = typeof step.args.to === 'string' ? step.args.to : step.call === 'handoff' ? 'the I/O' : 'an object';
        for (const p of this.pagesIn(first, nr)) if (p.heldPins + p.heldRefs > 0) p.owner = to;
        return { violations: [], note: `ownership passes to ${to}` };
      }
      case 'branch':
        return { violations: [] };
      case 'return':
        return this.ret(step);
      default: {
        const dma = this.dma.step(step, {
          count: this.pages.length,
          held: (i) => {
            const p = this.pages[i];
            return p !== undefined && p.heldPins + p.heldRefs > 0;
          },
        });
        return (
          dma ?? { violations: [{ kind: 'invalid-args', message: `${step.call}: not a call the simulation knows` }] }
        );
      }
    }
  }

  private acquire(api: AcquireApi, step: TraceStep): { violations: Violation[]; result: string; note?: string } {
    const flags = new Set(
      typeof step.args.flags === 'string' && step.args.flags !== '0' ? step.args.flags.split('|') : [],
    );
    const single = api.returns === 'bool' || api.returns === 'page';
    const { first, nr } = this.range(
      step,
      single ? 1 : this.pages.length - (typeof step.args.first === 'number' ? step.args.first : 0),
    );
    const invalid = this.validate(api, flags);
    if (invalid) return { violations: [invalid.violation], result: invalid.result };
    let taken = nr;
    let errno: string | null = null;
    if (typeof step.result === 'number') taken = Math.min(step.result, nr);
    else if (typeof step.result === 'string') {
      taken = 0;
      errno = step.result;
    }
    const pin = api.family === 'pin' && isAtLeast(this.version, '5.6');
    const counted = pin && isAtLeast(this.version, '5.7');
    const violations: Violation[] = [];
    const notes: string[] = [];
    const targets = this.pagesIn(first, taken);
    if (targets.length < taken) violations.push(outOfRange(step));
    let done = 0;
    for (const p of targets) {
      let f = this.folioOf(p);
      if (f.kind === 'zero' && flags.has('FOLL_WRITE')) {
        // FOLL_WRITE breaks COW: the page gets its own anonymous folio before it is taken.
        p.folio = this.newFolio('base', 1, false);
        f = this.folioOf(p);
        notes.push(`page ${p.index}: FOLL_WRITE replaced the zero page by a private copy`);
      }
      if (pin) {
        if (this.zeroPinIsNoop(f)) {
          // "We only pretend to pin a zero page - we don't alter its refcount or pincount".
        } else if (this.hasPincount(f) || !counted) {
          if (f.refcount + 1 > REFCOUNT_MAX) {
            violations.push(overflow(p.index));
            break;
          }
          f.refcount += 1;
          if (this.hasPincount(f)) f.pincount += 1;
        } else {
          if (f.refcount + GUP_PIN_COUNTING_BIAS > REFCOUNT_MAX) {
            violations.push(overflow(p.index));
            break;
          }
          f.refcount += GUP_PIN_COUNTING_BIAS;
        }
        if (counted && !this.zeroPinIsNoop(f)) this.vmstat.nr_foll_pin_acquired += 1;
        p.heldPins += 1;
      } else {
        f.refcount += 1;
        p.heldRefs += 1;
      }
      p.filled = true;
      done++;
    }
    if (pin && flags.has('FOLL_LONGTERM') && done > 0) notes.push(...this.migrateLongterm(targets.slice(0, done)));
    const result =
      errno ??
      (api.returns === 'bytes'
        ? String(done * 4096)
        : api.returns === 'bool'
          ? String(done > 0)
          : api.returns === 'page'
            ? done > 0
              ? `page ${first}`
              : 'NULL'
            : String(done));
    return { violations, result, ...(notes.length > 0 ? { note: notes.join('; ') } : {}) };
  }

  /**
   * check_and_migrate_movable_pages(): pinned pages in ZONE_MOVABLE/CMA are unpinned, migrated to
   * unmovable memory and pinned again (the -EAGAIN retry loop in __gup_longterm_locked()).
   */
  private migrateLongterm(pinned: Page[]): string[] {
    const movable = pinned.filter((p) => this.folioOf(p).movable);
    if (movable.length === 0) return [];
    // The unpin goes through gup_put_folio(), so nr_foll_pin_released counts it (§3.6).
    for (const p of pinned) this.unpinOne(p);
    const moved = new Set<number>();
    for (const p of movable) {
      const old = this.folioOf(p);
      if (!moved.has(old.id)) {
        old.refcount -= old.mapped; // the old folio is unmapped and freed after migration
        moved.add(old.id);
      }
      p.folio = this.newFolio(old.kind === 'zero' ? 'base' : old.kind, 1, false);
    }
    for (const p of pinned) {
      const f = this.folioOf(p);
      f.refcount += this.hasPincount(f) ? 1 : GUP_PIN_COUNTING_BIAS;
      if (this.hasPincount(f)) f.pincount += 1;
      this.vmstat.nr_foll_pin_acquired += 1;
      p.heldPins += 1;
    }
    return [
      `FOLL_LONGTERM: ${movable.length} movable page${movable.length === 1 ? '' : 's'} migrated out of ZONE_MOVABLE/CMA, the range unpinned and pinned again`,
    ];
  }

  /** The version's argument checks (is_valid_gup_args() since v6.3, is_valid_gup_flags() in 6.1). */
  private validate(api: AcquireApi, flags: Set<string>): { violation: Violation; result: string } | null {
    const v = this.version;
    const reject = (warn: string, message: string): { violation: Violation; result: string } => {
      const result = isAtLeast(v, '6.3')
        ? api.invalidArgsReturn === '0'
          ? '0'
          : '-EINVAL'
        : api.name === 'pin_user_pages_fast_only'
          ? '0'
          : '-EINVAL';
      return {
        violation: {
          kind: 'invalid-args',
          message: `${message}; the call returns ${result} and takes nothing`,
          kernelMessage: `WARNING: mm/gup.c: WARN_ON_ONCE(${warn})`,
          docsUrl: KERNEL_DOCS.pinBasics.url,
        },
        result,
      };
    };
    if (!inRange(v, api.exists)) {
      return {
        violation: { kind: 'invalid-args', message: `${api.name}() does not exist in Linux ${formatVersion(v)}` },
        result: 'n/a',
      };
    }
    if (flags.has('FOLL_GET') && flags.has('FOLL_PIN') && isAtLeast(v, '6.3'))
      return reject(
        '(gup_flags & (FOLL_PIN | FOLL_GET)) == (FOLL_PIN | FOLL_GET)',
        'FOLL_GET and FOLL_PIN are mutually exclusive',
      );
    const internal = [...flags].filter((f) => follFlag(f)?.use === 'internal');
    if (internal.length > 0 && isAtLeast(v, '6.3'))
      return reject(
        'gup_flags & INTERNAL_GUP_FLAGS',
        `${internal.join(', ')} ${internal.length === 1 ? 'is' : 'are'} internal to GUP`,
      );
    if (api.family === 'get' && flags.has('FOLL_PIN') && isAtLeast(v, '6.1'))
      return reject('gup_flags & FOLL_PIN', 'FOLL_PIN must only be set internally by the pin_user_pages*() APIs');
    if (api.family === 'pin' && flags.has('FOLL_GET'))
      return reject('gup_flags & FOLL_GET', 'pin_user_pages*() reject FOLL_GET');
    if (api.family === 'get' && flags.has('FOLL_LONGTERM') && isAtLeast(v, '6.1')) {
      return reject(
        isAtLeast(v, '6.3') ? '!(gup_flags & FOLL_PIN) && (gup_flags & FOLL_LONGTERM)' : 'gup_flags & FOLL_LONGTERM',
        'FOLL_LONGTERM can only be specified when pinning',
      );
    }
    if (
      api.name === 'pin_user_pages_unlocked' &&
      flags.has('FOLL_LONGTERM') &&
      isAtLeast(v, '6.1') &&
      !isAtLeast(v, '6.3')
    )
      return reject('gup_flags & FOLL_LONGTERM', 'v6.1 get_user_pages_unlocked() rejects FOLL_LONGTERM');
    if (flags.has('FOLL_LONGTERM') && flags.has('FOLL_PCI_P2PDMA') && isAtLeast(v, '6.3'))
      return reject(
        '(gup_flags & FOLL_LONGTERM) && (gup_flags & FOLL_PCI_P2PDMA)',
        'FOLL_LONGTERM and FOLL_PCI_P2PDMA together are rejected',
      );
    if (api.fast) {
      const notFast = [...flags].filter((f) => follFlag(f) && !follFlag(f)?.fastPath);
      if (notFast.length > 0)
        return reject(
          `gup_flags & ~(FOLL_WRITE | FOLL_LONGTERM | FOLL_FORCE | FOLL_PIN | FOLL_GET | FOLL_FAST_ONLY | FOLL_NOFAULT | FOLL_PCI_P2PDMA | FOLL_HONOR_NUMA_FAULT)`,
          `${notFast.join(', ')} not allowed on the fast path`,
        );
    }
    return null;
  }

  private unpinOne(p: Page, count = true): Violation | null {
    const f = this.folioOf(p);
    if (p.heldPins > 0) {
      p.heldPins -= 1;
      if (this.zeroPinIsNoop(f)) return null;
      if (this.hasPincount(f)) {
        f.refcount -= 1;
        f.pincount -= 1;
      } else f.refcount -= isAtLeast(this.version, '5.7') ? GUP_PIN_COUNTING_BIAS : 1;
      if (count && isAtLeast(this.version, '5.7')) this.vmstat.nr_foll_pin_released += 1;
      return null;
    }
    // Unpinning what this path does not hold pinned: gup_put_folio() still subtracts a pin.
    if (!this.zeroPinIsNoop(f)) {
      if (this.hasPincount(f)) {
        f.refcount -= 1;
        f.pincount -= 1;
      } else f.refcount -= GUP_PIN_COUNTING_BIAS;
      if (count && isAtLeast(this.version, '5.7')) this.vmstat.nr_foll_pin_released += 1;
    }
    if (p.heldRefs > 0) {
      p.heldRefs -= 1;
      return violation(
        'release-mismatch',
        `unpin on page ${p.index}, which holds a FOLL_GET reference: gup_put_folio() subtracts ${this.hasPincount(f) ? 'one pin' : GUP_PIN_COUNTING_BIAS} from a page that got +1 — refcount now ${f.refcount}`,
        PIN_DOC,
      );
    }
    return violation(
      'double-release',
      `page ${p.index} is unpinned again: this path holds no pin on it any more (refcount now ${f.refcount}${f.refcount < f.mapped ? ', below its mapping count: the page can be freed while mapped' : ''})`,
      PIN_DOC,
    );
  }

  private putOne(p: Page): Violation | null {
    const f = this.folioOf(p);
    if (p.heldRefs > 0) {
      p.heldRefs -= 1;
      f.refcount -= 1;
      return null;
    }
    f.refcount -= 1;
    if (p.heldPins > 0) {
      p.heldPins -= 1;
      const left = this.hasPincount(f)
        ? `its pincount stays ${f.pincount}`
        : `it stays ${GUP_PIN_COUNTING_BIAS - 1} references high (refcount ${f.refcount})`;
      return violation(
        'release-mismatch',
        `put_page() on pinned page ${p.index} drops 1 reference, not the pin: ${left}, folio_maybe_dma_pinned() stays true and nr_foll_pin_released does not move`,
        PIN_DOC,
      );
    }
    return violation(
      'double-release',
      `page ${p.index} is put again: this path holds no reference on it any more (refcount now ${f.refcount}${f.refcount < f.mapped ? ', below its mapping count: freed while still mapped' : ''})`,
      PIN_DOC,
    );
  }

  private release(step: TraceStep): { violations: Violation[]; note?: string } {
    const api = releaseApi(step.call);
    if (!api) return { violations: [] };
    const violations: Violation[] = [];
    if (!inRange(this.version, api.exists))
      violations.push({
        kind: 'invalid-args',
        message: `${api.name}() does not exist in Linux ${formatVersion(this.version)}${api.renamedTo ? `; it is ${api.renamedTo.name}() since v${api.renamedTo.since}` : ''} (simulated as it would behave)`,
      });
    const single = api.target === 'page' || (api.target === 'folio' && api.name !== 'unpin_user_folio');
    const { first, nr } = this.range(step, single ? 1 : 0);
    // put_user_page*() (v5.3–5.5) were put_page() under another name.
    const pinRelease = api.family === 'pin' && !api.name.startsWith('put_user_page');
    if (nr < 0) {
      if (pinRelease)
        violations.push({
          kind: 'negative-count',
          message: `${api.name}() is given a negative count (${nr}): it does nothing`,
          kernelMessage: 'WARNING: mm/gup.c: WARN_ON(IS_ERR_VALUE(npages))',
          docsUrl: KERNEL_DOCS.gupKernelDoc.url,
        });
      else
        violations.push({
          kind: 'negative-count',
          message: `a release over a negative count (${nr}) does nothing: nothing was taken, the code should not release at all`,
        });
      return { violations };
    }
    if (step.args.dirty === true)
      for (const p of this.pagesIn(first, nr)) {
        const f = this.folioOf(p);
        if (f.kind === 'zero') violations.push(zeroWrite(`${api.name}(…, true) marks the shared zero page dirty`));
        f.dirty = true;
      }
    let counted = 0;
    for (const p of this.pagesIn(first, nr)) {
      counted++;
      if (!p.filled) {
        if (isAtLeast(this.version, '6.12') && pinRelease) {
          violations.push(
            violation(
              'count-mismatch',
              `entry ${p.index} was never filled by a successful pin (NULL): ${api.name}() skips NULL entries since ≈v6.12; older kernels oops in page_folio(NULL). Release exactly the count that was taken`,
            ),
          );
          continue;
        }
        violations.push(
          violation(
            'count-mismatch',
            `entry ${p.index} was never filled by a successful ${pinRelease ? 'pin' : 'get'}: releasing it touches a NULL or stale pointer (an oops in page_folio(NULL) on v6.1). Release exactly the count that was taken`,
          ),
        );
        continue;
      }
      const mapping = this.dma.mappingOn(p.index);
      if (mapping !== null)
        violations.push(
          violation(
            'dma',
            `page ${p.index} is released while ${mapping} still maps it for DMA: unmap first — the device may still write into a page that can now be freed and reused`,
            KERNEL_DOCS.dmaStreaming.url,
          ),
        );
      const f = this.folioOf(p);
      if (this.dma.deviceWrote(p.index, f.dirty) && !f.dirty) {
        violations.push(
          violation(
            'dma',
            `page ${p.index} was written by the device but is released without being marked dirty: the data can be dropped instead of written back. Use unpin_user_pages_dirty_lock(…, true) or set_page_dirty_lock() first`,
            KERNEL_DOCS.case1.url,
          ),
        );
      }
      const v = pinRelease ? this.unpinOne(p) : this.putOne(p);
      p.released = true;
      if (v) violations.push(v);
    }
    if (counted < nr) violations.push(outOfRange(step));
    return { violations: dedupeViolations(violations) };
  }

  private ret(step: TraceStep): { violations: Violation[]; note?: string } {
    const text = (step.text ?? '').trim();
    const error = step.args.status === 'error' || (step.args.status === undefined && /^-|^ERR_PTR\b/.test(text));
    const held = this.pages.filter((p) => p.heldPins + p.heldRefs > 0);
    const leaked = held.filter((p) => p.owner === null || error);
    if (leaked.length === 0) {
      const owners = [...new Set(held.map((p) => p.owner))].filter((o): o is string => o !== null);
      return {
        violations: this.dma.atReturn(),
        ...(owners.length > 0 ? { note: `pins and references now owned by ${owners.join(', ')}` } : {}),
      };
    }
    const pins = leaked.reduce((n, p) => n + p.heldPins, 0);
    const refs = leaked.reduce((n, p) => n + p.heldRefs, 0);
    const what = [
      pins > 0 ? `${pins} pin${pins === 1 ? '' : 's'}` : '',
      refs > 0 ? `${refs} reference${refs === 1 ? '' : 's'}` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    const stored = leaked.find((p) => p.owner !== null);
    const message =
      stored && error
        ? `returns an error (${text}) with ${what} still held on pages ${pageList(leaked)}: they were handed to ${stored.owner}, but a failing function must release what it took`
        : `returns with ${what} still held on pages ${pageList(leaked)} and nothing owning them${pins > 0 ? `: nr_foll_pin_acquired − nr_foll_pin_released stays ${this.vmstat.nr_foll_pin_acquired - this.vmstat.nr_foll_pin_released}` : ''}`;
    return { violations: [violation('leak', message, PIN_DOC), ...this.dma.atReturn()] };
  }
}

function pageList(pages: readonly Page[]): string {
  if (pages.length === 0) return '';
  const first = (pages[0] as Page).index;
  const last = (pages[pages.length - 1] as Page).index;
  return pages.length === last - first + 1 && pages.length > 1
    ? `${first}–${last}`
    : pages.map((p) => p.index).join(', ');
}

function violation(kind: ViolationKind, message: string, docsUrl?: string): Violation {
  return { kind, message, ...(docsUrl ? { docsUrl } : {}) };
}

function zeroWrite(message: string): Violation {
  return {
    kind: 'zero-page-write',
    message: `${message}: every process reading untouched memory sees the change. Acquire with FOLL_WRITE`,
    docsUrl: KERNEL_DOCS.case5.url,
  };
}

function overflow(index: number): Violation {
  return {
    kind: 'overflow',
    message: `page ${index}: another pin would overflow the 32-bit refcount; GUP refuses it and returns the pages pinned so far`,
    kernelMessage: 'WARNING: mm/gup.c: try_grab_folio(): WARN_ON_ONCE(folio_ref_count(folio) <= 0)',
    docsUrl: KERNEL_DOCS.pinTracking.url,
  };
}

function outOfRange(step: TraceStep): Violation {
  return {
    kind: 'count-mismatch',
    message: `${step.call}: the range goes past the end of the simulated memory (add pages to the "pages" line)`,
  };
}

/** Many pages with the same problem read better as one line per kind. */
function dedupeViolations(list: Violation[]): Violation[] {
  const byKind = new Map<ViolationKind, Violation[]>();
  for (const v of list) byKind.set(v.kind, [...(byKind.get(v.kind) ?? []), v]);
  const out: Violation[] = [];
  for (const [, vs] of byKind) {
    const first = vs[0] as Violation;
    out.push(
      vs.length === 1
        ? first
        : { ...first, message: `${first.message} (and ${vs.length - 1} more page${vs.length === 2 ? '' : 's'})` },
    );
  }
  return out;
}

const WORST: readonly PathOutcome[] = [
  'mismatch',
  'double-release',
  'use-after-release',
  'count-mismatch',
  'leak',
  'dma-error',
  'invalid',
  'clean',
];

export function outcomeOf(violations: readonly Violation[]): PathOutcome {
  const kinds = new Set(violations.map((v) => v.kind));
  if (kinds.has('release-mismatch')) return 'mismatch';
  if (kinds.has('double-release')) return 'double-release';
  if (kinds.has('use-after-release') || kinds.has('zero-page-write')) return 'use-after-release';
  if (kinds.has('count-mismatch') || kinds.has('negative-count')) return 'count-mismatch';
  if (kinds.has('leak')) return 'leak';
  if (kinds.has('dma')) return 'dma-error';
  if (kinds.has('invalid-args') || kinds.has('overflow')) return 'invalid';
  return 'clean';
}

/** Sort key: worst outcomes first (for pickers). */
export function outcomeRank(outcome: PathOutcome): number {
  return WORST.indexOf(outcome);
}

function describeCall(step: TraceStep): string {
  if (step.call === 'branch') return `branch "${step.text ?? ''}" ${step.value ? 'true' : 'false'}`;
  if (step.call === 'return')
    return `return${step.text ? ` ${step.text}` : ''}${step.args.status === 'error' && !/^-/.test(step.text ?? '') ? ' (an error)' : ''}`;
  const args = Object.entries(step.args)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return `${step.call}(${args})${step.result !== undefined ? ` -> ${step.result}` : ''}`;
}

/** Runs a whole trace: the state before the first step and after each one. */
export function simulateTrace(trace: Trace, options: MachineOptions = {}, label = ''): SimPath {
  const machine = new Machine(trace, options);
  // A trace that uses the DMA API shows dma-debug's table from the start.
  if (trace.steps.some((s) => STEP_SPECS.get(s.call)?.kind === 'dma' || typeof s.args.id === 'string'))
    machine.dma.used = true;
  const initial = machine.snapshot();
  const steps: SimStep[] = [];
  const all: Violation[] = [];
  trace.steps.forEach((s, index) => {
    const r = machine.step(s);
    const violations = r.violations.map(withDocs);
    all.push(...violations);
    const snap = machine.snapshot();
    steps.push({
      index: index + 1,
      call: describeCall(s),
      line: s.line ?? null,
      pages: snap.pages,
      vmstat: snap.vmstat,
      ...(snap.dma ? { dma: snap.dma } : {}),
      violations,
      ...(r.result !== undefined ? { result: r.result } : {}),
      ...(r.note !== undefined ? { note: r.note } : {}),
    });
  });
  return { outcome: outcomeOf(all), label, initial, steps };
}
