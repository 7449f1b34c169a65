/**
 * Worker-thread entry (dist/worker/index-worker.js): one tree index update, then the thread ends.
 * The language server runs its updates here rather than on its own thread: reading a kernel
 * tree's state and summarising what changed builds a few hundred MB of short-lived objects, and
 * a V8 heap that grew for them is not given back to the system while the server lives; a thread's
 * heap is, when the thread ends (docs/benchmarks.md, "With the 6.12 tree index loaded").
 */
import { parentPort, workerData } from 'node:worker_threads';
import { updateIndex } from './build';
import type { IsolatedIndexOptions, UpdateWorkerMessage } from './updateIsolated';

/** Progress is posted at most this often (the last step of a phase always is). */
const PROGRESS_EVERY_MS = 100;

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('index-worker.js runs as a worker thread');
  const post = (message: UpdateWorkerMessage): void => port.postMessage(message);
  const options = workerData as IsolatedIndexOptions;
  let last = 0;
  try {
    const result = await updateIndex({
      ...options,
      onProgress: (phase, done, total) => {
        const now = Date.now();
        if (now - last < PROGRESS_EVERY_MS && done + 1 < total) return;
        last = now;
        post({ type: 'progress', phase, done, total });
      },
    });
    post({
      type: 'done',
      result: {
        factsFile: result.factsFile,
        files: result.files,
        hashed: result.hashed,
        summarised: result.summarised,
        rounds: result.rounds,
        unsummarised: result.unsummarised,
        factsChanged: result.factsChanged,
        fresh: result.fresh,
        counts: result.counts,
      },
    });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}

void main();
