/**
 * The analysis thread: a message loop around one core session (core/session/), which owns the
 * documents' parse trees and lint memo. It runs in a worker thread of the server so that a slow
 * or crashing analysis can be stopped without stopping the server, and so that the main thread
 * keeps answering hovers and cancellations while a big file is being parsed.
 *
 * The same bundle (dist/server/server.js) is the worker script: main.ts decides by isMainThread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  createSession,
  createCParser,
  formatStepTable,
  NEWEST_KNOWN,
  parseTrace,
  simulateTraceDocument,
  type CParser,
} from '../core/index';
import { simOptions } from './simulation';
import {
  Control,
  TEST_HOOK,
  type AnalyzeJob,
  type CheckTraceJob,
  type FromWorker,
  type SimulateJob,
  type SimulateTraceJob,
  type ToWorker,
  type WorkerData,
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

/**
 * The parser the session uses: it marks the control word while tree-sitter's native parse runs,
 * so that the main thread never terminates this thread there (see analysisHost.ts).
 */
function markedParser(control: Int32Array): CParser {
  return createCParser({ onNativeParse: (inside) => Atomics.store(control, Control.IN_PARSE, inside ? 1 : 0) });
}

const checkTrace = (job: CheckTraceJob): FromWorker => {
  runTestHook(job.text);
  const parsed = parseTrace(job.text);
  return parsed.ok
    ? { type: 'traceChecked', id: job.id, errors: [], stepLines: parsed.trace.steps.map((s) => s.traceLine ?? 0) }
    : { type: 'traceChecked', id: job.id, errors: parsed.errors, stepLines: [] };
};

export function runAnalysisWorker(): void {
  const port = parentPort;
  if (!port) return;
  const control = new Int32Array((workerData as WorkerData).control);
  let current = 0;
  /** The main thread asked to stop the job being run (its budget ran out). */
  const shouldStop = (): boolean => Atomics.load(control, Control.CANCEL) === current;
  // Every job names its kernel version; the session's default is never used.
  const session = createSession({ kernelVersion: NEWEST_KNOWN, parser: markedParser(control) });

  const analyze = (job: AnalyzeJob): FromWorker => {
    const r = session.update(job.uri, job.text, {
      kernelVersion: job.kernelVersion,
      rules: job.rules,
      shouldStop,
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
      shouldStop,
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
    current = message.id;
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
    port.postMessage(reply);
  });
}
