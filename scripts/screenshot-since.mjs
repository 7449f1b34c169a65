#!/usr/bin/env node
// `node scripts/screenshot-since.mjs [--out docs/screenshot-since.png]`: README's `--since` story in
// a terminal, as a picture for docs/. In a scratch git repository holding examples/, the sample
// patch is applied with `git am`; then `pinscope lint --since HEAD~1` (and with --explain) run with
// the built CLI, and their output — exactly as printed, stdout and stderr in order — is laid out
// like a 120-column terminal (DejaVu Sans Mono) and screenshot in headless Debian chromium
// (test/e2e/lib.mjs launches it as the real-editor recipe does).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/e2e/lib.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const outAt = process.argv.indexOf('--out');
const out = path.resolve(outAt >= 0 ? process.argv[outAt + 1] : path.join(root, 'docs', 'screenshot-since.png'));
const PATCH = 'examples/patches/0001-demo-pin-the-doorbell-page.patch';

const work = mkdtempSync(path.join(tmpdir(), 'pinscope-shot-'));
try {
  const repo = path.join(work, 'linux');
  mkdirSync(repo);
  cpSync(path.join(root, 'examples'), path.join(repo, 'examples'), { recursive: true });
  const git = (...args) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  git('init', '-q');
  git('config', 'user.name', 'A. Developer');
  git('config', 'user.email', 'dev@example.invalid');
  git('add', '.');
  git('commit', '-q', '-m', 'demo: the example drivers');
  git('am', '-q', PATCH);
  const shims = path.join(work, 'bin');
  mkdirSync(shims);
  writeFileSync(
    path.join(shims, 'pinscope'),
    `#!/bin/sh\nexec '${process.execPath}' '${path.join(root, 'bin', 'pinscope.js')}' "$@"\n`,
  );
  chmodSync(path.join(shims, 'pinscope'), 0o755);
  const env = { ...process.env, PATH: `${shims}:${process.env.PATH}` };

  const commands = [
    'git log --oneline -2',
    'pinscope lint --since HEAD~1 --kernel-version 6.12',
    'pinscope lint --since HEAD~1 --kernel-version 6.12 --explain --quiet',
  ];
  const transcript = commands.map((command) => {
    const r = spawnSync('sh', ['-c', `${command} 2>&1`], { cwd: repo, env, encoding: 'utf8' });
    // Commit hashes differ from run to run; the picture should not.
    const fixed = ['3f9c2e1', '8b04d7a'];
    let n = 0;
    const output = r.stdout.replace(/^[0-9a-f]{7,} /gm, () => `${fixed[n++ % fixed.length]} `);
    return { command, output: output.trimEnd(), status: r.status };
  });

  const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const body = transcript
    .map(
      (t) =>
        `<div><span class="prompt">~/linux$</span> ${escape(t.command)}</div>` +
        `<div class="out">${escape(t.output)}</div>` +
        (t.command.startsWith('pinscope') ? `<div class="status">exit ${t.status}</div>` : ''),
    )
    .join('');
  const html = `<!doctype html><meta charset="utf-8"><style>
    body { margin: 0; background: #1e1e1e; }
    #term { width: 120ch; padding: 14px 18px; color: #d4d4d4; font: 13px/1.45 'DejaVu Sans Mono', monospace;
            white-space: pre-wrap; word-break: break-all; background: #1e1e1e; }
    .prompt { color: #6a9955; }
    .out { margin-bottom: 2px; }
    .status { color: #808080; margin-bottom: 10px; }
  </style><div id="term">${body}<div><span class="prompt">~/linux$</span> ▌</div></div>`;

  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 400 }, deviceScaleFactor: 1 });
    await page.setContent(html);
    mkdirSync(path.dirname(out), { recursive: true });
    await page.locator('#term').screenshot({ path: out });
  } finally {
    await browser.close();
  }
  for (const t of transcript) console.log(`$ ${t.command}\n${t.output}\n[exit ${t.status}]`);
  console.log(`wrote ${path.relative(process.cwd(), out) || out}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
