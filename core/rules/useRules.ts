/**
 * Rules about what is done with the pages: gup-for-dma (pin_user_pages.rst cases 1, 2, 5),
 * missing-foll-write, missing-longterm (case 2 versus case 3), dirty-without-lock, and the
 * unsigned-result check.
 */
import { KERNEL_DOCS } from '../catalog/docs';
import type { FileAnalysis } from '../analysis/file';
import { hasFlag } from '../analysis/flags';
import type { AcquireSite, Linkage, Site } from '../analysis/linkage';
import type { AcquireOp, DirtyOp, EscapeOp, ReleaseOp, UseOp } from '../analysis/pageOps';
import { baseKey } from '../analysis/storage';
import type { Finding, Fix, Span } from '../findings';
import { getToPinConversion } from '../fixes/conversion';
import { toPinRelease } from '../fixes/releaseEdits';
import { finding, fnName, lineOf, spanOf } from './report';
import { isDmaWrite } from './dmaWrites';

interface Evidence {
  readonly span: Span;
  /** What the code does, for the message: "copies into them with memcpy_to_page()". */
  readonly what: string;
  readonly docCase: 1 | 2 | 5;
  /** Direct evidence (a use of the data) versus an inference (FOLL_WRITE and kept). */
  readonly direct: boolean;
}

const CASE_TITLES: Record<1 | 2 | 5, string> = {
  1: 'case 1 (Direct IO)',
  2: 'case 2 (DMA)',
  5: 'case 5 (writing to the data)',
};

function calleeSpan(op: AcquireOp): Span {
  const fn = op.node.childForFieldName('function');
  return fn ? spanOf(fn) : spanOf(op.node);
}

function escapesOf(file: FileAnalysis, site: AcquireSite): Site<EscapeOp>[] {
  const out: Site<EscapeOp>[] = [];
  const key = site.op.pages?.key;
  if (!key) return out;
  for (const node of site.fn.cfg.nodes) {
    for (const op of node.ops) {
      if (op.kind === 'escape' && baseKey(op.pages.key) === baseKey(key) && op.how !== 'call')
        out.push({ fn: site.fn, node, op });
    }
  }
  void file;
  return out;
}

function evidenceFor(file: FileAnalysis, linkage: Linkage, site: AcquireSite): Evidence[] {
  const evidence: Evidence[] = [];
  for (const u of linkage.usesOf(site)) {
    const where =
      u.fn === site.fn
        ? `line ${lineOf(file, u.op.node)}`
        : `${fnName(u.fn.info.name)}, line ${lineOf(file, u.op.node)}`;
    if (u.op.kind === 'use') {
      const use = (u.op as UseOp).use;
      const docCase = use.kind === 'dio' ? 1 : use.kind === 'dma' ? 2 : 5;
      const what =
        use.kind === 'data'
          ? `the CPU accesses their data (${fnName(use.name)}, ${where})`
          : use.name === 'page_to_phys'
            ? `their physical address is taken for a device or hypervisor (${fnName(use.name)}, ${where})`
            : use.kind === 'dma'
              ? `they are handed to DMA (${fnName(use.name)}, ${where})`
              : `they are handed to the block layer (${fnName(use.name)}, ${where})`;
      evidence.push({ span: spanOf(u.op.node), what, docCase, direct: true });
    } else {
      const dirty = u.op as DirtyOp;
      evidence.push({
        span: spanOf(dirty.node),
        what: `they are marked dirty, so their data was written (${fnName(dirty.dirty.name)}, ${where})`,
        docCase: 5,
        direct: true,
      });
    }
  }
  for (const r of linkage.releasesOf(site)) {
    if (r.op.dirty === 'no' || r.op.bulk?.dirty) continue; // loop dirtying was counted as a dirty op
    evidence.push({
      span: spanOf(r.op.node),
      what: `they are released dirty (${fnName(r.op.name)}, line ${lineOf(file, r.op.node)})`,
      docCase: 5,
      direct: true,
    });
  }
  for (const d of dmaWritesOf(file, linkage, site)) evidence.push(d);
  if (evidence.length === 0 && hasFlag(site.op.flags, 'FOLL_WRITE')) {
    // Kept in an object: someone will write them later. Handed back to the caller: only when the
    // function says by its name that it holds pages for access (lock_pages, *_pin_*, *_dma_*):
    // core helpers like get_arg_page() hand pages back for their callers to decide.
    const holdsForAccess = /(^|_)(pin|lock|dma|dio|userptr|umem|map)(_|$)/.test(site.fn.info.name);
    const kept = escapesOf(file, site).find((e) => e.op.how === 'field' || e.op.how === 'global' || holdsForAccess);
    if (kept) {
      evidence.push({
        span: spanOf(kept.op.node),
        what: `they are requested with FOLL_WRITE and kept past the call (${kept.op.how === 'return' ? 'returned' : `stored in ${kept.op.target?.node.text.replace(/\s+/g, ' ') ?? 'an object'}`}, line ${lineOf(file, kept.op.node)}) for someone to write later`,
        docCase: 5,
        direct: false,
      });
    } else if (
      site.op.pages &&
      (site.op.pages.baseKind === 'field' ||
        site.op.pages.baseKind === 'global' ||
        (holdsForAccess && site.op.pages.baseKind !== 'local'))
    ) {
      const where =
        site.op.pages.baseKind === 'field'
          ? `in ${site.op.pages.node.text.replace(/\s+/g, ' ')}`
          : 'through a parameter';
      evidence.push({
        span: spanOf(site.op.pages.node),
        what: `they are requested with FOLL_WRITE and handed back ${where} for someone to write later`,
        docCase: 5,
        direct: false,
      });
    }
  }
  return evidence;
}

/** DMA mappings of the pages in a direction the device writes (filled in by the DMA rules). */
function dmaWritesOf(file: FileAnalysis, linkage: Linkage, site: AcquireSite): Evidence[] {
  return isDmaWrite(file, linkage, site).map((w) => ({
    span: w.span,
    what: w.what,
    docCase: 2 as const,
    direct: true,
  }));
}

export function gupForDma(file: FileAnalysis, linkage: Linkage): Finding[] {
  if (file.mmuNotifier) return []; // case 3: plain references dropped from the invalidate callback
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
    const conversion = getToPinConversion(
      file,
      linkage,
      site,
      evidence.some((e) => e.direct),
    );
    const related = evidence.map((e) => ({ span: e.span, message: e.what }));
    if (conversion)
      for (const r of conversion.rewrittenReleases)
        related.push({ span: r, message: 'this release becomes unpin_user_page*() with the conversion' });
    const fixes: Fix[] = conversion ? [conversion.fix] : [];
    findings.push(
      finding(file, {
        rule: 'gup-for-dma',
        span: calleeSpan(op),
        function: site.fn.info.name,
        related,
        fixes,
        message: `Pages from ${fnName(op.name)} (FOLL_GET) must be pinned: ${first.what}${evidence.length > 1 ? ` (and ${evidence.length - 1} more use${evidence.length > 2 ? 's' : ''})` : ''} — pin_user_pages.rst ${cases}. FOLL_GET references are invisible to folio_maybe_dma_pinned(), so writeback, migration and fork treat the pages as unused while they are in use. ${conversion ? `Use ${fnName(conversion.pinName)} and unpin_user_page*().` : op.api.pinCounterpart ? `Use ${fnName(op.api.pinCounterpart)}.` : 'Use a pin_user_pages*() call.'}`,
      }),
    );
  }
  return findings;
}

export function gupResultUnsigned(file: FileAnalysis, linkage: Linkage): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<number>();
  for (const site of linkage.acquires) {
    const { op } = site;
    if (op.api.returns !== 'count' && op.api.returns !== 'folio-count' && op.api.returns !== 'bytes') continue;
    const declared = op.result.declared;
    if (!declared || !declared.isUnsigned || op.helper) continue;
    if (seen.has(op.node.id)) continue;
    seen.add(op.node.id);
    findings.push(
      finding(file, {
        rule: 'gup-result-unsigned',
        span: spanOf(op.node),
        function: site.fn.info.name,
        related: [
          {
            span: spanOf(declared.nameNode),
            message: `\`${declared.name}\` is declared \`${declared.typeText}\` here`,
          },
        ],
        message: `The result of ${fnName(op.name)} goes into \`${declared.name}\`, which is \`${declared.typeText}\`: a -errno becomes a huge count, \`${declared.name} < 0\` is never true, and a later release walks off the array. Declare it \`${op.api.signatures[0]?.prototype.startsWith('int') ? 'int' : 'long'}\`.`,
      }),
    );
  }
  return findings;
}

/** Evidence that the pages get written: dirtied, released dirty, written through a mapping, DMA from the device. */
function writesOf(file: FileAnalysis, linkage: Linkage, site: AcquireSite): { span: Span; what: string }[] {
  const writes: { span: Span; what: string }[] = [];
  for (const u of linkage.usesOf(site)) {
    if (u.op.kind === 'dirty')
      writes.push({ span: spanOf(u.op.node), what: `marked dirty by ${fnName(u.op.dirty.name)}` });
    else if (u.op.kind === 'use' && u.op.use.writes)
      writes.push({ span: spanOf(u.op.node), what: `written by ${fnName(u.op.use.name)}` });
  }
  for (const r of linkage.releasesOf(site)) {
    if (r.op.dirty === 'yes' || (r.op.dirty === 'arg' && r.op.dirtyArg?.text === 'true')) {
      if (!r.op.bulk?.dirty) writes.push({ span: spanOf(r.op.node), what: `released dirty by ${fnName(r.op.name)}` });
    }
  }
  for (const w of isDmaWrite(file, linkage, site)) writes.push({ span: w.span, what: w.what });
  return writes;
}

function addFlagFix(op: AcquireOp, flag: string, text: string, safe: boolean): Fix | null {
  const arg = op.flagsArg;
  if (!arg) return null;
  const written = text.slice(arg.startIndex, arg.endIndex);
  const newText =
    written.trim() === '0'
      ? flag
      : arg.type === 'conditional_expression'
        ? `(${written}) | ${flag}`
        : `${written} | ${flag}`;
  return { title: `Add ${flag}`, edits: [{ span: spanOf(arg), newText }], safe };
}

export function missingFollWrite(file: FileAnalysis, linkage: Linkage): Finding[] {
  const findings: Finding[] = [];
  for (const site of linkage.acquires) {
    const { op } = site;
    if (op.helper || !op.flagsArg || op.flags.unknown || hasFlag(op.flags, 'FOLL_WRITE')) continue;
    const writes = writesOf(file, linkage, site);
    if (writes.length === 0) continue;
    const fix = addFlagFix(op, 'FOLL_WRITE', file.parsed.text, true);
    findings.push(
      finding(file, {
        rule: 'missing-foll-write',
        span: spanOf(op.flagsArg),
        function: site.fn.info.name,
        related: writes.map((w) => ({ span: w.span, message: `the pages are ${w.what}` })),
        message: `${fnName(op.name)} is called without FOLL_WRITE, but the pages are ${writes[0]?.what} (line ${lineOf(file, writes[0]?.span ?? spanOf(op.node))}). Without FOLL_WRITE GUP does not break COW and may return the shared zero page: "If @gup_flags & FOLL_WRITE == 0, the page must not be written to".`,
        fixes: fix ? [fix] : [],
      }),
    );
  }
  return findings;
}

/**
 * Names that mark a long-lived, user-controlled mapping: DRM userptr GEM objects, RDMA umem and
 * memory regions, VFIO, io_uring registered buffers. In-text evidence is all a file-local checker
 * has about lifetime; the message names the hint it used.
 */
const LONG_TERM_HINT =
  /(?:^|[^a-z])(userptr|umem|gem|vfio|ib_mr|registered|reg_buf|fixed_buf|longterm|long_term)(?:[^a-z]|$)/i;

function longTermHint(
  file: FileAnalysis,
  site: AcquireSite,
  storeText: string,
  structName: string | null,
): string | null {
  const names = [site.fn.info.name, storeText, structName ?? ''];
  for (const n of names) {
    const m = LONG_TERM_HINT.exec(n);
    if (m) return `${m[1]} in \`${n}\``;
  }
  void file;
  return null;
}

export function missingLongterm(file: FileAnalysis, linkage: Linkage): Finding[] {
  if (file.mmuNotifier) return []; // case 3: the notifier's invalidate callback drops the pages
  const findings: Finding[] = [];
  for (const site of linkage.acquires) {
    const { op } = site;
    if (op.family !== 'pin' || op.helper || !op.flagsArg || op.flags.unknown || hasFlag(op.flags, 'FOLL_LONGTERM'))
      continue;
    if (op.api.implicitFlags.includes('FOLL_LONGTERM')) continue;
    const store = escapesOf(file, site).find((e) => e.op.how === 'field' || e.op.how === 'global');
    const storeNode = store?.op.target?.node ?? (op.pages?.baseKind === 'field' ? op.pages.node : null);
    if (!storeNode) continue;
    const storeText = storeNode.text.replace(/\s+/g, ' ');
    const structName = store?.op.target?.structName ?? op.pages?.structName ?? null;
    const hint = longTermHint(file, site, storeText, structName);
    if (!hint) continue;
    const fix = addFlagFix(op, 'FOLL_LONGTERM', file.parsed.text, false);
    findings.push(
      finding(file, {
        rule: 'missing-longterm',
        span: spanOf(op.flagsArg),
        function: site.fn.info.name,
        related: [{ span: spanOf(storeNode), message: `the pinned pages are kept here, past the call` }],
        message: `Pages pinned by ${fnName(op.name)} are kept in \`${storeText}\` (line ${lineOf(file, storeNode)}), a long-lived object (${hint}), without FOLL_LONGTERM, and this file registers no MMU notifier: that is pin_user_pages.rst case 2, not case 3. Without FOLL_LONGTERM the pages may stay pinned in ZONE_MOVABLE or CMA, blocking memory hot-unplug and CMA allocations for as long as user space keeps the object. See ${KERNEL_DOCS.case2.url}.`,
        fixes: fix ? [fix] : [],
      }),
    );
  }
  return findings;
}

export function dirtyWithoutLock(file: FileAnalysis, linkage: Linkage): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<number>();
  for (const site of linkage.acquires) {
    for (const u of linkage.usesOf(site)) {
      if (u.op.kind !== 'dirty' || u.op.dirty.locked || seen.has(u.op.node.id)) continue;
      seen.add(u.op.node.id);
      const dirty = u.op;
      const fixes: Fix[] = [];
      const loopRelease = u.node.ops.find(
        (o): o is ReleaseOp => o.kind === 'release' && o.bulk !== undefined && o.bulk.dirty?.node.id === dirty.node.id,
      );
      if (loopRelease && site.op.family === 'pin') {
        const rewrite = toPinRelease(loopRelease, file.parsed.text, u.fn.info);
        if (rewrite)
          fixes.push({ title: 'Release with unpin_user_pages_dirty_lock()', edits: rewrite.edits, safe: false });
      }
      const callee = dirty.node.childForFieldName('function');
      if (callee && dirty.dirty.name !== 'folio_mark_dirty')
        fixes.push({
          title: 'Use set_page_dirty_lock()',
          edits: [{ span: spanOf(callee), newText: 'set_page_dirty_lock' }],
          safe: false,
        });
      const where =
        site.fn === u.fn
          ? `line ${lineOf(file, site.op.node)}`
          : `${fnName(site.fn.info.name)}, line ${lineOf(file, site.op.node)}`;
      findings.push(
        finding(file, {
          rule: 'dirty-without-lock',
          span: spanOf(dirty.node),
          function: u.fn.info.name,
          related: [{ span: spanOf(site.op.node), message: `user pages from ${fnName(site.op.name)}` }],
          message: `${fnName(dirty.dirty.name)} on user pages (from ${fnName(site.op.name)}, ${where}) without the page lock: they may be file-backed, and ${dirty.dirty.name === 'SetPageDirty' ? "SetPageDirty() only sets the flag, skipping the mapping's dirty accounting" : 'set_page_dirty() races with truncation and writeback'}. ${site.op.family === 'pin' ? 'Release with unpin_user_pages_dirty_lock(..., true).' : 'Use set_page_dirty_lock() (or pin the pages and release them with unpin_user_pages_dirty_lock()).'}`,
          fixes,
        }),
      );
    }
  }
  return findings;
}
