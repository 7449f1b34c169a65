/**
 * Rule documentation rendered from the rule list: one page per rule (docs/rules/<id>.md) and the
 * rule table in README.md. `npm run gen` writes them; test/unit/generated.test.ts fails when a
 * checked-in copy differs from what the rules say.
 */
import { KERNEL_DOCS } from '../catalog/docs';
import { RULES, rulePagePath, type RuleMeta } from '../rules/index';
import type { Rule } from '../rules/support/rule';

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

export function renderRulePage({ id, meta: rule }: Rule): string {
  const doc = KERNEL_DOCS[rule.doc];
  return `<!-- Generated from core/rules/${id}.ts by \`npm run gen\`; edit the rule, not this file. -->
# \`${id}\`: ${rule.title}

| | |
|---|---|
| Default severity | ${rule.severity} |
| Kind | ${GROUP[rule.group]} |
| Fix | ${FIXABLE[rule.fixable]} |
| Kernel documentation | [${doc.title}](${doc.url}) |
| Example | [\`examples/${id}.c\`](../../examples/${id}.c) |

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
"pinscope.rules": { "${id}": { "severity": "${rule.severity === 'error' ? 'warning' : 'error'}" } }   // or { "enabled": false }
\`\`\`

On the command line: \`pinscope lint --rule ${id}=off\`. In code: a \`/* pinscope-ignore ${id} */\`
comment on the line (or the line above) silences one finding.
`;
}

const README_RULES_START = '<!-- rules:start (generated from core/rules/ by `npm run gen`) -->';
const README_RULES_END = '<!-- rules:end -->';

function renderReadmeRules(): string {
  const rows = RULES.map(
    ({ id, meta: r }) =>
      `| [\`${id}\`](${rulePagePath(id)}) | ${r.severity} | ${r.fixable === 'safe' ? 'safe' : r.fixable === 'offered' ? 'offered' : '—'} | ${r.title} |`,
  );
  return [
    README_RULES_START,
    '| Rule | Default | Fix | What it finds |',
    '|---|---|---|---|',
    ...rows,
    README_RULES_END,
  ].join('\n');
}

/** README with its rule table replaced by the rendered one (the start marker may be an older wording). */
export function withReadmeRules(readme: string): string {
  const start = readme.indexOf(README_RULES_START.slice(0, README_RULES_START.indexOf(' (')));
  const end = readme.indexOf(README_RULES_END);
  if (start < 0 || end < start)
    throw new Error('README.md: rule table markers (<!-- rules:start … --> … <!-- rules:end -->) not found');
  return readme.slice(0, start) + renderReadmeRules() + readme.slice(end + README_RULES_END.length);
}
