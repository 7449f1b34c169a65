/**
 * The rule list: the only place rules are named. Rule ids, the metadata lookup, SARIF's rule list,
 * README's rule table, docs/rules/ and package.json's `pinscope.rules` settings (the last three by
 * `npm run gen`) all come from it. Adding a rule: DEVELOPING.md, "Adding a rule".
 *
 * The order is the order of README's table, SARIF's tool.driver.rules and the settings; findings
 * are sorted by position whatever it is.
 */
import { KERNEL_DOCS } from '../catalog/docs';
import { apiVersion } from './api-version';
import { dirtyWithoutLock } from './dirty-without-lock';
import { dmaDoubleUnmap } from './dma-double-unmap';
import { dmaMapSgUnchecked } from './dma-map-sg-unchecked';
import { dmaMappingLeak } from './dma-mapping-leak';
import { dmaMappingNullCheck } from './dma-mapping-null-check';
import { dmaMappingUnchecked } from './dma-mapping-unchecked';
import { dmaOnStack } from './dma-on-stack';
import { dmaPoolLeak } from './dma-pool-leak';
import { dmaSyncDirection } from './dma-sync-direction';
import { dmaUnmapMismatch } from './dma-unmap-mismatch';
import { dmaUnmapSgNents } from './dma-unmap-sg-nents';
import { doubleRelease } from './double-release';
import { gupForDma } from './gup-for-dma';
import { gupResultUnsigned } from './gup-result-unsigned';
import { internalFollFlag } from './internal-foll-flag';
import { longtermGet } from './longterm-get';
import { missingFollWrite } from './missing-foll-write';
import { missingLongterm } from './missing-longterm';
import { missingRelease } from './missing-release';
import { partialPin } from './partial-pin';
import { releaseMismatch } from './release-mismatch';
import type { RuleMeta } from './support/rule';

export const RULES = [
  internalFollFlag,
  longtermGet,
  releaseMismatch,
  apiVersion,
  missingRelease,
  partialPin,
  doubleRelease,
  gupForDma,
  gupResultUnsigned,
  missingFollWrite,
  missingLongterm,
  dirtyWithoutLock,
  dmaMappingUnchecked,
  dmaMappingNullCheck,
  dmaMapSgUnchecked,
  dmaUnmapSgNents,
  dmaUnmapMismatch,
  dmaMappingLeak,
  dmaDoubleUnmap,
  dmaOnStack,
  dmaSyncDirection,
  dmaPoolLeak,
] as const;

/** Stable rule ids. Changing one breaks users' suppressions and settings: add, never rename. */
export type RuleId = (typeof RULES)[number]['id'];

export const RULE_IDS: readonly RuleId[] = RULES.map((r) => r.id);

export type { RuleMeta } from './support/rule';

const byId = new Map<string, RuleMeta>(RULES.map((r) => [r.id, r.meta]));

export function isRuleId(text: string): text is RuleId {
  return byId.has(text);
}

export function ruleMeta(id: RuleId): RuleMeta {
  return byId.get(id) as RuleMeta;
}

/** The kernel documentation section the rule follows. */
export function ruleDocsUrl(id: RuleId): string {
  return KERNEL_DOCS[ruleMeta(id).doc].url;
}

/** Where the rule's own page lives in the repository (docs/rules/<id>.md). */
export function rulePagePath(id: RuleId): string {
  return `docs/rules/${id}.md`;
}
