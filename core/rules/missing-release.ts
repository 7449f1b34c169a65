/**
 * missing-release — pages taken by GUP neither released nor handed off on some path through the
 * function (pin_user_pages.rst, "Tracking dma-pinned pages"). Found by the path engine; a leak of
 * only the pinned prefix of a short result is partial-pin's.
 */
import type { FileAnalysis } from '../fileAnalysis/types';
import type { Finding } from '../findings';
import type { PathIssue } from '../paths/engine';
import { lineOf } from './support/finding';
import { branchText, isPartialOnlyLeak, pageIssueFindings } from './support/pathIssues';
import { defineRule, type RuleContext } from './support/rule';

export const missingRelease = defineRule({
  id: 'missing-release',
  meta: {
    title: 'Acquired pages neither released nor handed off on some path',
    severity: 'warning',
    group: 'path',
    doc: 'pinTracking',
    fixable: 'none',
    description:
      'On some path through the function, pages taken by GUP are neither released nor stored where their owner will release them.',
    catches:
      "A path from a successful get_*/pin_* call to a return on which the pages are not released and do not escape (stored into a struct field, a global, an out-parameter, or returned). Escapes count only on paths that return success: by kernel convention a function returning -errno has released what it took — except pins a same-file helper put into the caller's object when another function of the file releases that field (the object's destroy owns them). Releases count through release helpers (`bio_release_page(bio, pages[i])`) and by page frame number through same-file helpers (`put_pfn(*pfn)` of the pfn a pinning helper wrote out). Across one file: a field filled by a pin in one function and never released anywhere in the file.",
    why: "A leaked FOLL_PIN keeps the page's refcount 1024 high: the page can never be freed, migrated or compacted, and folio_maybe_dma_pinned() makes writeback and fork treat it as DMA-pinned forever. nr_foll_pin_acquired and nr_foll_pin_released drift apart.",
    wrong:
      'ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\nif (ret < 0)\n\treturn ret;\nif (check(dev))\n\treturn -EINVAL;\t/* pages leak */',
    right:
      'ret = pin_user_pages_fast(uaddr, n, FOLL_WRITE, pages);\nif (ret < 0)\n\treturn ret;\nif (check(dev)) {\n\tunpin_user_pages(pages, ret);\n\treturn -EINVAL;\n}',
    fix: 'No automatic fix: where the release belongs depends on the unwind ladder. The finding carries the leaking path step by step.',
  },
  check,
});

function check({ file, finding }: RuleContext): Finding[] {
  return pageIssueFindings(file, ['leak'], (issue, { op, verb, acquired, related, base }) => {
    if (isPartialOnlyLeak(issue, op)) return null; // partial-pin
    const ret = issue.at;
    related.push({ span: ret.span, message: `${ret.label} without releasing them` });
    return finding({
      span: ret.span,
      related,
      ...base,
      message: `Pages ${verb} by ${acquired} leak on this path${branchText(issue.decisive)}: \`${ret.label}\` (line ${lineOf(file, ret.span)}). ${leakReason(file, issue, op.pages?.node.text)}`,
    });
  });
}

/** Why what the path did with the pages does not count as handing them off. */
function leakReason(file: FileAnalysis, issue: PathIssue, pagesText: string | undefined): string {
  const escaped = issue.events.find((e) => e.kind === 'escape' && e.res?.includes(issue.res.id));
  if (escaped && issue.returnStatus === 'error')
    return `They were ${escaped.label} (line ${lineOf(file, escaped.span)}), but the function returns an error, and by kernel convention a function that fails has released what it took.`;
  if (issue.res.nonLocal && issue.returnStatus === 'error')
    return `They sit in ${pagesText !== undefined ? `\`${pagesText.replace(/\s+/g, ' ')}\`` : 'an object'}, but the function returns an error, and by kernel convention a function that fails has released what it took.`;
  return 'They are neither released nor stored anywhere before the function returns.';
}
