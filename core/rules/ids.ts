/** Stable rule ids. Changing one breaks users' suppressions and settings: add, never rename. */
export const RULE_IDS = [
  'internal-foll-flag',
  'longterm-get',
  'release-mismatch',
  'api-version',
  'missing-release',
  'partial-pin',
  'double-release',
  'gup-for-dma',
  'gup-result-unsigned',
  'missing-foll-write',
  'missing-longterm',
  'dirty-without-lock',
  'dma-mapping-unchecked',
  'dma-mapping-null-check',
  'dma-map-sg-unchecked',
  'dma-unmap-sg-nents',
  'dma-unmap-mismatch',
  'dma-mapping-leak',
  'dma-double-unmap',
  'dma-on-stack',
  'dma-sync-direction',
  'dma-pool-leak',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(text: string): text is RuleId {
  return (RULE_IDS as readonly string[]).includes(text);
}
