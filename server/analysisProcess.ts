/**
 * The analysis runs in a child process of the server (dist/server/analysis.js: core and the
 * message loop, no LSP library), not in a worker thread, for two reasons measured on real input:
 *  - stopping it is always safe: a worker thread terminated inside tree-sitter's native parse
 *    aborts the whole server (`terminate called after throwing an instance of 'Napi::Error'`,
 *    lsp-timeout-abort.py); a process is killed and that is all;
 *  - its memory goes back to the system when it ends. Parse trees live in native memory, and glibc
 *    keeps what they freed in its arenas: after closing eleven big documents the server stayed at
 *    ~950 MB RSS with no tree, memo or document left (JS heap 12 MB after a GC, the arenas the
 *    rest). A worker thread's arenas outlive the thread; a process's do not.
 * Messages go over the IPC channel with structured-clone ("advanced") serialization.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { FromWorker, ReadyMessage, ToWorker } from './workerMessages';

export interface AnalysisProcessEvents {
  /** The process has loaded and listens: jobs sent from now on are timed from their send. */
  readonly onReady: () => void;
  readonly onReply: (reply: FromWorker) => void;
  /** The process ended without being asked to (a crash, out of memory, a test hook's exit). */
  readonly onGone: (message: string) => void;
  readonly log: (message: string) => void;
}

/** How much of the process's stderr is kept, to tell an out-of-memory death from others. */
const STDERR_TAIL = 4096;

export class AnalysisProcess {
  private readonly child: ChildProcess;
  private stderrTail = '';
  private ended = false;
  /** Loading the bundle and tree-sitter takes a few hundred ms; no job's budget should pay for it. */
  ready = false;

  constructor(
    script: string,
    private readonly heapMb: number,
    private readonly events: AnalysisProcessEvents,
  ) {
    this.child = fork(script, [], {
      serialization: 'advanced',
      // Never our stdout: in --stdio mode that is the LSP stream.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // The heap limit is each document's memory budget. A small young generation: analyses
      // allocate many short-lived objects, and V8's default semi-spaces keep ~40 MB more resident
      // for no measurable gain in latency (bench/sections/lsp.mjs).
      execArgv: [`--max-old-space-size=${heapMb}`, '--max-semi-space-size=4'],
    });
    const log = (chunk: Buffer): void => events.log(`[analysis] ${chunk.toString().trimEnd()}`);
    this.child.stdout?.on('data', log);
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_TAIL);
      log(chunk);
    });
    this.child.on('message', (message: FromWorker | ReadyMessage) => {
      if (this.ended) return;
      if (message.type === 'ready') {
        this.ready = true;
        events.onReady();
      } else events.onReply(message);
    });
    this.child.on('error', (error) => this.gone(`analysis process failed: ${error.message}`));
    this.child.on('exit', (code, signal) => this.gone(this.exitMessage(code, signal)));
    // The server may exit while the process runs: neither the process nor its channel keeps it up.
    this.child.unref();
    this.child.channel?.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: ToWorker): void {
    if (!this.ended && this.child.connected) this.child.send(message);
  }

  /** Ends the process at once (safe at any point, native parse included); no event follows. */
  kill(): void {
    this.ended = true;
    this.child.kill('SIGKILL');
  }

  private gone(message: string): void {
    if (this.ended) return;
    this.ended = true;
    this.events.onGone(message);
  }

  private exitMessage(code: number | null, signal: NodeJS.Signals | null): string {
    if (/heap out of memory|Reached heap limit/.test(this.stderrTail))
      return `the analysis needed more than its ${this.heapMb} MB memory budget`;
    return code !== null ? `analysis worker exited with code ${code}` : `analysis worker was killed by ${signal}`;
  }
}
