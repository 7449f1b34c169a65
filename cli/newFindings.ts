/**
 * "What does this change add?": a file's findings after a change, less those it already had before
 * (`lint --since`, `lint --patch`), matched by fingerprint so that findings whose lines merely
 * moved are not new. A finding that occurs once more than before is one new finding.
 */
import { compareWithBaseline } from '../core/index';
import { keepFindings, type FileReport } from './report';

/** `after` with only the findings `before` (the same file before the change; null: a new file) does not have. */
export function newFindings(after: FileReport, before: FileReport | null): FileReport {
  if (before === null || before.findings.length === 0) return after;
  const key = (fingerprint: string) => ({ file: '', fingerprint });
  const { states } = compareWithBaseline(after.fingerprints.map(key), before.fingerprints.map(key));
  return keepFindings(after, (i) => states[i] === 'new');
}
