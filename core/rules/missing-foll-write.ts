/**
 * missing-foll-write — pages the device or the kernel will write, acquired without FOLL_WRITE:
 * "If @gup_flags & FOLL_WRITE == 0, the page must not be written to" (mm/gup.c); GUP then does not
 * break COW and may return the shared zero page (pin_user_pages.rst case 5).
 */
import type { FileAnalysis } from '../fileAnalysis/types';
import { hasFlag } from '../analysis/flags';
import type { AcquireSite, Linkage } from '../fileAnalysis/linkage';
import type { Finding, Span } from '../findings';
import { dmaWritesOf } from './support/dmaWrites';
import { fnName, lineOf, spanOf } from './support/finding';
import { addFlagFix } from './support/flagFix';
import { defineRule, type RuleContext } from './support/rule';

export const missingFollWrite = defineRule({
  id: 'missing-foll-write',
  meta: {
    title: 'Pages written later acquired without FOLL_WRITE',
    severity: 'warning',
    group: 'path',
    doc: 'case5',
    fixable: 'offered',
    description:
      'Pages that the device or the kernel will write (DMA_FROM_DEVICE/BIDIRECTIONAL, set_page_dirty, a copy into the page) are acquired without FOLL_WRITE.',
    catches:
      'A GUP call without FOLL_WRITE (and with flags pinscope can see completely) whose pages are then mapped DMA_FROM_DEVICE or DMA_BIDIRECTIONAL, dirtied, released with make_dirty = true, or written through a kernel mapping.',
    why: 'Without FOLL_WRITE, GUP does not break COW and may return the shared zero page for untouched anonymous memory: "If @gup_flags & FOLL_WRITE == 0, the page must not be written to." A device writing into it corrupts every process\'s zero page; writing into a COW-shared page corrupts the other process\'s copy.',
    wrong: 'ret = pin_user_pages_fast(uaddr, n, 0, pages);\n...\ndma_map_sg(dev, sgl, n, DMA_FROM_DEVICE);',
    right: 'ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\n...\ndma_map_sg(dev, sgl, n, DMA_FROM_DEVICE);',
    fix: 'Offers FOLL_WRITE in the flags (`0` → `FOLL_WRITE`, `X` → `X | FOLL_WRITE`). Never applied by --fix or fix-all: with FOLL_WRITE, GUP breaks COW and fails on read-only mappings, so where the pages are in fact only read (a DMA_BIDIRECTIONAL mapping the device never writes) the fix would turn working calls into -EFAULT.',
  },
  check,
});

function check({ file, linkage, finding }: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const site of linkage.acquires) {
    const { op } = site;
    if (op.helper || !op.flagsArg || op.flags.unknown || hasFlag(op.flags, 'FOLL_WRITE')) continue;
    const writes = writesOf(file, linkage, site);
    if (writes.length === 0) continue;
    const fix = addFlagFix(op, 'FOLL_WRITE', file.parsed.text, false);
    findings.push(
      finding({
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
  for (const w of dmaWritesOf(file, site)) writes.push({ span: w.span, what: w.what });
  return writes;
}
