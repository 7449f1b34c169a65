/**
 * The analysis thread: a message loop around one core session (core/session/), which owns the
 * documents' parse trees and lint memo. It runs in a worker thread of the server so that a slow
 * or crashing analysis can be stopped without stopping the server, and so that the main thread
 * keeps answering hovers and cancellations while a big file is being parsed.
 *
 * The same bundle (dist/server/server.js) is the worker script: main.ts decides by isMainThread.
 */
import { parentPort } from 'node:worker_threads';
import { createSession, formatStepTable, NEWEST_KNOWN, simulateTraceDocument } from '../core/index';
import { simOptions } from './simulation';
import {
  TEST_HOOK,
  type AnalyzeJob,
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

export function runAnalysisWorker(): void {
  const port = parentPort;
  if (!port) return;
  // Every job names its kernel version; the session's default is never used.
  const session = createSession({ kernelVersion: NEWEST_KNOWN });

  const analyze = (job: AnalyzeJob): FromWorker => {
    const r = session.update(job.uri, job.text, {
      kernelVersion: job.kernelVersion,
      rules: job.rules,
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

  port.on('message', (message: ToWorker) => {
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
            : simulateTrace(message);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      reply = { type: 'failed', id: message.id, message: error.message, stack: error.stack ?? '' };
    }
    port.postMessage(reply);
  });
}
