/**
 * Whether and with which tree index `pinscope lint` runs (issue 12). The index is used when one is
 * stored for the tree the paths are in (`pinscope index` made it), brought up to date first: what
 * changed since is read and summarised again, what is missing is built. A tree nobody indexed is
 * linted file by file, as before: building a kernel's index costs minutes, which a lint of one file
 * must not spend unasked.
 */
import { formatVersion } from '../core/index';
import { updateIndex } from '../batch/index/build';
import type { IndexRequest } from '../batch/index/forLint';
import { hasIndex, indexFolder, indexKey } from '../batch/index/store';
import { isInside, treeRootOf } from '../batch/index/treeRoot';
import { terminalPath } from './filePaths';
import type { Io } from './io';
import type { LintCommand } from './lintCommand';
import { VERSION } from './version';
import { LINT_WORKER } from './lintWorkerPath';

export async function lintIndex(command: LintCommand, io: Io): Promise<IndexRequest | undefined> {
  if (command.noIndex || command.source.kind !== 'paths') return undefined;
  const paths = command.source.paths;
  const first = paths[0];
  if (first === undefined) return undefined;
  const root = treeRootOf(first);
  if (!paths.every((p) => isInside(p, root))) return undefined;
  const kernelVersion = formatVersion(command.request.lint.kernelVersion);
  const key = indexKey(VERSION, kernelVersion);
  if (!hasIndex(indexFolder(root), key, root)) return undefined;
  const started = performance.now();
  const result = await updateIndex({ root, pinscopeVersion: VERSION, kernelVersion, workerScript: LINT_WORKER });
  if (command.verbosity === 'verbose')
    io.err(
      `pinscope: tree index of ${terminalPath(root)}: ${result.hashed} files read, ${result.summarised} summarised (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  return result.factsFile ? { factsFile: result.factsFile, key } : undefined;
}
