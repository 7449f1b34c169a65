/**
 * The rule registry: every rule is a function from a file's analysis to findings. Order here is
 * the order rules run in; findings are sorted by position afterwards.
 */
import type { FileAnalysis } from '../analysis/file';
import type { Linkage } from '../analysis/linkage';
import type { Finding } from '../findings';
import { apiVersion } from './apiVersion';
import { internalFollFlag } from './internalFollFlag';
import { longtermGet } from './longtermGet';
import { releaseMismatch } from './releaseMismatch';

export type Rule = (file: FileAnalysis, linkage: Linkage) => Finding[];

export const RULES: readonly Rule[] = [internalFollFlag, longtermGet, releaseMismatch, apiVersion];
