/**
 * The analysis thread: parses (incrementally, with the previous tree of each document), analyses,
 * lints and lists simulation targets. It runs in a worker thread of the server so that a slow or
 * crashing analysis can be stopped (terminated) without stopping the server, and so that the main
 * thread keeps answering hovers and cancellations while a big file is being parsed.
 *
 * The same bundle (dist/server/server.js) is the worker script: main.ts decides by isMainThread.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { analyzeFile } from '../core/analysis/file';
import { parseKernelVersion, type KernelVersion } from '../core/catalog/version';
import { lintAnalysis, parseNotes } from '../core/lint';
import { lintShape, remapLint, shapeCovers, type LintShape, type MemoisedLint } from '../core/lintMemo';
import { LineIndex } from '../core/text/lineIndex';
import { createCParser, type ParsedSource } from '../core/parse/parser';
import { formatStepTable, simulationTargets } from '../core/sim/index';
import { simulateInFile, simulateTraceDocument } from './simulation';
import {
  TEST_HOOK,
  type AnalyzeJob,
  type FromWorker,
  type SimulateJob,
  type SimulateTraceJob,
  type ToWorker,
} from './workerMessages';

function versionOf(text: string): KernelVersion {
  const v = parseKernelVersion(text);
  if (!v) throw new Error(`bad kernel version "${text}"`);
  return v;
}

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

/** How many documents keep their parse tree for incremental re-parsing (see `keep`). */
const MAX_TREES = 8;

export function runAnalysisWorker(): void {
  const port = parentPort;
  if (!port) return;
  const parser = createCParser();
  /**
   * The last parse of each document: the next parse edits its tree (then it is not used again).
   * Only the most recently analysed documents keep theirs (a Map iterates in insertion order, and
   * every analysis re-inserts): with fifty files open, the trees of files nobody is typing in would
   * hold most of the server's memory. A document whose tree went is parsed in full on its next edit.
   */
  const trees = new Map<string, ParsedSource>();
  const keep = (uri: string, parsed: ParsedSource): void => {
    trees.delete(uri);
    trees.set(uri, parsed);
    while (trees.size > MAX_TREES) {
      const oldest = trees.keys().next().value as string;
      trees.delete(oldest);
    }
  };

  /**
   * The last full result of each document with the shape it was computed on (core/lintMemo.ts):
   * an edit that leaves the shape alone (in a function no rule reads) reuses it, moved.
   */
  const memos = new Map<string, { readonly shape: LintShape; readonly result: MemoisedLint }>();

  const analyze = (job: AnalyzeJob): FromWorker => {
    const t0 = performance.now();
    const previous = trees.get(job.uri);
    // `previous` belongs to the parser from here on: forget it first, so that an exception in the
    // parse cannot leave a half-edited tree behind for the next edit.
    trees.delete(job.uri);
    const parsed = parser.parse(job.text, previous);
    keep(job.uri, parsed);
    const t1 = performance.now();
    runTestHook(job.text);
    const shape = lintShape(
      job.text,
      `${job.kernelVersion}\u0000${JSON.stringify(job.rules ?? {})}`,
      parsed.parsedText,
    );
    const memo = memos.get(job.uri);
    memos.delete(job.uri);
    if (shape && memo && memo.shape.key === shape.key) {
      const moved = remapLint(memo.result, memo.shape, shape, job.text);
      remember(job.uri, shape, moved);
      const notes = [...parseNotes(parsed, new LineIndex(job.text)), ...moved.notes];
      return {
        type: 'analyzed',
        id: job.id,
        findings: [...moved.findings],
        notes,
        targets: [...moved.targets],
        parseMs: t1 - t0,
        lintMs: performance.now() - t1,
        incremental: previous !== undefined,
      };
    }
    const file = analyzeFile(parsed, versionOf(job.kernelVersion));
    const { findings, notes } = lintAnalysis(file, { kernelVersion: file.version, rules: job.rules });
    const targets = simulationTargets(file);
    const t2 = performance.now();
    const analysed = file.functions.map((f) => ({ start: f.info.node.startIndex, end: f.info.node.endIndex }));
    if (shape && shapeCovers(shape, analysed))
      remember(job.uri, shape, { findings, notes: notes.filter((n) => n.kind !== 'parse-errors'), targets });
    return {
      type: 'analyzed',
      id: job.id,
      findings,
      notes,
      targets,
      parseMs: t1 - t0,
      lintMs: t2 - t1,
      incremental: previous !== undefined,
    };
  };

  const remember = (uri: string, shape: LintShape, result: MemoisedLint): void => {
    memos.set(uri, { shape, result });
    while (memos.size > MAX_TREES) memos.delete(memos.keys().next().value as string);
  };

  const simulate = (job: SimulateJob): FromWorker => {
    const cached = trees.get(job.uri);
    const parsed = cached && cached.text === job.text ? cached : parser.parse(job.text);
    const file = analyzeFile(parsed, versionOf(job.kernelVersion));
    const result = simulateInFile(file, {
      ...(job.function !== undefined ? { function: job.function } : {}),
      ...(job.offset !== undefined ? { offset: job.offset } : {}),
      ...(job.path !== undefined ? { path: job.path } : {}),
      ...(job.parameters !== undefined ? { parameters: job.parameters } : {}),
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
      trees.delete(message.uri);
      memos.delete(message.uri);
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
      if (message.type === 'analyze') {
        trees.delete(message.uri);
        memos.delete(message.uri);
      }
      const error = e instanceof Error ? e : new Error(String(e));
      reply = { type: 'failed', id: message.id, message: error.message, stack: error.stack ?? '' };
    }
    port.postMessage(reply);
  });
}
