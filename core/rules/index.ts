/**
 * The rule registry: every rule is a function from a file's analysis to findings. Order here is
 * the order rules run in; findings are sorted by position afterwards.
 */
import type { FileAnalysis } from '../analysis/file';
import type { Linkage } from '../analysis/linkage';
import type { Finding } from '../findings';
import type { RuleId } from './ids';
import { apiVersion } from './apiVersion';
import { internalFollFlag } from './internalFollFlag';
import { longtermGet } from './longtermGet';
import { pathRules } from './pathRules';
import { dirtyWithoutLock, gupForDma, gupResultUnsigned, missingFollWrite, missingLongterm } from './useRules';
import { dmaRules } from './dmaRules';
import { releaseMismatch } from './releaseMismatch';

export type Rule = (file: FileAnalysis, linkage: Linkage) => Finding[];

export const RULES: readonly Rule[] = [
  internalFollFlag,
  longtermGet,
  releaseMismatch,
  apiVersion,
  pathRules,
  gupForDma,
  gupResultUnsigned,
  missingFollWrite,
  missingLongterm,
  dirtyWithoutLock,
  dmaRules,
];

/** The rule ids the registry can produce today (the eval scores only these). */
export const IMPLEMENTED_RULES: readonly RuleId[] = [
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
];
