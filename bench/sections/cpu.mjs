// Section `cpu`: the CPU one file's lint costs, this checkout against another, interleaved in one
// process. On a shared machine wall and CPU times of whole runs move with the load by ±30% from one
// minute to the next (docs/benchmarks.md), far more than the few percent a change to the analysis
// makes; linting each file with both builds one after the other, in alternating order, puts the same
// load on both and leaves a ratio that holds. Nothing here is wall time or whole-run memory: the
// `lint` and `tree` sections measure those.
//
// Options (`npm run bench -- --opt cpu.<key>=<value>`):
//   against=DIR                the other checkout (its sources; this checkout's node_modules serve both): required
//   paths=drivers/scsi,drivers/net   folders or files of the tree to lint (comma-separated)
//   rounds=2                   times each file is linted by each build
//
// Each checkout's batch/lintFile.ts is bundled with this checkout's esbuild into the section's
// temporary folder (tree-sitter left external, so both builds use this checkout's native parser),
// and a child process lints every file with both. The findings of the two builds are compared file
// by file: a change that was meant to be faster but changes a finding shows up here.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const id = 'cpu';
export const title = 'CPU per file, this checkout against another, interleaved in one process';
export const order = 12;
export const needsTree = true;

const KERNEL_VERSION = '6.12';

/** The entry each checkout is bundled from: the file list and one file's lint, as batch does it. */
const entry = (checkout) => `
import { listCFiles } from ${JSON.stringify(path.join(checkout, 'batch/files'))};
import { lintFileFromDisk } from ${JSON.stringify(path.join(checkout, 'batch/lintFile'))};
export const list = (paths) => listCFiles(paths).files;
export function lint(file) {
  const r = lintFileFromDisk(file, { lint: { kernelVersion: ${JSON.stringify(KERNEL_VERSION)} } });
  return { status: r.status, findings: JSON.stringify(r.findings) };
}
`;

/** The child: lints each file with both builds (order alternating), summing each build's CPU. */
const RUNNER = `
const [a, b, rounds, ...paths] = process.argv.slice(2);
const builds = [require(a), require(b)];
const files = builds[0].list(paths);
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const ms = [0, 0];
let linted = 0, differing = 0;
const examples = [];
for (let round = 0; round < Number(rounds); round++)
  files.forEach((file, i) => {
    const out = [];
    for (const w of (i + round) % 2 ? [0, 1] : [1, 0]) {
      const start = cpu();
      out[w] = builds[w].lint(file);
      ms[w] += cpu() - start;
    }
    if (out[0].status === 'skipped-prefilter') return;
    if (round === 0) linted++;
    if (out[0].status !== out[1].status || out[0].findings !== out[1].findings) {
      differing++;
      if (examples.length < 5) examples.push(file);
    }
  });
process.stdout.write(JSON.stringify({ ms, linted, differing, examples }));
`;

/**
 * @param {{ root: string, tree: string, log: (m: string) => void, tmp: string, options: Record<string,string> }} ctx
 */
export async function run(ctx) {
  const { root, tree, tmp, log, options } = ctx;
  const against = options.against ? path.resolve(options.against) : null;
  if (!against || !existsSync(path.join(against, 'batch/lintFile.ts')))
    return {
      columns: ['build', 'CPU s', '÷ against', 'findings'],
      rows: [['this checkout', null, null, 'skipped']],
      notes: ['skipped: the section compares with another checkout, `--opt cpu.against=DIR` (its sources)'],
    };
  const rounds = Math.max(1, Number(options.rounds ?? 2));
  const paths = (options.paths ?? 'drivers/scsi,drivers/net').split(',').map((p) => path.join(tree, p));
  const esbuild = path.join(root, 'node_modules/.bin/esbuild');
  const bundles = [root, against].map((checkout, i) => {
    const src = path.join(tmp, `entry${i}.mjs`);
    const out = path.join(tmp, `build${i}.cjs`);
    writeFileSync(src, entry(checkout));
    const r = spawnSync(
      esbuild,
      [
        src,
        '--bundle',
        '--platform=node',
        '--format=cjs',
        '--external:tree-sitter',
        '--external:tree-sitter-c',
        `--outfile=${out}`,
        '--log-level=error',
      ],
      // Packages come from this checkout's node_modules (esbuild reads NODE_PATH): the other needs none.
      { encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') } },
    );
    if (r.status !== 0) throw new Error(`bundling ${checkout}: ${r.stderr}`);
    return out;
  });
  const runner = path.join(tmp, 'runner.cjs');
  writeFileSync(runner, RUNNER);
  const loadBefore = os.loadavg()[0] ?? 0;
  log(`linting ${paths.length} path(s) ${rounds}× with both builds ...`);
  const r = spawnSync(process.execPath, [runner, bundles[0], bundles[1], String(rounds), ...paths], {
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
    maxBuffer: 16 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`runner failed: ${r.stderr}`);
  const { ms, linted, differing, examples } = JSON.parse(r.stdout);
  const ratio = ms[0] / ms[1];
  return {
    facts: [
      ['paths', (options.paths ?? 'drivers/scsi,drivers/net').replaceAll(',', ', ')],
      ['files linted (each build, each round)', linted],
      ['rounds', rounds],
      ['load average (1 min) before / after', `${loadBefore.toFixed(2)} / ${(os.loadavg()[0] ?? 0).toFixed(2)}`],
    ],
    columns: ['build', 'CPU s', '÷ against', 'findings'],
    rows: [
      [
        'this checkout',
        (ms[0] / 1000).toFixed(2),
        ratio.toFixed(3),
        differing === 0 ? 'same as against' : `${differing} files differ`,
      ],
      [`against: ${against}`, (ms[1] / 1000).toFixed(2), '1.000', ''],
    ],
    notes: [
      'CPU of the lint of each file (read, prefilter, parse, analysis, rules), summed per build; both builds run in one process, file after file in alternating order, so the load of the machine falls on both alike.',
      ...(differing > 0 ? [`WARNING: findings differ in ${differing} files, e.g. ${examples.join(', ')}`] : []),
    ],
    data: { ms, linted, differing, examples },
  };
}
