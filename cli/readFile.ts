/**
 * Reading a file the user named, safely: the type and size are checked on the open descriptor
 * before a byte is read. `readFileSync('/dev/zero')` grows without bound and opening a FIFO blocks
 * until a writer comes; here both are an error that names the file. The open is O_NONBLOCK so a
 * FIFO's open returns at once (the flag does nothing for regular files).
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { decodeSource, type Decoded } from '../batch/source';
import { describeFsError } from './fsErrors';

export class ReadError extends Error {}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** The whole of `file`, which must be a regular file of at most `maxBytes`; else a `ReadError`. */
function readRegularFile(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new ReadError(`cannot read: ${describeFsError(e)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ReadError('not a regular file');
    const tooLarge = (size: number): ReadError =>
      new ReadError(`${formatSize(size)} is over the ${formatSize(maxBytes)} analysis limit (--max-file-size)`);
    if (stat.size > maxBytes) throw tooLarge(stat.size);
    // Read until end of file, not just stat's size: the file may be growing while we read it.
    let buffer = Buffer.allocUnsafe(stat.size + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) throw tooLarge(length);
      if (length === buffer.length)
        buffer = Buffer.concat([buffer, Buffer.alloc(Math.min(buffer.length, maxBytes + 1 - buffer.length))]);
    }
    return buffer.subarray(0, length);
  } catch (e) {
    throw e instanceof ReadError ? e : new ReadError(`cannot read: ${describeFsError(e)}`);
  } finally {
    closeSync(fd);
  }
}

export interface SourceFile {
  /** The bytes on disk, exactly. */
  readonly bytes: Buffer;
  readonly decoded: Decoded & { readonly ok: true };
}

/** A C or trace file as bytes and text; binary data or a file over the limit is a `ReadError`. */
export function readSource(file: string, maxBytes: number): SourceFile {
  const bytes = readRegularFile(file, maxBytes);
  const decoded = decodeSource(bytes, maxBytes);
  if (!decoded.ok) throw new ReadError(decoded.message);
  return { bytes, decoded };
}
