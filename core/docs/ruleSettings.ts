/**
 * What editors learn about the rules without running them: package.json's `pinscope.rules`
 * settings schema (VS Code validates and completes users' settings with it), and the rule summaries
 * the client's Show Rule Documentation picker lists (plain data in shared/, so the client bundles
 * no rule code). Both are written by `npm run gen` from the rule list, as rust-analyzer generates its
 * settings; test/unit/generated.test.ts fails when a checked-in copy is stale.
 */
import { RULES, ruleDocsUrl, rulePagePath } from '../rules/index';

/** One entry of `contributes.configuration.properties["pinscope.rules"].properties`. */
function ruleSetting(title: string, severity: string): object {
  return {
    type: 'object',
    markdownDescription: `**${title}** (default: ${severity})`,
    properties: {
      enabled: { type: 'boolean' },
      severity: { type: 'string', enum: ['error', 'warning', 'info'] },
    },
    additionalProperties: false,
  };
}

interface PackageJson {
  contributes?: { configuration?: { properties?: Record<string, { properties?: Record<string, unknown> }> } };
}

/**
 * package.json with its per-rule settings replaced by the rendered ones, in the layout npm and
 * prettier keep (two-space JSON, trailing newline).
 */
export function withRuleSettings(packageJson: string): string {
  const pkg = JSON.parse(packageJson) as PackageJson;
  const block = pkg.contributes?.configuration?.properties?.['pinscope.rules'];
  if (!block) throw new Error('package.json: contributes.configuration.properties["pinscope.rules"] not found');
  block.properties = Object.fromEntries(RULES.map(({ id, meta }) => [id, ruleSetting(meta.title, meta.severity)]));
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * Where the client's rule summaries live: in shared/, which client and server may read and core
 * does not (so the client bundle takes no code from core to list the rules).
 */
export const RULE_SUMMARIES_PATH = 'shared/ruleSummaries.json';

/** The rule summaries as JSON text: id, title, default severity, description, rule page, kernel doc. */
export function renderRuleSummaries(): string {
  const summaries = RULES.map(({ id, meta }) => ({
    id,
    title: meta.title,
    severity: meta.severity,
    description: meta.description,
    page: rulePagePath(id),
    docsUrl: ruleDocsUrl(id),
  }));
  return `${JSON.stringify(summaries, null, 2)}\n`;
}
