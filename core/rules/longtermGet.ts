/**
 * longterm-get — "FOLL_PIN is a prerequisite to FOLL_LONGTERM" (mm/gup.c is_valid_gup_flags(),
 * v6.1) and "LONGTERM can only be specified when pinning" (is_valid_gup_args(), v6.3+).
 * Long-term users are pin_user_pages.rst case 2.
 */
import { isAtLeast } from '../catalog/version';
import type { FileAnalysis } from '../analysis/file';
import type { Linkage } from '../analysis/linkage';
import type { Finding } from '../findings';
import { getToPinConversion } from '../fixes/conversion';
import { finding, fnName, spanOf } from './report';

export function longtermGet(file: FileAnalysis, linkage: Linkage): Finding[] {
  const findings: Finding[] = [];
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
    const conversion = getToPinConversion(file, linkage, site, true);
    findings.push(
      finding(file, {
        rule: 'longterm-get',
        span: longterm.span,
        function: site.fn.info.name,
        message: `FOLL_LONGTERM passed to ${fnName(op.name)}: long-term access needs a FOLL_PIN pin (pin_user_pages.rst case 2), and ${consequence}. Use ${op.api.pinCounterpart ? fnName(op.api.pinCounterpart) : 'pin_user_pages*()'} and unpin_user_page*().`,
        related: [{ span: spanOf(op.node), message: `${fnName(op.name)} call` }],
        fixes: conversion ? [conversion.fix] : [],
      }),
    );
  }
  return findings;
}
