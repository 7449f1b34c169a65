/**
 * dirty-without-lock — set_page_dirty()/SetPageDirty() on user pages without the page lock. User
 * pages may be file-backed: pin_user_pages.rst case 5 releases them with
 * unpin_user_pages_dirty_lock(), which takes the folio lock around folio_mark_dirty().
 */
import type { SyntaxNode } from '../parse/syntax';
import type { DirtyOp, ReleaseOp } from '../analysis/ops';
import { baseKey } from '../analysis/storage';
import type { Finding, Fix } from '../findings';
import { toPinRelease } from '../fixes/releaseEdits';
import { takesPageLock } from '../catalog/pageUse';
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
      'set_page_dirty(), SetPageDirty() or folio_mark_dirty() on pages that came from GUP (in this function, or through a struct field filled by GUP elsewhere in the file), without the page lock; also on pages that come in as a parameter (or through one: `b->pages[i]`, `*pages++`) and are released with unpin_user_page*() in the same loop (the unpin shows they are pinned user pages).',
    why: "User pages may be file-backed. set_page_dirty() without the page lock races with truncation and writeback (the inode can go away under it); SetPageDirty() only flips the flag and skips the mapping's dirty accounting altogether. unpin_user_pages_dirty_lock() takes the folio lock around folio_mark_dirty().",
    wrong: 'for (i = 0; i < n; i++) {\n\tSetPageDirty(pages[i]);\n\tunpin_user_page(pages[i]);\n}',
    right: 'unpin_user_pages_dirty_lock(pages, n, true);',
    fix: 'For pinned pages: the loop becomes unpin_user_pages_dirty_lock(pages, n, dirty). Otherwise set_page_dirty_lock().',
  },
  check,
});

function check(ctx: RuleContext): Finding[] {
  const { file, linkage, finding } = ctx;
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
  findings.push(...paramPagesFindings(ctx, seen));
  return findings;
}

/** The loop statement closest around `node`, or null. */
function enclosingLoop(node: SyntaxNode): SyntaxNode | null {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'for_statement' || p.type === 'while_statement' || p.type === 'do_statement') return p;
    if (p.type === 'function_definition') return null;
  }
  return null;
}

/**
 * Pages whose acquire is not in sight (a parameter, a field of one, a page rebuilt from a stored pfn),
 * dirtied without the lock and unpinned in the same loop (`set_page_dirty(pages[i]);
 * unpin_user_page(pages[i]);`): the unpin says they are pinned user pages (issue 11).
 */
function paramPagesFindings(ctx: RuleContext, seen: Set<number>): Finding[] {
  const findings: Finding[] = [];
  for (const fn of ctx.file.functions) {
    const dirties: { op: DirtyOp; loop: SyntaxNode }[] = [];
    const unpins: { op: ReleaseOp; loop: SyntaxNode }[] = [];
    for (const n of fn.cfg.nodes)
      for (const op of n.ops) {
        const loop = op.kind === 'dirty' || op.kind === 'release' ? enclosingLoop(op.node) : null;
        if (!loop) continue;
        // Pages the caller brings: `pages[i]`, `*pages`, `f->pages[i]`. The unpin in the same loop says
        // they are pinned user pages. A local rebuilt from a stored pfn is left alone: such arrays are
        // typically FOLL_LONGTERM pins, which (since 6.5) refuse file mappings that track dirtying.
        if (op.kind === 'dirty' && !op.dirty.locked && op.pages.baseKind !== 'local' && !seen.has(op.node.id))
          dirties.push({ op, loop });
        if (op.kind === 'release' && op.family === 'pin' && op.via !== 'by-name' && op.pages) unpins.push({ op, loop });
      }
    for (const d of dirties) {
      const unpin = unpins.find(
        (u) => u.loop.id === d.loop.id && u.op.pages && baseKey(u.op.pages.key) === baseKey(d.op.pages.key),
      );
      // A loop that takes the page lock itself (lock_page(), folio_lock()) dirties under it.
      if (!unpin || takesPageLock(d.loop.text)) continue;
      seen.add(d.op.node.id);
      const callee = d.op.node.childForFieldName('function');
      findings.push(
        ctx.finding({
          span: spanOf(d.op.node),
          function: fn.info.name,
          related: [
            {
              span: spanOf(unpin.op.node),
              message: `unpinned by ${fnName(unpin.op.name)} in the same loop: they are pinned user pages`,
            },
          ],
          fixes:
            callee && d.op.dirty.name !== 'folio_mark_dirty'
              ? [
                  {
                    title: 'Use set_page_dirty_lock()',
                    edits: [{ span: spanOf(callee), newText: 'set_page_dirty_lock' }],
                    safe: false,
                  },
                ]
              : [],
          message: `${fnName(d.op.dirty.name)} on pinned user pages (unpinned by ${fnName(unpin.op.name)} in the same loop, line ${lineOf(ctx.file, unpin.op.node)}) without the page lock: they may be file-backed, and ${d.op.dirty.name === 'SetPageDirty' ? "SetPageDirty() only sets the flag, skipping the mapping's dirty accounting" : 'set_page_dirty() races with truncation and writeback'}. Release with unpin_user_pages_dirty_lock(..., true).`,
        }),
      );
    }
  }
  return findings;
}
