// Section `lsp`: the language server over stdio (`pinscope lsp --stdio`, the server the VS Code
// extension bundles), the way an editor drives it.
//  - edit-to-diagnostics latency: open a kernel file (debounce 0), then edits one at a time, each
//    timed from sending didChange to receiving the publishDiagnostics of that version. The edits
//    are seeded (bench/lib/lspEdits.mjs): a space, an empty line or a typed character, each undone
//    again, at lines inside functions that pin or map ('pin-map', the target of issue 12) or
//    anywhere in the file ('anywhere'). With `against=DIR` the server of another checkout gets the
//    same edits in the same run, edit by edit in turn with this one (both servers are up, one
//    works at a time), so machine load falls on both alike. RSS of each server (with its analysis
//    process) after its edits.
//  - memory: RSS of the server process and its analysis process after opening M
//    kernel files that use the GUP API, each analysed, and again 5 s after closing them all.
//
// Options (`npm run bench -- --opt lsp.<key>=<value>`):
//   files=drivers/scsi/st.c,mm/gup.c   the files edited (relative to the tree)
//   where=pin-map,anywhere             where the edits go (see bench/lib/lspEdits.mjs)
//   edits=200                          edits per file and place (pairs of an edit and its undo)
//   seed=1                             the edit positions' seed
//   open=50                            files opened for the memory measurement (0: none)
//   against=DIR[,DIR…]                 also measure the server of the checkout DIR (built there),
//                                      e.g. a worktree of an older commit: before/after in one run
import { spawnSync } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { seededEdits } from '../lib/lspEdits.mjs';

export const id = 'lsp';
export const title = 'Language server: edit-to-diagnostics latency over stdio, and memory with many files open';
export const order = 40;
export const needsTree = true;

const TARGET_P95_MS = 20;
const TARGET_RSS_MB = 150;

const COLUMNS = [
  'file',
  'edits in',
  'build',
  'size',
  'findings',
  'open → diagnostics ms',
  'edits',
  'p50 ms',
  'p95 ms',
  'max ms',
  'analysis p50 ms',
  'p95 by kind ms',
  'RSS after MB',
];

const NOTES = [
  'Latency: from sending didChange to receiving the publishDiagnostics of that version, one edit at a time (incremental parse of the previous tree, analysis, lint, in the server\'s analysis process). "analysis p50" is the server\'s own time for the job (pinscope/status elapsedMs): the rest is JSON-RPC and the diagnostics. Edits: seeded (bench/lib/lspEdits.mjs); "pin-map" = lines inside function bodies that call a pin, GUP, DMA map or DMA alloc API; "anywhere" = any non-empty line. Each edit is followed by its undo, both timed.',
  'With against=DIR, both builds get every edit in turn (this build first), so load on the machine falls on both alike.',
  'RSS: /proc/<pid>/status VmRSS of the server process plus its analysis process; the 8 most recently analysed documents keep their parse trees for incremental re-parsing. After the last document closes, the analysis process stops and its memory goes back to the system.',
];

/** @param {number[]} xs @param {number} q */
function quantile(xs, q) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** @param {number|null} x */
const ms = (x) => (x === null ? null : x.toFixed(1));

/** The server as an editor starts it (`pinscope` argv prefix: this build's or another's), with a minimal JSON-RPC client. */
async function startServer(ctx, root, pinscope = ctx.pinscope) {
  const require = createRequire(path.join(ctx.root, 'package.json'));
  const rpc = require('vscode-languageserver-protocol/node');
  const child = spawn(pinscope[0], [...pinscope.slice(1), 'lsp', '--stdio'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const connection = rpc.createProtocolConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  /** @type {Map<string, Map<number, (p: any) => void>>} */
  const waiting = new Map();
  /** @type {Map<string, number>} */
  const lastVersion = new Map();
  connection.onNotification('textDocument/publishDiagnostics', (p) => {
    const at = performance.now();
    lastVersion.set(p.uri, p.version ?? -1);
    const w = waiting.get(p.uri)?.get(p.version);
    if (w) {
      waiting.get(p.uri)?.delete(p.version);
      w({ ...p, at });
    }
  });
  connection.onRequest('workspace/configuration', (params) =>
    params.items.map((i) => (i.section === 'pinscope' ? { debounce: 0, kernelVersion: 'auto' } : null)),
  );
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.onNotification('window/logMessage', () => undefined);
  /** The server's own time for each analysis (worker round trip), by `uri@version`. */
  const analysisMs = new Map();
  connection.onNotification('pinscope/status', (st) => analysisMs.set(`${st.uri}@${st.version}`, st.elapsedMs));
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(root).toString(),
    workspaceFolders: [{ uri: pathToFileURL(root).toString(), name: 'linux' }],
    capabilities: {
      textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
      workspace: { configuration: true, workspaceEdit: { documentChanges: true } },
      window: { workDoneProgress: true },
    },
  });
  await connection.sendNotification('initialized', {});
  /** Resolves with the publish of `version` for `uri` (and the time it arrived). */
  const diagnosticsOf = (uri, version, timeoutMs = 60_000) =>
    new Promise((resolve, reject) => {
      const map = waiting.get(uri) ?? new Map();
      waiting.set(uri, map);
      const timer = setTimeout(
        () =>
          reject(
            new Error(`no diagnostics for ${uri} v${version} within ${timeoutMs} ms; stderr: ${stderr.slice(-500)}`),
          ),
        timeoutMs,
      );
      map.set(version, (p) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
  return {
    child,
    analysisMs,
    diagnosticsOf,
    open: (uri, text, version = 1) =>
      connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version, text } }),
    close: (uri) => connection.sendNotification('textDocument/didClose', { textDocument: { uri } }),
    change: (uri, version, contentChanges) =>
      connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges }),
    info: () => connection.sendRequest('pinscope/serverInfo', {}),
    stop: async () => {
      try {
        await Promise.race([connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
        await connection.sendNotification('exit');
      } catch {
        /* gone */
      }
      await new Promise((r) => setTimeout(r, 200));
      if (child.exitCode === null) child.kill('SIGKILL');
      connection.dispose();
    },
  };
}

/** The process and its descendants (the server's analysis process), by /proc (Linux). */
function processTree(pid) {
  const out = [];
  const todo = [pid];
  while (todo.length > 0) {
    const p = todo.pop();
    out.push(p);
    try {
      for (const task of readdirSync(`/proc/${p}/task`))
        todo.push(...readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number));
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * VmRSS and VmHWM in MB (Linux) of a process with its descendants: the server, and its analysis
 * process when it runs one (a worker thread before). The peak is the sum of each one's peak.
 */
function procMemory(pid) {
  let rss = 0;
  let peak = 0;
  for (const p of processTree(pid)) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      rss += kb('VmRSS') / 1024;
      peak += kb('VmHWM') / 1024;
    } catch {
      if (p === pid) return { rssMB: null, peakMB: null };
    }
  }
  return { rssMB: rss, peakMB: peak };
}

/** The builds measured: this checkout, and those `against=DIR[,DIR…]` names (each built there). */
function builds(ctx) {
  const out = [{ name: 'this', pinscope: ctx.pinscope }];
  for (const against of (ctx.options.against ?? '').split(',').filter(Boolean)) {
    const dir = path.resolve(against);
    const commit = spawnSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
    out.push({
      name: `${path.basename(dir)}@${commit.stdout.trim() || '?'}`,
      pinscope: [process.execPath, path.join(dir, 'bin', 'pinscope.js')],
    });
  }
  return out;
}

/** Applies an LSP content change (line/character ranges) to `text`. */
function applyChange(text, change) {
  const offset = ({ line, character }) => {
    let at = 0;
    for (let l = 0; l < line; l++) at = text.indexOf('\n', at) + 1;
    return at + character;
  };
  return text.slice(0, offset(change.range.start)) + change.text + text.slice(offset(change.range.end));
}

/**
 * One file, one place: every build's server opens it, then each edit goes to each server in turn
 * (the next build only after the previous one published), so that load on the machine falls on
 * every build alike.
 */
async function editLatency(ctx, relFile, where, pairs, seed, measured) {
  const file = path.join(ctx.tree, relFile);
  const text = readFileSync(file, 'latin1');
  const edits = seededEdits(text, where, pairs, seed);
  if (!edits) return null;
  const uri = pathToFileURL(file).toString();
  const runs = [];
  try {
    for (const build of measured) {
      const server = await startServer(ctx, ctx.tree, build.pinscope);
      const run = { build, server, samples: [], inServer: [], byKind: {}, openMs: 0, findings: 0 };
      runs.push(run);
      const t0 = performance.now();
      const first = server.diagnosticsOf(uri, 1);
      server.open(uri, text, 1);
      const opened = await first;
      run.openMs = opened.at - t0;
      run.findings = opened.diagnostics.length;
    }
    let version = 1;
    let current = text;
    for (const edit of edits) {
      for (const change of [edit.change, edit.undo]) {
        version++;
        current = applyChange(current, change);
        for (const run of runs) {
          const done = run.server.diagnosticsOf(uri, version);
          const sent = performance.now();
          run.server.change(uri, version, [change]);
          const p = await done;
          const took = p.at - sent;
          run.samples.push(took);
          (run.byKind[edit.kind] ??= []).push(took);
          await new Promise((r) => setImmediate(r)); // the status notification follows the diagnostics
          const own = run.server.analysisMs.get(`${uri}@${version}`);
          if (own !== undefined) run.inServer.push(own);
        }
      }
    }
    if (current !== text) throw new Error(`${relFile}: the edits did not undo each other`);
    for (const run of runs) run.memory = procMemory(run.server.child.pid);
    return {
      lines: text.split('\n').length,
      bytes: Buffer.byteLength(text, 'latin1'),
      runs: runs.map((run) => ({ ...run, server: undefined })),
    };
  } finally {
    for (const run of runs) await run.server.stop();
  }
}

async function memory(ctx, count) {
  const r = spawnSync('grep', ['-rlE', '--include=*.c', 'pin_user_pages|get_user_pages', ctx.tree], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const all = (r.stdout ?? '').split('\n').filter(Boolean).sort();
  // Spread the choice over the tree (not the first 50 of one directory).
  const files = [];
  for (let k = 0; k < Math.min(count, all.length); k++)
    files.push(all[Math.floor((k * all.length) / Math.min(count, all.length))]);
  const server = await startServer(ctx, ctx.tree);
  try {
    const before = procMemory(server.child.pid);
    let bytes = 0;
    const t0 = performance.now();
    for (const f of files) {
      const text = readFileSync(f, 'latin1');
      bytes += text.length;
      const uri = pathToFileURL(f).toString();
      const done = server.diagnosticsOf(uri, 1, 120_000);
      server.open(uri, text, 1);
      await done;
    }
    const openAllS = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 500));
    const after = procMemory(server.child.pid);
    const info = await server.info();
    // Then every document is closed: what stays is what the server keeps when nothing is open.
    for (const f of files) server.close(pathToFileURL(f).toString());
    await new Promise((r) => setTimeout(r, 5000));
    const closed = procMemory(server.child.pid);
    return {
      files: files.length,
      candidates: all.length,
      bytes,
      before,
      after,
      closed,
      info,
      openAllS,
      sample: files.slice(0, 3).map((f) => path.relative(ctx.tree, f)),
    };
  } finally {
    await server.stop();
  }
}

export async function run(ctx) {
  const files = (ctx.options.files ?? 'drivers/scsi/st.c,mm/gup.c')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const places = (ctx.options.where ?? 'pin-map,anywhere')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const pairs = Math.ceil(Number(ctx.options.edits ?? 200) / 2);
  const seed = Number(ctx.options.seed ?? 1);
  const open = Number(ctx.options.open ?? 50);
  const measured = builds(ctx);
  const rows = [];
  const targets = [];
  const data = { latency: {}, memory: null, builds: measured.map((b) => ({ name: b.name, argv: b.pinscope })) };
  for (const f of files) {
    for (const where of places) {
      ctx.log(`${f}, ${where}: ${measured.map((b) => b.name).join(' and ')} open it, then ${pairs * 2} edits each…`);
      const r = await editLatency(ctx, f, where, pairs, seed, measured);
      if (!r) {
        ctx.log(`${f}: no line ${where}`);
        continue;
      }
      for (const run of r.runs) {
        const p50 = quantile(run.samples, 0.5);
        const p95 = quantile(run.samples, 0.95);
        const max = Math.max(...run.samples);
        const kinds = Object.entries(run.byKind)
          .map(([k, xs]) => `${k} ${ms(quantile(xs, 0.95))}`)
          .join(', ');
        rows.push([
          f,
          where,
          run.build.name,
          `${(r.bytes / 1024).toFixed(0)} KB`,
          run.findings,
          ms(run.openMs),
          run.samples.length,
          ms(p50),
          ms(p95),
          ms(max),
          ms(quantile(run.inServer, 0.5)),
          kinds,
          run.memory.rssMB === null ? null : run.memory.rssMB.toFixed(0),
        ]);
        if (run.build.name === 'this' && where === 'pin-map')
          targets.push({
            name: `${f}: edits inside functions that pin or map, didChange → publishDiagnostics p95 < ${TARGET_P95_MS} ms`,
            met: p95 !== null && p95 < TARGET_P95_MS,
            detail: `p95 ${ms(p95)} ms, p50 ${ms(p50)} ms`,
          });
        data.latency[`${f} ${where} ${run.build.name}`] = { ...run, p50, p95, max };
      }
    }
  }
  if (open <= 0)
    return {
      facts: [
        [
          'server',
          `${measured.map((b) => b.pinscope.slice(1).join(' ')).join(' / ')} lsp --stdio (debounce 0, kernelVersion auto)`,
        ],
      ],
      columns: COLUMNS,
      rows,
      targets,
      notes: NOTES,
      data,
    };
  ctx.log(`opening ${open} kernel files that use the GUP API…`);
  const m = await memory(ctx, open);
  data.memory = m;
  const rss = m.after.rssMB;
  targets.push({
    name: `RSS after opening ${m.files} files < ${TARGET_RSS_MB} MB`,
    met: rss === null ? null : rss < TARGET_RSS_MB,
    detail: `${rss?.toFixed(0)} MB (peak ${m.after.peakMB?.toFixed(0)} MB)`,
  });
  return {
    facts: [
      [
        'server',
        `${measured.map((b) => b.pinscope.slice(1).join(' ')).join(' / ')} lsp --stdio (debounce 0, kernelVersion auto)`,
      ],
      [
        'memory',
        `${m.files} files (${(m.bytes / 2 ** 20).toFixed(1)} MB of C, picked evenly from the ${m.candidates} *.c files matching pin_user_pages|get_user_pages): RSS ${m.before.rssMB?.toFixed(0)} MB idle → ${rss?.toFixed(0)} MB, peak ${m.after.peakMB?.toFixed(0)} MB; opening all took ${m.openAllS.toFixed(1)} s; 5 s after closing them all: ${m.closed.rssMB?.toFixed(0)} MB`,
      ],
    ],
    columns: COLUMNS,
    rows,
    targets,
    notes: NOTES,
    data,
  };
}
