// Section `index`: `pinscope index` over the whole kernel tree (issue 12): a cold build into an empty
// cache folder, then a warm update (nothing changed), then `pinscope lint --no-cache` of the whole tree
// with that index (which brings the index up to date first, then lints), with wall time, CPU and peak
// RSS; with `--opt index.against=DIR` also the cold build and the lint of another checkout
// (DIR/bin/pinscope.js, built) over an index of its own: its facts.json is compared byte for byte with
// ours, its lint report with ours (the before of a before/after that must not change either).
//
// Options (`npm run bench -- --opt index.<key>=<value>`):
//   against=DIR   the peer checkout (see above)
//   cap=1800      wall-time cap per run, seconds
//
// Each build writes into a fresh folder of the section's (PINSCOPE_CACHE_DIR), never the user's cache.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measure } from '../lib/measure.mjs';
import { reportOf } from '../lib/pinscope.mjs';

export const id = 'index';
export const title = 'Building the tree index: cold and warm, peak RSS';
export const order = 12;
export const needsTree = true;

const KERNEL_VERSION = '6.12';
const TARGET_RSS_MB = 300;

/** @param {number|null|undefined} x */
const fmt = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : x.toFixed(2));
/** @param {number|null} kb */
const mb = (kb) => (kb === null ? null : Math.round(kb / 1024));
const load = () => (os.loadavg()[0] ?? 0).toFixed(2);

/** A lint run's result column. @param {import('../lib/measure.mjs').Measurement} m */
function lintResult(m) {
  if (m.status !== 'ok') return `FAILED (${m.message})`;
  try {
    const out = JSON.parse(readFileSync(m.stdoutFile, 'utf8'));
    return `${out.findings.length} findings, ${out.stats.parsed} of ${out.stats.files} files parsed`;
  } catch (e) {
    return `no report (${e instanceof Error ? e.message : String(e)})`;
  }
}

/** The facts.json a build wrote under `cacheDir` (one tree: one index folder), or null. @param {string} cacheDir */
function factsFileIn(cacheDir) {
  const base = path.join(cacheDir, 'index');
  if (!existsSync(base)) return null;
  for (const folder of readdirSync(base)) {
    const file = path.join(base, folder, 'facts.json');
    if (existsSync(file)) return file;
  }
  return null;
}

/**
 * @param {{ tree: string, pinscope: string[], log: (m: string) => void, tmp: string,
 *   options: Record<string,string>, machine: { nproc: number } }} ctx
 */
export async function run(ctx) {
  const { tmp, log, options } = ctx;
  const cap = Number(options.cap ?? 1800);
  /** @type {string[]} */
  const notes = [];
  const facts = /** @type {[string, unknown][]} */ ([
    ['nproc', ctx.machine.nproc],
    ['tree', ctx.tree],
    ['load average (1 min) at start', load()],
  ]);
  /** @type {{ name: string, m: import('../lib/measure.mjs').Measurement, cacheDir: string }[]} */
  const runs = [];
  const build = async (/** @type {string} */ key, /** @type {string} */ name, /** @type {string[]} */ cli) => {
    const cacheDir = path.join(tmp, `cache-${key.replace(/-warm$/, '')}`);
    const argv = [...cli, 'index', '--kernel-version', KERNEL_VERSION, '--quiet', ctx.tree];
    log(`${name} (cap ${cap} s) ...`);
    const env = { ...process.env, PINSCOPE_CACHE_DIR: cacheDir };
    const m = await measure({ argv, outDir: tmp, name: key, capS: cap, env });
    if (m.status !== 'ok') notes.push(`WARNING: ${name}: ${m.message ?? 'failed'}\n${m.stderrTail}`);
    runs.push({ name, m, cacheDir });
    return m;
  };
  /** @type {{ name: string, m: import('../lib/measure.mjs').Measurement }[]} */
  const lints = [];
  // The whole tree linted with the index a build made (issue 12's "peak RSS < 300 MB" with the index).
  const lint = async (/** @type {string} */ key, /** @type {string} */ name, /** @type {string[]} */ cli) => {
    const argv = [
      ...cli,
      'lint',
      '--no-cache',
      '--format',
      'json',
      '--exit-zero',
      '--kernel-version',
      KERNEL_VERSION,
      ctx.tree,
    ];
    log(`${name} (cap ${cap} s) ...`);
    const env = { ...process.env, PINSCOPE_CACHE_DIR: path.join(tmp, `cache-${key}`) };
    const m = await measure({ argv, outDir: tmp, name: `lint-${key}`, capS: cap, env });
    if (m.status !== 'ok') notes.push(`WARNING: ${name}: ${m.message ?? 'failed'}\n${m.stderrTail}`);
    lints.push({ name, m });
  };
  await build('cold', 'cold (empty cache folder)', ctx.pinscope);
  await build('cold-warm', 'warm (nothing changed)', ctx.pinscope);
  let peerName = null;
  let peerCli = null;
  if (options.against) {
    const other = path.resolve(options.against);
    const commit = spawnSync('git', ['-C', other, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    peerName = `peer ${path.basename(other)}@${commit || '?'}`;
    peerCli = [process.execPath, path.join(other, 'bin', 'pinscope.js')];
    await build('peer', `${peerName}: cold`, peerCli);
  }
  await lint('cold', 'pinscope lint --no-cache, with the index', ctx.pinscope);
  if (peerName && peerCli) await lint('peer', `pinscope lint --no-cache, ${peerName} with its index`, peerCli);
  facts.push(['load average (1 min) at end', load()]);

  const ours = factsFileIn(path.join(tmp, 'cache-cold'));
  const sizeOf = (/** @type {string|null} */ f) =>
    f ? `facts.json ${(readFileSync(f).length / 1e6).toFixed(1)} MB` : '';
  const rows = runs.map(({ name, m, cacheDir }) => [
    `pinscope index, ${name}`,
    m.status === 'ok' ? fmt(m.wallS) : null,
    fmt(m.cpuS),
    mb(m.maxRssKB),
    m.status === 'ok' ? sizeOf(factsFileIn(cacheDir)) : `FAILED (${m.message})`,
  ]);
  for (const { name, m } of lints)
    rows.push([name, m.status === 'ok' ? fmt(m.wallS) : null, fmt(m.cpuS), mb(m.maxRssKB), lintResult(m)]);
  /** @type {Record<string, unknown>} */
  const data = {
    runs: runs.map(({ name, m }) => ({ name, ...m })),
    lints: lints.map(({ name, m }) => ({ name, ...m })),
  };
  const [ourLint, peerLint] = lints;
  if (ourLint?.m.status === 'ok' && peerLint?.m.status === 'ok') {
    const same = reportOf(ourLint.m.stdoutFile) === reportOf(peerLint.m.stdoutFile);
    data.lintSameAsPeer = same;
    notes.push(
      same
        ? `The lint's JSON report is byte-identical to the ${peerName}'s (stats.elapsedMs set to 0 in both).`
        : `WARNING: the lint's JSON report differs from the ${peerName}'s.`,
    );
  }
  if (peerName) {
    const theirs = factsFileIn(path.join(tmp, 'cache-peer'));
    const same = ours !== null && theirs !== null && readFileSync(ours).equals(readFileSync(theirs));
    data.factsSameAsPeer = same;
    notes.push(
      same
        ? `facts.json of the cold build is byte-identical to the ${peerName}'s.`
        : `facts.json of the cold build differs from the ${peerName}'s (expected when either changed what is summarised).`,
    );
  }
  const cold = runs[0]?.m;
  const linted = lints[0]?.m;
  notes.push(
    'peak RSS is GNU time’s %M for the pinscope process; the summarising and lint workers, and the thread a lint updates the index on, are threads of that process, so it includes them.',
    'Load: the machine is shared; the load averages at start and end are above the table.',
  );
  return {
    columns: ['run', 'wall s', 'CPU s', 'peak RSS MB', 'result'],
    rows,
    facts,
    targets: [
      {
        name: `cold build peak RSS < ${TARGET_RSS_MB} MB`,
        met: cold?.maxRssKB ? cold.maxRssKB / 1024 < TARGET_RSS_MB : null,
        detail: cold?.maxRssKB ? `${mb(cold.maxRssKB)} MB` : 'not measured',
      },
      {
        name: `whole-tree lint with the index, peak RSS < ${TARGET_RSS_MB} MB`,
        met: linted?.maxRssKB ? linted.maxRssKB / 1024 < TARGET_RSS_MB : null,
        detail: linted?.maxRssKB ? `${mb(linted.maxRssKB)} MB` : 'not measured',
      },
    ],
    notes,
    data,
  };
}
