// Shared helpers of the end-to-end runner (test/e2e/run.mjs): paths, timeouts, a fresh copy of the
// fixture workspace with its settings, and code-server started on loopback with a temporary
// user-data dir (nothing is written to ~).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURE_WS = path.join(ROOT, 'test', 'fixtures', 'lsp', 'ws');
export const EXPECTED = path.join(ROOT, 'test', 'fixtures', 'lsp', 'expected');
export const DEMO_REL = path.join('drivers', 'misc', 'pinscope_demo.c');
/** The simulation's fixtures (a driver with a leaking path, .pinsim traces), copied into each workspace. */
export const SIM_FIXTURES = path.join(ROOT, 'test', 'fixtures', 'lsp', 'sim');
export const SIM_REL = path.join('drivers', 'misc', 'pinscope_sim.c');
export const CODE_SERVER = path.join(ROOT, '.e2e', 'code-server', 'node_modules', '.bin', 'code-server');
export const RULES_UNDER_TEST = ['longterm-get', 'release-mismatch', 'api-version', 'internal-foll-flag'];

const t0 = Date.now();
export const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

/** Rejects after `ms` with a message naming the step. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000} s`)), ms);
    }),
  ]);
}

/** The `pinscope.rules` setting that leaves only the rules the e2e tests check exactly. */
export function onlyRulesUnderTest() {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const ids = Object.keys(pkg.contributes.configuration.properties['pinscope.rules'].properties);
  return Object.fromEntries(ids.filter((id) => !RULES_UNDER_TEST.includes(id)).map((id) => [id, { enabled: false }]));
}

/** A fresh copy of the fixture workspace (a quick fix writes to it) with pinscope's settings. */
export function freshWorkspace(parent) {
  const ws = mkdtempSync(path.join(parent, 'ws-'));
  cpSync(FIXTURE_WS, ws, { recursive: true });
  cpSync(SIM_FIXTURES, ws, { recursive: true });
  mkdirSync(path.join(ws, '.vscode'), { recursive: true });
  writeFileSync(
    path.join(ws, '.vscode', 'settings.json'),
    `${JSON.stringify({ 'pinscope.rules': onlyRulesUnderTest() }, null, 2)}\n`,
  );
  return ws;
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'files.autoSave': 'off',
  'editor.minimap.enabled': false,
  'workbench.colorTheme': 'Default Light Modern',
};

async function healthy(url) {
  try {
    const r = await fetch(`${url}/healthz`);
    return r.ok;
  } catch {
    return false;
  }
}

/**
 * Starts code-server with `vsix` installed. Returns { url, extensionDir, data, stop() }.
 * @param {{ vsix: string, port: number, dir: string }} options
 */
export async function startCodeServer({ vsix, port, dir }) {
  const bin = process.env.CODE_SERVER ?? CODE_SERVER;
  const data = path.join(dir, 'code-server');
  mkdirSync(path.join(data, 'user', 'User'), { recursive: true });
  mkdirSync(path.join(data, 'ext'), { recursive: true });
  writeFileSync(path.join(data, 'user', 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  const config = path.join(data, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(data, 'xdg-config'),
    XDG_DATA_HOME: path.join(data, 'xdg-data'),
  };
  const common = [
    '--config',
    config,
    '--user-data-dir',
    path.join(data, 'user'),
    '--extensions-dir',
    path.join(data, 'ext'),
  ];
  await new Promise((resolve, reject) => {
    const p = spawn(bin, [...common, '--install-extension', vsix, '--force'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    p.stderr.on('data', (d) => {
      out += d;
    });
    p.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`code-server --install-extension failed (${code}):\n${out}`)),
    );
  });
  const logFile = path.join(dir, 'code-server.log');
  const server = spawn(
    bin,
    [
      ...common,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--ignore-last-opened',
    ],
    { env, stdio: ['ignore', openSync(logFile, 'w'), openSync(logFile, 'a')] },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (!(await healthy(url))) {
    if (server.exitCode !== null) throw new Error(`code-server exited (${server.exitCode}); see ${logFile}`);
    if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 30 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const extensionDir = path.join(data, 'ext', `${pkg.publisher}.${pkg.name}-${pkg.version}`);
  return {
    url,
    extensionDir,
    logFile,
    stop: async () => {
      if (server.exitCode !== null) return;
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (server.exitCode === null) server.kill('SIGKILL');
    },
  };
}

/** Chromium as the recipe launches it: Debian's binary, headless, no sandbox (root), no network extras. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
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

export function tempDir(prefix) {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}
