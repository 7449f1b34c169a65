// Section `lsp`: the language server over stdio (`pinscope lsp --stdio`, the server the VS Code
// extension bundles), the way an editor drives it.
//  - edit-to-diagnostics latency: open a kernel file (debounce 0), then N single-character edits,
//    one at a time; each is timed from sending didChange to receiving the publishDiagnostics of
//    that version. The edits alternate between inserting a space at the start of a line and
//    deleting it again, at lines spread over the file, so the text stays the same size.
//  - memory: RSS of the server process and its analysis process after opening M
//    kernel files that use the GUP API, each analysed, and again 5 s after closing them all.
//
// Options (`npm run bench -- --opt lsp.<key>=<value>`):
//   files=drivers/scsi/st.c,mm/gup.c   the files edited (relative to the tree)
//   edits=200                          edits per file
//   open=50                            files opened for the memory measurement
import { spawnSync } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

export const id = 'lsp';
export const title = 'Language server: edit-to-diagnostics latency over stdio, and memory with many files open';
export const order = 40;
export const needsTree = true;

const TARGET_P95_MS = 20;
const TARGET_RSS_MB = 150;

/** @param {number[]} xs @param {number} q */
function quantile(xs, q) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** @param {number|null} x */
const ms = (x) => (x === null ? null : x.toFixed(1));

/** The server as an editor starts it, with a minimal JSON-RPC client. */
async function startServer(ctx, root) {
  const require = createRequire(path.join(ctx.root, 'package.json'));
  const rpc = require('vscode-languageserver-protocol/node');
  const child = spawn(ctx.pinscope[0], [...ctx.pinscope.slice(1), 'lsp', '--stdio'], {
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

/** Lines inside the file where an edit goes: spread evenly, skipping empty lines. */
function editLines(text, n) {
  const lines = text.split('\n');
  const candidates = [];
  for (let i = 0; i < lines.length; i++) if ((lines[i] ?? '').trim().length > 0) candidates.push(i);
  const out = [];
  for (let k = 0; k < n; k++) out.push(candidates[Math.floor(((k + 0.5) * candidates.length) / n)] ?? 0);
  return out;
}

async function editLatency(ctx, relFile, edits) {
  const file = path.join(ctx.tree, relFile);
  const text = readFileSync(file, 'latin1');
  const server = await startServer(ctx, ctx.tree);
  try {
    const uri = pathToFileURL(file).toString();
    const t0 = performance.now();
    const first = server.diagnosticsOf(uri, 1);
    server.open(uri, text, 1);
    const opened = await first;
    const openMs = opened.at - t0;
    const samples = [];
    const inServer = [];
    const lines = editLines(text, Math.ceil(edits / 2));
    let version = 1;
    for (let k = 0; k < edits; k++) {
      const line = lines[Math.floor(k / 2)] ?? 0;
      const insert = k % 2 === 0;
      const change = insert
        ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: ' ' }
        : { range: { start: { line, character: 0 }, end: { line, character: 1 } }, text: '' };
      version++;
      const done = server.diagnosticsOf(uri, version);
      const sent = performance.now();
      server.change(uri, version, [change]);
      const p = await done;
      samples.push(p.at - sent);
      await new Promise((r) => setImmediate(r)); // the status notification follows the diagnostics
      const own = server.analysisMs.get(`${uri}@${version}`);
      if (own !== undefined) inServer.push(own);
    }
    return {
      openMs,
      samples,
      inServer,
      findings: opened.diagnostics.length,
      lines: text.split('\n').length,
      bytes: Buffer.byteLength(text, 'latin1'),
    };
  } finally {
    await server.stop();
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
  const edits = Number(ctx.options.edits ?? 200);
  const open = Number(ctx.options.open ?? 50);
  const rows = [];
  const targets = [];
  const data = { latency: {}, memory: null };
  for (const f of files) {
    ctx.log(`${f}: opening, then ${edits} single-character edits…`);
    const r = await editLatency(ctx, f, edits);
    const p50 = quantile(r.samples, 0.5);
    const p95 = quantile(r.samples, 0.95);
    const max = Math.max(...r.samples);
    rows.push([
      f,
      `${(r.bytes / 1024).toFixed(0)} KB`,
      r.findings,
      ms(r.openMs),
      r.samples.length,
      ms(p50),
      ms(p95),
      ms(max),
      ms(quantile(r.inServer, 0.5)),
    ]);
    targets.push({
      name: `${f}: edit-to-diagnostics p95 < ${TARGET_P95_MS} ms`,
      met: p95 !== null && p95 < TARGET_P95_MS,
      detail: `p95 ${ms(p95)} ms, p50 ${ms(p50)} ms`,
    });
    data.latency[f] = { ...r, p50, p95, max };
  }
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
      ['server', `${ctx.pinscope.slice(1).join(' ')} lsp --stdio (debounce 0, kernelVersion auto)`],
      [
        'memory',
        `${m.files} files (${(m.bytes / 2 ** 20).toFixed(1)} MB of C, picked evenly from the ${m.candidates} *.c files matching pin_user_pages|get_user_pages): RSS ${m.before.rssMB?.toFixed(0)} MB idle → ${rss?.toFixed(0)} MB, peak ${m.after.peakMB?.toFixed(0)} MB; opening all took ${m.openAllS.toFixed(1)} s; 5 s after closing them all: ${m.closed.rssMB?.toFixed(0)} MB`,
      ],
    ],
    columns: [
      'file',
      'size',
      'findings',
      'open → diagnostics ms',
      'edits',
      'p50 ms',
      'p95 ms',
      'max ms',
      'analysis p50 ms',
    ],
    rows,
    targets,
    notes: [
      'Latency: from sending didChange to receiving the publishDiagnostics of that version, one edit at a time (incremental parse of the previous tree, analysis, lint, in the server\'s analysis process). "analysis p50" is the server\'s own time for the worker job (pinscope/status elapsedMs): the rest is JSON-RPC, the worker message and the diagnostics.',
      'RSS: /proc/<pid>/status VmRSS of the server process plus its analysis process (a worker thread inside the server before 2026-12; V8 young generation capped); the 8 most recently analysed documents keep their parse trees for incremental re-parsing. After the last document closes, the analysis process stops and its memory goes back to the system.',
    ],
    data,
  };
}
