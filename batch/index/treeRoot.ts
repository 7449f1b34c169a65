/**
 * Which tree a path belongs to, for the tree index: the kernel tree around it (the folder of the
 * first Makefile above it with VERSION and PATCHLEVEL), else the folder itself (or a file's
 * folder). A real path, so that one tree has one index however it is named.
 */
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { detectKernelVersion } from '../kernelTree';

export function treeRootOf(start: string): string {
  const found = detectKernelVersion(start).source;
  if (found) return realpathSync(path.dirname(found));
  const resolved = path.resolve(start);
  try {
    return realpathSync(statSync(resolved).isDirectory() ? resolved : path.dirname(resolved));
  } catch {
    return path.dirname(resolved);
  }
}

/** Whether `p` lies inside `root` (or is it). */
export function isInside(p: string, root: string): boolean {
  let real: string;
  try {
    real = realpathSync(p);
  } catch {
    return false;
  }
  const rel = path.relative(root, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
