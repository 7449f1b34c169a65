/**
 * The main thread's side of the analysis: a queue that keeps only the newest job per document (an
 * older pending job is cancelled, not run), one job at a time, a time budget per job (over budget
 * → the analysis process is killed and a new one takes the next job), and a restart after a
 * crash. Documents that went over budget wait behind the others, so one pathological file cannot
 * starve the rest. When no document is left in the analysis process, it is stopped, which gives
 * its memory back to the system (analysisProcess.ts says why that needs a process).
 */
import { AnalysisProcess } from './analysisProcess';
import type {
  AnalyzeJob,
  AnalyzedReply,
  CheckTraceJob,
  FromWorker,
  SimulateJob,
  SimulatedReply,
  SimulateTraceJob,
  ToWorker,
  TraceCheckedReply,
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

type AnalyzeInput = Omit<AnalyzeJob, 'type' | 'id' | 'budgetMs'>;
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
  /** The analysis process's script (dist/server/analysis.js). */
  readonly script: string;
  readonly log: (message: string) => void;
  /** V8 heap limit of the worker, MB. */
  readonly maxHeapMb?: number;
}

/** After the last document leaves the analysis process, how long it stays up for the next one. */
const IDLE_RELEASE_MS = 2000;
const MAX_START_FAILURES = 3;

export class AnalysisHost {
  private worker: AnalysisProcess | null = null;
  /** Documents whose tree and memo the analysis process holds (analysed and not forgotten). */
  private readonly holding = new Set<string>();
  private idleTimer: NodeJS.Timeout | null = null;
  /** Processes stopped because no document was left in them (not counted as restarts). */
  releases = 0;
  /** Analysis processes in a row that ended before they were ready. */
  private startFailures = 0;
  private generation = 0;
  private nextId = 1;
  private readonly analyses = new Map<string, QueuedAnalysis>();
  private readonly simulations: QueuedSimulation[] = [];
  private running: Running | null = null;
  /** Documents whose last analysis went over budget: they run after everything else. */
  private readonly slow = new Set<string>();
  private disposed = false;
  restarts = 0;

  constructor(private readonly options: AnalysisHostOptions) {
    // However the server ends, its analysis process ends with it (it also watches for that itself).
    process.on('exit', () => this.worker?.kill());
  }

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
      const job: AnalyzeJob = { type: 'analyze', id: this.nextId++, ...input, budgetMs };
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
    if (!this.holding.delete(uri)) return;
    this.post({ type: 'forget', uri });
    this.releaseWhenIdle();
  }

  /** The analysis process's pid, while there is one. */
  get pid(): number | undefined {
    return this.worker?.pid;
  }

  /**
   * With no document left in it and nothing to do, the analysis process is stopped (after a short
   * wait, for a document opened right after another closed): its memory goes back to the system.
   */
  private releaseWhenIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.holding.size > 0 || !this.worker) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.holding.size > 0 || this.running || this.hasWork()) return;
      this.releases++;
      this.options.log('no document is left in the analysis process; it was stopped to give its memory back');
      this.stopWorker();
    }, IDLE_RELEASE_MS);
    this.idleTimer.unref();
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
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.stopWorker();
  }

  private post(message: ToWorker): void {
    this.worker?.send(message);
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
    if (this.running || this.disposed || !this.hasWork()) return;
    const worker = this.ensureWorker();
    if (!worker.ready) return; // pumped again when it is
    const entry = this.take();
    if (!entry) return;
    const timer = setTimeout(() => this.onTimeout(), entry.budgetMs);
    this.running = { entry, started: Date.now(), timer };
    if (entry.kind === 'analyze') this.holding.add(entry.job.uri);
    worker.send(entry.job);
  }

  private hasWork(): boolean {
    return this.simulations.length > 0 || this.analyses.size > 0;
  }

  private ensureWorker(): AnalysisProcess {
    if (this.worker) return this.worker;
    const generation = ++this.generation;
    this.worker = new AnalysisProcess(this.options.script, this.heapMb, {
      onReady: () => {
        if (generation === this.generation) this.pump();
      },
      onReply: (reply) => {
        if (generation === this.generation) this.onReply(reply);
      },
      onGone: (message) => {
        if (generation === this.generation) this.onWorkerGone(message);
      },
      log: this.options.log,
    });
    return this.worker;
  }

  /** Stops the analysis process (what it holds is gone; the next job starts a new one). */
  private stopWorker(): void {
    const current = this.worker;
    this.worker = null;
    this.generation++;
    this.holding.clear();
    current?.kill();
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
    this.stopWorker();
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
    const started = this.worker?.ready ?? false;
    this.worker = null;
    this.generation++;
    this.holding.clear();
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
    // A process that dies before it is ready would die again: after a few, the waiting jobs fail
    // instead of starting processes in a loop (the next job tries again).
    this.startFailures = started ? 0 : this.startFailures + 1;
    if (this.startFailures >= MAX_START_FAILURES) {
      this.startFailures = 0;
      this.failAll(`the analysis process does not start (${message})`);
      return;
    }
    this.pump();
  }

  private failAll(message: string): void {
    for (const pending of this.analyses.values()) pending.resolve({ kind: 'crashed', message });
    this.analyses.clear();
    for (const sim of this.simulations.splice(0)) sim.resolve({ kind: 'failed', message });
  }
}
