#!/usr/bin/env node
// `npm run test:e2e [-- --only suite,ui,nvim] [--keep] [--update-screenshots]`: pinscope in real editors.
//   0. checks the Debian packages the wanted phases need (test/e2e/systemPackages.mjs): it installs
//      none of them — it names what is missing and the apt-get command — unless CI=true as root
//      (.ci/run), and then only the missing ones, without upgrading anything;
//   1. installs code-server 4.100.3 into .e2e/ if needed (test/e2e/install-code-server.sh; npm only);
//   2. builds the bundles and packages the .vsix (npm run package);
//   3. starts code-server with the .vsix installed and runs
//      suite  the mocha suite (test/e2e/vscode/) in code-server's extension host,
//      ui     the Playwright UI test in headless Debian chromium (Problems panel, hover, code lens,
//             quick fix, saved file; Run Simulation: quick pick, the webview panel, the highlighted
//             line), which also saves docs/screenshot-quickfix.png and docs/screenshot-simulation-*.png;
//   4. nvim   Neovim (0.7.2) headless as a second LSP client of `pinscope lsp --stdio`.
// Prints `N passed, N failed` and exits 1 when anything failed (2 when the setup itself failed).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { freshWorkspace, log, removeDir, ROOT, startCodeServer, tempDir, CODE_SERVER } from './lib.mjs';
import { runExtensionSuite } from './vscode-suite.mjs';
import { runUiTest } from './ui.mjs';
import { runNeovim } from './nvim.mjs';
import { ensurePackages } from './systemPackages.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? new Set(args[onlyAt + 1]?.split(',')) : null;
const keep = args.includes('--keep');
const wanted = (phase) => only === null || only.has(phase);

/** @type {{ phase: string, passed: number, failed: number, note?: string }[]} */
const results = [];
const work = tempDir('pinscope-e2e-');
let codeServer;

async function main() {
  const needsCodeServer = wanted('suite') || wanted('ui');
  const phases = [
    ...(needsCodeServer ? ['code-server'] : []),
    ...(wanted('ui') ? ['ui'] : []),
    ...(wanted('nvim') ? ['nvim'] : []),
  ];
  const packages = ensurePackages(phases, { log });
  if (!packages.ok) throw new Error(packages.message);
  if (needsCodeServer && !process.env.CODE_SERVER && !existsSync(CODE_SERVER)) {
    log('installing code-server (about a minute)…');
    execFileSync('bash', [path.join(ROOT, 'test', 'e2e', 'install-code-server.sh')], {
      stdio: 'inherit',
      timeout: 600_000,
    });
  }
  log('building and packaging…');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], {
    cwd: ROOT,
    stdio: 'inherit',
    timeout: 120_000,
  });
  const vsix = path.join(work, 'pinscope.vsix');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'package.mjs'), '--out', vsix], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    timeout: 180_000,
  });

  if (needsCodeServer) {
    codeServer = await startCodeServer({ vsix, port: Number(process.env.PORT ?? 8517), dir: work });
    log(`code-server on ${codeServer.url}; extension installed in ${codeServer.extensionDir}`);
  }
  if (wanted('suite')) {
    log('== phase 1: mocha suite in the code-server extension host');
    const r = await runExtensionSuite({
      url: codeServer.url,
      ws: freshWorkspace(work),
      extensionDir: codeServer.extensionDir,
      tests: path.join(ROOT, 'dist', 'test', 'vscode', 'index.js'),
      shot: path.join(work, 'suite.png'),
    });
    results.push({ phase: 'extension host suite', passed: r.passed, failed: r.failed });
  }
  if (wanted('ui')) {
    log('== phase 2: UI test (Playwright, Debian chromium)');
    // Screenshots go to the run's folder; `--update-screenshots` writes the ones docs/ shows instead
    // (a test run must not change tracked files).
    const docsDir = args.includes('--update-screenshots') ? path.join(ROOT, 'docs') : work;
    const r = await runUiTest({
      url: codeServer.url,
      ws: freshWorkspace(work),
      shots: work,
      docsShot: path.join(docsDir, 'screenshot-quickfix.png'),
      docsDir,
    });
    results.push({ phase: 'UI (code-server + chromium)', passed: r.passed, failed: r.failed, note: r.note });
  }
  if (wanted('nvim')) {
    log('== phase 3: Neovim as an LSP client of `pinscope lsp --stdio`');
    const r = await runNeovim({ dir: work });
    results.push({ phase: 'Neovim', passed: r.passed, failed: r.failed, note: r.note });
  }
}

let setupError = null;
try {
  await main();
} catch (e) {
  setupError = e instanceof Error ? e.message : String(e);
  log(`SETUP FAILED: ${setupError}`);
} finally {
  await codeServer?.stop();
  if (keep) log(`kept ${work}`);
  else removeDir(work);
}

console.log('\n== pinscope e2e summary');
for (const r of results)
  console.log(`  ${r.phase}: ${r.passed} passed, ${r.failed} failed${r.note ? ` (${r.note})` : ''}`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0) + (setupError ? 1 : 0);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = setupError ? 2 : failed > 0 ? 1 : 0;
