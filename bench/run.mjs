#!/usr/bin/env node
// pinscope benchmark harness: `npm run bench [-- --only <id>[,<id>]] [--tree <path>] [--json <file>]`.
//
// ─── Usage ────────────────────────────────────────────────────────────────────────────────────────────
//   npm run bench                          every section, over the Debian linux-source-6.12 tree
//   npm run bench -- --only lint           one section (comma-separated list for several)
//   npm run bench -- --tree ~/src/linux    over a tree of your own (nothing is extracted)
//   npm run bench -- --json out.json       also write every result as JSON
//   npm run bench -- --opt lint.spatch-cap=600   a section option (key=value, repeatable; see each section)
//   npm run bench -- --cli /other/pinscope.js   benchmark another build of the CLI (default bin/pinscope.js)
//   npm run bench -- --list                list the sections
// A bare `--` anywhere is ignored, so `npm run bench -- --only lint -- --tree x` works too.
//
// Without --tree, the tree is /usr/src/linux-source-6.12.tar.xz (Debian package linux-source-6.12; exit 2
// with an install hint when it is missing) extracted once into <repo>/.bench-cache/linux-source-6.12.
// A marker <repo>/.bench-cache/linux-source-6.12.complete is written after tar succeeded; a tree without
// the marker (an interrupted extraction) is removed and extracted again. The tree is only located when a
// selected section needs it (see `needsTree`).
//
// ─── Section contract ─────────────────────────────────────────────────────────────────────────────────
// A section is a file bench/sections/<anything>.mjs (files starting with '_' are skipped) exporting:
//
//   export const id = 'lint';                  // unique, used by --only and as the JSON key
//   export const title = 'Linting the whole kernel tree';
//   export const order = 10;                   // optional: sections run by ascending order, then file name
//   export const needsTree = true;             // optional (default true): false = ctx.tree is null and
//                                              //   the kernel tree is not extracted for this section
//   export async function run(ctx) {
//     return {
//       columns: ['tool', 'wall s', ...],      // table header
//       rows: [['grep', 1.23, ...], ...],      // cells: string | number | null (null prints '—');
//                                              //   numbers print as integers or with 2 decimals, so
//                                              //   pre-format a number as a string to choose otherwise
//       notes: ['...'],                        // optional: printed under the table, one per line;
//                                              //   start one with 'WARNING:' to have it stand out
//       facts: [['nproc', 2], ...],            // optional: [label, value] pairs printed before the table
//       targets: [{ name: 'wall ≤ 2× grep', met: true | false | null, detail: '1.4×' }],
//                                              // optional: printed as MET / NOT MET / UNKNOWN
//       data: { ... },                         // optional: anything else; goes to the JSON only
//     };
//   }
//
// ctx (the same object for every section):
//   ctx.root      absolute path of the repository
//   ctx.tree      absolute path of the kernel tree (null when the section has needsTree = false)
//   ctx.pinscope  argv prefix that runs the CLI: [process.execPath, '<root>/bin/pinscope.js'] (or --cli)
//   ctx.log(msg)  progress to stderr, prefixed with the section id (stdout carries only the tables)
//   ctx.tmp       a fresh temporary directory for this section, removed afterwards unless --keep-tmp
//   ctx.options   the --opt values whose key starts with '<id>.', with that prefix removed (strings)
//   ctx.machine   { nproc, cpuModel, node, memGiB } (also printed once at the top)
//
// Helpers sections may import: ./lib/measure.mjs (`measure()`: a command under /usr/bin/time with a cap,
// giving wall/CPU/peak RSS; `which()`, `versionOf()`), ./lib/table.mjs (`renderTable()`).
// A section that throws is reported as FAILED with its message; the others still run; the exit code is 1.
// Unmet targets do not change the exit code (this is a benchmark, not a test) unless --strict is given.
// Exit codes: 0 ok, 1 a section failed (or a target was not met under --strict), 2 setup error.

import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { renderTable } from './lib/table.mjs';
import { BenchExit, locateTree } from './lib/tree.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(benchDir);

/**
 * @typedef {{ columns: string[], rows: unknown[][], notes?: string[], facts?: [string, unknown][],
 *   targets?: { name: string, met: boolean|null, detail?: string }[], data?: unknown }} SectionResult
 * @typedef {{ id: string, title: string, order?: number, needsTree?: boolean,
 *   run: (ctx: any) => Promise<SectionResult> }} Section
 */

const USAGE = `usage: npm run bench [-- --only <id>[,<id>]] [--tree <path>] [--json <file>] [--opt <id>.<key>=<value>]...
                      [--cli <pinscope.js>] [--list] [--strict] [--keep-tmp]`;

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ only: string[]|null, tree?: string, json?: string, cli?: string, opts: Record<string,string>, list: boolean, strict: boolean, keepTmp: boolean }} */
  const a = { only: null, opts: {}, list: false, strict: false, keepTmp: false };
  const args = argv.filter((x) => x !== '--');
  for (let i = 0; i < args.length; i++) {
    let arg = /** @type {string} */ (args[i]);
    /** @type {string|undefined} */
    let inline;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new BenchExit(`${arg} needs a value\n${USAGE}`, 2);
      return v;
    };
    switch (arg) {
      case '--only':
        a.only = [
          ...(a.only ?? []),
          ...value()
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ];
        break;
      case '--tree':
        a.tree = value();
        break;
      case '--json':
        a.json = value();
        break;
      case '--cli':
        a.cli = path.resolve(value());
        break;
      case '--opt': {
        const v = value();
        const k = v.indexOf('=');
        if (k <= 0) throw new BenchExit(`--opt expects <id>.<key>=<value>, got ${v}`, 2);
        a.opts[v.slice(0, k)] = v.slice(k + 1);
        break;
      }
      case '--list':
        a.list = true;
        break;
      case '--strict':
        a.strict = true;
        break;
      case '--keep-tmp':
        a.keepTmp = true;
        break;
      case '-h':
      case '--help':
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
        break;
      default:
        throw new BenchExit(`unknown argument ${arg}\n${USAGE}`, 2);
    }
  }
  return a;
}

/** @returns {Promise<Section[]>} */
async function loadSections() {
  const dir = path.join(benchDir, 'sections');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.mjs') && !f.startsWith('_'))
    .sort();
  /** @type {(Section & { file: string })[]} */
  const sections = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(path.join(dir, f)).href);
    if (typeof mod.id !== 'string' || typeof mod.run !== 'function') {
      throw new BenchExit(`bench/sections/${f}: must export \`id\` (string) and \`run\` (async function)`, 2);
    }
    if (sections.some((s) => s.id === mod.id)) throw new BenchExit(`bench/sections/${f}: duplicate id ${mod.id}`, 2);
    sections.push({
      id: mod.id,
      title: mod.title ?? mod.id,
      order: mod.order,
      needsTree: mod.needsTree,
      run: mod.run,
      file: f,
    });
  }
  return sections.sort((x, y) => (x.order ?? 100) - (y.order ?? 100) || x.file.localeCompare(y.file));
}

/** @param {string} id */
const makeLog = (id) => (/** @type {string} */ msg) => process.stderr.write(`[bench:${id}] ${msg}\n`);

function machineFacts() {
  const cpus = os.cpus();
  return {
    nproc: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    node: process.version,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** @param {SectionResult} r */
function printResult(r) {
  const out = [];
  for (const [k, v] of r.facts ?? []) out.push(`  ${k}: ${v}`);
  if (r.facts?.length) out.push('');
  out.push(renderTable(r.columns, r.rows));
  if (r.targets?.length) {
    out.push('', 'Targets:');
    for (const t of r.targets) {
      const verdict = t.met === true ? 'MET    ' : t.met === false ? 'NOT MET' : 'UNKNOWN';
      out.push(`  [${verdict}] ${t.name}${t.detail ? ` — ${t.detail}` : ''}`);
    }
  }
  if (r.notes?.length) {
    out.push('', 'Notes:');
    for (const n of r.notes) out.push(n.startsWith('WARNING:') ? `  !! ${n}` : `  - ${n}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const all = await loadSections();
  if (args.list) {
    for (const s of all)
      process.stdout.write(`${s.id.padEnd(16)} ${s.title}${s.needsTree === false ? '' : '  (kernel tree)'}\n`);
    return 0;
  }
  let selected = all;
  if (args.only) {
    const unknown = args.only.filter((id) => !all.some((s) => s.id === id));
    if (unknown.length)
      throw new BenchExit(`unknown section(s): ${unknown.join(', ')}; known: ${all.map((s) => s.id).join(', ')}`, 2);
    selected = all.filter((s) => args.only?.includes(s.id));
  }
  const machine = machineFacts();
  process.stdout.write(`pinscope bench — ${new Date().toISOString()}\n`);
  process.stdout.write(
    `machine: ${machine.nproc} CPU(s), ${machine.cpuModel}, ${machine.memGiB} GiB, node ${machine.node}\n`,
  );

  /** @type {string|null} */
  let tree = null;
  /** @type {Record<string, unknown>} */
  const treeInfo = {};
  if (selected.some((s) => s.needsTree !== false)) {
    const t = await locateTree({ root, treeArg: args.tree, log: makeLog('tree') });
    tree = t.tree;
    Object.assign(treeInfo, t);
    process.stdout.write(
      `tree: ${tree}${t.extractedNow ? ` (extracted now in ${t.extractSeconds?.toFixed(1)} s)` : ''}\n`,
    );
  }

  const pinscope = [process.execPath, args.cli ?? path.join(root, 'bin', 'pinscope.js')];
  /** @type {any[]} */
  const results = [];
  let failed = false;
  let unmet = false;
  for (const s of selected) {
    process.stdout.write(`\n== ${s.id}: ${s.title} ==\n`);
    const tmp = mkdtempSync(path.join(os.tmpdir(), `pinscope-bench-${s.id}-`));
    const ctx = {
      root,
      tree: s.needsTree === false ? null : tree,
      pinscope,
      log: makeLog(s.id),
      tmp,
      machine,
      options: Object.fromEntries(
        Object.entries(args.opts)
          .filter(([k]) => k.startsWith(`${s.id}.`))
          .map(([k, v]) => [k.slice(s.id.length + 1), v]),
      ),
    };
    const t0 = performance.now();
    try {
      const r = await s.run(ctx);
      printResult(r);
      if (r.targets?.some((t) => t.met === false)) unmet = true;
      results.push({ id: s.id, title: s.title, ok: true, seconds: (performance.now() - t0) / 1000, ...r });
    } catch (e) {
      failed = true;
      const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
      process.stdout.write(`FAILED: ${msg}\n`);
      results.push({ id: s.id, title: s.title, ok: false, seconds: (performance.now() - t0) / 1000, error: msg });
    } finally {
      if (args.keepTmp) ctx.log(`kept ${tmp}`);
      else rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (args.json) {
    const file = path.resolve(args.json);
    writeFileSync(
      file,
      `${JSON.stringify({ version: 1, date: new Date().toISOString(), machine, tree: tree ? treeInfo : null, sections: results }, null, 2)}\n`,
    );
    process.stdout.write(`\nwrote ${file}\n`);
  }
  return failed ? 1 : args.strict && unmet ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    if (e instanceof BenchExit) {
      process.stderr.write(`bench: ${e.message}\n`);
      process.exit(e.exitCode);
    }
    process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(2);
  },
);
