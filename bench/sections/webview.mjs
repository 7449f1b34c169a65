// Section `webview`: the simulation panel (client/webview/, the bundle VS Code loads in its webview)
// in headless Chromium, the way the extension drives it: a `render` message carrying a whole
// simulated path, then the user stepping with the keyboard.
//  - render: from posting the message (a 10,000-step trace, simulated by `pinscope simulate
//    --format json`) until the panel shows it (validated, timeline, page table, chart), and until
//    the next frame is painted;
//  - step: one ArrowRight (the view's whole update: page table, counters, timeline selection,
//    chart cursor, the message to the extension), synchronous work and to the next frame; and a
//    jump across the whole trace (End / Home).
// The bundle is built here as the .vsix ships it (minified); the page is client/simulation/html.ts
// with its CSP; acquireVsCodeApi is a stand-in that records messages.
//
// Options (`npm run bench -- --opt webview.<key>=<value>`):
//   steps=10000   steps of the big trace
//   pages=4       base pages in it
//   moves=300     single steps timed
//   against=DIR   also measure the panel of another checkout (e.g. /work/main before a change), in
//                 the same browser on the same traces: before/after numbers from one run
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const id = 'webview';
export const title = 'Simulation panel in Chromium: render a 10,000-step trace, move one step';
export const order = 60;
export const needsTree = false;

const TARGET_RENDER_MS = 200;
const TARGET_STEP_MS = 16;

/** @param {number[]} xs @param {number} q */
function quantile(xs, q) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

const ms = (x) => (x === null ? null : x.toFixed(2));

/** A trace of `steps` steps over `pages` base pages: pins and unpins, gets and puts, branches, a few violations. */
export function bigTrace(steps, pages) {
  const lines = ['# bench: a long trace', 'kernel 6.12', 'function bench_long_path', `pages ${pages} base`];
  const held = new Array(pages).fill(0);
  for (let i = 0; i < steps - 1; i++) {
    const p = i % pages;
    const line = 100 + (i % 400);
    switch (i % 7) {
      case 0:
      case 1:
        lines.push(`pin_user_pages first=${p} nr=1 flags=FOLL_WRITE   @${line}:9`);
        held[p]++;
        break;
      case 2:
        lines.push(`branch "ret != ${i}" false   @${line}:6`);
        break;
      case 3:
        if (held[p] > 0) {
          lines.push(`unpin_user_page page=${p}   @${line}:3`);
          held[p]--;
        } else lines.push(`get_page page=${p}   @${line}:3`);
        break;
      case 4:
        lines.push(`get_page page=${p}   @${line}:3`);
        break;
      case 5:
        // Every 50th time a put_page() on a pinned page: a violation to show.
        lines.push(
          i % 350 === 5 && held[p] > 0
            ? `put_page page=${p}   @${line}:3`
            : `access first=${p} nr=1 mode=read via=memcpy   @${line}:5`,
        );
        if (i % 350 === 5 && held[p] > 0) held[p]--;
        break;
      default:
        lines.push(`branch "i < n" true   @${line}:14`);
    }
  }
  lines.push('return 0   @999:2');
  return lines.join('\n') + '\n';
}

/** The panel bundle and its page, built from the checkout at `root`. */
async function buildPanel(ctx, root, name) {
  const { createRequire } = await import('node:module');
  const require = createRequire(path.join(root, 'package.json'));
  const esbuild = require('esbuild');
  const panel = path.join(ctx.tmp, `panel-${name}.js`);
  await esbuild.build({
    entryPoints: [path.join(root, 'client', 'webview', 'main.ts')],
    outfile: panel,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    minify: true,
    logLevel: 'warning',
  });
  const html = path.join(ctx.tmp, `html-${name}.mjs`);
  await esbuild.build({
    entryPoints: [path.join(root, 'client', 'simulation', 'html.ts')],
    outfile: html,
    bundle: true,
    platform: 'node',
    format: 'esm',
    logLevel: 'warning',
  });
  const { panelHtml } = await import(pathToFileURL(html).href);
  return { panel, panelHtml };
}

function serve(root, panel, panelHtml) {
  const files = {
    '/panel.js': [panel, 'text/javascript'],
    '/simulation.css': [path.join(root, 'media', 'simulation.css'), 'text/css'],
    '/codicon.css': [path.join(root, 'node_modules', '@vscode', 'codicons', 'dist', 'codicon.css'), 'text/css'],
    '/codicon.ttf': [path.join(root, 'node_modules', '@vscode', 'codicons', 'dist', 'codicon.ttf'), 'font/ttf'],
  };
  let origin = '';
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        panelHtml({
          cspSource: origin,
          nonce: randomBytes(18).toString('base64'),
          scriptUri: `${origin}/panel.js`,
          styleUri: `${origin}/simulation.css`,
          codiconsUri: `${origin}/codicon.css`,
        }),
      );
      return;
    }
    const f = files[url.pathname];
    if (!f) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': f[1] });
    res.end(readFileSync(f[0]));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      origin = `http://127.0.0.1:${server.address().port}`;
      resolve({ origin, close: () => new Promise((r) => server.close(r)) });
    }),
  );
}

/** The model the extension would send for a trace (client/simulation/controller.ts, runTrace). */
function modelOf(report, traceLines, runId) {
  return {
    runId,
    source: { kind: 'trace', uri: 'file:///bench/long.pinsim', fileName: 'long.pinsim' },
    function: report.function,
    kernelVersion: report.kernelVersion,
    kernelVersions: ['5.4', '6.1', '6.12', '6.18'],
    parameters: {},
    paths: [],
    pathIndex: null,
    path: report.paths[0],
    traceLines,
    notes: report.notes,
    errors: [],
    partial: false,
  };
}

function simulate(ctx, text, name) {
  const file = path.join(ctx.tmp, name);
  writeFileSync(file, text);
  const r = spawnSync(ctx.pinscope[0], [...ctx.pinscope.slice(1), 'simulate', file, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  // Exit 1 means a path has a violation (the big trace has some on purpose).
  if (r.status !== 0 && r.status !== 1) throw new Error(`pinscope simulate failed (${r.status}): ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  const lines = text.split('\n');
  const traceLines = [];
  lines.forEach((l, i) => {
    const head = l.replace(/#.*$/, '').trim().split(/\s+/)[0];
    if (head && !['kernel', 'function', 'source', 'pages'].includes(head)) traceLines.push(i + 1);
  });
  return { report, traceLines };
}

function launch(chromium) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh panel page (the first render of a page, as when the panel opens), ready for messages. */
async function openPanel(browser, origin) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.addInitScript(() => {
    window.__sent = 0;
    window.acquireVsCodeApi = () => ({
      postMessage: () => {
        window.__sent++;
      },
      getState: () => undefined,
      setState: () => undefined,
    });
  });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => window.__sent > 0);
  return page;
}

/** From posting the render message until the panel shows "step 0 / N", and to the next painted frame. */
async function timeRender(page, model, total) {
  await page.evaluate((m) => {
    window.__model = m;
  }, model);
  return page.evaluate(async (n) => {
    const want = `step 0 / ${n}`;
    const position = document.getElementById('position');
    const t0 = performance.now();
    window.postMessage({ type: 'render', model: window.__model, step: 0 }, '*');
    await new Promise((resolve) => {
      const check = () => (position?.textContent === want ? resolve() : setTimeout(check, 0));
      check();
    });
    const t1 = performance.now();
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return { rendered: t1 - t0, painted: performance.now() - t0 };
  }, total);
}

/** `count` ArrowRight presses (synchronous work, and to the next frame), then End/Home jumps. */
function timeSteps(page, count) {
  return page.evaluate(async (n) => {
    const key = (k) =>
      document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    const sync = [];
    const frame = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      key('ArrowRight');
      sync.push(performance.now() - t0);
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      frame.push(performance.now() - t0);
    }
    const stepped = document.getElementById('position')?.textContent;
    const jumps = [];
    for (const k of ['End', 'Home', 'End', 'Home']) {
      const t0 = performance.now();
      key(k);
      jumps.push(performance.now() - t0);
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    }
    return { sync, frame, jumps, stepped };
  }, count);
}

/** One build of the panel on one trace: 5 fresh pages rendered, the first one stepped. */
async function measure(ctx, browser, origin, sim, moves) {
  const total = sim.report.paths[0].steps.length;
  const out = { renders: [], painted: [], stepSync: [], stepFrame: [], jumps: [] };
  for (let run = 0; run < 5; run++) {
    const page = await openPanel(browser, origin);
    const t = await timeRender(page, modelOf(sim.report, sim.traceLines, 1000 + run), total);
    out.renders.push(t.rendered);
    out.painted.push(t.painted);
    if (run === 0) {
      const s = await timeSteps(page, Math.min(moves, total));
      Object.assign(out, { stepSync: s.sync, stepFrame: s.frame, jumps: s.jumps });
      ctx.log(`${total} steps: stepped to "${s.stepped}"`);
    }
    await page.close();
  }
  return out;
}

/** The builds compared: this checkout, and the one `against=DIR` names (a worktree of main, /work/base…). */
function buildsToMeasure(ctx) {
  const builds = [{ name: 'this', root: ctx.root }];
  const against = ctx.options.against;
  if (against) {
    const commit = spawnSync('git', ['-C', against, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
    builds.push({ name: `${path.basename(against)}@${commit.stdout.trim() || '?'}`, root: path.resolve(against) });
  }
  return builds;
}

export async function run(ctx) {
  const steps = Number(ctx.options.steps ?? 10000);
  const pages = Number(ctx.options.pages ?? 4);
  const moves = Number(ctx.options.moves ?? 300);
  const { chromium } = await import('playwright-core');
  const builds = buildsToMeasure(ctx);
  ctx.log(`simulating a ${steps}-step trace…`);
  const big = simulate(ctx, bigTrace(steps, pages), 'long.pinsim');
  const small = simulate(ctx, bigTrace(100, pages), 'short.pinsim');
  const browser = await launch(chromium);
  const rows = [];
  const targets = [];
  const data = {};
  try {
    for (const build of builds) {
      ctx.log(`building the panel bundle of ${build.name} (minified)…`);
      const { panel, panelHtml } = await buildPanel(ctx, build.root, build.name);
      const server = await serve(build.root, panel, panelHtml);
      try {
        for (const [label, sim] of [
          ['100 steps', small],
          [`${steps} steps`, big],
        ]) {
          const m = await measure(ctx, browser, server.origin, sim, moves);
          const row = builds.length > 1 ? `${label} (${build.name})` : label;
          rows.push([
            row,
            ms(quantile(m.renders, 0.5)),
            ms(quantile(m.painted, 0.5)),
            ms(quantile(m.stepSync, 0.5)),
            ms(quantile(m.stepSync, 0.95)),
            ms(quantile(m.stepFrame, 0.5)),
            ms(Math.max(...m.jumps)),
          ]);
          data[row] = m;
          if (label !== '100 steps' && build.name === 'this') targets.push(...targetsOf(m, steps));
        }
      } finally {
        await server.close();
      }
    }
  } finally {
    await browser.close();
  }
  const size = JSON.stringify(modelOf(big.report, big.traceLines, 1)).length;
  return {
    columns: [
      'trace',
      'render ms (median)',
      'to painted frame ms',
      'step ms (median)',
      'step ms (p95)',
      'step to next frame ms',
      'End/Home jump ms (max)',
    ],
    rows,
    facts: [
      ['chromium', process.env.CHROMIUM ?? '/usr/bin/chromium'],
      ['pages per step', pages],
      ['model size', `${(size / 1e6).toFixed(1)} MB of JSON`],
      ...(builds.length > 1 ? [['builds', builds.map((b) => `${b.name} = ${b.root}`).join('; ')]] : []),
    ],
    notes: [
      'render: postMessage of the model until the panel shows "step 0 / N" (validation of every step, timeline, page table, chart); 5 fresh pages each, median.',
      '"to next frame" includes waiting for the browser\'s next animation frame (up to one vsync interval), not only the panel\'s work.',
      'With --opt webview.against=DIR, the panel of the checkout DIR is measured in the same browser, on the same traces, after this one.',
    ],
    targets,
    data,
  };
}

function targetsOf(m, steps) {
  const render = quantile(m.painted, 0.5);
  const step = quantile(m.stepSync, 0.95);
  return [
    {
      name: `render a ${steps}-step trace < ${TARGET_RENDER_MS} ms (median, to the painted frame)`,
      met: render !== null && render < TARGET_RENDER_MS,
      detail: `${ms(render)} ms`,
    },
    {
      name: `move one step < ${TARGET_STEP_MS} ms (p95 of the synchronous update)`,
      met: step !== null && step < TARGET_STEP_MS,
      detail: `${ms(step)} ms; median to the next frame ${ms(quantile(m.stepFrame, 0.5))} ms`,
    },
  ];
}
