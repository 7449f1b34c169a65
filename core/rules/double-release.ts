/**
 * double-release — the same pages released twice on one path (pin_user_pages.rst, "Tracking
 * dma-pinned pages": each unpin takes GUP_PIN_COUNTING_BIAS, or one pin of a large folio).
 */
import type { Finding } from '../findings';
import { lineOf } from './support/finding';
import { pageIssueFindings } from './support/pathIssues';
import { defineRule, type RuleContext } from './support/rule';

export const doubleRelease = defineRule({
  id: 'double-release',
  meta: {
    title: 'Pages released twice',
    severity: 'error',
    group: 'path',
    doc: 'pinTracking',
    fixable: 'none',
    description: 'The same pages are released twice on one path.',
    catches:
      'Two releases of the same page array (or page) on one path without a new acquire in between, typically an error label falling through into a second unwind step that releases again.',
    why: 'Each unpin subtracts 1024 (small page) or 1 from the pincount (large folio); the second one takes references the code never had and frees the page while someone still maps it.',
    wrong: 'err_unmap:\n\tunpin_user_pages(pages, n);\nerr_free:\n\tunpin_user_pages(pages, n);\n\tkfree(pages);',
    right: 'err_unmap:\n\tunpin_user_pages(pages, n);\nerr_free:\n\tkfree(pages);',
    fix: 'No automatic fix; the finding shows both releases on the path.',
  },
  check,
});

function check({ file, finding }: RuleContext): Finding[] {
  return pageIssueFindings(file, ['double-release'], (issue, { op, acquired, related, base }) => {
    if (issue.earlier) related.push({ span: issue.earlier.span, message: `first released here` });
    return finding({
      span: issue.at.span,
      related,
      ...base,
      message: `The pages from ${acquired} are released a second time here${issue.earlier ? ` (first at line ${lineOf(file, issue.earlier.span)})` : ''}: each ${op.family === 'pin' ? 'unpin takes 1024 (or one pin of a large folio)' : 'put_page() takes a reference'} the path no longer holds.`,
    });
  });
}
