/**
 * longterm-get — "FOLL_PIN is a prerequisite to FOLL_LONGTERM" (mm/gup.c is_valid_gup_flags(),
 * v6.1) and "LONGTERM can only be specified when pinning" (is_valid_gup_args(), v6.3+).
 * Long-term users are pin_user_pages.rst case 2.
 */
import { hasPinApi, pinCounterpartAt } from '../catalog/gup';
import { isAtLeast } from '../catalog/version';
import type { Finding } from '../findings';
import { getToPinConversion } from '../fixes/conversion';
import { fnName, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

export const longtermGet = defineRule({
  id: 'longterm-get',
  meta: {
    title: 'FOLL_LONGTERM passed to get_user_pages*()',
    severity: 'error',
    group: 'gup',
    doc: 'case2',
    fixable: 'offered',
    description:
      'FOLL_LONGTERM is only valid with FOLL_PIN: get_user_pages*() rejects it (since v6.1) with a WARN and -EINVAL.',
    catches:
      'FOLL_LONGTERM in the flags of get_user_pages(), get_user_pages_fast(), get_user_pages_remote(), get_user_pages_unlocked() or get_user_pages_fast_only(), directly, via a local variable or a macro.',
    why: '"FOLL_PIN is a prerequisite to FOLL_LONGTERM" (mm/gup.c). v6.1 is_valid_gup_flags() and v6.3+ is_valid_gup_args() ("LONGTERM can only be specified when pinning") both reject it: the call fails every time. A long-term user (RDMA, VFIO, userptr) holds the pages while the device accesses their data, which is pin_user_pages.rst case 2.',
    wrong: 'ret = get_user_pages_fast(addr, n, FOLL_WRITE | FOLL_LONGTERM, pages);',
    right: 'ret = pin_user_pages_fast(addr, n, FOLL_WRITE | FOLL_LONGTERM, pages);',
    fix: 'Offers the get→pin conversion: the call becomes its pin_* counterpart and every release of those pages in the function becomes the matching unpin_user_page*() in the same edit. Offered, not applied by --fix: the conversion rewrites releases the analysis linked to these pages, and a wrong link would change correct code.',
  },
  check,
});

function check({ file, linkage, finding }: RuleContext): Finding[] {
  const findings: Finding[] = [];
  // Before v5.6, get_user_pages*(FOLL_LONGTERM) was how long-term access was done: nothing to pin with.
  if (!hasPinApi(file.version)) return [];
  const reported = new Set<number>();
  for (const site of linkage.acquires) {
    const { op } = site;
    if (op.family !== 'get' || op.helper) continue;
    const longterm = op.flags.occurrences.find((o) => o.name === 'FOLL_LONGTERM');
    if (!longterm || reported.has(longterm.span.start)) continue;
    reported.add(longterm.span.start);
    const consequence = isAtLeast(file.version, '6.1')
      ? `the call is rejected every time (WARN_ON_ONCE, -EINVAL) since v6.1`
      : `kernels since v6.1 reject it (WARN_ON_ONCE, -EINVAL), and before that the pages were plain references invisible to folio_maybe_dma_pinned()`;
    const conversion = getToPinConversion(file, linkage, site);
    findings.push(
      finding({
        span: longterm.span,
        function: site.fn.info.name,
        message: `FOLL_LONGTERM passed to ${fnName(op.name)}: long-term access needs a FOLL_PIN pin (pin_user_pages.rst case 2), and ${consequence}. Use ${fnName(pinCounterpartAt(op.api, file.version)?.name ?? 'pin_user_pages*')} and unpin_user_page*().`,
        related: [{ span: spanOf(op.node), message: `${fnName(op.name)} call` }],
        fixes: conversion ? [conversion.fix] : [],
      }),
    );
  }
  return findings;
}
