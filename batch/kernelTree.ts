/**
 * The kernel version of the tree a file lives in: the top-level Makefile's VERSION and PATCHLEVEL
 * (`VERSION = 6` / `PATCHLEVEL = 12`). A Makefile counts as the kernel's when it has both.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { NEWEST_KNOWN, parseKernelVersion, type KernelVersion } from '../core/index';

export interface DetectedVersion {
  readonly version: KernelVersion;
  /** The Makefile it came from, or null for the default. */
  readonly source: string | null;
}

function versionFromMakefile(text: string): KernelVersion | null {
  const version = /^VERSION\s*=\s*(\d+)\s*$/m.exec(text);
  const patch = /^PATCHLEVEL\s*=\s*(\d+)\s*$/m.exec(text);
  if (!version || !patch) return null;
  return { major: Number(version[1]), minor: Number(patch[1]) };
}

/** Walks up from `start` (a file or directory) to the first directory whose Makefile is a kernel's. */
function findKernelMakefile(start: string): { makefile: string; version: KernelVersion } | null {
  let dir = path.resolve(start);
  try {
    if (!statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir);
  }
  for (;;) {
    const makefile = path.join(dir, 'Makefile');
    if (existsSync(makefile)) {
      try {
        const head = readFileSync(makefile, 'utf8').slice(0, 4096);
        const version = versionFromMakefile(head);
        if (version) return { makefile, version };
      } catch {
        // unreadable Makefile: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export function detectKernelVersion(start: string | undefined): DetectedVersion {
  const found = start ? findKernelMakefile(start) : null;
  if (found) return { version: found.version, source: found.makefile };
  return { version: parseKernelVersion(NEWEST_KNOWN) as KernelVersion, source: null };
}
