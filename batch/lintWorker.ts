/**
 * Worker-thread entry: lints batches of files and posts results back. Each worker has its own
 * tree-sitter parser (native parsers are not shared between threads).
 */
import { parentPort } from 'node:worker_threads';
import { lintFileFromDisk, type FileLintRequest, type FileLintResult } from './lintFile';

export interface WorkerBatch {
  readonly type: 'batch';
  readonly id: number;
  readonly files: readonly string[];
  readonly request: FileLintRequest;
}

export interface WorkerReply {
  readonly type: 'results';
  readonly id: number;
  /** Results worth sending back (findings, notes or problems); the rest are only counted. */
  readonly results: readonly FileLintResult[];
  readonly linted: number;
  readonly prefiltered: number;
}

function isBatch(message: unknown): message is WorkerBatch {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'batch';
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (message: unknown) => {
    if (!isBatch(message)) return;
    const results: FileLintResult[] = [];
    let linted = 0;
    let prefiltered = 0;
    for (const file of message.files) {
      const r = lintFileFromDisk(file, message.request);
      if (r.status === 'linted') linted++;
      if (r.status === 'skipped-prefilter') prefiltered++;
      if (r.findings.length > 0 || r.notes.length > 0 || r.problem) results.push(r);
    }
    const reply: WorkerReply = { type: 'results', id: message.id, results, linted, prefiltered };
    port.postMessage(reply);
  });
}
