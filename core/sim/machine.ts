/**
 * The refcount simulation: what each GUP/pin/release call in a trace does to user memory
 * (memory.ts holds the pages and folios and their arithmetic, gupArgs.ts the argument checks,
 * dma.ts dma-debug), and what goes wrong at each step:
 *
 * - FOLL_LONGTERM on movable pages pins, unpins, migrates and pins again;
 * - a pin that would overflow the 32-bit refcount is refused, leaving a short count;
 * - invalid flag combinations are rejected the way each kernel version rejects them;
 * - releases of the wrong family, twice, of entries never filled, or of pages still mapped for DMA;
 * - a return with pins or references nobody owns is a leak.
 *
 * Violations are reported at the step that causes them, in the kernel's words where it has some.
 * One step costs O(pages it names) plus O(1) per DMA lookup: a trace runs in linear time.
 */
import { KERNEL_DOCS } from '../catalog/docs';
import { acquireApi, releaseApi, type AcquireApi, type ReleaseApi } from '../catalog/gup';
import {
  formatVersion,
  inRange,
  isAtLeast,
  NEWEST_KNOWN,
  parseKernelVersion,
  type KernelVersion,
} from '../catalog/version';
import { MAX_RECORDED_STATES } from '../trace/limits';
import type { Trace, TraceStep } from '../trace/types';
import { STEP_SPECS } from '../trace/vocabulary';
import { DmaState } from './dma';
import { rejectArgs } from './gupArgs';
import { GUP_PIN_COUNTING_BIAS, Memory, type Page } from './memory';
import { checkTrace, TraceLimitError } from './limits';
import type { DmaState as DmaSnapshot, PageState, SimPath, SimStep, Violation, VmStat } from './types';
import { withDocs } from './violationDocs';
import { dedupeViolations, outcomeOf, outOfRange, overflow, pageList, violation, zeroWrite } from './violations';

export { GUP_PIN_COUNTING_BIAS } from './memory';

export interface MachineOptions {
  readonly kernelVersion?: KernelVersion;
}

export interface StepResult {
  readonly violations: Violation[];
  readonly result?: string;
  readonly note?: string;
}

const PIN_DOC = KERNEL_DOCS.pinTracking.url;

export class Machine {
  readonly version: KernelVersion;
  private readonly memory: Memory;
  readonly dma = new DmaState();

  constructor(trace: Trace, options: MachineOptions = {}) {
    this.version =
      options.kernelVersion ??
      (trace.kernel ? parseKernelVersion(trace.kernel) : null) ??
      (parseKernelVersion(NEWEST_KNOWN) as KernelVersion);
    this.memory = new Memory(this.version, trace.memory);
  }

  get pageCount(): number {
    return this.memory.pages.length;
  }

  snapshot(): { pages: PageState[]; vmstat: VmStat; dma?: DmaSnapshot } {
    return { ...this.memory.snapshot(), ...(this.dma.used ? { dma: this.dma.snapshot() } : {}) };
  }

  private range(step: TraceStep, defaultCount: number): { first: number; nr: number } {
    const first =
      typeof step.args.first === 'number' ? step.args.first : typeof step.args.page === 'number' ? step.args.page : 0;
    const nr = typeof step.args.nr === 'number' ? step.args.nr : defaultCount;
    return { first, nr };
  }

  /** Runs one step; returns what went wrong and what the call returned. */
  step(step: TraceStep): StepResult {
    const api = acquireApi(step.call);
    if (api) return this.acquire(api, step);
    const release = releaseApi(step.call);
    if (release) return this.release(release, step);
    switch (step.call) {
      case 'get_page':
      case 'folio_get':
        return this.getPage(step);
      case 'set_page_dirty':
      case 'set_page_dirty_lock':
      case 'SetPageDirty':
      case 'folio_mark_dirty':
        return this.markDirty(step);
      case 'access':
        return this.access(step);
      case 'handoff':
      case 'escape':
        return this.handOver(step);
      case 'branch':
        return { violations: [] };
      case 'return':
        return this.ret(step);
      default: {
        const pages = this.memory.pages;
        const dma = this.dma.step(step, {
          count: pages.length,
          held: (i) => {
            const p = pages[i];
            return p !== undefined && p.heldPins + p.heldRefs > 0;
          },
        });
        return (
          dma ?? { violations: [{ kind: 'invalid-args', message: `${step.call}: not a call the simulation knows` }] }
        );
      }
    }
  }

  private getPage(step: TraceStep): StepResult {
    const times = typeof step.args.times === 'number' ? step.args.times : 1;
    const page = this.memory.pages[typeof step.args.page === 'number' ? step.args.page : 0];
    if (!page) return { violations: [outOfRange(step)] };
    this.memory.folioOf(page).refcount += times;
    page.heldRefs += times;
    // The path has the page in hand (it just took a reference on it): releasing it is no NULL entry.
    page.filled = true;
    return { violations: [] };
  }

  private markDirty(step: TraceStep): StepResult {
    const { first, nr } = this.range(step, typeof step.args.page === 'number' ? 1 : this.pageCount);
    const violations: Violation[] = [];
    for (const p of this.memory.pagesIn(first, nr)) {
      const f = this.memory.folioOf(p);
      if (f.kind === 'zero') violations.push(zeroWrite(`${step.call}() on the shared zero page`));
      f.dirty = true;
    }
    return { violations };
  }

  private access(step: TraceStep): StepResult {
    const { first, nr } = this.range(step, this.pageCount);
    const write = step.args.mode === 'write';
    const violations: Violation[] = [];
    for (const p of this.memory.pagesIn(first, nr)) {
      if (p.heldPins + p.heldRefs === 0 && p.owner === null) {
        const message = p.released
          ? `page ${p.index} is accessed after this path released it: it may already belong to someone else`
          : `page ${p.index} is accessed without a reference or pin held on it`;
        violations.push(violation('use-after-release', message));
        break;
      }
      const f = this.memory.folioOf(p);
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

  private handOver(step: TraceStep): StepResult {
    if (typeof step.args.id === 'string') {
      // A DMA mapping handed to a descriptor, a request or the caller: they unmap it.
      const to = typeof step.args.to === 'string' ? step.args.to : 'its new owner';
      const known = this.dma.hand(step.args.id, to);
      const note = known
        ? `${step.args.id} is handed to ${to}, which now owns the mapping`
        : `${step.args.id} is not a live mapping`;
      return { violations: [], note };
    }
    const { first, nr } = this.range(step, this.pageCount);
    const to = typeof step.args.to === 'string' ? step.args.to : step.call === 'handoff' ? 'the I/O' : 'an object';
    for (const p of this.memory.pagesIn(first, nr)) if (p.heldPins + p.heldRefs > 0) p.owner = to;
    return { violations: [], note: `ownership passes to ${to}` };
  }

  private acquire(api: AcquireApi, step: TraceStep): StepResult {
    const flags = new Set(
      typeof step.args.flags === 'string' && step.args.flags !== '0' ? step.args.flags.split('|') : [],
    );
    const single = api.returns === 'bool' || api.returns === 'page';
    const { first, nr } = this.range(
      step,
      single ? 1 : this.pageCount - (typeof step.args.first === 'number' ? step.args.first : 0),
    );
    const invalid = rejectArgs(api, flags, this.version);
    if (invalid) return { violations: [invalid.violation], result: invalid.result };
    let taken = nr;
    let errno: string | null = null;
    if (typeof step.result === 'number') taken = Math.min(step.result, nr);
    else if (typeof step.result === 'string') {
      taken = 0;
      errno = step.result;
    }
    const pin = api.family === 'pin' && isAtLeast(this.version, '5.6');
    const violations: Violation[] = [];
    const notes: string[] = [];
    const targets = this.memory.pagesIn(first, taken);
    if (targets.length < taken) violations.push(outOfRange(step));
    let done = 0;
    for (const p of targets) {
      if (this.memory.folioOf(p).kind === 'zero' && flags.has('FOLL_WRITE')) {
        // FOLL_WRITE breaks COW: the page gets its own anonymous folio before it is taken.
        p.folio = this.memory.newFolio('base', 1, false);
        notes.push(`page ${p.index}: FOLL_WRITE replaced the zero page by a private copy`);
      }
      if (pin) {
        if (!this.memory.pin(p)) {
          violations.push(overflow(p.index));
          break;
        }
      } else {
        this.memory.folioOf(p).refcount += 1;
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
    const movable = pinned.filter((p) => this.memory.folioOf(p).movable);
    if (movable.length === 0) return [];
    // The unpin goes through gup_put_folio(), so nr_foll_pin_released counts it (§3.6).
    for (const p of pinned) this.unpinOne(p);
    const moved = new Set<number>();
    for (const p of movable) {
      const old = this.memory.folioOf(p);
      if (!moved.has(old.id)) {
        old.refcount -= old.mapped; // the old folio is unmapped and freed after migration
        moved.add(old.id);
      }
      p.folio = this.memory.newFolio(old.kind === 'zero' ? 'base' : old.kind, 1, false);
    }
    for (const p of pinned) this.memory.pin(p);
    return [
      `FOLL_LONGTERM: ${movable.length} movable page${movable.length === 1 ? '' : 's'} migrated out of ZONE_MOVABLE/CMA, the range unpinned and pinned again`,
    ];
  }

  private unpinOne(p: Page): Violation | null {
    const f = this.memory.folioOf(p);
    if (p.heldPins > 0) {
      p.heldPins -= 1;
      this.memory.dropPin(p);
      return null;
    }
    // Unpinning what this path does not hold pinned: gup_put_folio() still subtracts a pin.
    this.memory.dropPin(p);
    if (p.heldRefs > 0) {
      p.heldRefs -= 1;
      return violation(
        'release-mismatch',
        `unpin on page ${p.index}, which holds a FOLL_GET reference: gup_put_folio() subtracts ${this.memory.hasPincount(f) ? 'one pin' : GUP_PIN_COUNTING_BIAS} from a page that got +1 — refcount now ${f.refcount}`,
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
    const f = this.memory.folioOf(p);
    f.refcount -= 1;
    if (p.heldRefs > 0) {
      p.heldRefs -= 1;
      return null;
    }
    if (p.heldPins > 0) {
      p.heldPins -= 1;
      const left = this.memory.hasPincount(f)
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

  private release(api: ReleaseApi, step: TraceStep): StepResult {
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
      violations.push(
        pinRelease
          ? {
              kind: 'negative-count',
              message: `${api.name}() is given a negative count (${nr}): it does nothing`,
              kernelMessage: 'WARNING: mm/gup.c: WARN_ON(IS_ERR_VALUE(npages))',
              docsUrl: KERNEL_DOCS.gupKernelDoc.url,
            }
          : {
              kind: 'negative-count',
              message: `a release over a negative count (${nr}) does nothing: nothing was taken, the code should not release at all`,
            },
      );
      return { violations };
    }
    const pages = this.memory.pagesIn(first, nr);
    if (step.args.dirty === true)
      for (const p of pages) {
        const f = this.memory.folioOf(p);
        if (f.kind === 'zero') violations.push(zeroWrite(`${api.name}(…, true) marks the shared zero page dirty`));
        f.dirty = true;
      }
    for (const p of pages) violations.push(...this.releaseOne(api, p, pinRelease));
    if (pages.length < nr) violations.push(outOfRange(step));
    return { violations: dedupeViolations(violations) };
  }

  /** One page of a release: never filled, still mapped for DMA, written by the device but clean, or the release itself. */
  private releaseOne(api: ReleaseApi, p: Page, pinRelease: boolean): Violation[] {
    if (!p.filled) {
      const message =
        isAtLeast(this.version, '6.12') && pinRelease
          ? `entry ${p.index} was never filled by a successful pin (NULL): ${api.name}() skips NULL entries since ≈v6.12; older kernels oops in page_folio(NULL). Release exactly the count that was taken`
          : `entry ${p.index} was never filled by a successful ${pinRelease ? 'pin' : 'get'}: releasing it touches a NULL or stale pointer (an oops in page_folio(NULL) on v6.1). Release exactly the count that was taken`;
      return [violation('count-mismatch', message)];
    }
    const violations: Violation[] = [];
    const mapping = this.dma.mappingOn(p.index);
    if (mapping !== null)
      violations.push(
        violation(
          'dma',
          `page ${p.index} is released while ${mapping} still maps it for DMA: unmap first — the device may still write into a page that can now be freed and reused`,
          KERNEL_DOCS.dmaStreaming.url,
        ),
      );
    const f = this.memory.folioOf(p);
    if (this.dma.deviceWrote(p.index, f.dirty) && !f.dirty)
      violations.push(
        violation(
          'dma',
          `page ${p.index} was written by the device but is released without being marked dirty: the data can be dropped instead of written back. Use unpin_user_pages_dirty_lock(…, true) or set_page_dirty_lock() first`,
          KERNEL_DOCS.case1.url,
        ),
      );
    const v = pinRelease ? this.unpinOne(p) : this.putOne(p);
    p.released = true;
    if (v) violations.push(v);
    return violations;
  }

  private ret(step: TraceStep): StepResult {
    const text = (step.text ?? '').trim();
    const error = step.args.status === 'error' || (step.args.status === undefined && /^-|^ERR_PTR\b/.test(text));
    const held = this.memory.pages.filter((p) => p.heldPins + p.heldRefs > 0);
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
    const pagesText = pageList(leaked.map((p) => p.index));
    const vmstat = this.memory.vmstat;
    const message =
      stored && error
        ? `returns an error (${text}) with ${what} still held on pages ${pagesText}: they were handed to ${stored.owner}, but a failing function must release what it took`
        : `returns with ${what} still held on pages ${pagesText} and nothing owning them${pins > 0 ? `: nr_foll_pin_acquired − nr_foll_pin_released stays ${vmstat.nr_foll_pin_acquired - vmstat.nr_foll_pin_released}` : ''}`;
    return { violations: [violation('leak', message, PIN_DOC), ...this.dma.atReturn()] };
  }
}

// ─── a whole trace ─────────────────────────────────────────────────────────────────────────────

function describeCall(step: TraceStep): string {
  if (step.call === 'branch') return `branch "${step.text ?? ''}" ${step.value ? 'true' : 'false'}`;
  if (step.call === 'return')
    return `return${step.text ? ` ${step.text}` : ''}${step.args.status === 'error' && !/^-/.test(step.text ?? '') ? ' (an error)' : ''}`;
  const args = Object.entries(step.args)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  return `${step.call}(${args})${step.result !== undefined ? ` -> ${step.result}` : ''}`;
}

function usesDma(trace: Trace): boolean {
  return trace.steps.some((s) => STEP_SPECS.get(s.call)?.kind === 'dma' || typeof s.args.id === 'string');
}

/**
 * Runs a whole trace. Throws TraceLimitError when the trace is beyond the simulation's limits
 * (checkTrace()) or records more than MAX_RECORDED_STATES states; a parsed trace can only hit the
 * second, through its DMA mappings.
 */
export function simulateTrace(trace: Trace, options: MachineOptions = {}, label = ''): SimPath {
  const problem = checkTrace(trace);
  if (problem !== null) throw new TraceLimitError(problem);
  const machine = new Machine(trace, options);
  // A trace that uses the DMA API shows dma-debug's table from the start.
  if (usesDma(trace)) machine.dma.used = true;
  const initial = machine.snapshot();
  let recorded = initial.pages.length + (initial.dma?.mappings.length ?? 0);
  const steps: SimStep[] = [];
  const all: Violation[] = [];
  for (const [index, s] of trace.steps.entries()) {
    const r = machine.step(s);
    const violations = r.violations.map(withDocs);
    for (const v of violations) all.push(v);
    const snap = machine.snapshot();
    recorded += snap.pages.length + (snap.dma?.mappings.length ?? 0);
    if (recorded > MAX_RECORDED_STATES) {
      const live = snap.dma ? ` and ${snap.dma.mappings.length} live DMA mappings` : '';
      throw new TraceLimitError(
        `step ${index + 1}: the simulation records the state of every page and live DMA mapping after every step, at most ${MAX_RECORDED_STATES}; with ${snap.pages.length} pages${live} the trace goes past that here: use fewer pages, unmap what is not needed, or split the trace`,
        s.traceLine,
      );
    }
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
  }
  return { outcome: outcomeOf(all), label, initial, steps };
}
