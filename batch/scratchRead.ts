/**
 * One read buffer per thread, re-used for every file: a tree-wide run reads 1.3 GB, and a fresh
 * Buffer per file would leave the garbage collector (and RSS) to catch up with it. Linting
 * (lintFile.ts) and the tree index's scan (index/build.ts) read through it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

let scratch = Buffer.allocUnsafe(1 << 20);

/** The buffer the last `readInto` filled (it may have been replaced by a larger one). */
export function scratchBuffer(): Buffer {
  return scratch;
}

/**
 * Reads `file` into the scratch buffer when it is at most `max` bytes; returns the length read,
 * or the file's size when it is larger (nothing is read then).
 */
export function readInto(file: string, max: number): number {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > max) return size; // the caller reports it as too large without reading it
    if (scratch.length < size + 1) scratch = Buffer.allocUnsafe(Math.max(size + 1, scratch.length * 2));
    let length = 0;
    for (;;) {
      const n = readSync(fd, scratch, length, scratch.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === scratch.length) scratch = Buffer.concat([scratch, Buffer.allocUnsafe(scratch.length)]);
    }
    return length;
  } finally {
    closeSync(fd);
  }
}
