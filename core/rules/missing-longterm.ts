/**
 * missing-longterm — pins kept in a long-lived, user-controlled object without FOLL_LONGTERM, in a
 * file with no MMU notifier: pin_user_pages.rst case 2, not case 3. Without FOLL_LONGTERM the pages
 * may stay pinned in ZONE_MOVABLE or CMA.
 */
import { LONG_TERM_HINT } from '../catalog/conventions';
import { KERNEL_DOCS } from '../catalog/docs';
import { hasFlag } from '../analysis/flags';
import type { AcquireSite } from '../fileAnalysis/linkage';
import type { Finding } from '../findings';
import { escapesOf } from './support/escapes';
import { fnName, lineOf, spanOf } from './support/finding';
import { addFlagFix } from './support/flagFix';
import { defineRule, type RuleContext } from './support/rule';

export const missingLongterm = defineRule({
  id: 'missing-longterm',
  meta: {
    title: 'Long-lived pin without FOLL_LONGTERM',
    severity: 'warning',
    group: 'path',
    doc: 'case2',
    fixable: 'offered',
    description:
      'Pinned pages are kept past the call (stored in an object on a success path) without FOLL_LONGTERM, and no MMU notifier is registered in the file (pin_user_pages.rst case 2 versus case 3).',
    catches:
      'A pin_* call without FOLL_LONGTERM whose pages are stored in a struct field or global on the success path (userptr objects, registered memory regions, DMA regions released by a later ioctl), in a file that registers no MMU notifier.',
    why: 'A pin held for a user-controlled time must not sit in ZONE_MOVABLE or CMA: FOLL_LONGTERM makes GUP migrate such pages first (check_and_migrate_movable_pages()) and refuses FS-DAX and file-backed dirty-tracked mappings. Without it, memory hot-unplug and CMA allocations fail for as long as the object lives.',
    wrong:
      'ret = pin_user_pages_fast(ptr, n, FOLL_WRITE, pvec);\n...\nobj->pages = pvec;\t/* released when userspace frees obj */',
    right: 'ret = pin_user_pages_fast(ptr, n, FOLL_WRITE | FOLL_LONGTERM, pvec);\n...\nobj->pages = pvec;',
    fix: 'Offers FOLL_LONGTERM in the flags. Never applied by --fix or fix-all: FOLL_LONGTERM makes GUP migrate pages out of ZONE_MOVABLE and CMA first and refuses FS-DAX and file-backed writable mappings, so it changes what the call does — right for a long-term pin, wrong where the lifetime hint misjudged a short one.',
  },
  check,
});

/**
 * A name that marks a long-lived, user-controlled mapping (LONG_TERM_HINT, catalog/conventions.ts).
 * In-text evidence is all a file-local checker has about lifetime; the message names the hint used.
 */
function longTermHint(site: AcquireSite, storeText: string, structName: string | null): string | null {
  const names = [site.fn.info.name, storeText, structName ?? ''];
  for (const n of names) {
    const m = LONG_TERM_HINT.exec(n);
    if (m) return `${m[1]} in \`${n}\``;
  }
  return null;
}

function check({ file, linkage, finding }: RuleContext): Finding[] {
  if (file.mmuNotifier) return []; // case 3: the notifier's invalidate callback drops the pages
  const findings: Finding[] = [];
  for (const site of linkage.acquires) {
    const { op } = site;
    if (op.family !== 'pin' || op.helper || !op.flagsArg || op.flags.unknown || hasFlag(op.flags, 'FOLL_LONGTERM'))
      continue;
    if (op.api.implicitFlags.includes('FOLL_LONGTERM')) continue;
    const store = escapesOf(site).find((e) => e.op.how === 'field' || e.op.how === 'global');
    const storeNode = store?.op.target?.node ?? (op.pages?.baseKind === 'field' ? op.pages.node : null);
    if (!storeNode) continue;
    const storeText = storeNode.text.replace(/\s+/g, ' ');
    const structName = store?.op.target?.structName ?? op.pages?.structName ?? null;
    const hint = longTermHint(site, storeText, structName);
    if (!hint) continue;
    const fix = addFlagFix(op, 'FOLL_LONGTERM', file.parsed.text, false);
    findings.push(
      finding({
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
