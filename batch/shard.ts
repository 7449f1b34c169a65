/**
 * `lint --shard I/N`: a stable split of a run's files for CI matrices. A file's shard is a hash of
 * its path as the reports show it (relative to the working directory, `/`-separated), so it does
 * not depend on which other files exist: adding or removing a file never moves another file to
 * another shard, and every machine that checks the tree out at the same place splits it alike.
 */
import { createHash } from 'node:crypto';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** `I/N` with 1 ≤ I ≤ N ≤ 1024, or null. */
export function parseShard(text: string): Shard | null {
  const m = /^(\d{1,4})\/(\d{1,4})$/.exec(text);
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return index >= 1 && count >= 1 && count <= 1024 && index <= count ? { index, count } : null;
}

/** The shard (1-based) of a file whose report path is `reportPath`: SHA-1's first 32 bits, modulo N. */
export function shardOf(reportPath: string, count: number): number {
  const digest = createHash('sha1').update(reportPath, 'utf8').digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/** The files of `shard`, in their order; `reportPath` gives each file's path as reports show it. */
export function selectShard(files: readonly string[], shard: Shard, reportPath: (file: string) => string): string[] {
  return files.filter((f) => shardOf(reportPath(f), shard.count) === shard.index);
}
