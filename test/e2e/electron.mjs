#!/usr/bin/env node
// `npm run test:electron`: the same mocha suite as the code-server phase of `npm run test:e2e`
// (dist/test/vscode/index.js), in a desktop VS Code that @vscode/test-electron downloads from
// update.code.visualstudio.com. Needs that network access (it fails at once without it; use
// `npm run test:e2e` there) and a display (run it under xvfb-run on a headless Linux machine).
// The extension is loaded from this repository (extensionDevelopmentPath), not from a .vsix.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { EXPECTED, freshWorkspace, removeDir, ROOT, tempDir } from './lib.mjs';

const version = process.env.VSCODE_VERSION ?? '1.100.3';
execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
const work = tempDir('pinscope-electron-');
let code = 1;
try {
  const ws = freshWorkspace(work);
  await runTests({
    version,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: path.join(ROOT, 'dist', 'test', 'vscode', 'index.js'),
    extensionTestsEnv: { PINSCOPE_EXPECTED_DIR: EXPECTED },
    launchArgs: [
      ws,
      '--disable-extensions',
      '--disable-workspace-trust',
      '--user-data-dir',
      path.join(work, 'user-data'),
    ],
  });
  code = 0;
  console.log('1 passed, 0 failed (the suite passed in VS Code ' + version + ')');
} catch (e) {
  const message = e instanceof Error ? e.message : String(e);
  console.error(`test:electron: ${message}`);
  if (/ENOTFOUND|ECONNREFUSED|EAI_AGAIN|getaddrinfo/.test(message)) {
    console.error(
      'test:electron: VS Code could not be downloaded (offline?). `npm run test:e2e` runs the same suite in code-server.',
    );
  }
  console.log('0 passed, 1 failed');
} finally {
  removeDir(work);
}
process.exitCode = code;
