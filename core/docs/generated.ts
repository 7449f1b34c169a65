/**
 * Every file `npm run gen` writes, rendered from the rule list: the rule pages, README's rule
 * table, package.json's per-rule settings and the client's rule summaries. Plain text in, plain
 * text out: scripts/generate.ts writes the result, test/unit/generated.test.ts compares it with
 * the checked-in files.
 */
import { RULES, rulePagePath } from '../rules/index';
import { renderRulePage, withReadmeRules } from './ruleDocs';
import { renderRuleSummaries, RULE_SUMMARIES_PATH, withRuleSettings } from './ruleSettings';

export interface GeneratedFile {
  /** Relative to the repository root, with forward slashes. */
  readonly path: string;
  readonly text: string;
}

/** The hand-written files generation edits a part of. */
export interface GenerationInputs {
  readonly readme: string;
  readonly packageJson: string;
}

/** The folder whose every file is a generated rule page (a page without a rule is stale). */
export const RULE_PAGES_DIR = 'docs/rules';

export function generatedFiles(inputs: GenerationInputs): GeneratedFile[] {
  return [
    ...RULES.map((rule) => ({ path: rulePagePath(rule.id), text: renderRulePage(rule) })),
    { path: 'README.md', text: withReadmeRules(inputs.readme) },
    { path: 'package.json', text: withRuleSettings(inputs.packageJson) },
    { path: RULE_SUMMARIES_PATH, text: renderRuleSummaries() },
  ];
}
