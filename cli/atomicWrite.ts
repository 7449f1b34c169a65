/**
 * Replacing a file's contents without ever leaving it half-written: the new bytes go to a
 * temporary file in the same directory, which is fsynced, given the original's mode and owner,
 * and renamed over the original; then the directory is fsynced so the rename itself survives a
 * power cut. rename(2) is atomic, so a reader (or a crash, a full disk, a SIGKILL) sees either the
 * old file or the new one. `writeFileSync` on the original opened it with O_TRUNC, and a full disk
 * or a kill after that open lost the tail or all of it (issue 10, ../shared/repro/fix-*.sh).
 *
 * Just before the rename the file on disk is compared with the bytes the fix was computed from:
 * an edit saved meanwhile (an editor, a `git checkout`) is never overwritten.
 *
 * What a rename does not keep: extended attributes and ACLs, and hard links — the name gets the new
 * inode and other links keep the old text, which is what a `cp -al` kernel tree wants.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { describeFsError } from './fsErrors';

/** Why a file was not written; the original is untouched in every case. */
export class WriteError extends Error {}

export interface AtomicWriteOptions {
  /** The bytes the new contents were computed from; the write is refused if the file no longer has them. */
  readonly expected?: Uint8Array;
}

/** A temporary name next to `target`, recognisable (…pinscope-tmp) if a kill leaves it behind. */
function temporaryName(target: string): string {
  const base = path.basename(target);
  const unique = `${process.pid}-${randomBytes(4).toString('hex')}`;
  // NAME_MAX is 255 bytes on Linux file systems; a long name gets a shorter temporary one.
  const name = Buffer.byteLength(base) > 200 ? `.pinscope-${unique}.tmp` : `.${base}.${unique}.pinscope-tmp`;
  return path.join(path.dirname(target), name);
}

function writeAll(fd: number, data: Uint8Array): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
}

/**
 * Makes the rename durable. Best effort: it runs after the rename, when the new contents are
 * already in place, and some file systems cannot fsync a directory at all (EINVAL).
 */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    // The file is replaced either way; only durability across a power cut is at stake.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function sameBytes(file: string, expected: Uint8Array): boolean {
  return Buffer.from(readFileSync(file)).equals(expected);
}

/**
 * Replaces the contents of `file` (through a symbolic link: the link's target is written and the
 * link stays a link) with `data`. Throws `WriteError` naming the reason; the original is then as
 * it was and no temporary file is left.
 */
export function writeFileAtomically(file: string, data: Uint8Array, options: AtomicWriteOptions = {}): void {
  let target: string;
  let mode: number;
  let uid: number;
  let gid: number;
  try {
    target = realpathSync(file);
    const stat = statSync(target);
    if (!stat.isFile()) throw new WriteError('not a regular file');
    ({ mode, uid, gid } = stat);
  } catch (e) {
    throw e instanceof WriteError ? e : new WriteError(describeFsError(e));
  }
  const temp = temporaryName(target);
  let created = false;
  try {
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    created = true;
    try {
      writeAll(fd, data);
      // Owner before mode: chown clears the set-user-ID and set-group-ID bits.
      if (uid !== process.getuid?.() || gid !== process.getgid?.()) {
        try {
          fchownSync(fd, uid, gid);
        } catch (e) {
          throw new WriteError(`cannot keep the file's owner ${uid}:${gid} (${describeFsError(e)})`);
        }
      }
      fchmodSync(fd, mode & 0o7777);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.expected && !sameBytes(target, options.expected))
      throw new WriteError('it changed on disk while pinscope worked on it');
    renameSync(temp, target);
    created = false;
  } catch (e) {
    if (created) {
      try {
        unlinkSync(temp);
      } catch {
        // Nothing more we can do; the name says what it is.
      }
    }
    throw e instanceof WriteError ? e : new WriteError(describeFsError(e));
  }
  syncDirectory(path.dirname(target));
}
