/**
 * The rule list as the client shows it (the Show Rule Documentation picker): plain data out of
 * core's rule table, so the client needs no import of core.
 */
import { allRules, isRuleId, ruleDocsUrl, rulePagePath } from '../core/index';

export interface RuleSummary {
  readonly id: string;
  readonly title: string;
  readonly severity: string;
  readonly description: string;
  /** docs/rules/<id>.md, relative to the extension (the package ships docs/rules/). */
  readonly page: string;
  /** The kernel documentation section the rule follows. */
  readonly docsUrl: string;
}

export function ruleSummaries(): RuleSummary[] {
  return allRules().map((r) => ({
    id: r.id,
    title: r.title,
    severity: r.severity,
    description: r.description,
    page: rulePagePath(r.id),
    docsUrl: ruleDocsUrl(r.id),
  }));
}

export function ruleSummary(id: string): RuleSummary | undefined {
  return isRuleId(id) ? ruleSummaries().find((r) => r.id === id) : undefined;
}
