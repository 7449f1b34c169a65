/**
 * The result cache on disk, one small JSON file per linted file (like `eslint --cache`, but an entry
 * per file rather than one file for the run, so that two runs sharing the cache never overwrite
 * each other's work and a run never holds the whole cache in memory):
 *
 *   <dir>/results-v<FORMAT>/<configKey[0..16)>/<name[0..2)>/<name>.json,  name = sha256(configKey, path)
 *
 * An entry holds what `lintFileFromDisk` returned for the file, with the sha-256 of the bytes it was
 * computed from and the hash of the cross-file facts its analysis saw (`facts`). It is taken only
 * when both still hold: any edit to the file, or to a fact it saw, makes it a miss, and the
 * fresh result replaces it. A changed configuration or build is another folder (key.ts).
 *
 * Writes go to a unique temporary name in the entry's folder and are renamed over it: rename(2) is
 * atomic, so a reader — another run sharing the cache included — sees a whole old entry or a whole
 * new one, never a torn one. No fsync: after a power cut an entry may be empty or lost, which is a
 * miss (or a corrupt entry, ignored with a note), never a wrong result. An entry that does not read
 * back as one (a torn disk block, a hand edit) is a miss as well, counted as `corrupt`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AnalysisNote, Finding } from '../../core/index';
import type { Encoding } from '../source';
import { CACHE_FORMAT } from './key';

/** What a worker needs to use the cache: plain data, sent with each batch. */
export interface CacheSpec {
  readonly dir: string;
  readonly key: string;
}

/** The part of a file's lint result an entry keeps (its path comes from the run). */
export interface CachedResult {
  readonly findings: readonly Finding[];
  readonly notes: readonly AnalysisNote[];
  readonly encoding?: Encoding;
  readonly problem?: string;
}

interface Entry extends CachedResult {
  readonly format: number;
  readonly key: string;
  readonly path: string;
  readonly content: string;
  /**
   * The hash of the cross-file facts (other files' summaries and macros, batch/index/) the file's
   * analysis saw; '' when it saw none.
   */
  readonly facts: string;
}

export type Lookup =
  | { readonly kind: 'hit'; readonly content: string; readonly result: CachedResult }
  | { readonly kind: 'miss' | 'corrupt'; readonly content: string };

function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function entryPath(spec: CacheSpec, file: string): string {
  const name = createHash('sha256').update(spec.key).update('\0').update(path.resolve(file)).digest('hex');
  return path.join(spec.dir, `results-v${CACHE_FORMAT}`, spec.key.slice(0, 16), name.slice(0, 2), `${name}.json`);
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** Shape check of what JSON.parse gave: enough that using it cannot throw later. */
function isEntry(x: unknown): x is Entry {
  if (!isObject(x)) return false;
  return (
    x.format === CACHE_FORMAT &&
    typeof x.key === 'string' &&
    typeof x.path === 'string' &&
    typeof x.content === 'string' &&
    typeof x.facts === 'string' &&
    Array.isArray(x.findings) &&
    x.findings.every((f) => isObject(f) && typeof f.rule === 'string' && isObject(f.span) && isObject(f.range)) &&
    Array.isArray(x.notes) &&
    x.notes.every((n) => isObject(n) && typeof n.kind === 'string' && typeof n.message === 'string') &&
    (x.encoding === undefined || x.encoding === 'utf-8' || x.encoding === 'latin1') &&
    (x.problem === undefined || typeof x.problem === 'string')
  );
}

/**
 * The cached result of `file` with these bytes, if the cache has one that still holds: made from
 * the same bytes, with the same cross-file facts (`facts`, their hash now).
 */
export function lookup(spec: CacheSpec, file: string, bytes: Uint8Array, facts = ''): Lookup {
  const content = contentHash(bytes);
  let text: string;
  try {
    text = readFileSync(entryPath(spec, file), 'utf8');
  } catch {
    return { kind: 'miss', content }; // none yet (or unreadable: then the write will say so)
  }
  let entry: unknown;
  try {
    entry = JSON.parse(text);
  } catch {
    return { kind: 'corrupt', content };
  }
  if (!isEntry(entry) || entry.key !== spec.key || entry.path !== path.resolve(file))
    return { kind: 'corrupt', content };
  if (entry.content !== content || entry.facts !== facts) return { kind: 'miss', content };
  const { findings, notes, encoding, problem } = entry;
  return {
    kind: 'hit',
    content,
    result: { findings, notes, ...(encoding ? { encoding } : {}), ...(problem !== undefined ? { problem } : {}) },
  };
}

/** Writes the entry for `file` (temporary file, then rename); throws when the cache cannot be written. */
export function store(spec: CacheSpec, file: string, content: string, result: CachedResult, facts = ''): void {
  const target = entryPath(spec, file);
  const entry: Entry = { format: CACHE_FORMAT, key: spec.key, path: path.resolve(file), content, facts, ...result };
  const temporary = `${target}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`;
  mkdirSync(path.dirname(target), { recursive: true });
  try {
    writeFileSync(temporary, JSON.stringify(entry));
    renameSync(temporary, target);
  } catch (e) {
    try {
      unlinkSync(temporary);
    } catch {
      // never created, or already gone
    }
    throw e;
  }
}
