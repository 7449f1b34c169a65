/**
 * What a rule is: an id, what it says about itself (`meta`), and a check that turns one file's
 * analysis into findings — typescript-eslint's `createRule({ name, meta, create })`, cut to what
 * pinscope needs. Each rule lives in `core/rules/<id>.ts`; `core/rules/index.ts` lists them.
 *
 * A rule's `meta` is the only copy of its prose: README's rule table, docs/rules/<id>.md, the
 * `pinscope.rules` settings in package.json (all written by `npm run gen`) and SARIF's
 * tool.driver.rules (built at run time) come from it.
 */
import type { KernelDocKey } from '../../catalog/docs';
import type { FileAnalysis } from '../../fileAnalysis/types';
import type { Linkage } from '../../fileAnalysis/linkage';
import type { Finding, Severity } from '../../findings';
import { buildFinding, type FindingInput } from './finding';

export type RuleGroup = 'gup' | 'path' | 'dma';

export interface RuleMeta {
  readonly title: string;
  readonly severity: Severity;
  readonly group: RuleGroup;
  /** One sentence: what is wrong. Used as SARIF fullDescription and in the rule page. */
  readonly description: string;
  /** The kernel documentation section the rule follows (its link is every finding's docsUrl). */
  readonly doc: KernelDocKey;
  /** Whether pinscope can fix it: safely (applied by --fix / fixAll), offered only, or not at all. */
  readonly fixable: 'safe' | 'offered' | 'none';
  /** The rule page: what it catches, why it matters, a wrong and a right example, the fix. */
  readonly catches: string;
  readonly why: string;
  readonly wrong: string;
  readonly right: string;
  readonly fix: string;
}

/** What a check gets: the file, its cross-function linkage, and a builder for this rule's findings. */
export interface RuleContext {
  readonly file: FileAnalysis;
  readonly linkage: Linkage;
  /**
   * A finding of this rule: severity, documentation link and line/column ranges filled in. A
   * function property, not a method: it uses no `this`, so checks may destructure it.
   */
  readonly finding: (input: FindingInput) => Finding;
}

export interface RuleDefinition<Id extends string> {
  /** Stable: users' settings and `pinscope-ignore` comments name it. Add, never rename. */
  readonly id: Id;
  readonly meta: RuleMeta;
  /**
   * The rule's findings in one file, in any order (lint sorts them). Give it its parameter and
   * return types (`check(ctx: RuleContext): Finding[]`): the rule id type is derived from the
   * rule list, and an unannotated check would make TypeScript read its body to type the list.
   */
  check(ctx: RuleContext): Finding[];
}

export interface Rule<Id extends string = string> {
  readonly id: Id;
  readonly meta: RuleMeta;
  /** Runs the check on one file. */
  run(file: FileAnalysis, linkage: Linkage): Finding[];
}

export function defineRule<const Id extends string>(definition: RuleDefinition<Id>): Rule<Id> {
  const { id, meta } = definition;
  return {
    id,
    meta,
    run: (file, linkage) =>
      definition.check({ file, linkage, finding: (input) => buildFinding(file, id, meta, input) }),
  };
}
