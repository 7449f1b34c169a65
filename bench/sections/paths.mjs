// Section `paths`: the path engine and the simulation (issue 3's benchmark).
//  - path extraction over every function of the tree that calls a catalogued API (GUP, pin or
//    DMA): total time, the distribution, the slowest functions, and how many hit the step budget;
//  - simulation throughput: pin/unpin steps per second through the machine's arithmetic.
// Both are measured by dist/tools/bench-paths.js (scripts/bench-paths.ts) in one process.
//
// Options (`npm run bench -- --opt paths.<key>=<value>`):
//   sim-steps=2000000   steps for the throughput measurement
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const id = 'paths';
export const title = 'Path extraction over every function that calls a catalogued API, and simulation steps per second';
export const order = 20;
export const needsTree = true;

const TARGET_STEPS_PER_S = 1_000_000;
const TARGET_SLOWEST_MS = 50;

export async function run(ctx) {
  const tool = path.join(ctx.root, 'dist', 'tools', 'bench-paths.js');
  if (!existsSync(tool)) throw new Error(`${tool} is missing: run \`npm run build\` first`);
  const simSteps = ctx.options['sim-steps'] ?? '2000000';
  ctx.log(`path extraction over ${ctx.tree} and ${simSteps} simulation steps (one process, a few minutes)`);
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', tool, ctx.tree, '--sim-steps', simSteps], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0)
    throw new Error(`bench-paths exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-3).join(' ')}`);
  const out = JSON.parse(r.stdout);
  const e = out.extraction;
  const s = out.simulation;
  const slowest = e.slowest[0];
  const rows = [
    ['functions with a catalogued call', e.functions],
    ['files parsed', e.files],
    ['total extraction time (s)', (e.totalMs / 1000).toFixed(1)],
    ['median per function (ms)', e.p50Ms.toFixed(2)],
    ['99th percentile (ms)', e.p99Ms.toFixed(1)],
    [
      'slowest (ms)',
      `${slowest ? slowest.ms.toFixed(0) : '—'}${slowest ? ` (${slowest.where}, ${slowest.steps} steps)` : ''}`,
    ],
    ['functions over 50 ms', e.over50ms],
    [`functions that hit the budget (${e.budget.maxSteps} steps / ${e.budget.maxPaths} paths)`, e.budgetHits],
    ['simulation steps per second', Math.round(s.stepsPerSecond).toLocaleString('en-US')],
  ];
  return {
    columns: ['measure', 'value'],
    rows,
    notes: [
      'Slowest functions:',
      ...e.slowest.map(
        (t) =>
          `  ${t.ms.toFixed(0)} ms  ${t.where}  (${t.steps} steps, ${t.paths} paths${t.partial ? ', budget hit: partial' : ''})`,
      ),
      'Budget hits are reported to the user as a note on the function ("too many paths; analysed the first N"), never silently.',
    ],
    targets: [
      {
        name: `simulation ≥ ${TARGET_STEPS_PER_S.toLocaleString('en-US')} steps/s`,
        met: s.stepsPerSecond >= TARGET_STEPS_PER_S,
        detail: `${Math.round(s.stepsPerSecond).toLocaleString('en-US')} steps/s`,
      },
      {
        name: `no function over ${TARGET_SLOWEST_MS} ms`,
        met: e.over50ms === 0,
        detail: `${e.over50ms} over; slowest ${slowest ? slowest.ms.toFixed(0) : 0} ms`,
      },
    ],
    data: out,
  };
}
