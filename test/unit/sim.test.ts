/**
 * The refcount simulation's arithmetic, with exact numbers from mm/gup.c
 * (kernel-semantics.md §3.5's worked examples).
 */
import { describe, expect, it } from 'vitest';
import { simulateTrace, Machine, GUP_PIN_COUNTING_BIAS } from '../../core/sim/machine';
import { parseTrace } from '../../core/trace/parse';
import type { Trace } from '../../core/trace/types';
import type { SimPath } from '../../core/sim/types';

function trace(text: string): Trace {
  const parsed = parseTrace(text);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('\n'));
  return parsed.trace;
}

function run(text: string): SimPath {
  return simulateTrace(trace(text));
}

const refcounts = (path: SimPath, step: number): number[] =>
  (step === 0 ? path.initial.pages : (path.steps[step - 1] as SimPath['steps'][number]).pages).map((p) => p.refcount);

describe('small pages (GUP_PIN_COUNTING_BIAS)', () => {
  it('pins 1 → 1025 → 2049 and unpins back to 1, with the vmstat counters', () => {
    const p = run(`kernel 6.12
pages 1 base
pin_user_pages nr=1 flags=FOLL_WRITE
pin_user_pages nr=1 flags=FOLL_WRITE
unpin_user_page page=0
unpin_user_page page=0
`);
    expect(GUP_PIN_COUNTING_BIAS).toBe(1024);
    expect(refcounts(p, 0)).toEqual([1]);
    expect(p.steps.map((s) => s.pages[0]?.refcount)).toEqual([1025, 2049, 1025, 1]);
    expect(p.steps.map((s) => s.pages[0]?.maybeDmaPinned)).toEqual([true, true, true, false]);
    expect(p.steps.map((s) => [s.vmstat.nr_foll_pin_acquired, s.vmstat.nr_foll_pin_released])).toEqual([
      [1, 0],
      [2, 0],
      [2, 1],
      [2, 2],
    ]);
    expect(p.outcome).toBe('clean');
  });

  it('put_page() on a pinned page leaves it 1023 above where it started, still maybe_dma_pinned', () => {
    const p = run(`kernel 6.12
pages 1 base
pin_user_pages_fast nr=1 flags=FOLL_WRITE
put_page page=0
`);
    const after = p.steps[1]?.pages[0];
    expect(after?.refcount).toBe(1 + 1023);
    expect(after?.maybeDmaPinned).toBe(true);
    expect(p.steps[1]?.vmstat).toEqual({ nr_foll_pin_acquired: 1, nr_foll_pin_released: 0 });
    expect(p.steps[1]?.violations.map((v) => v.kind)).toEqual(['release-mismatch']);
    expect(p.outcome).toBe('mismatch');
  });

  it('1024 get_page() calls make an unpinned page read as pinned (the documented false positive)', () => {
    const p = run(`kernel 6.12
pages 1 base
get_page page=0 times=1022
get_page page=0 times=1
get_page page=0 times=1
`);
    expect(p.steps.map((s) => s.pages[0]?.refcount)).toEqual([1023, 1024, 1025]);
    expect(p.steps.map((s) => s.pages[0]?.maybeDmaPinned)).toEqual([false, true, true]);
    expect(p.steps.at(-1)?.vmstat).toEqual({ nr_foll_pin_acquired: 0, nr_foll_pin_released: 0 });
  });

  it('a FOLL_GET reference unpinned: refcount underflows by 1023 and the path is a mismatch', () => {
    const p = run(`pages 1 base
get_user_pages_fast nr=1 flags=FOLL_WRITE
unpin_user_page page=0
`);
    expect(p.steps.map((s) => s.pages[0]?.refcount)).toEqual([2, 2 - 1024]);
    expect(p.steps[1]?.violations[0]?.kind).toBe('release-mismatch');
  });

  it('refuses a pin that would overflow the 32-bit refcount and returns the pages pinned so far', () => {
    const p = run(`pages 2 base refcount=2147483000
pin_user_pages_fast nr=2
`);
    expect(p.steps[0]?.result).toBe('0');
    expect(p.steps[0]?.violations.map((v) => v.kind)).toEqual(['overflow']);
    expect(p.steps[0]?.pages.map((x) => x.refcount)).toEqual([2147483000, 2147483000]);
  });
});

describe('large folios (exact pin count)', () => {
  it('a 2 MB THP pinned over all 512 subpages: refcount R0+512, pincount 512, one folio', () => {
    const p = run(`kernel 6.12
pages 512 thp
pin_user_pages_fast nr=512 flags=FOLL_WRITE
unpin_user_pages first=0 nr=512
`);
    const pinned = p.steps[0]?.pages ?? [];
    expect(new Set(pinned.map((x) => x.folio)).size).toBe(1);
    expect(pinned[0]).toMatchObject({ refcount: 513, pincount: 512, maybeDmaPinned: true, kind: 'thp' });
    expect(pinned[511]).toMatchObject({ refcount: 513, pincount: 512 });
    expect(p.steps[0]?.vmstat).toEqual({ nr_foll_pin_acquired: 512, nr_foll_pin_released: 0 });
    expect(p.steps[1]?.pages[0]).toMatchObject({ refcount: 1, pincount: 0, maybeDmaPinned: false });
    expect(p.steps[1]?.vmstat).toEqual({ nr_foll_pin_acquired: 512, nr_foll_pin_released: 512 });
  });

  it('pinning one subpage marks the whole folio maybe-pinned: +1 refcount, +1 pincount', () => {
    const p = run(`pages 512 thp
pin_user_pages_fast first=7 nr=1
`);
    expect(p.steps[0]?.pages[0]).toMatchObject({ refcount: 2, pincount: 1, maybeDmaPinned: true });
  });

  it('before v5.7 there was no pin accounting: a pin was a plain reference and vmstat did not count', () => {
    const p = run(`kernel 5.6
pages 1 base
pin_user_pages_fast nr=1
`);
    expect(p.steps[0]?.pages[0]?.refcount).toBe(2);
    expect(p.steps[0]?.vmstat).toEqual({ nr_foll_pin_acquired: 0, nr_foll_pin_released: 0 });
  });
});

describe('partial success', () => {
  it('a fault at page 3 of 8 leaves 3 pinned; releasing the requested 8 is reported', () => {
    const p = run(`kernel 6.1
pages 8 base
pin_user_pages_fast nr=8 flags=FOLL_WRITE -> 3
unpin_user_pages first=0 nr=8
return -EFAULT
`);
    expect(p.steps[0]?.result).toBe('3');
    expect(p.steps[0]?.pages.map((x) => x.refcount)).toEqual([1025, 1025, 1025, 1, 1, 1, 1, 1]);
    expect(p.steps[0]?.vmstat.nr_foll_pin_acquired).toBe(3);
    expect(p.steps[1]?.pages.map((x) => x.refcount)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(p.steps[1]?.vmstat).toEqual({ nr_foll_pin_acquired: 3, nr_foll_pin_released: 3 });
    expect(p.steps[1]?.violations.map((v) => v.kind)).toEqual(['count-mismatch']);
    expect(p.outcome).toBe('count-mismatch');
  });

  it('an error path that releases nothing after a partial pin leaks the prefix', () => {
    const p = run(`pages 8 base
pin_user_pages_fast nr=8 -> 3
return -EFAULT
`);
    expect(p.steps[1]?.violations.map((v) => v.kind)).toEqual(['leak']);
    expect(p.steps[1]?.violations[0]?.message).toContain('3 pins');
  });

  it('unpin_user_pages() with a -errno count WARNs and does nothing', () => {
    const p = run(`pages 4 base
pin_user_pages_fast nr=4 -> -EFAULT
unpin_user_pages first=0 nr=-14
`);
    expect(p.steps[1]?.violations[0]).toMatchObject({
      kind: 'negative-count',
      kernelMessage: 'WARNING: mm/gup.c: WARN_ON(IS_ERR_VALUE(npages))',
    });
  });
});

describe('the zero page', () => {
  it('is not pinned since v6.5: refcount and vmstat do not move', () => {
    const p = run(`kernel 6.12
pages 1 zero
pin_user_pages_fast nr=1
unpin_user_page page=0
`);
    expect(p.steps.map((s) => s.pages[0]?.refcount)).toEqual([1, 1]);
    expect(p.steps.map((s) => s.vmstat.nr_foll_pin_acquired)).toEqual([0, 0]);
    expect(p.outcome).toBe('clean');
  });

  it('was pinned like any small page before v6.5', () => {
    const p = run(`kernel 6.1
pages 1 zero
pin_user_pages_fast nr=1
`);
    expect(p.steps[0]?.pages[0]?.refcount).toBe(1025);
    expect(p.steps[0]?.vmstat.nr_foll_pin_acquired).toBe(1);
  });

  it('FOLL_WRITE breaks COW first: the page becomes a private base page, then pinned', () => {
    const p = run(`kernel 6.12
pages 1 zero
pin_user_pages_fast nr=1 flags=FOLL_WRITE
`);
    expect(p.steps[0]?.pages[0]).toMatchObject({ kind: 'base', refcount: 1025 });
    expect(p.steps[0]?.vmstat.nr_foll_pin_acquired).toBe(1);
  });

  it('writing a zero page that was pinned without FOLL_WRITE is reported', () => {
    const p = run(`kernel 6.12
pages 1 zero
pin_user_pages_fast nr=1
access first=0 nr=1 mode=write
`);
    expect(p.steps[1]?.violations.map((v) => v.kind)).toEqual(['zero-page-write']);
  });
});

describe('FOLL_LONGTERM and invalid arguments', () => {
  it('migrates movable pages: pin, unpin, migrate, pin again (acquired 2n, released n)', () => {
    const p = run(`kernel 6.12
pages 2 base movable
pin_user_pages_fast nr=2 flags=FOLL_WRITE|FOLL_LONGTERM
`);
    expect(p.steps[0]?.vmstat).toEqual({ nr_foll_pin_acquired: 4, nr_foll_pin_released: 2 });
    expect(p.steps[0]?.pages.map((x) => x.refcount)).toEqual([1025, 1025]);
    expect(p.steps[0]?.pages[0]?.folio).not.toBe(p.initial.pages[0]?.folio);
    expect(p.steps[0]?.note).toContain('migrated');
  });

  it('rejects FOLL_LONGTERM on get_user_pages*() since v6.1, with the kernel WARN', () => {
    const p = run(`kernel 6.12
pages 2 base
get_user_pages_fast nr=2 flags=FOLL_LONGTERM
`);
    expect(p.steps[0]?.result).toBe('-EINVAL');
    expect(p.steps[0]?.violations[0]?.kernelMessage).toContain(
      '!(gup_flags & FOLL_PIN) && (gup_flags & FOLL_LONGTERM)',
    );
    expect(p.steps[0]?.pages.map((x) => x.refcount)).toEqual([1, 1]);
  });

  it('pin_user_pages() returns 0 (not -EINVAL) for an internal flag since v6.3', () => {
    const p = run(`kernel 6.12
pages 1 base
pin_user_pages nr=1 flags=FOLL_PIN
pin_user_pages_fast nr=1 flags=FOLL_TOUCH
`);
    expect(p.steps.map((s) => s.result)).toEqual(['0', '-EINVAL']);
  });
});

describe('path checks at return', () => {
  it('pages handed to their owner are not a leak on success, are one on an error return', () => {
    const ok = run(`pages 2 base
pin_user_pages_fast nr=2 flags=FOLL_WRITE
escape first=0 nr=2 to=obj->pages
return 0
`);
    expect(ok.outcome).toBe('clean');
    const failing = run(`pages 2 base
pin_user_pages_fast nr=2 flags=FOLL_WRITE
escape first=0 nr=2 to=obj->pages
return -ENOMEM
`);
    expect(failing.outcome).toBe('leak');
  });

  it('double unpin is reported at the second release', () => {
    const p = run(`pages 1 base
pin_user_pages_fast nr=1
unpin_user_page page=0
unpin_user_page page=0
`);
    expect(p.steps[2]?.violations.map((v) => v.kind)).toEqual(['double-release']);
    expect(p.steps[2]?.pages[0]?.refcount).toBe(1 - 1024);
  });

  it('the machine starts from the memory line: 4 base pages by default', () => {
    const m = new Machine({ comments: [], memory: [], steps: [] });
    expect(m.pageCount).toBe(4);
  });
});

describe('plain references', () => {
  it('get_page() then put_page() is balanced: back to refcount 1, no violation (gen-pinsim-big.py steps)', () => {
    const p = run(`kernel 6.12
pages 2 base
get_page page=1
put_page page=1
get_page page=1 times=3
put_page page=1
put_page page=1
put_page page=1
put_page page=1
return 0
`);
    expect(p.steps.map((s) => s.pages[1]?.refcount)).toEqual([2, 1, 4, 3, 2, 1, 0, 0]);
    expect(p.steps.map((s) => s.violations.map((v) => v.kind))).toEqual([
      [],
      [],
      [],
      [],
      [],
      [],
      ['double-release'],
      [],
    ]);
    expect(p.steps[6]?.violations[0]?.message).toBe(
      'page 1 is put again: this path holds no reference on it any more (refcount now 0, below its mapping count: freed while still mapped)',
    );
  });
});
