/**
 * gup-result-unsigned — GUP returns -errno on failure ("Returns either number of pages pinned …
 * or -errno", mm/gup.c); in an unsigned variable the error becomes a huge page count.
 */
import type { Finding } from '../findings';
import { fnName, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

export const gupResultUnsigned = defineRule({
  id: 'gup-result-unsigned',
  meta: {
    title: 'GUP result stored in an unsigned variable',
    severity: 'warning',
    group: 'path',
    doc: 'gupKernelDoc',
    fixable: 'none',
    description: 'The result of a GUP call is stored in an unsigned variable, so a negative errno is lost.',
    catches: '`unsigned int n = get_user_pages_fast(...)`, `size_t ret = pin_user_pages(...)` and the like.',
    why: 'GUP returns -errno on failure. In an unsigned variable -EFAULT becomes a huge page count: `n < 0` is never true, the error path is dead, and a later unpin_user_pages(pages, n) walks off the array.',
    wrong:
      'unsigned int pinned;\npinned = pin_user_pages_fast(addr, n, FOLL_WRITE, pages);\nif (pinned < 0)\t/* never true */\n\treturn pinned;',
    right: 'long pinned;\npinned = pin_user_pages_fast(addr, n, FOLL_WRITE, pages);\nif (pinned < 0)\n\treturn pinned;',
    fix: 'Declare the variable as `long` (or `int` for the *_fast variants).',
  },
  check,
});

function check({ linkage, finding }: RuleContext): Finding[] {
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
      finding({
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
