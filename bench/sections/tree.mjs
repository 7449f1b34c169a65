// Section `tree`: `pinscope lint` over the whole kernel tree with its result cache (issue 12): cold
// (--no-cache), the first run that fills an empty cache, warm (nothing changed) and one file touched,
// each against the grep floor measured in the same run, with peak RSS.
//
// Options (`npm run bench -- --opt tree.<key>=<value>`):
//   against=DIR     also run the CLI of another checkout (DIR/bin/pinscope.js, built) cold over the same
//                   tree in the same run: the before of a before/after
//   touch=mm/gup.c  the file (relative to the tree) the "one file touched" run changes: a comment is
//                   appended, so its bytes change and its findings do not
//   cap=1800        wall-time cap per pinscope run, seconds
//
// The runs go over a hard-linked copy of the tree in the section's temporary folder (`cp -al`: no
// bytes copied, the same page cache), so the touched file is replaced there — by a new file renamed
// over the link — and the tree itself is never written. The cache is a fresh folder of the section's
// (--cache-location), never the user's.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measure } from '../lib/measure.mjs';
import { noCacheFlag, reportOf } from '../lib/pinscope.mjs';
import { apiNames, ereEscape } from './lint.mjs';

export const id = 'tree';
export const title = 'The whole tree with the result cache: cold, warm and one file touched, against the grep floor';
export const order = 11;
export const needsTree = true;

const KERNEL_VERSION = '6.12';
const TARGETS = { cold: 5, warm: 1.5, touched: 2 };
const TARGET_RSS_MB = 300;

/** @param {number|null|undefined} x */
const fmt = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : x.toFixed(2));
/** @param {number|null} kb */
const mb = (kb) => (kb === null ? null : Math.round(kb / 1024));
const load = () => (os.loadavg()[0] ?? 0).toFixed(2);

/**
 * @param {{ root: string, tree: string, pinscope: string[], log: (m: string) => void, tmp: string,
 *   options: Record<string,string>, machine: { nproc: number } }} ctx
 */
export async function run(ctx) {
  const { tmp, log, options } = ctx;
  const cap = Number(options.cap ?? 1800);
  const touch = options.touch ?? 'mm/gup.c';
  /** @type {string[]} */
  const notes = [];
  /** @type {Record<string, any>} */
  const data = {};
  const facts = /** @type {[string, unknown][]} */ ([
    ['nproc', ctx.machine.nproc],
    ['load average (1 min) at start', load()],
  ]);

  // ── the tree, hard-linked ──
  let tree = path.join(tmp, 'tree');
  log(`cp -al ${ctx.tree} (hard links, for the touched run) ...`);
  const cp = spawnSync('cp', ['-al', ctx.tree, tree], { encoding: 'utf8' });
  const linked = cp.status === 0;
  if (!linked) {
    tree = ctx.tree;
    notes.push(
      `WARNING: cp -al failed (${(cp.stderr ?? '').trim().split('\n')[0]}): the runs go over the tree itself and the touched run is skipped.`,
    );
  }
  facts.push(['tree', `${ctx.tree}${linked ? ' (runs over a hard-linked copy)' : ''}`]);

  // ── the floor: the lint section's grep, before and after the pinscope runs ──
  const api = apiNames(ctx.pinscope);
  const grepArgv = ['grep', '-rlE', api.names.map(ereEscape).join('|'), '--include=*.c', '--include=*.h', tree];
  const grepEnv = { ...process.env, LC_ALL: 'C' };
  const grep = async (/** @type {string} */ name) => {
    log(`${name} ...`);
    const m = await measure({ argv: grepArgv, outDir: tmp, name, okCodes: [0, 1], capS: 600, env: grepEnv });
    if (m.status !== 'ok' || m.wallS === null) throw new Error(`grep failed: ${m.message ?? m.stderrTail}`);
    return m;
  };
  await grep('grep-warmup');
  const floorBefore = await grep('grep-before');

  // ── pinscope ──
  const cache = path.join(tmp, 'cache');
  const lint = (/** @type {string[]} */ prefix, /** @type {string[]} */ flags) => [
    ...prefix,
    'lint',
    '--format',
    'json',
    '--verbose',
    '--kernel-version',
    KERNEL_VERSION,
    ...flags,
    tree,
  ];
  /** @type {{ name: string, key: string, m: import('../lib/measure.mjs').Measurement, argv: string[] }[]} */
  const runs = [];
  const pinscope = async (/** @type {string} */ key, /** @type {string} */ name, /** @type {string[]} */ argv) => {
    log(`${name} (cap ${cap} s) ...`);
    const m = await measure({ argv, outDir: tmp, name: key, okCodes: [0, 1], capS: cap });
    if (m.status !== 'ok') notes.push(`WARNING: ${name}: ${m.message ?? 'failed'}\n${m.stderrTail}`);
    runs.push({ name, key, m, argv });
    return m;
  };
  await pinscope('cold', 'cold (--no-cache)', lint(ctx.pinscope, ['--no-cache']));
  await pinscope('fill', 'first run, empty cache (fills it)', lint(ctx.pinscope, ['--cache-location', cache]));
  await pinscope('warm', 'warm (nothing changed)', lint(ctx.pinscope, ['--cache-location', cache]));
  const touched = path.join(tree, touch);
  if (linked && existsSync(touched)) {
    // A new file renamed over the hard link: the original tree keeps its bytes.
    writeFileSync(`${touched}.bench-tmp`, `${readFileSync(touched, 'utf8')}\n/* touched by pinscope bench */\n`);
    renameSync(`${touched}.bench-tmp`, touched);
    await pinscope('touched', `one file touched (${touch})`, lint(ctx.pinscope, ['--cache-location', cache]));
  } else if (linked) notes.push(`WARNING: ${touch} is not in the tree: the touched run is skipped.`);
  if (options.against) {
    const other = path.resolve(options.against);
    const commit = spawnSync('git', ['-C', other, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    const peer = [process.execPath, path.join(other, 'bin', 'pinscope.js')];
    await pinscope('peer', `peer: ${path.basename(other)}@${commit || '?'}, cold`, lint(peer, noCacheFlag(peer)));
  }
  const floorAfter = await grep('grep-after');
  const floor = ((floorBefore.wallS ?? 0) + (floorAfter.wallS ?? 0)) / 2;
  facts.push(['load average (1 min) at end', load()]);

  // ── the table ──
  /** @param {import('../lib/measure.mjs').Measurement} m */
  const resultOf = (m) => {
    try {
      const out = JSON.parse(readFileSync(m.stdoutFile, 'utf8'));
      const cached = /result cache [^:]*: (\d+) results from it, (\d+) files linted afresh/.exec(
        readFileSync(m.stderrFile, 'utf8'),
      );
      return `${out.findings.length} findings, ${out.stats.parsed} of ${out.stats.files} files parsed${cached ? `; ${cached[1]} from the cache, ${cached[2]} linted` : ''}`;
    } catch (e) {
      return `no report (${e instanceof Error ? e.message : String(e)})`;
    }
  };
  const grepMatched = readFileSync(floorBefore.stdoutFile, 'utf8').split('\n').filter(Boolean).length;
  const rows = [
    [
      `grep -rlE, before`,
      fmt(floorBefore.wallS),
      fmt(floorBefore.cpuS),
      mb(floorBefore.maxRssKB),
      fmt((floorBefore.wallS ?? 0) / floor),
      `${grepMatched} files match`,
    ],
    [
      `grep -rlE, after`,
      fmt(floorAfter.wallS),
      fmt(floorAfter.cpuS),
      mb(floorAfter.maxRssKB),
      fmt((floorAfter.wallS ?? 0) / floor),
      'the floor is the mean of the two',
    ],
    ...runs.map(({ name, m }) => [
      `pinscope lint, ${name}`,
      m.status === 'ok' ? fmt(m.wallS) : null,
      fmt(m.cpuS),
      mb(m.maxRssKB),
      m.status === 'ok' && m.wallS !== null ? fmt(m.wallS / floor) : null,
      m.status === 'ok' ? resultOf(m) : `FAILED (${m.message})`,
    ]),
  ];

  // ── the same findings with and without the cache ──
  const byKey = Object.fromEntries(runs.map((r) => [r.key, r]));
  const cold = byKey.cold?.m.status === 'ok' ? reportOf(byKey.cold.m.stdoutFile) : null;
  for (const key of ['fill', 'warm', 'touched']) {
    const r = byKey[key];
    if (!cold || !r || r.m.status !== 'ok') continue;
    const same = reportOf(r.m.stdoutFile) === cold;
    data[`${key}SameAsCold`] = same;
    notes.push(
      same
        ? `${r.name}: its JSON report is byte-identical to the cold run's (stats.elapsedMs set to 0 in both).`
        : `WARNING: ${r.name}: its JSON report differs from the cold run's.`,
    );
  }

  // ── targets ──
  /** @type {{ name: string, met: boolean|null, detail: string }[]} */
  const targets = [];
  for (const [key, limit] of Object.entries(TARGETS)) {
    const r = byKey[key];
    const name = `${key} ≤ ${limit}× the grep floor`;
    if (!r || r.m.status !== 'ok' || r.m.wallS === null) targets.push({ name, met: null, detail: 'not measured' });
    else {
      const ratio = r.m.wallS / floor;
      targets.push({ name, met: ratio <= limit, detail: `${fmt(r.m.wallS)} s vs ${fmt(floor)} s = ${fmt(ratio)}×` });
    }
  }
  const own = runs.filter((r) => r.key !== 'peer' && r.m.maxRssKB !== null);
  const peak = Math.max(...own.map((r) => /** @type {number} */ (r.m.maxRssKB)));
  targets.push({
    name: `peak RSS < ${TARGET_RSS_MB} MB`,
    met: own.length ? peak / 1024 < TARGET_RSS_MB : null,
    detail: own.length ? `${mb(peak)} MB (the largest of the runs above)` : 'not measured',
  });
  notes.push(
    'peak RSS is GNU time’s %M for the pinscope process; its lint workers are threads of that process, so it includes them.',
    `grep: the lint section's floor (the ${api.names.length} catalogued names as one -E alternation, LC_ALL=C), run once as a page-cache warm-up, then before and after the pinscope runs; every row is warm-cache.`,
    'Load: the machine is shared; the load averages at start and end are above the table. Run it as `nice -n -5 npm run bench -- --only tree` (root) to give it the upper hand.',
  );
  data.runs = runs.map(({ key, name, m, argv }) => ({ key, name, argv, ...m }));
  data.floor = { before: floorBefore, after: floorAfter, mean: floor };
  return {
    columns: ['run', 'wall s', 'CPU s', 'peak RSS MB', 'wall ÷ grep', 'result'],
    rows,
    facts,
    targets,
    notes,
    data,
  };
}
