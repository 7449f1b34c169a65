/**
 * Reading a patch or a series of them: a unified diff (`git diff`, `diff -u`), a `git format-patch`
 * file, or several format-patch messages in one mbox (`git format-patch --stdout`), applied in the
 * order they come. The diffs are parsed by jsdiff (`parsePatch`, which reads git's extended
 * headers: new and deleted files, renames, copies); what it does not do is done here — splitting
 * the mbox into messages, the subjects, dropping format-patch's `-- ` signature (jsdiff would read
 * it as a deleted line), and where in the input each hunk starts, for checkpatch-style line numbers.
 */
import { parsePatch, type StructuredPatch } from 'diff';

export interface FileDiff {
  /** Path in the tree before the patch (`a/` taken off), or null for a new file. */
  readonly oldPath: string | null;
  /** Path in the tree after the patch, or null for a deleted file. */
  readonly newPath: string | null;
  readonly diff: StructuredPatch;
  /** 1-based line of the input each hunk's `@@` header is on, or null if they could not be placed. */
  readonly hunkLines: readonly number[] | null;
}

export interface Patch {
  /** 1-based position in the series. */
  readonly number: number;
  /** The mbox Subject, e.g. `[PATCH 2/3] mm: …`; absent for a plain diff. */
  readonly subject?: string;
  readonly files: readonly FileDiff[];
}

export class PatchError extends Error {}

/** `git format-patch` starts each message with this line (the date is fixed on purpose). */
const MBOX_FROM = /^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001$/;
const HUNK_HEADER = /^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@/;

interface Message {
  readonly lines: readonly string[];
  /** 0-based index of its first line in the input. */
  readonly offset: number;
}

function splitMessages(text: string): Message[] {
  const lines = text.split('\n');
  const starts = lines.flatMap((l, i) => (MBOX_FROM.test(l) ? [i] : []));
  if (starts.length === 0) return [{ lines, offset: 0 }];
  return starts.map((start, k) => ({ lines: lines.slice(start, starts[k + 1] ?? lines.length), offset: start }));
}

/** The Subject header, folded lines joined (RFC 5322 §2.2.3). */
function subjectOf(lines: readonly string[]): string | undefined {
  const end = lines.indexOf('');
  const header = lines.slice(0, end < 0 ? lines.length : end);
  const at = header.findIndex((l) => l.startsWith('Subject: '));
  if (at < 0) return undefined;
  let subject = (header[at] as string).slice('Subject: '.length);
  for (let i = at + 1; i < header.length && /^[ \t]/.test(header[i] as string); i++)
    subject += ` ${(header[i] as string).trim()}`;
  return subject.trim();
}

/** Without format-patch's closing signature: a `-- ` line, the git version, blank lines. */
function withoutSignature(lines: readonly string[]): readonly string[] {
  let end = lines.length;
  while (end > 0 && (lines[end - 1] as string).trim() === '') end--;
  const dashes = lines.lastIndexOf('-- ', end - 1);
  return dashes >= 0 && end - dashes <= 2 ? lines.slice(0, dashes) : lines;
}

/** git's `a/` and `b/` prefixes come off (what `git apply` and `patch -p1` do); /dev/null is no file. */
function treePath(name: string | undefined, prefix: 'a/' | 'b/'): string | null {
  if (name === undefined || name === '/dev/null') return null;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

function parseMessage(message: Message, number: number): Patch {
  const lines = withoutSignature(message.lines);
  let diffs: StructuredPatch[];
  try {
    diffs = parsePatch(lines.join('\n'));
  } catch (e) {
    throw new PatchError(`patch ${number}: ${e instanceof Error ? e.message : String(e)}`);
  }
  diffs = diffs.filter((d) => d.oldFileName !== undefined || d.newFileName !== undefined);
  // Hunk headers after the first file header, in order: the same order as jsdiff's hunks.
  const firstHeader = lines.findIndex((l) => l.startsWith('diff ') || l.startsWith('--- '));
  const headers = lines.flatMap((l, i) => (i > firstHeader && HUNK_HEADER.test(l) ? [message.offset + i + 1] : []));
  const placed = headers.length === diffs.reduce((n, d) => n + d.hunks.length, 0);
  let next = 0;
  const files = diffs.map((diff): FileDiff => {
    const hunkLines = placed ? headers.slice(next, next + diff.hunks.length) : null;
    next += diff.hunks.length;
    return {
      oldPath: diff.isCreate ? null : treePath(diff.oldFileName, 'a/'),
      newPath: diff.isDelete ? null : treePath(diff.newFileName, 'b/'),
      diff,
      hunkLines,
    };
  });
  const subject = subjectOf(message.lines);
  return { number, ...(subject !== undefined ? { subject } : {}), files };
}

/** The patches of `text` in order; a `PatchError` when one cannot be parsed or holds no diff. */
export function parseSeries(text: string): Patch[] {
  const patches = splitMessages(text.replace(/\r\n/g, '\n')).map((m, i) => parseMessage(m, i + 1));
  if (patches.every((p) => p.files.length === 0)) throw new PatchError('no diff found in the patch');
  return patches;
}
