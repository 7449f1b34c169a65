/**
 * The tree index on disk (issue 12): one folder per tree under the user's cache directory
 * ($PINSCOPE_CACHE_DIR, else $XDG_CACHE_HOME/pinscope, else ~/.cache/pinscope), named by a hash of
 * the tree's real path. Two files, each written whole to a temporary name and renamed over the old
 * one (a reader sees the old index or the new, never half of one):
 *
 * - `facts.json`: what linting needs — every header's path, the facts of each file that has any,
 *   and the includes of the headers through which a file can reach those facts. Lint workers read
 *   only this.
 * - `state.json`: what updating needs — each file's size, mtime and content hash, every header's
 *   includes, and for the files that were summarised the names they call (to find the callers of
 *   a changed summary).
 *
 * Both carry the key (pinscope's version, the kernel version the catalog was read for, and the
 * format): an index with another key is never read, whatever is in it.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { FileFacts } from '../../core/index';
import { writeJson } from './jsonStream';

/** Bump when what is stored changes shape or meaning. */
const FORMAT = 3;

export interface IndexKey {
  readonly format: number;
  readonly pinscope: string;
  readonly kernelVersion: string;
}

export function indexKey(pinscope: string, kernelVersion: string): IndexKey {
  return { format: FORMAT, pinscope, kernelVersion };
}

export interface FileState {
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash: string;
  /**
   * The file was summarised: the names it calls, space-separated (one string per file keeps the
   * state of a whole kernel small to read back).
   */
  readonly calls?: string;
  /** A header: the tree's headers it includes, space-separated. */
  readonly includes?: string;
}

export interface StoredFacts {
  readonly key: IndexKey;
  readonly root: string;
  readonly headers: readonly string[];
  readonly includes: Readonly<Record<string, readonly string[]>>;
  readonly facts: Readonly<Record<string, FileFacts>>;
}

export interface StoredState {
  readonly key: IndexKey;
  readonly root: string;
  readonly files: Readonly<Record<string, FileState>>;
}

/** What is written: the same, with the per-file maps as they are (jsonStream writes a Map as its object). */
export type WritableFacts = Omit<StoredFacts, 'facts'> & { readonly facts: ReadonlyMap<string, FileFacts> };
export type WritableState = Omit<StoredState, 'files'> & { readonly files: ReadonlyMap<string, FileState> };

function cacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PINSCOPE_CACHE_DIR) return env.PINSCOPE_CACHE_DIR;
  // A relative XDG_CACHE_HOME is to be ignored (XDG Base Directory specification).
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache');
  return path.join(base, 'pinscope');
}

/** The index folder of the tree at `root` (a real, absolute path). */
export function indexFolder(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const id = createHash('sha1').update(root).digest('hex').slice(0, 16);
  return path.join(cacheDirectory(env), 'index', `${path.basename(root) || 'root'}-${id}`);
}

const factsPath = (folder: string): string => path.join(folder, 'facts.json');
const statePath = (folder: string): string => path.join(folder, 'state.json');

function sameKey(a: IndexKey, b: IndexKey): boolean {
  return a.format === b.format && a.pinscope === b.pinscope && a.kernelVersion === b.kernelVersion;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function hasKey(value: unknown, key: IndexKey, root: string): boolean {
  if (!value || typeof value !== 'object') return false;
  const v = value as { key?: IndexKey; root?: unknown };
  return v.key !== undefined && typeof v.key === 'object' && sameKey(v.key, key) && v.root === root;
}

/** The stored state and facts when both exist and were written under `key` for `root`; else null. */
export function loadIndex(
  folder: string,
  key: IndexKey,
  root: string,
): { state: StoredState; facts: StoredFacts } | null {
  const state = readJson(statePath(folder));
  const facts = readJson(factsPath(folder));
  if (!hasKey(state, key, root) || !hasKey(facts, key, root)) return null;
  return { state: state as StoredState, facts: facts as StoredFacts };
}

/** The facts alone (what a lint worker reads), or null when missing or under another key. */
export function loadFacts(file: string, key: IndexKey): StoredFacts | null {
  const facts = readJson(file);
  if (!facts || typeof facts !== 'object' || !hasKey(facts, key, (facts as { root?: string }).root ?? '')) return null;
  return facts as StoredFacts;
}

/**
 * Writes `value` as JSON to `file` through a temporary name. Streamed two levels down (each
 * file's entry is a piece of its own): a whole kernel's state is 16 MB of text, never held at once.
 */
export function writeJsonWhole(file: string, value: unknown): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(temp, 'w');
    try {
      writeJson(fd, value, 2);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/** Writes both files (facts first: a state never describes facts that are not on disk). */
export function saveIndex(folder: string, state: WritableState, facts: WritableFacts): void {
  mkdirSync(folder, { recursive: true });
  writeJsonWhole(factsPath(folder), facts);
  writeJsonWhole(statePath(folder), state);
}

/**
 * Whether a usable index (this key, this root) is stored for the tree, from the head of
 * facts.json alone (its key and root are written first): a whole-tree index is tens of MB.
 */
export function hasIndex(folder: string, key: IndexKey, root: string): boolean {
  let head: string;
  try {
    const fd = openSync(factsPath(folder), 'r');
    try {
      const buf = Buffer.alloc(8192);
      head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  return head.startsWith(`{"key":${JSON.stringify(key)},"root":${JSON.stringify(root)},`);
}
