/**
 * Rule documentation rendered from the rule table: one page per rule (docs/rules/<id>.md) and the
 * rule list in README.md. `npm run docs` writes them; test/unit/ruleTable.test.ts fails when a
 * checked-in copy differs from what the table says.
 */
import { KERNEL_DOCS } from '../catalog/docs';
import { allRules, rulePagePath, type RuleMeta } from '../rules/table';

const FIXABLE: Record<RuleMeta['fixable'], string> = {
  safe: 'yes — applied by `pinscope lint --fix` and `source.fixAll.pinscope`',
  offered: 'offered as a quick fix; never applied automatically',
  none: 'no automatic fix',
};

const GROUP: Record<RuleMeta['group'], string> = {
  gup: 'GUP/pin API use (function-local)',
  path: 'path-sensitive (found on one path through the function)',
  dma: 'DMA API',
};

export function renderRulePage(rule: RuleMeta): string {
  const doc = KERNEL_DOCS[rule.doc];
  return `<!-- Generated from core/rules/table.ts by \`npm run docs\`; edit the table, not this file. -->
# \`${rule.id}\`: ${rule.title}

| | |
|---|---|
| Default severity | ${rule.severity} |
| Kind | ${GROUP[rule.group]} |
| Fix | ${FIXABLE[rule.fixable]} |
| Kernel documentation | [${doc.title}](${doc.url}) |
| Example | [\`examples/${rule.id}.c\`](../../examples/${rule.id}.c) |

${rule.description}

## What it catches

${rule.catches}

## Why it matters

${rule.why}

## Wrong

\`\`\`c
${rule.wrong}
\`\`\`

## Right

\`\`\`c
${rule.right}
\`\`\`

## The fix

${rule.fix}

## Configuring it

\`\`\`jsonc
// .vscode/settings.json
"pinscope.rules": { "${rule.id}": { "severity": "${rule.severity === 'error' ? 'warning' : 'error'}" } }   // or { "enabled": false }
\`\`\`

On the command line: \`pinscope lint --rule ${rule.id}=off\`. In code: a \`/* pinscope-ignore ${rule.id} */\`
comment on the line (or the line above) silences one finding.
`;
}

export const README_RULES_START = '<!-- rules:start (generated from core/rules/table.ts by `npm run docs`) -->';
export const README_RULES_END = '<!-- rules:end -->';

export function renderReadmeRules(): string {
  const rows = allRules().map(
    (r) =>
      `| [\`${r.id}\`](${rulePagePath(r.id)}) | ${r.severity} | ${r.fixable === 'safe' ? 'safe' : r.fixable === 'offered' ? 'offered' : '—'} | ${r.title} |`,
  );
  return [
    README_RULES_START,
    '| Rule | Default | Fix | What it finds |',
    '|---|---|---|---|',
    ...rows,
    README_RULES_END,
  ].join('\n');
}

/** README with its rule list replaced by the rendered one (markers must be present). */
export function withReadmeRules(readme: string): string {
  const start = readme.indexOf(README_RULES_START);
  const end = readme.indexOf(README_RULES_END);
  if (start < 0 || end < start) throw new Error('README.md: rule list markers not found');
  return readme.slice(0, start) + renderReadmeRules() + readme.slice(end + README_RULES_END.length);
}
