/** The bundled worker scripts (dist/worker/), next to the CLI bundle. */
import path from 'node:path';

/** Lints (and summarises) files on the pool's threads. */
export const LINT_WORKER = path.join(__dirname, '..', 'worker', 'lint-worker.js');
/** Runs one tree index update on a thread of its own (batch/index/updateWorker.ts). */
export const INDEX_WORKER = path.join(__dirname, '..', 'worker', 'index-worker.js');
