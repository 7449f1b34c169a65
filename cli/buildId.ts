/**
 * What identifies this build of pinscope for the result cache: the package version does not change
 * when the rules do (every commit of a checkout is "0.1.0"), so the cache is keyed by the bytes of
 * the code that lints as well — the running bundle and the worker bundle, about 1.5 MB, hashed in
 * a few milliseconds once per run.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Build } from '../batch/cache/key';
import { VERSION } from './version';

export function currentBuild(workerScript: string): Build {
  const hash = createHash('sha256');
  for (const file of [__filename, workerScript]) {
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update(`missing:${file}`); // the in-process path (no worker bundle): still a stable key
    }
    hash.update('\0');
  }
  return { version: VERSION, id: hash.digest('hex') };
}
