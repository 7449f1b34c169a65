/**
 * The tree index as a lint run reads it (issue 12): the request names the stored facts.json and
 * its key; each thread (the main one, each pool worker) loads it once — again only when the file
 * changed on disk — and gives each file the facts it sees (treeFacts.ts). A missing or stale index
 * (another pinscope or kernel version) gives nothing: the file is linted on its own, as before.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { ExternalFacts } from '../../core/index';
import { treeFromStored } from './build';
import { loadFacts, type IndexKey } from './store';
import type { TreeFacts } from './treeFacts';

/** What a lint request carries about the index: plain data, sent to every worker. */
export interface IndexRequest {
  readonly factsFile: string;
  readonly key: IndexKey;
}

let loaded: { file: string; mtimeMs: number; tree: TreeFacts | null } | null = null;

/** The tree facts of `request` (memoised per thread), or null when there is no usable index. */
function treeFor(request: IndexRequest): TreeFacts | null {
  let mtimeMs: number;
  try {
    mtimeMs = statSync(request.factsFile).mtimeMs;
  } catch {
    return null;
  }
  if (loaded && loaded.file === request.factsFile && loaded.mtimeMs === mtimeMs) return loaded.tree;
  const stored = loadFacts(request.factsFile, request.key);
  loaded = { file: request.factsFile, mtimeMs, tree: stored ? treeFromStored(stored) : null };
  return loaded.tree;
}

/** The facts `file` (an absolute path) sees, or undefined when it is outside the indexed tree. */
export function externalForFile(request: IndexRequest, file: string, text: string): ExternalFacts | undefined {
  const tree = treeFor(request);
  if (!tree) return undefined;
  const rel = path.relative(tree.root, path.resolve(file));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return tree.externalFor(rel.split(path.sep).join('/'), text);
}

/**
 * A stable hash of the cross-file facts `file` uses, for the per-file result cache (issue 12
 * item 3): '' when the file sees none (no index, or outside the tree). Equal for equal facts.
 */
export function crossFileFactsHash(request: IndexRequest | undefined, file: string, text: string): string {
  if (!request) return '';
  const tree = treeFor(request);
  if (!tree) return '';
  const rel = path.relative(tree.root, path.resolve(file));
  if (rel.startsWith('..') || path.isAbsolute(rel)) return '';
  return tree.factsHash(rel.split(path.sep).join('/'), text);
}
