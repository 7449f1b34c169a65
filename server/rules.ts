/**
 * The rule list as the client shows it (the Show Rule Documentation picker): plain data that
 * `npm run gen` writes from core's rule list into shared/ruleSummaries.json, so the client bundles
 * neither core nor the rules' code.
 */
import summaries from '../shared/ruleSummaries.json';

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
  return summaries.map((s) => ({ ...s }));
}

export function ruleSummary(id: string): RuleSummary | undefined {
  return ruleSummaries().find((r) => r.id === id);
}
