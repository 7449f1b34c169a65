/**
 * The main thread's side of the analysis worker: a queue that keeps only the newest job per
 * document (an older pending job is cancelled, not run), one job at a time, a time budget per job
 * (over budget → the worker is terminated and restarted), and a restart after a crash. Documents
 * that went over budget wait behind the others, so one pathological file cannot starve the rest.
 */
import { Worker } from 'node:worker_threads';
import type {
  AnalyzeJob,
  AnalyzedReply,
  FromWorker,
  SimulateJob,
  SimulatedReply,
  SimulateTraceJob,
  ToWorker,
  TraceSimulatedReply,
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

interface QueuedAnalysis {
  readonly kind: 'analyze';
  readonly job: AnalyzeJob;
  readonly budgetMs: number;
  readonly resolve: (outcome: AnalysisOutcome) => void;
}

/** A simulation of a function or of a trace: one job, one reply (of the job's own type). */
interface QueuedSimulation {
  readonly kind: 'simulate';
  readonly job: SimulateJob | SimulateTraceJob;
  readonly budgetMs: number;
  readonly resolve: (outcome: SimulateOutcome<SimulatedReply | TraceSimulatedReply>) => void;
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

export class AnalysisHost {
  private worker: Worker | null = null;
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

  private enqueueSimulation<T extends 'simulated' | 'traceSimulated'>(
    job: SimulateJob | SimulateTraceJob,
    budgetMs: number,
    replyType: T,
  ): Promise<SimulateOutcome<Extract<SimulatedReply | TraceSimulatedReply, { type: T }>>> {
    type R = Extract<SimulatedReply | TraceSimulatedReply, { type: T }>;
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
    this.stopWorker();
  }

  private post(message: ToWorker): void {
    this.worker?.postMessage(message);
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
    const worker = this.ensureWorker();
    const timer = setTimeout(() => this.onTimeout(), entry.budgetMs);
    this.running = { entry, started: Date.now(), timer };
    worker.postMessage(entry.job);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const generation = ++this.generation;
    const worker = new Worker(this.options.script, {
      // The worker must never write to our stdout: in --stdio mode that is the LSP stream.
      stdout: true,
      stderr: true,
      // A small young generation: analyses allocate a lot of short-lived objects, and V8's default
      // semi-spaces keep ~40 MB more resident for no measurable gain in latency (bench/sections/lsp.mjs).
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? 1536, maxYoungGenerationSizeMb: 8 },
    });
    worker.stdout.on('data', (chunk: Buffer) => this.options.log(`[analysis worker] ${chunk.toString().trimEnd()}`));
    worker.stderr.on('data', (chunk: Buffer) => this.options.log(`[analysis worker] ${chunk.toString().trimEnd()}`));
    worker.on('message', (reply: FromWorker) => {
      if (generation === this.generation) this.onReply(reply);
    });
    worker.on('error', (error) => {
      if (generation === this.generation) this.onWorkerGone(`analysis worker failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      if (generation === this.generation) this.onWorkerGone(`analysis worker exited with code ${code}`);
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private stopWorker(): void {
    const worker = this.worker;
    this.worker = null;
    this.generation++;
    if (worker) void worker.terminate();
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
    } else if (reply.type === 'simulated' || reply.type === 'traceSimulated') {
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
    this.stopWorker();
    const { entry } = running;
    if (entry.kind === 'analyze') {
      this.slow.add(entry.job.uri);
      this.options.log(
        `analysis of ${entry.job.uri} (version ${entry.job.version}) went over its ${entry.budgetMs} ms budget; the worker was restarted`,
      );
      entry.resolve({ kind: 'timeout', budgetMs: entry.budgetMs });
    } else {
      entry.resolve({ kind: 'failed', message: `the simulation went over its ${entry.budgetMs} ms budget` });
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
