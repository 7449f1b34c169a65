/**
 * `lint --since REV [PATH...]`: the C files that differ between git revision REV and the work tree
 * (committed, staged or not, and untracked files git does not ignore), and each one's bytes at REV
 * (`git cat-file blob REV:path`, in memory) so that its findings there can be subtracted.
 * Renames are followed (`git diff -M`): a moved file's findings are compared with its old self.
 */
import path from 'node:path';
import { compareWalkOrder } from '../batch/files';
import { git, zFields } from './git';
import { UsageError } from './options';

export interface ChangedFile {
  /** Absolute path in the work tree. */
  readonly file: string;
  /** Its path at REV relative to the repository's top, or null for a file added since. */
  readonly oldPath: string | null;
}

export interface SinceChanges {
  readonly top: string;
  readonly rev: string;
  readonly files: readonly ChangedFile[];
}

const C_FILE = /\.[ch]$/;

/** `git diff --name-status -z` records: `M path`, `A path`, `R100 old new`, `C75 old new`, … */
function parseNameStatus(fields: readonly string[], top: string): ChangedFile[] {
  const out: ChangedFile[] = [];
  for (let i = 0; i < fields.length;) {
    const status = fields[i++] as string;
    const twoPaths = status.startsWith('R') || status.startsWith('C');
    const first = fields[i++] as string;
    const second = twoPaths ? (fields[i++] as string) : first;
    if (status.startsWith('D')) continue;
    const oldPath = status.startsWith('A') ? null : first;
    out.push({ file: path.join(top, second), oldPath });
  }
  return out;
}

export function changedSince(rev: string, paths: readonly string[], cwd: string): SinceChanges {
  const top = git(['rev-parse', '--show-toplevel'], { cwd }).toString('utf8').trim();
  try {
    git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd });
  } catch {
    throw new UsageError(`--since ${rev}: not a commit in the repository at ${top}`);
  }
  const pathspec = ['--', ...paths];
  const diffed = zFields(git(['diff', '--name-status', '-z', '-M', '--no-ext-diff', rev, ...pathspec], { cwd }));
  const untracked = zFields(
    git(['ls-files', '-z', '--others', '--exclude-standard', '--full-name', ...pathspec], { cwd }),
  );
  const files = [
    ...parseNameStatus(diffed, top),
    ...untracked.map((p) => ({ file: path.join(top, p), oldPath: null })),
  ].filter((f) => C_FILE.test(f.file));
  files.sort((a, b) => compareWalkOrder(a.file, b.file));
  return { top, rev, files };
}

/** The file's bytes at REV, or null when they are more than `maxBytes`. */
export function bytesAt(changes: SinceChanges, oldPath: string, maxBytes: number): Buffer | null {
  const size = Number(
    git(['cat-file', '-s', `${changes.rev}:${oldPath}`], { cwd: changes.top })
      .toString()
      .trim(),
  );
  if (!(size <= maxBytes)) return null;
  return git(['cat-file', 'blob', `${changes.rev}:${oldPath}`], { cwd: changes.top, maxBuffer: maxBytes + 1 });
}
