// Bundles every entry point with esbuild. Run by `npm run build` and by `npm ci` (through `prepare`).
// Native parser modules stay external: they are loaded from node_modules at run time.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const nodeBase = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  external: ['tree-sitter', 'tree-sitter-c', 'vscode'],
  logLevel: 'warning',
  absWorkingDir: root,
};

/** [entry, outfile, options] — an entry whose source does not exist yet is an error, not a skip. */
const targets = [
  ['cli/main.ts', 'dist/cli/pinscope.js', nodeBase],
  ['batch/lintWorker.ts', 'dist/worker/lint-worker.js', nodeBase],
  ['batch/index/updateWorker.ts', 'dist/worker/index-worker.js', nodeBase],
  ['server/main.ts', 'dist/server/server.js', nodeBase],
  ['server/analysisMain.ts', 'dist/server/analysis.js', nodeBase],
  ['client/extension.ts', 'dist/client/extension.js', nodeBase],
  [
    'client/webview/main.ts',
    'dist/webview/panel.js',
    {
      ...nodeBase,
      platform: 'browser',
      format: 'iife',
      target: 'chrome120',
      external: [],
    },
  ],
  ['scripts/eval.ts', 'dist/tools/eval.js', nodeBase],
  ['scripts/generate.ts', 'dist/tools/generate.js', nodeBase],
  ['scripts/bench-paths.ts', 'dist/tools/bench-paths.js', nodeBase],
  ['test/e2e/vscode/index.ts', 'dist/test/vscode/index.js', { ...nodeBase, external: [...nodeBase.external, 'mocha'] }],
];

const present = targets.filter(([entry]) => existsSync(path.join(root, entry)));

/** The simulation panel's icon font (@vscode/codicons) goes next to its bundle: dist/webview/codicons/. */
function copyCodicons(outRoot) {
  const from = path.join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  const to = path.join(outRoot, 'dist', 'webview', 'codicons');
  mkdirSync(to, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(path.join(from, f), path.join(to, f));
}
if (existsSync(path.join(root, 'client', 'webview', 'main.ts'))) copyCodicons(root);
/**
 * In watch mode, one `[watch] build started` line when any bundle starts rebuilding and one
 * `[watch] build finished` when all are done, with errors as `file:line:col: error: message`
 * between them: what the background problem matcher of .vscode/tasks.json waits for before
 * "Run Extension" launches.
 */
let building = 0;
const watchLog = {
  name: 'watch-log',
  setup(build) {
    build.onStart(() => {
      if (building++ === 0) console.log('[watch] build started');
    });
    build.onEnd((result) => {
      for (const { text, location } of result.errors)
        console.log(
          location ? `${location.file}:${location.line}:${location.column + 1}: error: ${text}` : `error: ${text}`,
        );
      if (--building === 0) console.log('[watch] build finished');
    });
  },
};
const contexts = await Promise.all(
  present.map(([entry, outfile, options]) =>
    esbuild.context({ ...options, entryPoints: [entry], outfile, plugins: watch ? [watchLog] : [] }),
  ),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`esbuild: watching ${contexts.length} bundles`);
} else {
  const started = Date.now();
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
  console.log(`esbuild: ${contexts.length} bundles in ${Date.now() - started} ms`);
}
