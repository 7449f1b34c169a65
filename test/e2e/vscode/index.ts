/**
 * The @vscode/test-electron `extensionTestsPath` contract: `run()` runs the integration suite in
 * the extension host and rejects when a test fails. The same bundle (dist/test/vscode/index.js)
 * runs inside code-server's extension host (test/e2e/run.mjs, through the workbench's `payload`)
 * and inside a desktop VS Code downloaded by @vscode/test-electron (npm run test:electron).
 */
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  // The suites are bundled into this file: define mocha's globals, then load them.
  mocha.suite.emit('pre-require', globalThis, 'pinscope-suite', mocha);
  await import('./extension.test');
  await import('./simulation.test');
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => {
      console.log(`pinscope e2e (extension host): ${failures === 0 ? 'all tests passed' : `${failures} failed`}`);
      if (failures > 0) reject(new Error(`${failures} test${failures === 1 ? '' : 's'} failed`));
      else resolve();
    });
  });
}
