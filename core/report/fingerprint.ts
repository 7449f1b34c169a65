/**
 * Fingerprints: what says "the same finding" across two versions of a file, so that `lint --since`,
 * `lint --patch` and `lint --baseline` report only what is new, and code-scanning services keep an
 * alert's history while unrelated lines move (SARIF 2.1.0 §3.27.17 partialFingerprints).
 *
 * A finding's fingerprint is a hash of
 *  - its rule and the function it is in,
 *  - its message with line references taken out ("(line 143)" becomes "(line #)"), because the
 *    message names the lines of the acquire, the first release, … and those move with the code,
 *  - the text of the flagged line with all whitespace removed (re-indenting is not a change),
 * followed by `:N`, the finding's occurrence among the file's findings with the same hash, in
 * position order (GitHub's primaryLocationLineHash does the same). Two identical findings in one
 * function thus stay two, and a third copy added by a patch is one new finding, not zero.
 *
 * What it does not survive, on purpose: renaming the function, editing the flagged line, or a
 * change to what the message says (another API, another variable).
 */
import { createHash } from 'node:crypto';
import type { Finding } from '../findings';
import { LineIndex } from '../text/lineIndex';

/** The partialFingerprints key; bumped whenever the recipe above changes. */
export const FINGERPRINT_KEY = 'pinscope/v2';

/** "line 143", "lines 12-14", "(208:44)": references to places that move with unrelated edits. */
const LINE_REFERENCE = /\blines? \d+(?:[-–]\d+)?|\b\d+:\d+\b/g;

export function normaliseMessage(message: string): string {
  return message.replace(LINE_REFERENCE, (m) => (m.startsWith('line') ? m.replace(/\d+(?:[-–]\d+)?/, '#') : '#:#'));
}

function baseHash(finding: Finding, lines: LineIndex): string {
  const lineText = lines.lineText(finding.range.line).replace(/\s+/g, '');
  return createHash('sha256')
    .update(`${finding.rule}\0${finding.function ?? ''}\0${normaliseMessage(finding.message)}\0${lineText}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * The fingerprints of one file's findings, in the order given. `text` is the file the findings'
 * ranges refer to. Occurrence numbers follow position order, whatever order the findings come in.
 */
export function fingerprintFindings(findings: readonly Finding[], text: string, lines = new LineIndex(text)): string[] {
  const hashes = findings.map((f) => baseHash(f, lines));
  const order = findings
    .map((_, i) => i)
    .sort((a, b) => {
      const x = (findings[a] as Finding).span;
      const y = (findings[b] as Finding).span;
      return x.start - y.start || x.end - y.end || a - b;
    });
  const seen = new Map<string, number>();
  const out: string[] = new Array<string>(findings.length);
  for (const i of order) {
    const hash = hashes[i] as string;
    const n = seen.get(hash) ?? 0;
    seen.set(hash, n + 1);
    out[i] = `${hash}:${n}`;
  }
  return out;
}
