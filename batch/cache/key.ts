/**
 * The cache key of a run's configuration: everything besides a file's own bytes (and the
 * cross-file facts it used, which each entry lists) that can change what `lint` says about the
 * file. Two runs share cached results only when all of it is equal; any difference — a rule
 * turned off, a severity, the kernel version, the budgets, the size limit, another build of
 * pinscope — gives another key, and so a cold cache.
 */
import { createHash } from 'node:crypto';
import type { FileLintRequest } from '../lintFile';

/** Bumped when the entry format changes: older entries are then simply never looked at. */
export const CACHE_FORMAT = 1;

export interface Build {
  /** The package version (package.json). */
  readonly version: string;
  /** What identifies the code itself: a hash of the bundles that lint (see cli/buildId.ts). */
  readonly id: string;
}

/** Object keys sorted, so that the same settings in another order give the same key. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

export function configKey(request: FileLintRequest, build: Build): string {
  const { lint, maxBytes, budget } = request;
  // Only plain settings: a budget's clock is a function and is replaced per file anyway.
  const analysisBudget = lint.budget ? { ...lint.budget, now: undefined, deadline: undefined } : null;
  const settings = {
    format: CACHE_FORMAT,
    version: build.version,
    build: build.id,
    kernelVersion: lint.kernelVersion,
    rules: lint.rules ?? {},
    analysisBudget,
    maxBytes: maxBytes ?? null,
    budget: budget ?? null,
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(settings)))
    .digest('hex');
}
