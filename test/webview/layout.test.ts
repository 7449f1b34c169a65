/**
 * The panel's layout in headless Chromium, measured from the DOM: in a split editor (600 px wide) a
 * run opens at its first violation, with the violation and the whole page table inside the viewport
 * and the toolbar on one row; on a wide panel the timeline runs beside the step's state. Saves a
 * screenshot of each (docs/screenshot-simulation-600px.png with PINSCOPE_UPDATE_SCREENSHOTS=1,
 * else into the system's temp folder: a test run does not change tracked files).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { PanelModel } from '../../shared/panel';
import { DMA_SG_TRACE, panelBrowser, render, ROOT, traceModel } from './harness';

/** The leaking path of test/fixtures/lsp/sim/drivers/misc/pinscope_sim.c, as the extension shows it. */
function simMapUser(): PanelModel {
  const trace = traceModel(`kernel 6.12
function sim_map_user
pages 4 base
branch "!pages" false   @30:6
pin_user_pages_fast nr=4 flags=FOLL_WRITE|FOLL_LONGTERM -> 2   @32:11
branch "pinned < 0" false   @33:6
branch "pinned != npages" true   @37:6
return ret status=error   @50:2
`);
  const summary = (index: number, label: string, steps: number): PanelModel['paths'][number] => ({
    index,
    outcome: 'clean',
    label,
    steps,
    violations: 0,
  });
  const leak = trace.path?.steps.at(-1)?.violations[0]?.message ?? '';
  return {
    ...trace,
    source: {
      kind: 'function',
      uri: 'file:///ws/pinscope_sim.c',
      function: 'sim_map_user',
      fileName: 'pinscope_sim.c',
    },
    parameters: {},
    paths: [
      {
        index: 3,
        outcome: 'leak',
        label: '!pages: false → pinned < 0: false → pinned != npages: true',
        steps: 5,
        violations: 1,
        firstViolation: leak,
      },
      summary(1, '!pages: true', 2),
      summary(2, '!pages: false → pinned < 0: true', 4),
      summary(4, '!pages: false → pinned < 0: false → pinned != npages: false → ret: true', 8),
      summary(5, '!pages: false → pinned < 0: false → pinned != npages: false → ret: false', 8),
    ],
    pathIndex: 3,
    traceLines: null,
  };
}

/** A few of VS Code's Light Modern theme variables, set the way VS Code sets them (on <html>). */
const LIGHT_MODERN: Record<string, string> = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-foreground': '#3b3b3b',
  '--vscode-descriptionForeground': '#3b3b3b',
  '--vscode-editor-background': '#ffffff',
  '--vscode-panel-border': '#e5e5e5',
  '--vscode-button-background': '#005fb8',
  '--vscode-button-foreground': '#ffffff',
  '--vscode-button-secondaryBackground': '#e5e5e5',
  '--vscode-button-secondaryForeground': '#3b3b3b',
  '--vscode-list-activeSelectionBackground': '#e8e8e8',
  '--vscode-list-activeSelectionForeground': '#000000',
  '--vscode-textLink-foreground': '#005fb8',
  '--vscode-errorForeground': '#f85149',
};

async function lightTheme(page: Page): Promise<void> {
  await page.evaluate((vars) => {
    for (const [name, value] of Object.entries(vars)) document.documentElement.style.setProperty(name, value);
    document.body.classList.add('vscode-light');
  }, LIGHT_MODERN);
}

interface Box {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

async function box(page: Page, selector: string): Promise<Box> {
  return page.locator(selector).evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
  });
}

/** Where a screenshot goes: docs/ when asked to update the one docs/ shows, else a fresh temp folder. */
function screenshotPath(name: string, docs = false): string {
  return docs && process.env.PINSCOPE_UPDATE_SCREENSHOTS === '1'
    ? path.join(ROOT, 'docs', name)
    : path.join(mkdtempSync(path.join(tmpdir(), 'pinscope-layout-')), name);
}

const { open } = panelBrowser();

describe('a panel in a split editor (600 × 800)', () => {
  const viewport = { width: 600, height: 800 };

  test('opens at the first violation, with the violation and the page table in view, the toolbar on one row', async () => {
    const { page } = await open(undefined, viewport);
    await lightTheme(page);
    await render(page, simMapUser(), null);
    expect(await page.locator('#position').innerText()).toBe('step 5 / 5');
    expect(await page.locator('#step-title').innerText()).toBe('Step 5 of 5: return ret (an error)');

    const violation = await box(page, '#violations .violation');
    const table = await box(page, '#pages');
    expect(violation.top).toBeGreaterThanOrEqual(0);
    expect(table.bottom, 'the whole page table is above the fold').toBeLessThanOrEqual(viewport.height);
    expect(violation.right).toBeLessThanOrEqual(viewport.width);
    expect(table.right, 'no horizontal scrolling').toBeLessThanOrEqual(viewport.width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(viewport.width);

    // One row: every control of the toolbar overlaps every other vertically, and the toolbar is one control high.
    const rows = await page
      .locator('.toolbar > button, .toolbar > .position')
      .evaluateAll((els) => els.map((el) => [el.getBoundingClientRect().top, el.getBoundingClientRect().bottom]));
    expect(rows).toHaveLength(9);
    expect(Math.max(...rows.map(([top]) => top as number))).toBeLessThan(Math.min(...rows.map(([, b]) => b as number)));
    const toolbar = await box(page, '.toolbar');
    expect(toolbar.bottom - toolbar.top).toBeLessThan(40);
    // The text buttons keep their names for screen readers and tooltips.
    expect(await page.locator('#export').getAttribute('aria-label')).toBe('Export Trace');
    expect(await page.locator('#export .button-label').isVisible()).toBe(false);

    // The parameters fold into one line that says what the run used, and open on a click.
    expect(await page.locator('#params').isVisible()).toBe(false);
    expect(await page.locator('#params-summary').innerText()).toBe(
      '4 base pages · Linux 6.12 · acquire as the path has it',
    );
    // The steps come after the state, still on the page.
    expect((await box(page, '.timeline-section')).top).toBeGreaterThan(table.bottom);

    await page.screenshot({ path: screenshotPath('screenshot-simulation-600px.png', true) });

    await page.locator('.params-head').click();
    expect(await page.locator('#param-kind').isVisible()).toBe(true);
  });

  test("dma-debug's wide table scrolls inside its box, not the page", async () => {
    const { page } = await open(undefined, viewport);
    await render(page, traceModel(DMA_SG_TRACE), 2);
    expect(await page.locator('#dma-table tbody tr').count()).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(viewport.width);
    expect((await box(page, '#dma')).right).toBeLessThanOrEqual(viewport.width);
  });

  test('scrolled down to the steps, the toolbar stays on top', async () => {
    const { page } = await open(undefined, viewport);
    await render(page, simMapUser(), null);
    await page.locator('.timeline-section').scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 2000);
    await page.waitForFunction(() => window.scrollY > 0);
    const toolbar = await box(page, '.toolbar');
    expect(toolbar.top).toBe(0);
    await page.locator('.tl-row[data-index="2"]').click();
    expect(await page.locator('#position').innerText()).toBe('step 2 / 5');
  });
});

describe('a wide panel (1280 × 900)', () => {
  test('the timeline runs beside the step, the parameters are open, the buttons have their words', async () => {
    const { page } = await open();
    await lightTheme(page);
    await render(page, simMapUser(), null);
    const timeline = await box(page, '.timeline-section');
    const detail = await box(page, '.detail');
    const chart = await box(page, '.chart-section');
    expect(timeline.right).toBeLessThan(detail.left);
    expect(Math.abs(timeline.top - detail.top)).toBeLessThan(2);
    expect(chart.top).toBeGreaterThanOrEqual(detail.bottom);
    expect(chart.left).toBe(detail.left);
    expect(await page.locator('#params').isVisible()).toBe(true);
    expect(await page.locator('.params-head').isVisible()).toBe(false);
    expect(await page.locator('#export').innerText()).toBe('Export Trace');
    await page.screenshot({ path: screenshotPath('screenshot-simulation-wide.png') });
  });
});
