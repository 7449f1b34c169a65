/**
 * The tree index in the language server (issue 12): for each workspace folder whose tree has an
 * index (`pinscope index` made it), the server brings it up to date in the background — with LSP
 * work-done progress — and then analyses documents with the facts of the other files; a saved
 * `.c` or `.h` file of the tree updates it again (only what changed is read), and the open
 * documents are analysed again when the facts changed. A tree with no index is not indexed
 * unasked (a kernel's first index takes minutes); documents are analysed file by file, as before.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { WorkDoneProgressReporter } from 'vscode-languageserver/node';
import type { IndexRequest } from '../batch/index/forLint';
import { hasIndex, indexFolder, indexKey } from '../batch/index/store';
import { isInside, treeRootOf } from '../batch/index/treeRoot';
import { updateIndexIsolated } from '../batch/index/updateIsolated';

/** A save is acted on after this long without another (a "save all" is one update). */
const SAVE_DEBOUNCE_MS = 300;

export interface TreeIndexDeps {
  readonly version: string;
  /** The kernel version a folder is analysed for ("6.12"). */
  readonly kernelVersionFor: (folder: string) => Promise<string>;
  /** Work-done progress for one update (a no-op reporter when the client has none). */
  readonly progress: () => Promise<WorkDoneProgressReporter>;
  /** The bundled lint worker: summarising runs on worker threads. */
  readonly workerScript: string;
  /** The bundled index worker: each update runs on a thread of its own, whose memory goes with it. */
  readonly indexWorkerScript: string;
  readonly log: (message: string) => void;
  /** The facts changed: analyse the open documents again. */
  readonly changed: () => void;
}

interface Tree {
  readonly root: string;
  readonly kernelVersion: string;
  request: IndexRequest | null;
  running: Promise<void> | null;
  again: boolean;
}

export class TreeIndexes {
  private readonly trees = new Map<string, Tree>();
  private saveTimer: NodeJS.Timeout | null = null;
  private readonly saved = new Set<string>();

  constructor(private readonly deps: TreeIndexDeps) {}

  /** Looks for an index for each folder's tree and updates it in the background. */
  async open(folders: readonly string[]): Promise<void> {
    for (const folder of folders) {
      const root = treeRootOf(folder);
      if (this.trees.has(root)) continue;
      const kernelVersion = await this.deps.kernelVersionFor(folder);
      if (!hasIndex(indexFolder(root), indexKey(this.deps.version, kernelVersion), root)) continue;
      const tree: Tree = { root, kernelVersion, request: null, running: null, again: false };
      this.trees.set(root, tree);
      void this.update(tree);
    }
  }

  /** The index a document is analysed with, once its tree's index is up to date. */
  requestFor(file: string | null): IndexRequest | undefined {
    if (file === null) return undefined;
    for (const tree of this.trees.values()) if (tree.request && isInside(file, tree.root)) return tree.request;
    return undefined;
  }

  /** A document was saved: the trees it is in are updated (debounced). */
  didSave(file: string | null): void {
    if (file === null || !/\.[ch]$/.test(file)) return;
    this.saved.add(file);
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      const files = [...this.saved];
      this.saved.clear();
      for (const tree of this.trees.values()) if (files.some((f) => isInside(f, tree.root))) void this.update(tree);
    }, SAVE_DEBOUNCE_MS);
  }

  private async update(tree: Tree): Promise<void> {
    if (tree.running) {
      tree.again = true;
      return tree.running;
    }
    tree.running = this.run(tree);
    try {
      await tree.running;
    } finally {
      tree.running = null;
    }
    if (tree.again) {
      tree.again = false;
      await this.update(tree);
    }
  }

  private async run(tree: Tree): Promise<void> {
    const progress = await this.deps.progress();
    progress.begin('pinscope: tree index', 0, path.basename(tree.root), false);
    const started = Date.now();
    const first = tree.request === null;
    try {
      const result = await updateIndexIsolated(
        {
          root: tree.root,
          pinscopeVersion: this.deps.version,
          kernelVersion: tree.kernelVersion,
          workerScript: this.deps.workerScript,
        },
        this.deps.indexWorkerScript,
        // The update's thread posts progress at most every 100 ms.
        (phase, done, total) =>
          progress.report(
            total === 0 ? 100 : Math.floor(((done + 1) / total) * 100),
            `${phase === 'scan' ? 'reading' : 'summarising'} ${done + 1}/${total}`,
          ),
      );
      if (result.factsFile && existsSync(result.factsFile))
        tree.request = { factsFile: result.factsFile, key: indexKey(this.deps.version, tree.kernelVersion) };
      this.deps.log(
        `tree index of ${tree.root}: ${result.hashed} files read, ${result.summarised} summarised (${Date.now() - started} ms)`,
      );
      if (tree.request && (first || result.factsChanged)) this.deps.changed();
    } catch (e) {
      this.deps.log(`tree index of ${tree.root}: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      progress.done();
    }
  }
}
