/**
 * Lints many files over worker threads (one tree-sitter parser each), in batches, with progress
 * and cancellation. Used by `pinscope lint` and by the language server's workspace lint. Small
 * runs stay in-process: starting a worker costs more than parsing a handful of files.
 *
 * One bad file never sinks the run (issue 10, lint-worker-oom.sh):
 *  - a worker that dies takes only the file it was on (the control word says which) with it; the
 *    rest of its batch goes back in the queue and a new worker takes the dead one's place;
 *  - a file that exhausts a pool worker's small heap is tried again alone, in a worker with the
 *    file's memory budget; past that it gets a note;
 *  - a file that overruns its time budget in the analysis gets its worker replaced and a note (the
 *    parse stops at the deadline by itself); a worker inside tree-sitter's native parse is never
 *    terminated, since that aborts the process.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  DEFAULT_FILE_BUDGET,
  lintFileFromDisk,
  memoryBudgetMessage,
  stoppedResult,
  timeBudgetMessage,
  type FileBudget,
  type FileLintRequest,
  type FileLintResult,
} from './lintFile';
import { addTally, countUse, emptyTally, type CacheTally } from './cache/tally';
import { PoolControl, type LintWorkerData, type WorkerBatch, type WorkerReply } from './lintWorker';

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
  /** What the result cache did (all zero without one). */
  readonly cache: CacheTally;
}

const IN_PROCESS_BELOW = 24;
/**
 * A file this large goes to a worker even in a small run (its heap use can sink the caller), and
 * there it runs alone, in a worker with the file's memory budget: in a pool worker's small heap it
 * would spend seconds collecting garbage before running out.
 */
const IN_PROCESS_MAX_BYTES = 1024 * 1024;
/** How often the pool looks at what each worker is on, for the time budget. */
const WATCH_MS = 200;
/** Past the budget, how long the pool lets the analysis run before replacing its worker. */
const GRACE_MS = 1000;
/**
 * Pool workers get a modest heap: parsing leaves native trees behind until V8 collects their
 * wrappers, and a smaller young generation makes that happen sooner (peak RSS). A file that needs
 * more is retried alone with its budget.
 */
const POOL_HEAP = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 4 };

function inProcess(files: readonly string[], options: PoolOptions): PoolResult {
  const results: FileLintResult[] = [];
  let linted = 0;
  let prefiltered = 0;
  let done = 0;
  const cache = emptyTally();
  for (const file of files) {
    if (options.signal?.aborted)
      return { results, linted, prefiltered, total: files.length, cancelled: true, threads: 0, cache };
    const r = lintFileFromDisk(file, options.request);
    countUse(cache, r.cache);
    if (r.status === 'linted') linted++;
    if (r.status === 'skipped-prefilter') prefiltered++;
    if (r.findings.length > 0 || r.notes.length > 0 || r.problem || r.facts) results.push(r);
    options.onProgress?.(++done, files.length);
  }
  return { results, linted, prefiltered, total: files.length, cancelled: false, threads: 0, cache };
}

function hasLargeFile(files: readonly string[]): boolean {
  return files.some((f) => {
    try {
      return statSync(f).size > IN_PROCESS_MAX_BYTES;
    } catch {
      return false;
    }
  });
}

export async function lintFiles(files: readonly string[], options: PoolOptions): Promise<PoolResult> {
  const script = options.workerScript;
  if (!script || !existsSync(script)) return inProcess(files, options);
  if (files.length < IN_PROCESS_BELOW && !hasLargeFile(files)) return inProcess(files, options);
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), 16));
  return new PoolRun(files, options, script, threads).run();
}

/** A batch of run indices; `solo` batches hold one file that exhausted a pool worker's heap. */
interface Batch {
  readonly id: number;
  readonly indices: readonly number[];
  readonly solo: boolean;
}

interface Slot {
  readonly worker: Worker;
  readonly control: Int32Array;
  readonly solo: boolean;
  batch: Batch | null;
  /** The file index last seen in the control word, and when it changed. */
  seen: number;
  since: number;
  /** Set when the pool ends the worker itself: why. */
  ending: 'done' | 'time' | null;
}

class PoolRun {
  private readonly queue: Batch[] = [];
  /** Files to retry alone with the file's memory budget, one at a time. */
  private readonly solos: Batch[] = [];
  private readonly results = new Map<number, FileLintResult>();
  private readonly slots = new Set<Slot>();
  private nextBatch = 0;
  private linted = 0;
  private prefiltered = 0;
  private readonly cache = emptyTally();
  private done = 0;
  private cancelled = false;
  private finish: (() => void) | null = null;
  private readonly budget: FileBudget;

  constructor(
    private readonly files: readonly string[],
    private readonly options: PoolOptions,
    private readonly script: string,
    private readonly threads: number,
  ) {
    this.budget = options.request.budget ?? DEFAULT_FILE_BUDGET;
    const size = options.batchSize ?? 32;
    for (let i = 0; i < files.length; i += size)
      this.queue.push(this.batch(Array.from({ length: Math.min(size, files.length - i) }, (_, k) => i + k)));
  }

  async run(): Promise<PoolResult> {
    const workers = Math.min(this.threads, this.queue.length);
    const watch = setInterval(() => this.watch(), WATCH_MS);
    try {
      await new Promise<void>((resolve) => {
        this.finish = resolve;
        for (let i = 0; i < workers; i++) this.feed(this.start(false));
        this.check();
      });
    } finally {
      clearInterval(watch);
    }
    const results = [...this.results.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r);
    return {
      results,
      linted: this.linted,
      prefiltered: this.prefiltered,
      total: this.files.length,
      cancelled: this.cancelled,
      threads: workers,
      cache: this.cache,
    };
  }

  private batch(indices: readonly number[], solo = false): Batch {
    return { id: this.nextBatch++, indices, solo };
  }

  private start(solo: boolean): Slot {
    const control = new SharedArrayBuffer(PoolControl.SIZE * Int32Array.BYTES_PER_ELEMENT);
    const workerData: LintWorkerData = { control, deferAbove: solo ? null : IN_PROCESS_MAX_BYTES };
    const resourceLimits = solo
      ? { maxOldGenerationSizeMb: this.budget.heapMb, maxYoungGenerationSizeMb: 16 }
      : POOL_HEAP;
    const worker = new Worker(this.script, { workerData, resourceLimits });
    const slot: Slot = {
      worker,
      control: new Int32Array(control),
      solo,
      batch: null,
      seen: -1,
      since: 0,
      ending: null,
    };
    Atomics.store(slot.control, PoolControl.CURRENT, -1);
    this.slots.add(slot);
    worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
    let failure: Error | null = null;
    worker.on('error', (e) => (failure = e));
    worker.on('exit', () => this.onExit(slot, failure));
    return slot;
  }

  /** Gives the worker its next batch, or ends it when there is none for its kind. */
  private feed(slot: Slot): void {
    if (this.options.signal?.aborted) this.cancelled = true;
    const next = this.cancelled ? undefined : slot.solo ? this.solos.shift() : this.queue.shift();
    if (!next) {
      slot.ending = 'done';
      void slot.worker.terminate();
      return;
    }
    slot.batch = next;
    slot.seen = -1;
    slot.since = Date.now();
    const message: WorkerBatch = {
      type: 'batch',
      id: next.id,
      files: next.indices.map((i) => this.files[i] as string),
      indices: next.indices,
      request: this.options.request,
    };
    slot.worker.postMessage(message);
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    const batch = slot.batch;
    if (!batch || batch.id !== reply.id) return;
    for (const { index, result } of reply.results) this.results.set(index, result);
    this.linted += reply.linted;
    this.prefiltered += reply.prefiltered;
    addTally(this.cache, reply.cache);
    this.solos.push(...reply.deferred.map((i) => this.batch([i], true)));
    this.progress(batch.indices.length - reply.deferred.length);
    slot.batch = null;
    if (slot.ending === null) this.feed(slot);
    this.startSolo();
  }

  /** Large files and files that exhausted a pool worker run alone, one at a time. */
  private startSolo(): void {
    if (this.solos.length > 0 && ![...this.slots].some((s) => s.solo) && !this.cancelled) this.feed(this.start(true));
  }

  /** A worker ended: by the pool's choice (done, over time) or by dying. */
  private onExit(slot: Slot, failure: Error | null): void {
    this.slots.delete(slot);
    const batch = slot.batch;
    if (batch) {
      const current = Atomics.load(slot.control, PoolControl.CURRENT);
      const culprit = batch.indices.includes(current) ? current : null;
      this.blame(slot, culprit, failure);
      const rest = batch.indices.filter((i) => i !== culprit);
      // Their results died with the worker: lint them again (a batch that kills workers without
      // saying on which file is retried one file at a time).
      if (rest.length > 0)
        this.queue.unshift(...(culprit === null ? rest.map((i) => this.batch([i])) : [this.batch(rest)]));
      if (this.queue.length > 0 && !this.cancelled) this.feed(this.start(false));
    }
    this.startSolo();
    this.check();
  }

  /** The result of the file a dead worker was on. */
  private blame(slot: Slot, culprit: number | null, failure: Error | null): void {
    if (culprit === null) return;
    const file = this.files[culprit] as string;
    const outOfMemory = (failure as { code?: string } | null)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    if (slot.ending === 'time') {
      this.record(culprit, stoppedResult(file, timeBudgetMessage(this.budget.timeMs)));
    } else if (outOfMemory && !slot.solo) {
      this.solos.push(this.batch([culprit], true));
    } else if (outOfMemory) {
      this.record(culprit, stoppedResult(file, memoryBudgetMessage(this.budget.heapMb)));
    } else {
      const why = failure ? failure.message : 'it exited';
      this.record(culprit, {
        file,
        status: 'error',
        findings: [],
        notes: [],
        problem: `internal error: the lint worker died while analysing this file (${why}); please report it`,
      });
    }
  }

  private record(index: number, result: FileLintResult): void {
    this.results.set(index, result);
    this.progress(1);
  }

  private progress(files: number): void {
    this.done += files;
    this.options.onProgress?.(this.done, this.files.length);
  }

  /** The time budget: a worker on the same file for longer is replaced (outside a native parse). */
  private watch(): void {
    const now = Date.now();
    for (const slot of this.slots) {
      if (!slot.batch || slot.ending) continue;
      const current = Atomics.load(slot.control, PoolControl.CURRENT);
      if (current !== slot.seen) {
        slot.seen = current;
        slot.since = now;
        continue;
      }
      if (current < 0 || now - slot.since <= this.budget.timeMs + GRACE_MS) continue;
      // Inside the native parse the deadline stops it by itself; terminating there aborts the process.
      if (Atomics.load(slot.control, PoolControl.IN_PARSE) !== 0) continue;
      slot.ending = 'time';
      void slot.worker.terminate();
    }
  }

  private check(): void {
    if (this.slots.size === 0) this.finish?.();
  }
}
