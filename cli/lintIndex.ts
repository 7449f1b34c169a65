/**
 * Whether and with which tree index `pinscope lint` runs (issue 12). The index is used when one is
 * stored for the tree the paths are in (`pinscope index` made it), brought up to date first: what
 * changed since is read and summarised again, what is missing is built. A tree nobody indexed is
 * linted file by file, as before: building a kernel's index costs minutes, which a lint of one file
 * must not spend unasked.
 *
 * The update runs on a thread of its own (batch/index/updateIsolated.ts, as in the language
 * server), not on the thread that then lints. Even with nothing to summarise, an update reads the
 * tree's whole state (state.json, 16 MB for Linux 6.12, ~120 MB of heap as objects); on the lint's
 * thread that heap stayed grown — nothing there allocates enough to collect it — all through the
 * lint, on top of the pool's workers (whole-tree peak RSS ~410 MB). A thread's heap goes back to
 * the system when the thread ends, so the lint starts from where it would without an index, and
 * only the lint workers read the facts they need (forLint.ts: facts.json, 4 MB).
 */
import { formatVersion } from '../core/index';
import type { IndexRequest } from '../batch/index/forLint';
import { hasIndex, indexFolder, indexKey } from '../batch/index/store';
import { isInside, treeRootOf } from '../batch/index/treeRoot';
import { updateIndexIsolated } from '../batch/index/updateIsolated';
import { terminalPath } from './filePaths';
import type { Io } from './io';
import type { LintCommand } from './lintCommand';
import { VERSION } from './version';
import { INDEX_WORKER, LINT_WORKER } from './lintWorkerPath';

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
  const result = await updateIndexIsolated(
    { root, pinscopeVersion: VERSION, kernelVersion, workerScript: LINT_WORKER },
    INDEX_WORKER,
  ).catch((e: unknown) => {
    // The stored facts may be behind the tree: lint each file alone, as without an index, and say
    // why (the message names the file the update failed on, when it failed on one).
    io.err(
      `pinscope: tree index of ${terminalPath(root)} could not be updated, files are linted alone: ${e instanceof Error ? e.message : String(e)}`,
    );
    return null;
  });
  if (!result) return undefined;
  if (command.verbosity !== 'quiet')
    for (const u of result.unsummarised) io.err(`pinscope: ${terminalPath(u.file)}: not summarised: ${u.problem}`);
  if (command.verbosity === 'verbose')
    io.err(
      `pinscope: tree index of ${terminalPath(root)}: ${result.hashed} files read, ${result.summarised} summarised (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  return result.factsFile ? { factsFile: result.factsFile, key } : undefined;
}
