/**
 * dirty-without-lock — set_page_dirty()/SetPageDirty() on user pages without the page lock. User
 * pages may be file-backed: pin_user_pages.rst case 5 releases them with
 * unpin_user_pages_dirty_lock(), which takes the folio lock around folio_mark_dirty().
 */
import type { ReleaseOp } from '../analysis/ops';
import type { Finding, Fix } from '../findings';
import { toPinRelease } from '../fixes/releaseEdits';
import { fnName, lineOf, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

export const dirtyWithoutLock = defineRule({
  id: 'dirty-without-lock',
  meta: {
    title: 'User pages dirtied without the page lock',
    severity: 'warning',
    group: 'path',
    doc: 'case5',
    fixable: 'offered',
    description:
      'set_page_dirty() or SetPageDirty() on user pages before release; use set_page_dirty_lock(), or unpin_user_pages_dirty_lock(..., true).',
    catches:
      'set_page_dirty(), SetPageDirty() or folio_mark_dirty() on pages that came from GUP (in this function, or through a struct field filled by GUP elsewhere in the file), without the page lock.',
    why: "User pages may be file-backed. set_page_dirty() without the page lock races with truncation and writeback (the inode can go away under it); SetPageDirty() only flips the flag and skips the mapping's dirty accounting altogether. unpin_user_pages_dirty_lock() takes the folio lock around folio_mark_dirty().",
    wrong: 'for (i = 0; i < n; i++) {\n\tSetPageDirty(pages[i]);\n\tunpin_user_page(pages[i]);\n}',
    right: 'unpin_user_pages_dirty_lock(pages, n, true);',
    fix: 'For pinned pages: the loop becomes unpin_user_pages_dirty_lock(pages, n, dirty). Otherwise set_page_dirty_lock().',
  },
  check,
});

function check({ file, linkage, finding }: RuleContext): Finding[] {
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
        finding({
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
