/**
 * A tree index update on a thread of its own (batch/index/updateWorker.ts), for a long-lived
 * process — the language server — whose memory must come back after the update: what the update
 * allocated goes with the thread. Same options and result as updateIndex, less the TreeFacts
 * (which the server does not need: its analysis reads facts.json).
 */
import { Worker } from 'node:worker_threads';
import type { IndexOptions, IndexResult } from './build';

export type IsolatedIndexOptions = Omit<IndexOptions, 'onProgress'>;
export type IsolatedIndexResult = Omit<IndexResult, 'tree'>;

export type UpdateWorkerMessage =
  | { readonly type: 'progress'; readonly phase: 'scan' | 'summarise'; readonly done: number; readonly total: number }
  | { readonly type: 'done'; readonly result: IsolatedIndexResult }
  | { readonly type: 'error'; readonly message: string };

/**
 * The update's thread may use at most this much old-generation heap: a tree that needs more ends
 * the update with an error (the server goes on, file by file) instead of taking the server down.
 */
const UPDATE_HEAP_MB = 2048;
/**
 * And a small young generation: the update reads state.json (16 MB for a kernel, one object per
 * file) and scans the tree in bursts whose objects survive; a default young generation grows to
 * hold them (tens of MB) beside the server's own heap while the update runs.
 */
const UPDATE_YOUNG_MB = 4;

export function updateIndexIsolated(
  options: IsolatedIndexOptions,
  indexWorkerScript: string,
  onProgress?: IndexOptions['onProgress'],
): Promise<IsolatedIndexResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    // Whatever the outcome, the thread is ended: its memory goes back now, not when its event loop
    // happens to drain — which, after an update that failed, it never did: the thread stayed, and
    // kept the process it ran in (a `pinscope lint`) from exiting.
    const settle = (action: () => void): void => {
      if (settled) return;
      settled = true;
      action();
      void worker.terminate();
    };
    const worker = new Worker(indexWorkerScript, {
      workerData: options,
      resourceLimits: { maxOldGenerationSizeMb: UPDATE_HEAP_MB, maxYoungGenerationSizeMb: UPDATE_YOUNG_MB },
      // The update's own lint workers inherit this environment (the cache folder).
      env: options.env ?? process.env,
    });
    worker.on('message', (message: UpdateWorkerMessage) => {
      if (message.type === 'progress') onProgress?.(message.phase, message.done, message.total);
      else if (message.type === 'done') settle(() => resolve(message.result));
      else settle(() => reject(new Error(message.message)));
    });
    worker.on('error', (e) => settle(() => reject(e)));
    worker.on('exit', (code) =>
      settle(() => reject(new Error(`the tree index update's thread ended (exit code ${code}) before it finished`))),
    );
  });
}
