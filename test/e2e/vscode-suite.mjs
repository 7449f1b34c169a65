// Phase 1: the mocha suite (dist/test/vscode/index.js, test-electron's extensionTestsPath contract)
// inside code-server's Node extension host. The workbench is opened with the development payload
// (extensionDevelopmentPath = the extension as installed from the .vsix, extensionTestsPath = the
// suite); it calls window.codeAutomationLog for the output and window.codeAutomationExit(code) at
// the end, the hooks @vscode/test-web uses too.
import util from 'node:util';
import { launchChromium, log, withTimeout } from './lib.mjs';

/**
 * @param {{ url: string, ws: string, extensionDir: string, tests: string, shot: string, timeoutMs?: number }} o
 * @returns {Promise<{ passed: number, failed: number, output: string }>}
 */
export async function runExtensionSuite(o) {
  const authority = new URL(o.url).host;
  const payload = [
    ['extensionDevelopmentPath', `vscode-remote://${authority}${o.extensionDir}`],
    ['extensionTestsPath', `vscode-remote://${authority}${o.tests}`],
  ];
  const page_url = `${o.url}/?folder=${encodeURIComponent(o.ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const browser = await launchChromium();
  let output = '';
  try {
    // Clipboard permissions: Copy as Markdown writes to it.
    const page = await browser.newPage({
      viewport: { width: 1400, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
    });
    let done;
    const exited = new Promise((r) => {
      done = r;
    });
    await page.exposeFunction('codeAutomationLog', (_type, args) => {
      const a = (args || []).slice();
      if (typeof a[0] === 'string' && a[0].startsWith('%c')) a.splice(0, 2);
      const line = util.format(...a);
      output += `${line}\n`;
      console.log(`    ${line.replace(/\n/g, '\n    ')}`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => done(code));
    await withTimeout(page.goto(page_url), 60_000, 'open the workbench');
    const code = await withTimeout(exited, o.timeoutMs ?? 240_000, 'the extension host suite');
    await page.screenshot({ path: o.shot }).catch(() => undefined);
    log(`extension host suite exit code: ${code}`);
  } catch (e) {
    output += `\n${e instanceof Error ? e.message : String(e)}\n`;
    log(`extension host suite: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await browser.close();
  }
  const passing = /(\d+) passing/.exec(output);
  const failing = /(\d+) failing/.exec(output);
  const passed = passing ? Number(passing[1]) : 0;
  // No mocha summary at all (a crash, a timeout) counts as one failure.
  const failed = failing ? Number(failing[1]) : passing ? 0 : 1;
  return { passed, failed, output };
}
