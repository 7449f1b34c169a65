// Phase 2 (continued): the simulation in the real workbench. Run Simulation from the palette on
// the fixture's sim_map_user(), pick the leaking path in the quick pick (worst first), see the panel
// open at the leak's step and assert its numbers inside the webview's frame, step with the keyboard and watch the C
// editor's highlighted line move, re-run with THP pages from the panel, and save the panel's
// screenshots in the light and the dark theme (docs/screenshot-simulation-{light,dark}.png).
import path from 'node:path';
import { log, withTimeout } from './lib.mjs';

/**
 * The line numbers (1-based) where the simulation's decoration is drawn in the visible editors:
 * its `after` text ("◂ pinscope step N/M") is a CSS ::after of an inline span; the span's view-line
 * has the same `top` as the line number in the margin.
 */
async function highlightedLines(page) {
  return page.evaluate(() => {
    const found = [];
    for (const editor of document.querySelectorAll('.monaco-editor')) {
      for (const span of editor.querySelectorAll('.view-lines .view-line span')) {
        const after = getComputedStyle(span, '::after').content;
        if (!after || !after.includes('pinscope step')) continue;
        const line = span.closest('.view-line');
        const top = line?.style.top;
        const number = [...editor.querySelectorAll('.margin-view-overlays > div')]
          .find((d) => d.style.top === top)
          ?.querySelector('.line-numbers')?.textContent;
        found.push({ line: Number(number), text: after.replace(/^"|"$/g, '') });
      }
    }
    return found;
  });
}

/**
 * Adds the simulation's steps to the UI test.
 * @param {{ page: import('playwright-core').Page, step: (name: string, fn: () => Promise<void>) => void,
 *   shots: string, docsDir: string }} o
 */
export function addSimulationSteps({ page, step, shots, docsDir }) {
  const panel = page.frameLocator('iframe.webview').frameLocator('iframe#active-frame');
  const quickRows = page.locator('.quick-input-list .monaco-list-row');

  /** A palette command by its exact title (the first row for a query is not always it). */
  const command = async (label) => {
    const input = page.locator('.quick-input-widget input');
    // After a click in the panel the webview's iframe has the focus, and a key pressed there may
    // never reach the workbench: take the focus back first, and press F1 again if nothing opened.
    for (let attempt = 1; ; attempt++) {
      await page.evaluate(() => {
        if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
      });
      await page.keyboard.press('F1');
      const opened = await input.waitFor({ state: 'visible', timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      if (opened) break;
      if (attempt === 3) throw new Error('the command palette did not open after three presses of F1');
    }
    await input.fill(`>${label}`);
    await quickRows
      .filter({ has: page.getByText(label, { exact: true }) })
      .first()
      .click();
  };

  const waitForLine = (line, what) =>
    withTimeout(
      (async () => {
        for (;;) {
          const lines = await highlightedLines(page);
          if (lines.length === 1 && lines[0].line === line) return lines[0];
          await page.waitForTimeout(100);
        }
      })(),
      15_000,
      what,
    );

  step('Run Simulation from the palette on sim_map_user(): the quick pick lists its paths worst first', async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('pinscope_sim.c');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'pinscope_sim.c' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines').filter({ hasText: 'sim_map_user' }).first().waitFor();
    await page.keyboard.press('Control+G');
    await input.waitFor({ state: 'visible' });
    await input.fill(':38:3');
    await page.keyboard.press('Enter');
    await command('pinscope: Run Simulation');
    await quickRows.filter({ hasText: 'path 3 — leak' }).first().waitFor();
    const rows = await quickRows.allInnerTexts();
    const outcomes = rows.map((r) => /path (\d+) — ([a-z-]+)/.exec(r)?.slice(1).join(':'));
    log(`  quick pick: ${outcomes.join(', ')}`);
    if (outcomes[0] !== '3:leak' || outcomes.length !== 5)
      throw new Error(`expected the leaking path 3 first of 5, got ${JSON.stringify(rows)}`);
  });

  step("picking the leaking path opens the panel: the leak's step and numbers in the webview", async () => {
    await quickRows.filter({ hasText: 'path 3 — leak' }).first().click();
    await panel.locator('#title', { hasText: 'sim_map_user()' }).waitFor();
    await panel.locator('#outcome', { hasText: 'leak' }).waitFor();
    await panel.locator('#meta', { hasText: 'Linux 6.12 · path 3 of 5 · pinscope_sim.c' }).waitFor();
    // The leak is reported where the function returns: step 5, line 50, and the panel opens there.
    await panel.locator('#position', { hasText: 'step 5 / 5' }).waitFor();
    await waitForLine(50, 'the editor highlights line 50 (return ret) as the panel opens');
    await panel.locator('.tl-row[data-index="1"]').click();
    await panel.locator('#position', { hasText: 'step 1 / 5' }).waitFor();
    await panel.locator('#path-violations button', { hasText: 'step 5: leak' }).click();
    await panel.locator('#position', { hasText: 'step 5 / 5' }).waitFor();
    await panel.locator('#step-title', { hasText: 'Step 5 of 5: return ret (an error)' }).waitFor();
    await panel.locator('#step-line', { hasText: 'line 50' }).waitFor();
    const violation = await panel.locator('#violations .violation').innerText();
    if (
      !violation.includes(
        'returns with 2 pins still held on pages 0–1 and nothing owning them: nr_foll_pin_acquired − nr_foll_pin_released stays 2',
      )
    )
      throw new Error(`violation: ${violation}`);
    const counters = await Promise.all(
      ['acquired', 'released', 'balance'].map((c) => panel.locator(`#counter-${c} .counter-value`).innerText()),
    );
    if (counters.join('/') !== '2/0/2') throw new Error(`counters: ${counters.join('/')}`);
    const refcounts = await panel.locator('#page-rows td.refcount').allInnerTexts();
    if (refcounts.join(',') !== '1025,1025,1,1') throw new Error(`refcounts: ${refcounts.join(',')}`);
    const held = await panel.locator('#page-rows td.held').allInnerTexts();
    if (held.join(',') !== '1 pin,1 pin,—,—') throw new Error(`held: ${held.join(',')}`);
    await waitForLine(50, 'the editor highlights line 50 (return ret)');
  });

  step("stepping in the panel (click, then the keyboard) moves the editor's highlighted line", async () => {
    await panel.locator('.tl-row[data-index="2"]').click();
    await panel.locator('#position', { hasText: 'step 2 / 5' }).waitFor();
    const at2 = await waitForLine(32, 'step 2 highlights line 32 (pin_user_pages_fast)');
    if (!at2.text.includes('pinscope step 2/5')) throw new Error(`decoration text: ${at2.text}`);
    await panel.locator('#page-rows td.refcount', { hasText: '1025 +1024' }).first().waitFor();
    await page.keyboard.press('ArrowRight');
    await panel.locator('#position', { hasText: 'step 3 / 5' }).waitFor();
    await waitForLine(33, 'step 3 highlights line 33');
    await page.keyboard.press('ArrowRight');
    await panel.locator('#position', { hasText: 'step 4 / 5' }).waitFor();
    await waitForLine(37, 'step 4 highlights line 37');
    await page.keyboard.press('ArrowLeft');
    await waitForLine(33, 'back to line 33');
    await page.keyboard.press('End');
    await waitForLine(50, 'End: line 50');
    log('  highlighted line followed the steps: 32 → 33 → 37 → 33 → 50');
  });

  step('screenshots of the panel in the light and the dark theme (docs/)', async () => {
    // Room for the editor and the panel: no side bar, no bottom panel, a larger window.
    await command('View: Close Primary Side Bar');
    await page.locator('.part.sidebar').waitFor({ state: 'hidden' });
    if (await page.locator('.part.panel').isVisible()) {
      await command('View: Toggle Panel Visibility');
      await page.locator('.part.panel').waitFor({ state: 'hidden' });
    }
    await page.setViewportSize({ width: 1680, height: 1050 });
    // Give the panel about 60% of the width: drag the sash between the two editor groups.
    await page.waitForTimeout(300);
    const sashes = await page.locator('.part.editor .monaco-sash.vertical').evaluateAll((els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2, h: r.height };
      }),
    );
    const sash = sashes.filter((b) => b.h > 300).sort((a, b) => Math.abs(a.x - 840) - Math.abs(b.x - 840))[0];
    if (sash) {
      await page.mouse.move(sash.x, sash.y);
      await page.mouse.down();
      await page.mouse.move(sash.x - 180, sash.y, { steps: 8 });
      await page.mouse.up();
    }
    // Step away and back: the editor scrolls the highlighted line into view again.
    await panel.locator('.tl-row[data-index="4"]').click();
    await panel.locator('.tl-row[data-index="5"]').click();
    await panel.locator('#position', { hasText: 'step 5 / 5' }).waitFor();
    await waitForLine(50, 'line 50 for the screenshots');
    await page.mouse.move(4, 600);
    await page.waitForTimeout(500);
    const light = path.join(docsDir, 'screenshot-simulation-light.png');
    await page.screenshot({ path: light });
    log(`  screenshot -> ${light}`);
    const theme = async (name, workbenchClass, webviewClass, file) => {
      // Not the palette helper's Enter: "Preferences: Browse Color Themes in Marketplace" can rank first.
      await command('Preferences: Color Theme');
      const row = quickRows.filter({ has: page.getByText(name, { exact: true }) }).first();
      await page.locator('.quick-input-widget input').fill(name);
      await row.waitFor();
      await row.click();
      await page.locator(`.monaco-workbench.${workbenchClass}`).waitFor();
      // The webview gets the theme's variables and body class too.
      await panel.locator(`body.${webviewClass}`).waitFor();
      await page.mouse.move(4, 600);
      await page.waitForTimeout(600);
      await page.screenshot({ path: file });
      log(`  screenshot -> ${file}`);
    };
    await theme('Dark Modern', 'vs-dark', 'vscode-dark', path.join(docsDir, 'screenshot-simulation-dark.png'));
    await theme(
      'Dark High Contrast',
      'hc-black',
      'vscode-high-contrast',
      path.join(shots, 'simulation-high-contrast.png'),
    );
    await theme('Dark Modern', 'vs-dark', 'vscode-dark', path.join(shots, 'simulation-dark-again.png'));
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  step("the panel's parameters: re-run with THP pages shows one row per 2 MB folio", async () => {
    // A narrow panel folds the parameters into their summary line: open it.
    if (!(await panel.locator('#param-kind').isVisible())) await panel.locator('.params-head').click();
    await panel.locator('#param-kind').selectOption('thp');
    await panel.locator('#rerun').click();
    await panel.locator('#page-rows th .page-range', { hasText: 'p0–511' }).first().waitFor();
    await panel.locator('#param-kind').evaluate((el) => {
      if (el.value !== 'thp') throw new Error(`kind ${el.value}`);
    });
    await panel.locator('#title', { hasText: 'sim_map_user()' }).waitFor();
    // The step is kept across the re-run (same path).
    await panel.locator('#position', { hasText: 'step 5 / 5' }).waitFor();
    const rows = await panel.locator('#page-rows tr').count();
    if (rows !== 1) throw new Error(`expected one folio row, got ${rows}`);
    await page.screenshot({ path: path.join(shots, 'simulation-thp.png') });
  });

  step('hidden behind another editor and shown again, the panel comes back at the same step (getState)', async () => {
    await panel.locator('.tl-row[data-index="2"]').click();
    await panel.locator('#position', { hasText: 'step 2 / 5' }).waitFor();
    await waitForLine(32, 'step 2 highlights line 32');
    // Mark the webview's document: a new document (the webview recreated) will not have the mark.
    const inner = () => page.frames().find((f) => /fake\.html/.test(f.url()));
    await inner()?.evaluate(() => {
      window.__pinscopeMark = 1;
    });
    await page.waitForTimeout(400); // the panel saves its state a moment after a step
    // The panel's group is the active one: a file opened now covers the panel.
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').fill('Makefile');
    await quickRows.filter({ hasText: 'Makefile' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: 'Makefile' }).waitFor();
    await withTimeout(
      (async () => {
        while (inner()) await page.waitForTimeout(100);
      })(),
      15_000,
      'the hidden webview is released',
    );
    await page.locator('.tab', { hasText: 'Simulation: sim_map_user()' }).click();
    await panel.locator('#position', { hasText: 'step 2 / 5' }).waitFor();
    const mark = await inner()?.evaluate(() => window.__pinscopeMark ?? null);
    if (mark !== null) throw new Error('the webview was not recreated (retainContextWhenHidden?)');
    if ((await panel.locator('#param-kind').inputValue()) !== 'thp')
      throw new Error('the parameters were not restored');
    log('  shown again: a new webview document, restored at step 2 with its parameters');
  });

  step(
    'after a reload of the window the panel is restored (WebviewPanelSerializer) and talks to the extension again',
    async () => {
      await page.reload();
      await page.locator('.monaco-workbench').waitFor();
      // The serializer restores the panel as an editor tab; make sure it is the one shown (the
      // workbench may bring another editor of its group to the front while it restores).
      const tab = page.locator('.tab', { hasText: 'Simulation: sim_map_user()' });
      await tab.waitFor();
      await tab.click();
      await panel.locator('#title', { hasText: 'sim_map_user()' }).waitFor();
      await panel.locator('#page-rows th .page-range', { hasText: 'p0–511' }).first().waitFor();
      log(`  restored: ${await panel.locator('#position').innerText()}, ${await panel.locator('#meta').innerText()}`);
      // Restored and re-run by the extension: stepping drives the editor again.
      await panel.locator('.tl-row[data-index="4"]').click();
      await panel.locator('#position', { hasText: 'step 4 / 5' }).waitFor();
      await waitForLine(37, 'the restored panel highlights line 37 at step 4');
    },
  );
}
