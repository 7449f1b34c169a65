/**
 * Lints many files over worker threads (one tree-sitter parser each), in batches, with progress
 * and cancellation. Used by `pinscope lint` and by the language server's workspace lint. Small
 * runs stay in-process: starting a worker costs more than parsing a handful of files.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { lintFileFromDisk, type FileLintRequest, type FileLintResult } from './lintFile';
import type { WorkerBatch, WorkerReply } from './lintWorker';

export interface PoolOptions {
  readonly request: FileLintRequest;
  /** The bundled worker script (dist/worker/lint-worker.js); without it the run is in-process. */
  readonly workerScript?: string;
  readonly threads?: number;
  readonly batchSize?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface PoolResult {
  /** Files with findings, notes or problems, in the order of `files`. */
  readonly results: FileLintResult[];
  readonly linted: number;
  readonly prefiltered: number;
  readonly total: number;
  readonly cancelled: boolean;
  readonly threads: number;
}

const IN_PROCESS_BELOW = 24;

function inProcess(files: readonly string[], options: PoolOptions): PoolResult {
  const results: FileLintResult[] = [];
  let linted = 0;
  let prefiltered = 0;
  let done = 0;
  for (const file of files) {
    if (options.signal?.aborted)
      return { results, linted, prefiltered, total: files.length, cancelled: true, threads: 0 };
    const r = lintFileFromDisk(file, options.request);
    if (r.status === 'linted') linted++;
    if (r.status === 'skipped-prefilter') prefiltered++;
    if (r.findings.length > 0 || r.notes.length > 0 || r.problem) results.push(r);
    options.onProgress?.(++done, files.length);
  }
  return { results, linted, prefiltered, total: files.length, cancelled: false, threads: 0 };
}

export async function lintFiles(files: readonly string[], options: PoolOptions): Promise<PoolResult> {
  const script = options.workerScript;
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), 16));
  if (!script || !existsSync(script) || files.length < IN_PROCESS_BELOW) return inProcess(files, options);

  const batchSize = options.batchSize ?? 32;
  const batches: string[][] = [];
  for (let i = 0; i < files.length; i += batchSize) batches.push(files.slice(i, i + batchSize));
  const order = new Map(files.map((f, i) => [f, i]));
  const results: FileLintResult[] = [];
  let linted = 0;
  let prefiltered = 0;
  let done = 0;
  let next = 0;
  let cancelled = false;

  const workerCount = Math.min(threads, batches.length);
  const workers: Worker[] = [];
  await new Promise<void>((resolve, reject) => {
    let active = workerCount;
    const finishOne = (w: Worker): void => {
      void w.terminate();
      if (--active === 0) resolve();
    };
    const feed = (w: Worker): void => {
      if (options.signal?.aborted) cancelled = true;
      const batch = cancelled ? undefined : batches[next];
      if (!batch) {
        finishOne(w);
        return;
      }
      const message: WorkerBatch = { type: 'batch', id: next++, files: batch, request: options.request };
      w.postMessage(message);
    };
    for (let i = 0; i < workerCount; i++) {
      // A modest heap per worker: parsing leaves native trees behind until V8 collects their
      // wrappers, and a smaller young generation makes that happen sooner (peak RSS).
      const w = new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 4 } });
      workers.push(w);
      w.on('message', (reply: WorkerReply) => {
        results.push(...reply.results);
        linted += reply.linted;
        prefiltered += reply.prefiltered;
        done += (batches[reply.id] ?? []).length;
        options.onProgress?.(done, files.length);
        feed(w);
      });
      w.on('error', (e) => {
        for (const other of workers) void other.terminate();
        reject(e);
      });
      feed(w);
    }
  });
  results.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0));
  return { results, linted, prefiltered, total: files.length, cancelled, threads: workerCount };
}
