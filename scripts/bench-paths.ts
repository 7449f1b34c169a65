/**
 * Measurements for `npm run bench -- --only paths` (bench/sections/paths.mjs runs this bundle as
 * dist/tools/bench-paths.js and prints the table): path extraction over every function of a tree
 * that calls a catalogued API, and simulation throughput. Prints one JSON object on stdout.
 *
 *   node dist/tools/bench-paths.js TREE [--sim-steps N]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { analyzeFile } from '../core/fileAnalysis/analyzeFile';
import { parseKernelVersion, type KernelVersion } from '../core/catalog/version';
import { createCParser } from '../core/parse/parser';
import { DEFAULT_BUDGET, enumeratePaths } from '../core/paths/engine';
import { holdsResources } from '../core/fileAnalysis/paths';
import { Machine } from '../core/sim/machine';
import type { Trace } from '../core/trace/types';
import { listCFiles } from '../batch/files';
import { mayContainCatalogued } from '../batch/prefilter';

interface FunctionTime {
  readonly where: string;
  readonly ms: number;
  readonly steps: number;
  readonly paths: number;
  readonly partial: boolean;
}

function extraction(tree: string, version: KernelVersion): object {
  const { files } = listCFiles([tree]);
  const parser = createCParser();
  const times: FunctionTime[] = [];
  let parsed = 0;
  for (const file of files) {
    const bytes = readFileSync(file);
    if (bytes.length > 8_000_000 || !mayContainCatalogued(bytes)) continue;
    parsed++;
    const analysis = analyzeFile(parser.parse(bytes.toString('utf8')), version);
    for (const fn of analysis.functions) {
      if (!holdsResources(fn)) continue;
      const started = performance.now();
      const result = enumeratePaths(fn);
      times.push({
        where: `${path.relative(tree, file)}:${fn.info.name}`,
        ms: performance.now() - started,
        steps: result.steps,
        paths: result.paths.length,
        partial: result.partial,
      });
    }
  }
  times.sort((a, b) => b.ms - a.ms);
  const total = times.reduce((n, t) => n + t.ms, 0);
  const sorted = times.map((t) => t.ms).sort((a, b) => a - b);
  const pct = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return {
    files: parsed,
    functions: times.length,
    totalMs: total,
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    over50ms: times.filter((t) => t.ms > 50).length,
    budgetHits: times.filter((t) => t.partial).length,
    budget: DEFAULT_BUDGET,
    slowest: times.slice(0, 10),
  };
}

/** Pin and unpin one page over and over: the machine's arithmetic per step, no I/O. */
function simulationThroughput(steps: number): object {
  const trace: Trace = {
    comments: [],
    memory: [{ count: 1, kind: 'base', movable: false }],
    steps: [
      { call: 'pin_user_pages', args: { nr: 1, flags: 'FOLL_WRITE' }, result: 1 },
      { call: 'unpin_user_page', args: { page: 0 } },
    ],
  };
  const machine = new Machine(trace);
  const [pin, unpin] = trace.steps as [Trace['steps'][number], Trace['steps'][number]];
  const started = performance.now();
  for (let i = 0; i < steps; i += 2) {
    machine.step(pin);
    machine.step(unpin);
  }
  const ms = performance.now() - started;
  const refcount = machine.snapshot().pages[0]?.refcount;
  return { steps, ms, stepsPerSecond: steps / (ms / 1000), finalRefcount: refcount };
}

const args = process.argv.slice(2);
const tree = args.find((a) => !a.startsWith('--'));
const simIndex = args.indexOf('--sim-steps');
const simSteps = simIndex >= 0 ? Number(args[simIndex + 1]) : 2_000_000;
const version = parseKernelVersion('6.12') as KernelVersion;
const out = { simulation: simulationThroughput(simSteps), ...(tree ? { extraction: extraction(tree, version) } : {}) };
process.stdout.write(`${JSON.stringify(out)}\n`);
