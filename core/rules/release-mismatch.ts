/**
 * release-mismatch — a FOLL_PIN pin must be released with unpin_user_page*(), a FOLL_GET reference
 * with put_page() (pin_user_pages.rst, "Tracking dma-pinned pages"; kernel-semantics.md §1.4).
 * put_page() on a pinned small page leaves it GUP_PIN_COUNTING_BIAS - 1 = 1023 references high.
 *
 * Note what this rule does *not* do: flag put_page() after a get_*() acquire. That pairing is
 * right; it becomes wrong only once the acquire is converted, and the conversion (gup-for-dma,
 * longterm-get, internal-foll-flag) rewrites it in the same edit.
 */
import type { AcquireSite, Linkage, Site } from '../fileAnalysis/linkage';
import { allocatesFreshArray } from '../catalog/memory';
import { calleeName, forEachAssignment, isNullPointer, unwrap } from '../analysis/expr';
import type { ReleaseOp } from '../analysis/ops';
import { baseKey, storageOf } from '../analysis/storage';
import type { Finding, Fix } from '../findings';
import { isPageAllocatorFree } from '../catalog/gup';
import { getToPinConversion } from '../fixes/conversion';
import { toGetRelease, toPinRelease, unusedIndexEdits } from '../fixes/releaseEdits';
import { fnName, lineOf, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

/**
 * Whether rewriting `release` into an unpin cannot change working code: a put_page() of pages a
 * pin_user_pages*() call filled is wrong unless it balances an extra get_page() (then the pins are
 * dropped elsewhere), or the place was refilled with other pages. Both are ruled out here.
 */
function rewriteIsSafe(linkage: Linkage, acquire: AcquireSite, release: Site<ReleaseOp>): boolean {
  const pages = acquire.op.pages;
  const released = release.op.pages;
  if (!pages || !released || acquire.fn !== release.fn || pages.baseKind === 'field' || pages.baseKind === 'global')
    return false;
  const base = baseKey(pages.key);
  if (baseKey(released.key) !== base) return false;
  const fn = acquire.fn;
  for (const node of fn.cfg.nodes)
    for (const op of node.ops) {
      if (op.kind === 'extra-ref' && baseKey(op.pages.key) === base) return false;
      if (op.kind === 'acquire' && op !== acquire.op && op.pages && baseKey(op.pages.key) === base) return false;
      if (
        op.kind === 'release' &&
        op !== release.op &&
        op.family === 'pin' &&
        op.pages &&
        baseKey(op.pages.key) === base
      )
        return false;
    }
  // Another linked acquire (a helper filling the same array) makes the pairing a guess.
  if (linkage.acquiresOf(release).length !== 1) return false;
  // The array itself may be allocated (or cleared) here; its elements must come from the pin alone.
  let written = false;
  forEachAssignment(fn.info.body, (left, right) => {
    const ref = storageOf(left, fn.ctx);
    if (!ref || baseKey(ref.key) !== base) return;
    const r = unwrap(right);
    const fresh =
      !ref.element && (isNullPointer(r) || (r.type === 'call_expression' && allocatesFreshArray(calleeName(r) ?? '')));
    if (!fresh) written = true;
  });
  return !written;
}

/** The function of release `r` also releases the pages of `a` with `a`'s own family's release. */
function releasesRightToo(linkage: Linkage, a: AcquireSite, r: Site<ReleaseOp>): boolean {
  return linkage
    .releasesOf(a)
    .some(
      (o) =>
        o.fn === r.fn &&
        o.op !== r.op &&
        o.op.family === a.op.family &&
        !isPageAllocatorFree(o.op.name) &&
        (o.op.pages && r.op.pages ? baseKey(o.op.pages.key) === baseKey(r.op.pages.key) : true),
    );
}

function describeRelease(op: ReleaseOp): string {
  if (op.bulk) return `a ${fnName(op.name)} loop`;
  if (op.via === 'by-name') return `${fnName(op.name)} (a helper that, by its name, drops references)`;
  if (op.via === 'cross-file')
    return `${fnName(op.name)} (a helper in another file that ${op.family === 'get' ? 'drops references' : 'unpins'})`;
  return fnName(op.name);
}

export const releaseMismatch = defineRule({
  id: 'release-mismatch',
  meta: {
    title: "Pages released with the other family's release",
    severity: 'error',
    group: 'gup',
    doc: 'pinBasics',
    fixable: 'safe',
    description:
      'Pinned pages (pin_user_pages*) released with put_page()/release_pages()/folio_put(), or referenced pages (get_user_pages*) released with unpin_user_page*().',
    catches:
      "In one function: pages filled by a pin_* call released with put_page(), release_pages() or folio_put() (one page, or a loop over the array); pages filled by a get_* call released with any unpin_user_page*(); pages from either released with __free_page()/__free_pages(), the page allocator's frees. Across functions of one file: a struct field or global filled by one family and released by the other in another function.",
    why: "A pin adds GUP_PIN_COUNTING_BIAS (1024) to a small page's refcount; put_page() takes away 1. The page stays 1023 high forever, folio_maybe_dma_pinned() stays true, nr_foll_pin_released never moves. The reverse (unpin on a FOLL_GET page) subtracts 1024 from a page that got +1: the refcount underflows and the page is freed while mapped.",
    wrong:
      'npinned = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\n...\nfor (i = 0; i < npinned; i++)\n\tput_page(pages[i]);',
    right: 'npinned = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\n...\nunpin_user_pages(pages, npinned);',
    fix: 'The matching release: a put_page(pages[i]) loop becomes unpin_user_pages(pages, n); `set_page_dirty_lock(p); put_page(p)` becomes unpin_user_pages_dirty_lock(pages, n, true); a single put_page(page) becomes unpin_user_page(page); unpin on FOLL_GET pages becomes put_page()/release_pages(). Rewriting the release of pinned pages is safe (applied by --fix) only when the pin and the put are in one function, the pages are kept in one place nothing else writes, nothing takes an extra reference on them (a get_page() the put_page() would balance), and nothing else unpins them: then no working code releases them with put_page(), and the rewrite changes only broken code. Otherwise, and for the other direction, it is offered.',
  },
  check,
});

function check({ file, linkage, finding }: RuleContext): Finding[] {
  const byRelease = new Map<ReleaseOp, { release: Site<ReleaseOp>; acquires: AcquireSite[] }>();
  for (const a of linkage.acquires) {
    for (const r of linkage.releasesOf(a)) {
      if (r.op.via === 'in-file' || r.op.family === null) continue;
      // __free_page() counts as a 'get' release (one reference, like put_page()) and is wrong for
      // both families: the page allocator's free, not the release of a user page.
      if (r.op.family === a.op.family && !isPageAllocatorFree(r.op.name)) continue;
      // `if (put) unpin_user_page(page); else __free_page(page);` (qib_user_sdma.c): the function
      // releases the user pages the right way too; its page allocator free is for its own pages.
      if (isPageAllocatorFree(r.op.name) && releasesRightToo(linkage, a, r)) continue;
      // iov_iter_extract_pages() pins only user-backed iterators; kernel pages it returns are
      // released the FOLL_GET way (or not at all), so put_page() there is not a mismatch.
      if (a.op.api.conditionalPin && r.op.family === 'get') continue;
      const entry = byRelease.get(r.op) ?? { release: r, acquires: [] };
      if (!entry.acquires.includes(a)) entry.acquires.push(a);
      byRelease.set(r.op, entry);
    }
  }
  const findings: Finding[] = [];
  for (const { release, acquires } of byRelease.values()) {
    // The same storage is filled by both families in this file (a test harness, a driver with
    // two modes): which release goes with which acquire is decided at run time, not here.
    const all = linkage.acquires.filter((a) => linkage.releasesOf(a).some((r) => r.op === release.op));
    if (all.some((a) => a.op.family !== acquires[0]?.op.family)) continue;
    const acquire = acquires[0] as AcquireSite;
    const where =
      acquire.fn === release.fn
        ? `line ${lineOf(file, acquire.op.node)}`
        : `${fnName(acquire.fn.info.name)}, line ${lineOf(file, acquire.op.node)}`;
    const related = acquires.map((a) => ({
      span: spanOf(a.op.node),
      message: `pages ${a.op.family === 'pin' ? 'pinned' : 'referenced'} by ${fnName(a.op.name)} here`,
    }));
    let message: string;
    const fixes: Fix[] = [];
    if (acquire.op.family === 'pin') {
      message = `Pages pinned by ${fnName(acquire.op.name)} (${where}) are released with ${describeRelease(release.op)}. A pin adds GUP_PIN_COUNTING_BIAS (1024) to a small page's refcount and put_page() takes 1 away: each page stays 1023 high and folio_maybe_dma_pinned() true forever. Release with unpin_user_page*().`;
      const rewrite = toPinRelease(release.op, file.parsed.text, release.fn.info);
      if (rewrite) {
        const edits = [...rewrite.edits];
        if (rewrite.freedIndex)
          edits.push(...unusedIndexEdits(rewrite.freedIndex.fn, rewrite.freedIndex.index, file.parsed.text, edits));
        fixes.push({
          title: `Release with ${rewrite.edits[0]?.newText.match(/^\w+/)?.[0] ?? 'unpin_user_pages'}()`,
          edits,
          safe: rewriteIsSafe(linkage, acquire, release),
        });
      }
    } else if (release.op.family === 'get') {
      message = `Pages referenced by ${fnName(acquire.op.name)} (${where}) are released with ${describeRelease(release.op)}, the page allocator's free for pages it allocated: user pages from GUP are released with put_page(), which knows large folios (a tail page) and ZONE_DEVICE pages. ${acquire.op.api.pinCounterpart ? `Release with put_page(), or pin them (${fnName(acquire.op.api.pinCounterpart)}) and unpin_user_page().` : 'Release with put_page().'}`;
      const callee = release.op.node.type === 'call_expression' ? release.op.node.childForFieldName('function') : null;
      if (callee && release.op.name === '__free_page')
        fixes.push({
          title: 'Release with put_page()',
          edits: [{ span: spanOf(callee), newText: 'put_page' }],
          safe: false,
        });
    } else {
      message = `Pages referenced by ${fnName(acquire.op.name)} (${where}) are released with ${describeRelease(release.op)}: unpin subtracts 1024 from a page that got +1, underflowing its refcount and freeing it while mapped. Either pin them (${acquire.op.api.pinCounterpart ? fnName(acquire.op.api.pinCounterpart) : 'pin_user_pages*()'}) or release with put_page().`;
      const conversion = getToPinConversion(file, linkage, acquire);
      if (conversion) fixes.push({ ...conversion.fix, title: `${conversion.fix.title} (the acquire becomes a pin)` });
      const back = toGetRelease(release.op, file.parsed.text);
      if (back) fixes.push({ title: `Release with ${back[0]?.newText ?? 'put_page'}()`, edits: back, safe: false });
    }
    findings.push(
      finding({
        span: spanOf(release.op.node),
        function: release.fn.info.name,
        message,
        related,
        fixes,
      }),
    );
  }
  return findings;
}
