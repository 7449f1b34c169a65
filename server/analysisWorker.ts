/**
 * The analysis process: a message loop around one core session (core/session/), which owns the
 * documents' parse trees and lint memo. It runs in a child process of the server so that a slow
 * or crashing analysis can be stopped without stopping the server, so that the server keeps
 * answering hovers and cancellations while a big file is being parsed, and so that its memory goes
 * back to the system when it ends (analysisProcess.ts).
 *
 * Its entry is analysisMain.ts (dist/server/analysis.js).
 */
import { fileURLToPath } from 'node:url';
import { externalForFile } from '../batch/index/forLint';
import { Worker } from 'node:worker_threads';
import { createSession, formatStepTable, NEWEST_KNOWN, parseTrace, simulateTraceDocument } from '../core/index';
import { simOptions } from './simulation';
import {
  TEST_HOOK,
  type AnalyzeJob,
  type CheckTraceJob,
  type FromWorker,
  type SimulateJob,
  type SimulateTraceJob,
  type ToWorker,
} from './workerMessages';

function runTestHook(text: string): void {
  if (process.env.PINSCOPE_TEST_HOOKS !== '1') return;
  const m = TEST_HOOK.exec(text);
  if (!m) return;
  if (m[2] !== undefined) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(m[2]));
  } else if (m[1] === 'throw') {
    throw new Error('test hook: analysis threw');
  } else if (m[1] === 'hang') {
    for (;;) {
      // a runaway analysis, to test the time budget
    }
  } else if (m[1] === 'exit') {
    process.exit(3);
  }
}

const checkTrace = (job: CheckTraceJob): FromWorker => {
  runTestHook(job.text);
  const parsed = parseTrace(job.text);
  return parsed.ok
    ? { type: 'traceChecked', id: job.id, errors: [], stepLines: parsed.trace.steps.map((s) => s.traceLine ?? 0) }
    : { type: 'traceChecked', id: job.id, errors: parsed.errors, stepLines: [] };
};

/**
 * 'disconnect' is an event: an analysis that loops (or parses for a minute) never sees it, and
 * would outlive a server killed with SIGKILL. A small thread of its own checks once a second that
 * the parent is still there, and ends the process when it is not.
 */
function watchParent(): void {
  const parent = process.ppid;
  const watchdog = new Worker(
    `const parent = ${parent}; setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); }, 1000);`,
    { eval: true, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 } },
  );
  watchdog.unref();
}

/** The share of a document's time budget the analysis may use before it ends itself. */
const ANALYSIS_SHARE = 0.8;

export function runAnalysisWorker(): void {
  const send = process.send?.bind(process);
  if (!send) return;
  // The server went away (it exited, or was killed): so does its analysis.
  process.on('disconnect', () => process.exit(0));
  watchParent();
  // Every job names its kernel version; the session's default is never used.
  const session = createSession({ kernelVersion: NEWEST_KNOWN });

  const analyze = (job: AnalyzeJob): FromWorker => {
    const file = job.index && job.uri.startsWith('file:') ? fileURLToPath(job.uri) : null;
    const external = job.index && file !== null ? externalForFile(job.index, file, job.text) : undefined;
    const r = session.update(job.uri, job.text, {
      ...(external ? { external } : {}),
      kernelVersion: job.kernelVersion,
      rules: job.rules,
      // The analysis ends on its own, with what it found and a budget note, before the server
      // would stop the process (which leaves the file with nothing).
      budget: { deadline: Date.now() + job.budgetMs * ANALYSIS_SHARE, now: Date.now },
      afterParse: runTestHook,
    });
    return {
      type: 'analyzed',
      id: job.id,
      findings: [...r.findings],
      notes: [...r.notes],
      targets: [...r.targets],
      parseMs: r.parseMs,
      lintMs: r.lintMs,
      incremental: r.incremental,
      functionsAnalysed: r.functionsAnalysed,
    };
  };

  const simulate = (job: SimulateJob): FromWorker => {
    const result = session.simulate(job.uri, {
      text: job.text,
      kernelVersion: job.kernelVersion,
      options: simOptions(job.parameters),
      ...(job.function !== undefined ? { function: job.function } : {}),
      ...(job.offset !== undefined ? { offset: job.offset } : {}),
      ...(job.path !== undefined ? { path: job.path } : {}),
    });
    return { type: 'simulated', id: job.id, result, text: formatStepTable(result.report) };
  };

  const simulateTrace = (job: SimulateTraceJob): FromWorker => ({
    type: 'traceSimulated',
    id: job.id,
    result: simulateTraceDocument(job.text, job.kernelVersion, job.fallbackVersion),
  });

  process.on('message', (message: ToWorker) => {
    if (message.type === 'forget') {
      session.forget(message.uri);
      return;
    }
    let reply: FromWorker;
    try {
      reply =
        message.type === 'analyze'
          ? analyze(message)
          : message.type === 'simulate'
            ? simulate(message)
            : message.type === 'checkTrace'
              ? checkTrace(message)
              : simulateTrace(message);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      reply = { type: 'failed', id: message.id, message: error.message, stack: error.stack ?? '' };
    }
    send(reply);
  });
  send({ type: 'ready' });
}
