#!/usr/bin/env node
// `npm run package [-- --out <file.vsix>]`: builds the .vsix with @vscode/vsce.
//
// The extension is packaged from a stage (out/vsix-stage/), not from the repository, for two reasons:
//  1. the bundles in it are production builds (minified, no source maps), made here without touching
//     dist/, which tests may be running from at the same time;
//  2. the linux-x64 tree-sitter binary must be replaced. tree-sitter 0.25.1's
//     prebuilds/linux-x64/tree-sitter.node needs GLIBCXX_3.4.31 (GCC 13's libstdc++) and does not
//     load on Debian 12 or Ubuntu 22.04 (GLIBCXX_3.4.30), which is why `npm ci` compiles tree-sitter
//     from source into node_modules/tree-sitter/build/Release/. node-gyp-build loads build/Release
//     before prebuilds/ on every platform, so build/Release is never shipped; instead the binary
//     built here becomes the linux-x64 prebuild (it needs GLIBCXX_3.4.29 at most: GCC 11's
//     libstdc++, Debian 12 / Ubuntu 22.04 and newer). Every other platform keeps tree-sitter's own
//     prebuild.
// The stage holds exactly what .vscodeignore (an allowlist) lets through; vsce applies that same
// .vscodeignore to the stage, and test/packaging/vsix.test.ts checks the result.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const outArg = process.argv.indexOf('--out');
const out = path.resolve(outArg >= 0 ? process.argv[outArg + 1] : path.join(root, `${pkg.name}-${pkg.version}.vsix`));
const stage = path.join(root, 'out', 'vsix-stage');
const log = (m) => process.stderr.write(`package: ${m}\n`);
const nmPath = (...p) => path.join(root, 'node_modules', ...p);

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// 1. Production bundles of what the extension runs (the same entries and options as build.mjs).
const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  external: ['tree-sitter', 'tree-sitter-c', 'vscode'],
  logLevel: 'warning',
  absWorkingDir: root,
};
const bundles = [
  ['client/extension.ts', 'dist/client/extension.js', node],
  ['server/main.ts', 'dist/server/server.js', node],
  ['server/analysisMain.ts', 'dist/server/analysis.js', node],
  ['batch/lintWorker.ts', 'dist/worker/lint-worker.js', node],
  ['batch/index/updateWorker.ts', 'dist/worker/index-worker.js', node],
  [
    'client/webview/main.ts',
    'dist/webview/panel.js',
    { ...node, platform: 'browser', format: 'iife', target: 'chrome120', external: [] },
  ],
];
for (const [entry, outfile, options] of bundles) {
  if (!existsSync(path.join(root, entry))) {
    if (entry.startsWith('client/webview/')) continue; // the webview arrives with its own issue
    throw new Error(`${entry} is missing`);
  }
  await esbuild.build({ ...options, entryPoints: [entry], outfile: path.join(stage, outfile) });
}

// The panel's codicons (font and its CSS), next to the panel bundle.
if (existsSync(path.join(root, 'client', 'webview', 'main.ts'))) {
  mkdirSync(path.join(stage, 'dist', 'webview', 'codicons'), { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf'])
    copyFileSync(nmPath('@vscode', 'codicons', 'dist', f), path.join(stage, 'dist', 'webview', 'codicons', f));
}

// 2. Documents, grammars, media, rule pages.
for (const file of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', '.vscodeignore']) {
  if (existsSync(path.join(root, file))) copyFileSync(path.join(root, file), path.join(stage, file));
  else if (file !== '.vscodeignore') log(`WARNING: ${file} is missing; the .vsix goes without it`);
}
for (const dir of ['syntaxes', 'media']) {
  if (existsSync(path.join(root, dir))) cpSync(path.join(root, dir), path.join(stage, dir), { recursive: true });
}
const rulesDir = path.join(root, 'docs', 'rules');
if (existsSync(rulesDir)) {
  mkdirSync(path.join(stage, 'docs', 'rules'), { recursive: true });
  for (const f of readdirSync(rulesDir).filter((n) => n.endsWith('.md')))
    copyFileSync(path.join(rulesDir, f), path.join(stage, 'docs', 'rules', f));
} else {
  log('WARNING: docs/rules/ is missing (npm run gen); Show Rule Documentation will open the kernel docs instead');
}

// 3. The native parser's run-time files.
const nm = (...p) => path.join(root, 'node_modules', ...p);
const copy = (from, to = from) => {
  mkdirSync(path.dirname(path.join(stage, 'node_modules', to)), { recursive: true });
  cpSync(nm(from), path.join(stage, 'node_modules', to), { recursive: true });
};
for (const f of ['package.json', 'index.js', 'node-gyp-build.js', 'LICENSE']) copy(`node-gyp-build/${f}`);
for (const f of ['package.json', 'index.js', 'LICENSE', 'prebuilds']) copy(`tree-sitter/${f}`);
for (const f of ['package.json', 'LICENSE', 'bindings/node/index.js', 'prebuilds']) copy(`tree-sitter-c/${f}`);
const localBuild = nm('tree-sitter', 'build', 'Release', 'tree_sitter_runtime_binding.node');
if (process.platform === 'linux' && process.arch === 'x64' && existsSync(localBuild)) {
  copyFileSync(
    localBuild,
    path.join(stage, 'node_modules', 'tree-sitter', 'prebuilds', 'linux-x64', 'tree-sitter.node'),
  );
  log(
    'linux-x64: shipping the locally built tree-sitter binary (GLIBCXX ≤ 3.4.29) instead of the upstream prebuild (GLIBCXX_3.4.31)',
  );
} else {
  log(
    'WARNING: no local linux-x64 build of tree-sitter; the upstream linux-x64 prebuild (needs GLIBCXX_3.4.31) is shipped',
  );
}

// vsce collects node_modules through `npm list --production`, which wants every declared dependency
// present: node-addon-api (C++ headers, build-time only) gets its package.json in the stage, and the
// allowlist keeps it out of the .vsix.
for (const owner of ['tree-sitter', 'tree-sitter-c']) copy(`${owner}/node_modules/node-addon-api/package.json`);

// 4. Package the stage.
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
mkdirSync(path.dirname(out), { recursive: true });
// README's relative links (docs/rules/*.md) become absolute ones into the repository; vsce detects
// that by itself only for GitHub and GitLab URLs.
const repo = String(pkg.repository?.url ?? pkg.repository ?? '')
  .replace(/^git\+/, '')
  .replace(/\.git$/, '');
const base =
  /^https?:\/\//.test(repo) && !/github\.com|gitlab\.com/.test(repo)
    ? ['--baseContentUrl', `${repo}/blob/HEAD`, '--baseImagesUrl', `${repo}/raw/HEAD`]
    : [];
execFileSync(process.execPath, [vsce, 'package', ...base, '--out', out], {
  cwd: stage,
  stdio: ['ignore', 'inherit', 'inherit'],
});
log(`wrote ${path.relative(process.cwd(), out) || out}`);
