/**
 * Worker-thread entry: lints batches of files and posts results back. Each worker has its own
 * tree-sitter parser (native parsers are not shared between threads), and tells the pool through
 * a shared control word which file it is on and whether tree-sitter's native parse is running —
 * what the pool needs to blame the right file when the worker dies, and to stop a file that
 * overruns its time budget without terminating the thread inside native code (pool.ts).
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createCParser } from '../core/index';
import { countUse, emptyTally, type CacheTally } from './cache/tally';
import { lintFileFromDisk, type FileLintRequest, type FileLintResult } from './lintFile';
import { fullCollection, parsedMemory } from './nativeMemory';

export interface WorkerBatch {
  readonly type: 'batch';
  readonly id: number;
  readonly files: readonly string[];
  /** The index of each file in the whole run (what the worker writes into the control word). */
  readonly indices: readonly number[];
  readonly request: FileLintRequest;
}

export interface WorkerReply {
  readonly type: 'results';
  readonly id: number;
  /** Results worth sending back (findings, notes or problems), with their index in the run. */
  readonly results: readonly { readonly index: number; readonly result: FileLintResult }[];
  readonly linted: number;
  readonly prefiltered: number;
  /** Files a pool worker did not lint because they are large: the pool runs each alone (pool.ts). */
  readonly deferred: readonly number[];
  readonly cache: CacheTally;
}

/** The control word: CURRENT is the run index of the file being linted (-1 between files). */
export const PoolControl = { CURRENT: 0, IN_PARSE: 1, SIZE: 2 } as const;

export interface LintWorkerData {
  readonly control: SharedArrayBuffer;
  /** Files over this many bytes that would be parsed are deferred, not linted (pool workers have a small heap). */
  readonly deferAbove: number | null;
}

/**
 * Test hooks (only with PINSCOPE_TEST_HOOKS=1), on a file whose first line says
 * `pinscope-test-hook: exit|hang|oom`: the worker dies, loops, or allocates until its heap is gone.
 */
function runTestHook(file: string): void {
  if (process.env.PINSCOPE_TEST_HOOKS !== '1') return;
  let head: string;
  try {
    head = readFileSync(file, 'latin1').slice(0, 200);
  } catch {
    return;
  }
  const hook = /pinscope-test-hook:\s*(\w+)/.exec(head)?.[1];
  if (hook === 'exit') process.exit(3);
  if (hook === 'hang') {
    for (;;) {
      // a runaway analysis, to test the time budget
    }
  }
  if (hook === 'oom') {
    const hoard: number[][] = [];
    for (;;) hoard.push(new Array<number>(1 << 16).fill(hoard.length));
  }
}

function isBatch(message: unknown): message is WorkerBatch {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'batch';
}

if (parentPort) {
  const port = parentPort;
  const data = workerData as LintWorkerData;
  const control = new Int32Array(data.control);
  const memory = parsedMemory(fullCollection());
  const parser = createCParser({
    onNativeParse: (inside) => Atomics.store(control, PoolControl.IN_PARSE, inside ? 1 : 0),
    onTreeBuilt: memory.built,
  });
  // One batch at a time (the pool sends the next after the reply); between files the worker
  // returns to its event loop, where the trees of the files before are freed (nativeMemory.ts).
  const lintBatch = async (message: WorkerBatch): Promise<void> => {
    const results: WorkerReply['results'][number][] = [];
    const deferred: number[] = [];
    let linted = 0;
    let prefiltered = 0;
    const cache = emptyTally();
    for (let i = 0; i < message.files.length; i++) {
      const file = message.files[i] as string;
      const index = message.indices[i] as number;
      Atomics.store(control, PoolControl.CURRENT, index);
      runTestHook(file);
      const r =
        data.deferAbove === null
          ? lintFileFromDisk(file, message.request, parser)
          : lintFileFromDisk(file, message.request, parser, data.deferAbove);
      if (r === null) {
        deferred.push(index);
        continue;
      }
      if (r.status === 'linted') linted++;
      if (r.status === 'skipped-prefilter') prefiltered++;
      countUse(cache, r.cache);
      if (r.findings.length > 0 || r.notes.length > 0 || r.problem || r.facts) results.push({ index, result: r });
      const settling = memory.settle();
      if (settling) await settling;
    }
    Atomics.store(control, PoolControl.CURRENT, -1);
    const reply: WorkerReply = { type: 'results', id: message.id, results, linted, prefiltered, deferred, cache };
    port.postMessage(reply);
  };
  port.on('message', (message: unknown) => {
    if (isBatch(message)) void lintBatch(message);
  });
}
