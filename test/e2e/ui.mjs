// Phase 2: what only the UI shows, with the packaged .vsix installed in code-server, driven in
// headless Debian chromium by playwright-core: the Problems panel lists the fixture's findings, the
// hover shows the docs, the code lenses are there, the quick fix from the light-bulb menu applies
// and the saved file equals the expected text. Saves docs/screenshot-quickfix.png (the editor with
// its findings and the quick-fix menu open). Every step has its own timeout.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_REL, EXPECTED, launchChromium, log, withTimeout } from './lib.mjs';
import { addSimulationSteps } from './uiSimulation.mjs';

const STEP_MS = 60_000;

/**
 * @param {{ url: string, ws: string, shots: string, docsShot: string, docsDir: string }} o
 * @returns {Promise<{ passed: number, failed: number, note?: string }>}
 */
export async function runUiTest(o) {
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('pageerror', (e) => log(`  pageerror: ${e.message.slice(0, 200)}`));
  const steps = [];
  let passed = 0;
  let failed = 0;
  let note;
  const step = (name, fn) => steps.push({ name, fn });

  const palette = async (label) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${label}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor();
    await page.keyboard.press('Enter');
  };
  const problemRows = page.locator('.markers-panel .monaco-list-row');
  const editorLines = page.locator('.monaco-editor .view-lines').first();
  const demoOnDisk = () => readFileSync(path.join(o.ws, DEMO_REL), 'utf8');

  step('the workbench opens the fixture workspace', async () => {
    await page.goto(`${o.url}/?folder=${encodeURIComponent(o.ws)}`);
    await page.locator('.monaco-workbench').waitFor();
  });

  step('opening pinscope_demo.c activates the extension (status bar item)', async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('pinscope_demo.c');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'pinscope_demo.c' }).first().waitFor();
    await page.keyboard.press('Enter');
    await editorLines.filter({ hasText: 'get_user_pages_fast' }).waitFor();
    await page.locator('.statusbar-item', { hasText: 'pinscope' }).first().waitFor();
  });

  step('the Problems panel lists the four findings with their rule ids', async () => {
    await palette('View: Focus Problems');
    for (const code of ['longterm-get', 'release-mismatch', 'api-version', 'internal-foll-flag']) {
      await problemRows.filter({ hasText: code }).first().waitFor();
    }
    const rows = await problemRows.allInnerTexts();
    const findings = rows.filter((r) => /\npinscope\n/.test(r));
    if (findings.length !== 4)
      throw new Error(`expected 4 pinscope rows, got ${findings.length}: ${JSON.stringify(rows)}`);
    log(`  Problems: ${findings.map((r) => r.replace(/\s+/g, ' ').slice(0, 90)).join(' | ')}`);
  });

  step('the status bar counts 4 errors', async () => {
    await page
      .locator('.statusbar-item', { hasText: /4\s.*pinscope/ })
      .first()
      .waitFor();
  });

  step('a Simulate code lens above each of the three functions', async () => {
    // With the Problems panel focused, code-server 4.100.3 has been seen not to draw the lenses at
    // all (4 runs of 4): focus the editor first, then poll for them.
    await page.locator('.monaco-editor .view-lines').first().click();
    const lenses = page.locator('.codelens-decoration');
    await withTimeout(
      (async () => {
        while ((await lenses.count()) < 3 || (await lenses.filter({ hasText: 'Simulate (' }).count()) === 0)
          await page.waitForTimeout(200);
      })(),
      30_000,
      'three code lenses',
    );
  });

  step('hover on get_user_pages_fast shows the 6.12 signature and the pin_user_pages.rst case', async () => {
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(':19:14');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+I');
    const hover = page.locator('.monaco-hover', { hasText: 'Signature in Linux 6.12' });
    await hover.first().waitFor();
    await page
      .locator('.monaco-hover', { hasText: 'CASE 4: Pinning for struct page manipulation only' })
      .first()
      .waitFor();
    await page.screenshot({ path: path.join(o.shots, 'hover.png') });
    await page.keyboard.press('Escape');
  });

  step('the quick fix menu offers the get→pin conversion (screenshot)', async () => {
    await palette('View: Focus Problems');
    await problemRows.filter({ hasText: 'longterm-get' }).first().dblclick();
    await page.waitForTimeout(500);
    await page.keyboard.press('Control+.');
    await page
      .locator('.action-widget .monaco-list-row', { hasText: 'Convert get_user_pages_fast() to pin_user_pages_fast()' })
      .first()
      .waitFor();
    await page
      .locator('.action-widget .monaco-list-row', { hasText: 'Show documentation for longterm-get' })
      .first()
      .waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: o.docsShot });
    log(`  screenshot -> ${o.docsShot}`);
  });

  step('applying it and saving gives exactly the expected file', async () => {
    // The preferred fix is the focused row of the menu: Enter applies it.
    await page
      .locator('.action-widget .monaco-list-row.focused', {
        hasText: 'Convert get_user_pages_fast() to pin_user_pages_fast()',
      })
      .first()
      .waitFor();
    await page.keyboard.press('Enter');
    await editorLines.filter({ hasText: 'pin_user_pages_fast(uaddr, r->npages' }).waitFor();
    await page.keyboard.press('Control+S');
    const expected = readFileSync(path.join(EXPECTED, 'pinscope_demo.get-to-pin.c'), 'utf8');
    await withTimeout(
      (async () => {
        while (demoOnDisk() !== expected) await page.waitForTimeout(200);
      })(),
      20_000,
      'the saved file equals expected/pinscope_demo.get-to-pin.c',
    );
    await problemRows.filter({ hasText: 'longterm-get' }).first().waitFor({ state: 'detached' });
  });

  addSimulationSteps({ page, step, shots: o.shots, docsDir: o.docsDir });

  try {
    for (const { name, fn } of steps) {
      const started = Date.now();
      try {
        await withTimeout(fn(), STEP_MS + 10_000, name);
        passed++;
        log(`  ✔ ${name} (${Date.now() - started} ms)`);
      } catch (e) {
        failed++;
        const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
        log(`  ✘ ${name}: ${message}`);
        await page.screenshot({ path: path.join(o.shots, 'ui-failure.png') }).catch(() => undefined);
        const skipped = steps.length - passed - failed;
        if (skipped > 0) note = `${skipped} later step${skipped === 1 ? '' : 's'} not run`;
        break;
      }
    }
    await page.screenshot({ path: path.join(o.shots, 'ui-final.png') }).catch(() => undefined);
  } finally {
    await browser.close();
  }
  return { passed, failed, note };
}
