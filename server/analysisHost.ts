/**
 * The main thread's side of the analysis worker: a queue that keeps only the newest job per
 * document (an older pending job is cancelled, not run), one job at a time, a time budget per job,
 * and a restart after a crash. Documents that went over budget wait behind the others, so one
 * pathological file cannot starve the rest.
 *
 * Over budget, the job is stopped and the worker replaced. A worker running pure JavaScript is
 * terminated at once; a worker inside tree-sitter's native parse is asked to stop instead (the
 * control word, workerMessages.ts) and terminated only once it is out of the parse: terminating
 * it there aborts the whole server (`terminate called after throwing an instance of
 * 'Napi::Error'`, lsp-timeout-abort.py).
 */
import { Worker } from 'node:worker_threads';
import {
  Control,
  type AnalyzeJob,
  type AnalyzedReply,
  type CheckTraceJob,
  type FromWorker,
  type SimulateJob,
  type SimulatedReply,
  type SimulateTraceJob,
  type ToWorker,
  type TraceCheckedReply,
  type TraceSimulatedReply,
  type WorkerData,
} from './workerMessages';

export type AnalysisOutcome =
  | { readonly kind: 'done'; readonly reply: AnalyzedReply; readonly elapsedMs: number }
  /** A newer job for the same document replaced this one before it started. */
  | { readonly kind: 'superseded' }
  /** The analysis threw (a bug in pinscope); the worker is fine. */
  | { readonly kind: 'failed'; readonly message: string; readonly stack: string }
  /** Over the time budget: the worker was stopped. */
  | { readonly kind: 'timeout'; readonly budgetMs: number }
  /** The worker died (out of memory, a crash); it is restarted for the next job. */
  | { readonly kind: 'crashed'; readonly message: string };

export type SimulateOutcome<R = SimulatedReply> =
  { readonly kind: 'done'; readonly reply: R } | { readonly kind: 'failed'; readonly message: string };

type AnalyzeInput = Omit<AnalyzeJob, 'type' | 'id'>;
type SimulateInput = Omit<SimulateJob, 'type' | 'id'>;
type SimulateTraceInput = Omit<SimulateTraceJob, 'type' | 'id'>;
type CheckTraceInput = Omit<CheckTraceJob, 'type' | 'id'>;
/** A job other than an analysis: one request, one reply of its own type. */
type OtherJob = SimulateJob | SimulateTraceJob | CheckTraceJob;
type OtherReply = SimulatedReply | TraceSimulatedReply | TraceCheckedReply;

interface QueuedAnalysis {
  readonly kind: 'analyze';
  readonly job: AnalyzeJob;
  readonly budgetMs: number;
  readonly resolve: (outcome: AnalysisOutcome) => void;
}

/** A simulation (of a function or a trace) or a trace check: one job, one reply of the job's own type. */
interface QueuedSimulation {
  readonly kind: 'simulate';
  readonly job: OtherJob;
  readonly budgetMs: number;
  readonly resolve: (outcome: SimulateOutcome<OtherReply>) => void;
}

type Queued = QueuedAnalysis | QueuedSimulation;

interface Running {
  readonly entry: Queued;
  readonly started: number;
  readonly timer: NodeJS.Timeout;
}

export interface AnalysisHostOptions {
  /** The worker script: the server bundle itself. */
  readonly script: string;
  readonly log: (message: string) => void;
  /** V8 heap limit of the worker, MB. */
  readonly maxHeapMb?: number;
}

/** A worker with its control word (workerMessages.ts Control). */
interface RunningWorker {
  readonly worker: Worker;
  readonly control: Int32Array;
}

/** How often a replaced worker that is still inside a native parse is looked at again. */
const RETIRE_POLL_MS = 20;

export class AnalysisHost {
  private worker: RunningWorker | null = null;
  private generation = 0;
  private nextId = 1;
  private readonly analyses = new Map<string, QueuedAnalysis>();
  private readonly simulations: QueuedSimulation[] = [];
  private running: Running | null = null;
  /** Documents whose last analysis went over budget: they run after everything else. */
  private readonly slow = new Set<string>();
  private disposed = false;
  restarts = 0;

  constructor(private readonly options: AnalysisHostOptions) {}

  /** The worker's V8 heap limit: what one document's analysis may use. */
  private get heapMb(): number {
    return this.options.maxHeapMb ?? 1536;
  }

  analyze(input: AnalyzeInput, budgetMs: number): Promise<AnalysisOutcome> {
    if (this.disposed) return Promise.resolve({ kind: 'superseded' });
    const older = this.analyses.get(input.uri);
    if (older) {
      this.analyses.delete(input.uri);
      older.resolve({ kind: 'superseded' });
    }
    return new Promise((resolve) => {
      const job: AnalyzeJob = { type: 'analyze', id: this.nextId++, ...input };
      this.analyses.set(input.uri, { kind: 'analyze', job, budgetMs, resolve });
      this.pump();
    });
  }

  simulate(input: SimulateInput, budgetMs: number): Promise<SimulateOutcome> {
    return this.enqueueSimulation({ type: 'simulate', id: this.nextId++, ...input }, budgetMs, 'simulated');
  }

  /** Parses and simulates a `.pinsim` text in the worker. */
  simulateTrace(input: SimulateTraceInput, budgetMs: number): Promise<SimulateOutcome<TraceSimulatedReply>> {
    return this.enqueueSimulation({ type: 'simulateTrace', id: this.nextId++, ...input }, budgetMs, 'traceSimulated');
  }

  /**
   * Parses a `.pinsim` text in the worker (its errors and step lines): never on the main thread,
   * where a tokenizer that loops would stop the whole server (lsp-repro.py case 3).
   */
  checkTrace(input: CheckTraceInput, budgetMs: number): Promise<SimulateOutcome<TraceCheckedReply>> {
    return this.enqueueSimulation({ type: 'checkTrace', id: this.nextId++, ...input }, budgetMs, 'traceChecked');
  }

  private enqueueSimulation<T extends OtherReply['type']>(
    job: OtherJob,
    budgetMs: number,
    replyType: T,
  ): Promise<SimulateOutcome<Extract<OtherReply, { type: T }>>> {
    type R = Extract<OtherReply, { type: T }>;
    if (this.disposed) return Promise.resolve({ kind: 'failed', message: 'the server is shutting down' });
    return new Promise((resolve) => {
      this.simulations.push({
        kind: 'simulate',
        job,
        budgetMs,
        resolve: (outcome) => {
          if (outcome.kind === 'failed') resolve(outcome);
          else if (outcome.reply.type === replyType) resolve({ kind: 'done', reply: outcome.reply as R });
          else resolve({ kind: 'failed', message: `the worker answered a ${job.type} job with ${outcome.reply.type}` });
        },
      });
      this.pump();
    });
  }

  /** Drops a pending analysis of `uri` (it resolves as superseded). */
  cancel(uri: string): void {
    const pending = this.analyses.get(uri);
    if (pending) {
      this.analyses.delete(uri);
      pending.resolve({ kind: 'superseded' });
    }
  }

  /** The document was closed: cancel its pending job and free its tree in the worker. */
  forget(uri: string): void {
    this.cancel(uri);
    this.slow.delete(uri);
    this.post({ type: 'forget', uri });
  }

  /** The uri of the job being analysed right now, if any (for tests and logs). */
  get busyWith(): string | null {
    return this.running?.entry.kind === 'analyze' ? this.running.entry.job.uri : null;
  }

  dispose(): void {
    this.disposed = true;
    for (const pending of this.analyses.values()) pending.resolve({ kind: 'superseded' });
    this.analyses.clear();
    for (const sim of this.simulations.splice(0))
      sim.resolve({ kind: 'failed', message: 'the server is shutting down' });
    // A parse in progress is asked to stop, so that the exit that follows finds the worker out of it.
    this.stopWorker(this.running?.entry.job.id);
  }

  private post(message: ToWorker): void {
    this.worker?.worker.postMessage(message);
  }

  private take(): Queued | undefined {
    const sim = this.simulations.shift();
    if (sim) return sim;
    let fallback: QueuedAnalysis | undefined;
    for (const [uri, entry] of this.analyses) {
      if (!this.slow.has(uri)) {
        this.analyses.delete(uri);
        return entry;
      }
      fallback ??= entry;
    }
    if (fallback) this.analyses.delete(fallback.job.uri);
    return fallback;
  }

  private pump(): void {
    if (this.running || this.disposed) return;
    const entry = this.take();
    if (!entry) return;
    const { worker } = this.ensureWorker();
    const timer = setTimeout(() => this.onTimeout(), entry.budgetMs);
    this.running = { entry, started: Date.now(), timer };
    worker.postMessage(entry.job);
  }

  private ensureWorker(): RunningWorker {
    if (this.worker) return this.worker;
    const generation = ++this.generation;
    const control = new SharedArrayBuffer(Control.SIZE * Int32Array.BYTES_PER_ELEMENT);
    const workerData: WorkerData = { control };
    const worker = new Worker(this.options.script, {
      workerData,
      // The worker must never write to our stdout: in --stdio mode that is the LSP stream.
      stdout: true,
      stderr: true,
      // A small young generation: analyses allocate a lot of short-lived objects, and V8's default
      // semi-spaces keep ~40 MB more resident for no measurable gain in latency (bench/sections/lsp.mjs).
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 8 },
    });
    worker.stdout.on('data', (chunk: Buffer) => this.options.log(`[analysis worker] ${chunk.toString().trimEnd()}`));
    worker.stderr.on('data', (chunk: Buffer) => this.options.log(`[analysis worker] ${chunk.toString().trimEnd()}`));
    worker.on('message', (reply: FromWorker) => {
      if (generation === this.generation) this.onReply(reply);
    });
    worker.on('error', (error) => {
      if (generation !== this.generation) return;
      // The heap limit is each document's memory budget: say so rather than quote V8.
      const outOfMemory = (error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.onWorkerGone(
        outOfMemory
          ? `the analysis needed more than its ${this.heapMb} MB memory budget`
          : `analysis worker failed: ${error.message}`,
      );
    });
    worker.on('exit', (code) => {
      if (generation === this.generation) this.onWorkerGone(`analysis worker exited with code ${code}`);
    });
    worker.unref();
    this.worker = { worker, control: new Int32Array(control) };
    return this.worker;
  }

  /**
   * Stops the current worker (its messages are ignored from now on; the next job starts a new
   * one). `stopJob`: the id of the job it is running, which it is asked to stop first.
   */
  private stopWorker(stopJob?: number): void {
    const current = this.worker;
    this.worker = null;
    this.generation++;
    if (!current) return;
    if (stopJob !== undefined) Atomics.store(current.control, Control.CANCEL, stopJob);
    this.terminateOutsideParse(current);
  }

  /** Terminates `w` now, or as soon as it has left tree-sitter's native parse. */
  private terminateOutsideParse(w: RunningWorker): void {
    if (Atomics.load(w.control, Control.IN_PARSE) === 0) {
      void w.worker.terminate();
      return;
    }
    this.options.log('the analysis worker is inside a parse; it was asked to stop and will end when the parse does');
    const poll = setInterval(() => {
      if (Atomics.load(w.control, Control.IN_PARSE) !== 0) return;
      clearInterval(poll);
      void w.worker.terminate();
    }, RETIRE_POLL_MS);
    poll.unref();
  }

  private finish(): Running | null {
    const running = this.running;
    if (running) clearTimeout(running.timer);
    this.running = null;
    return running;
  }

  private onReply(reply: FromWorker): void {
    if (!this.running || this.running.entry.job.id !== reply.id) return;
    const running = this.finish() as Running;
    const entry = running.entry;
    if (entry.kind === 'analyze') {
      if (reply.type === 'analyzed') {
        this.slow.delete(entry.job.uri);
        entry.resolve({ kind: 'done', reply, elapsedMs: Date.now() - running.started });
      } else if (reply.type === 'failed') {
        entry.resolve({ kind: 'failed', message: reply.message, stack: reply.stack });
      }
    } else if (reply.type === 'simulated' || reply.type === 'traceSimulated' || reply.type === 'traceChecked') {
      entry.resolve({ kind: 'done', reply });
    } else if (reply.type === 'failed') {
      entry.resolve({ kind: 'failed', message: reply.message });
    }
    this.pump();
  }

  private onTimeout(): void {
    const running = this.finish();
    if (!running) return;
    this.restarts++;
    this.stopWorker(running.entry.job.id);
    const { entry } = running;
    if (entry.kind === 'analyze') {
      this.slow.add(entry.job.uri);
      this.options.log(
        `analysis of ${entry.job.uri} (version ${entry.job.version}) went over its ${entry.budgetMs} ms budget; the worker was restarted`,
      );
      entry.resolve({ kind: 'timeout', budgetMs: entry.budgetMs });
    } else {
      const what = entry.job.type === 'checkTrace' ? 'reading the trace' : 'the simulation';
      entry.resolve({ kind: 'failed', message: `${what} went over its ${entry.budgetMs} ms budget` });
    }
    this.pump();
  }

  private onWorkerGone(message: string): void {
    this.worker = null;
    this.generation++;
    this.restarts++;
    const running = this.finish();
    this.options.log(message);
    if (running) {
      const { entry } = running;
      if (entry.kind === 'analyze') {
        this.slow.add(entry.job.uri);
        entry.resolve({ kind: 'crashed', message });
      } else {
        entry.resolve({ kind: 'failed', message });
      }
    }
    this.pump();
  }
}
