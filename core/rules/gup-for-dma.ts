/**
 * gup-for-dma — pages from get_user_pages*() whose data is accessed (pin_user_pages.rst cases 1, 2
 * and 5: Direct IO, DMA, writing to the data) must be pinned instead: FOLL_GET references are
 * invisible to folio_maybe_dma_pinned(). Silent in files that register an MMU notifier (case 3).
 */
import { acquireApi, hasPinApi, pinCounterpartAt, type AcquireApi } from '../catalog/gup';
import { inRange, type KernelVersion } from '../catalog/version';
import { namesPagesHeldForAccess } from '../catalog/conventions';
import type { FileAnalysis } from '../fileAnalysis/types';
import { hasFlag } from '../analysis/flags';
import type { CfgNode } from '../analysis/cfg';
import type { AcquireSite, Linkage, Site } from '../fileAnalysis/linkage';
import type { AcquireOp, DirtyOp, UseOp } from '../analysis/ops';
import type { Finding, Fix, Span } from '../findings';
import { getToPinConversion } from '../fixes/conversion';
import { dmaWritesOf } from './support/dmaWrites';
import { escapesOf } from './support/escapes';
import { fnName, lineOf, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

export const gupForDma = defineRule({
  id: 'gup-for-dma',
  meta: {
    title: 'get_user_pages*() used where the page data is accessed',
    severity: 'warning',
    group: 'path',
    doc: 'pinWhichFlags',
    fixable: 'offered',
    description:
      'Pages from get_user_pages*() are accessed as data or handed to DMA/Direct I/O: they must be pinned with pin_user_pages*() (pin_user_pages.rst cases 1, 2 and 5).',
    catches:
      'Pages from a get_* call that reach kmap*()/page_address()/memcpy_*_page()/flush_dcache_page() (case 5), sg_set_page()/sg_alloc_table_from_pages()/dma_map_page() (case 2) or bio_add_page() (case 1); pages requested with FOLL_WRITE and kept past the call (stored in an object or returned through a parameter) for someone to write later; and releases that dirty the pages (set_page_dirty before put_page). Silent when the file registers an MMU notifier (case 3).',
    why: '"use pin_user_pages*() for DMA-pinned pages, and get_user_pages*() for other cases" — FOLL_GET references are invisible to folio_maybe_dma_pinned(), so writeback, page migration and fork-COW treat the page as unused while the device or the CPU is writing it: data corruption and file system crashes (the reason for the whole FOLL_PIN work).',
    wrong:
      'ret = get_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\n...\nsg_set_page(sg, pages[i], PAGE_SIZE, 0);\n...\nput_page(pages[i]);',
    right:
      'ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\n...\nsg_set_page(sg, pages[i], PAGE_SIZE, 0);\n...\nunpin_user_pages_dirty_lock(pages, ret, true);',
    fix: 'Offers the get→pin conversion, in one edit: the call becomes its pin_* counterpart, FOLL_GET is dropped, and every release of those pages in the file becomes the matching unpin (a put_page() loop becomes unpin_user_pages(); dirty-then-put becomes unpin_user_pages_dirty_lock()). Never applied by --fix or fix-all: pins behave differently from references by design (folio_maybe_dma_pinned(), fork copies, the zero page is refused), so on code the finding misjudged the conversion would change what it does.',
  },
  check,
});

interface Evidence {
  readonly span: Span;
  /** What the code does, for the message: "copies into them with memcpy_to_page()". */
  readonly what: string;
  readonly docCase: 1 | 2 | 5;
  /** Direct evidence (a use of the data) versus an inference (FOLL_WRITE and kept). */
  readonly direct: boolean;
}

/**
 * Which part of pin_user_pages.rst applies, in its own words: its case headings for Direct IO and
 * for writing to the data, and for a hand-off to a device its rule for DMA ("use pin_user_pages*()
 * for DMA-pinned pages"; its CASE 2 is the long-term kind of the same).
 */
const CASE_TITLES: Record<1 | 2 | 5, string> = {
  1: '"CASE 1: Direct IO (DIO)"',
  2: '"use pin_user_pages*() for DMA-pinned pages"',
  5: '"CASE 5: Pinning in order to write to the data within the page"',
};

function check({ file, linkage, finding }: RuleContext): Finding[] {
  if (file.mmuNotifier) return []; // case 3: plain references dropped from the invalidate callback
  // Before v5.6 there is nothing to pin with: get_user_pages*() was the API for DMA too.
  if (!hasPinApi(file.version)) return [];
  const findings: Finding[] = [];
  for (const site of linkage.acquires) {
    const { op } = site;
    if (op.family !== 'get' || op.helper || op.name === 'get_dump_page') continue;
    const evidence = evidenceFor(file, linkage, site);
    if (evidence.length === 0) continue;
    const first = evidence[0] as Evidence;
    const cases = [...new Set(evidence.map((e) => e.docCase))]
      .sort()
      .map((c) => CASE_TITLES[c])
      .join(', ');
    const conversion = getToPinConversion(file, linkage, site);
    const related = evidence.map((e) => ({ span: e.span, message: e.what }));
    if (conversion)
      for (const r of conversion.rewrittenReleases)
        related.push({ span: r, message: 'this release becomes unpin_user_page*() with the conversion' });
    const fixes: Fix[] = conversion ? [conversion.fix] : [];
    findings.push(
      finding({
        span: calleeSpan(op),
        function: site.fn.info.name,
        related,
        fixes,
        message: `Pages from ${fnName(op.name)} (FOLL_GET) must be pinned: ${first.what}${evidence.length > 1 ? ` (and ${evidence.length - 1} more use${evidence.length > 2 ? 's' : ''})` : ''} — pin_user_pages.rst: ${cases}. FOLL_GET references are invisible to folio_maybe_dma_pinned(), so writeback, migration and fork treat the pages as unused while they are in use. ${advice(conversion, op.api, file.version)}`,
      }),
    );
  }
  return findings;
}

/** What to call instead, in the chosen kernel version (never a function it does not have). */
function advice(conversion: { readonly pinName: string } | null, api: AcquireApi, version: KernelVersion): string {
  if (conversion) return `Use ${fnName(conversion.pinName)} and unpin_user_page*().`;
  // iov_iter users do not call pin_user_pages() themselves: Direct IO moved to
  // iov_iter_extract_pages() (v6.3, "iov_iter: Add a function to extract a page list from an
  // iterator"), which pins user-backed iterators; the block layer releases with bio_release_page().
  if (api.name.startsWith('iov_iter_get_pages')) {
    const extract = acquireApi('iov_iter_extract_pages');
    if (extract && inRange(version, extract.exists))
      return 'Use iov_iter_extract_pages(), which pins the pages of a user-backed iterator (iov_iter_extract_will_pin()), and release them with bio_release_page() or unpin_user_page() instead of put_page().';
    return 'This kernel has no pinning form of it: iov_iter_extract_pages() came in v6.3.';
  }
  const counterpart = pinCounterpartAt(api, version);
  return counterpart ? `Use ${fnName(counterpart.name)}.` : 'Use a pin_user_pages*() call.';
}

function calleeSpan(op: AcquireOp): Span {
  const fn = op.node.childForFieldName('function');
  return fn ? spanOf(fn) : spanOf(op.node);
}

function evidenceFor(file: FileAnalysis, linkage: Linkage, site: AcquireSite): Evidence[] {
  const evidence: Evidence[] = [...useEvidence(file, linkage, site)];
  for (const r of linkage.releasesOf(site)) {
    if (r.op.dirty === 'no' || r.op.bulk?.dirty) continue; // loop dirtying was counted as a dirty op
    evidence.push({
      span: spanOf(r.op.node),
      what: `they are released dirty (${fnName(r.op.name)}, line ${lineOf(file, r.op.node)})`,
      docCase: 5,
      direct: true,
    });
  }
  // DMA mappings of the pages in a direction the device writes.
  for (const w of dmaWritesOf(file, site)) evidence.push({ span: w.span, what: w.what, docCase: 2, direct: true });
  if (evidence.length === 0 && hasFlag(site.op.flags, 'FOLL_WRITE')) {
    const kept = keptForWriting(file, site);
    if (kept) evidence.push(kept);
  }
  return evidence;
}

/** Uses of the data (kmap, sg tables, bios) and dirtying, in this function or through a field. */
function useEvidence(file: FileAnalysis, linkage: Linkage, site: AcquireSite): Evidence[] {
  const evidence: Evidence[] = [];
  for (const u of linkage.usesOf(site)) {
    const where =
      u.fn === site.fn
        ? `line ${lineOf(file, u.op.node)}`
        : `${fnName(u.fn.info.name)}, line ${lineOf(file, u.op.node)}`;
    if (u.op.kind === 'use') {
      const use = u.op.use;
      // Case 5 is *writing* to the data: a read through a mapping of pages taken without
      // FOLL_WRITE ("the page must not be written to") is not it (sgx EADD's source page, uprobes'
      // is_trap_at_addr(), tomoyo's argv dump).
      if (use.kind === 'data' && !use.writes && !mayWrite(site.op)) continue;
      // A physical address taken and the reference dropped right after is not handed to a
      // device with the page held (perf's sample address): pinning would protect nothing.
      if (use.name === 'page_to_phys' && releasedRightAfter(linkage, site, u)) continue;
      const docCase = use.kind === 'dio' ? 1 : use.kind === 'dma' ? 2 : 5;
      const what =
        use.kind === 'data'
          ? `the CPU ${use.writes ? 'writes' : 'accesses'} their data (${fnName(use.name)}, ${where})`
          : use.name === 'page_to_phys'
            ? `their physical address is taken for a device or hypervisor (${fnName(use.name)}, ${where})`
            : use.kind === 'dma'
              ? `they are handed to DMA (${fnName(use.name)}, ${where})`
              : `they are handed to the block layer (${fnName(use.name)}, ${where})`;
      evidence.push({ span: spanOf(u.op.node), what, docCase, direct: true });
    } else {
      const dirty = u.op;
      evidence.push({
        span: spanOf(dirty.node),
        what: `they are marked dirty, so their data was written (${fnName(dirty.dirty.name)}, ${where})`,
        docCase: 5,
        direct: true,
      });
    }
  }
  return evidence;
}

/** The acquire may hand out writable pages: FOLL_WRITE, flags pinscope cannot see, or no flags argument at all (iov_iter_get_pages2(): the iterator's direction decides). */
function mayWrite(op: AcquireOp): boolean {
  return op.flagsArg === null || op.flags.unknown || hasFlag(op.flags, 'FOLL_WRITE');
}

/** Statements looked at after a use for the release that ends it: the next one. */
const RIGHT_AFTER = 1;

/** Whether the pages are released in the statement right after `use` (`phys = page_to_phys(p); put_page(p);`). */
function releasedRightAfter(linkage: Linkage, site: AcquireSite, use: Site<UseOp | DirtyOp>): boolean {
  const releases = new Set<unknown>(linkage.releasesOf(site).map((r) => r.op));
  let node: CfgNode | undefined = use.node;
  for (let step = 0; node && step <= RIGHT_AFTER; step++) {
    if (node.ops.some((op) => releases.has(op))) return true;
    if (node.kind === 'return' || node.succs.length !== 1) return false;
    node = use.fn.cfg.nodes[(node.succs[0] as CfgNode['succs'][number]).to];
  }
  return false;
}

/**
 * FOLL_WRITE pages kept past the call: someone will write them later. Kept in an object, or handed
 * back to the caller only when the function says by its name that it holds pages for access
 * (lock_pages, *_pin_*, *_dma_*): core helpers like get_arg_page() hand pages back for their
 * callers to decide.
 */
function keptForWriting(file: FileAnalysis, site: AcquireSite): Evidence | null {
  const holdsForAccess = namesPagesHeldForAccess(site.fn.info.name);
  const kept = escapesOf(site).find((e) => e.op.how === 'field' || e.op.how === 'global' || holdsForAccess);
  if (kept) {
    return {
      span: spanOf(kept.op.node),
      what: `they are requested with FOLL_WRITE and kept past the call (${kept.op.how === 'return' ? 'returned' : `stored in ${kept.op.target?.node.text.replace(/\s+/g, ' ') ?? 'an object'}`}, line ${lineOf(file, kept.op.node)}) for someone to write later`,
      docCase: 5,
      direct: false,
    };
  }
  const pages = site.op.pages;
  if (
    pages &&
    (pages.baseKind === 'field' || pages.baseKind === 'global' || (holdsForAccess && pages.baseKind !== 'local'))
  ) {
    const where = pages.baseKind === 'field' ? `in ${pages.node.text.replace(/\s+/g, ' ')}` : 'through a parameter';
    return {
      span: spanOf(pages.node),
      what: `they are requested with FOLL_WRITE and handed back ${where} for someone to write later`,
      docCase: 5,
      direct: false,
    };
  }
  return null;
}
