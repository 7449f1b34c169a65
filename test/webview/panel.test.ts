/**
 * The simulation panel's front end in headless Chromium (the built bundle, the real page and CSP, a
 * stand-in acquireVsCodeApi): exact numbers in the DOM for a known trace, stepping with the
 * keyboard, the state restored from setState, hostile text rendered as text, messages that do not
 * fit dropped, folios shown compactly, a malformed trace listed, and no CSP violation anywhere.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { PanelModel, PanelState } from '../../shared/panel';
import { DMA_SG_TRACE, panelBrowser, post, recorded, render, text, traceModel } from './harness';

/** Two pins, then put_page() on the pinned page: 1 → 1025 → 2049 → 2048, 1023 references stranded. */
const PUT_ON_PINNED = `# put_page() on a pinned page
kernel 6.12
pages 1 base
pin_user_pages nr=1
pin_user_pages nr=1
put_page page=0
`;

const { open } = panelBrowser();

const refcountCell = (page: Page): Promise<string> => text(page, '#page-rows td.refcount');

describe('a known trace, stepped with the keyboard', () => {
  test('1 → 1025 → 2049 → 2048: the numbers, the counters, the changes and the violation', async () => {
    const { page } = await open();
    const model = traceModel(PUT_ON_PINNED);
    await render(page, model);
    expect(await text(page, '#position')).toBe('step 0 / 3');
    expect(await refcountCell(page)).toBe('1');
    expect(await text(page, '#counter-acquired .counter-value')).toBe('0');

    await page.keyboard.press('ArrowRight');
    expect(await text(page, '#position')).toBe('step 1 / 3');
    expect(await refcountCell(page)).toBe('1025 +1024');
    expect(await page.locator('#page-rows td.refcount.changed').count()).toBe(1);
    expect(await text(page, '#page-rows td.flag')).toContain('yes');
    expect(await text(page, '#counter-acquired .counter-value')).toBe('1');

    await page.keyboard.press('ArrowRight');
    expect(await refcountCell(page)).toBe('2049 +1024');
    expect(await text(page, '#counter-acquired .counter-value')).toBe('2');
    expect(await text(page, '#counter-released .counter-value')).toBe('0');
    expect(await text(page, '#counter-balance .counter-value')).toBe('2');
    expect(await page.locator('#violations .violation').count()).toBe(0);

    await page.keyboard.press('ArrowRight');
    expect(await text(page, '#position')).toBe('step 3 / 3');
    expect(await refcountCell(page)).toBe('2048 −1');
    expect(await text(page, '#page-rows td.held')).toBe('1 pin');
    expect(await text(page, '#counter-released .counter-value')).toBe('0');
    const violation = await text(page, '#violations .violation');
    expect(violation).toContain('release-mismatch');
    expect(violation).toContain(
      'put_page() on pinned page 0 drops 1 reference, not the pin: it stays 1023 references high (refcount 2048)',
    );
    expect(await page.locator('#violations a.doc-link').getAttribute('href')).toBe(
      'https://docs.kernel.org/core-api/pin_user_pages.html#tracking-dma-pinned-pages',
    );
    expect(await text(page, '#step-title')).toBe('Step 3 of 3: put_page(page=0)');
    expect(await text(page, '#step-line')).toBe('trace line 6');
    // The timeline marks the step, the chart's cursor sits on it.
    expect(await page.locator('.tl-row.selected .tl-index').innerText()).toBe('3');
    expect(await page.locator('.tl-row.has-violation').count()).toBe(1);
    expect(await page.locator('.chart-caption').innerText()).toContain('_refcount 2048');

    await page.keyboard.press('Home');
    expect(await refcountCell(page)).toBe('1');
    await page.keyboard.press('End');
    expect(await text(page, '#position')).toBe('step 3 / 3');
    await page.keyboard.press('ArrowLeft');
    expect(await refcountCell(page)).toBe('2049 +1024');

    // Every step change went to the extension (it moves the editor's highlighted line).
    const steps = (await recorded(page)).sent
      .filter((m) => (m as { type: string }).type === 'step')
      .map((m) => (m as { step: number; runId: number }).step);
    expect(steps).toEqual([1, 2, 3, 0, 3, 2]);
    const first = (await recorded(page)).sent.find((m) => (m as { type: string }).type === 'step') as { runId: number };
    expect(first.runId).toBe(model.runId);
  });

  test("the kernel's own words and the doc link of an invalid call; ] jumps to it; Enter asks to reveal the line", async () => {
    const { page } = await open();
    await render(
      page,
      traceModel(
        'kernel 6.12\npages 2 base\nbranch "ret < 0" false\npin_user_pages nr=2 flags=FOLL_GET   @40:7\nreturn 0\n',
      ),
    );
    await page.keyboard.press(']');
    expect(await text(page, '#position')).toBe('step 2 / 3');
    expect(await text(page, '#violations .kernel-message code')).toBe(
      'WARNING: mm/gup.c: WARN_ON_ONCE(gup_flags & FOLL_GET)',
    );
    expect(await text(page, '#step-line')).toBe('trace line 4 · source line 40');
    await page.keyboard.press('Enter');
    const reveal = (await recorded(page)).sent.filter((m) => (m as { type: string }).type === 'reveal');
    expect(reveal).toEqual([expect.objectContaining({ type: 'reveal', step: 2 })]);
    // A click on a doc link goes to the extension, which opens it (the webview never navigates).
    await page.locator('#violations a.doc-link').click();
    const link = (await recorded(page)).sent.find((m) => (m as { type: string }).type === 'openLink') as
      { url: string } | undefined;
    expect(link?.url).toMatch(/^https:\/\/docs\.kernel\.org\//);
  });

  test('Space plays to the end, Escape stops', async () => {
    const { page } = await open();
    await render(page, traceModel(PUT_ON_PINNED));
    await page.keyboard.press(' ');
    expect(await page.locator('#play.playing').count()).toBe(1);
    await page.locator('#position', { hasText: 'step 3 / 3' }).waitFor({ timeout: 5000 });
    await page.locator('#play:not(.playing)').waitFor({ timeout: 5000 });
    // At the end, Space starts again from the start; Escape stops it there.
    await page.keyboard.press(' ');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(1500);
    expect(await text(page, '#position')).toBe('step 0 / 3');
    expect(await page.locator('#play.playing').count()).toBe(0);
  });
});

describe('state', () => {
  test('setState keeps the run and the step; a reload restores both before the extension says anything', async () => {
    const first = await open();
    const model = traceModel(PUT_ON_PINNED);
    await render(first.page, model);
    await first.page.keyboard.press('ArrowRight');
    await first.page.keyboard.press('ArrowRight');
    await first.page.waitForFunction(() => (window.__state as { step?: number } | undefined)?.step === 2);
    const saved = (await recorded(first.page)).state as PanelState;
    expect(saved.version).toBe(1);
    expect(saved.model?.runId).toBe(model.runId);
    expect(saved.step).toBe(2);

    const second = await open(saved);
    expect(await text(second.page, '#position')).toBe('step 2 / 3');
    expect(await refcountCell(second.page)).toBe('2049 +1024');
    const ready = (await recorded(second.page)).sent.find((m) => (m as { type: string }).type === 'ready');
    expect(ready).toEqual({ type: 'ready', runId: model.runId });
  });

  test('a saved state that does not fit is ignored (and said so), not half-used', async () => {
    const { page, warnings } = await open({
      version: 1,
      model: { runId: 'x' },
      step: 0,
      chartPage: null,
    } as unknown as PanelState);
    expect(await page.locator('#page-rows tr').count()).toBe(0);
    expect((await recorded(page)).sent[0]).toEqual({ type: 'ready', runId: null });
    expect(warnings.join('\n')).toContain('the saved panel state does not fit');
  });
});

describe('robustness', () => {
  const HOSTILE = '<img src=x onerror="window.__pwned=1">';
  const SCRIPT = '</script><script>window.__pwned=2</script>';

  test('names and messages with HTML and </script> are rendered as text', async () => {
    const { page } = await open();
    const base = traceModel(
      `kernel 6.12
function <img/src=x/onerror=window.__pwned=3>
pages 1 base
branch "${HOSTILE.replace(/"/g, '\\"')} ${SCRIPT}" true
pin_user_pages nr=1
return -EFAULT
`,
      `${SCRIPT}.pinsim`,
    );
    const path = base.path;
    if (!path) throw new Error('the trace did not simulate');
    const model: PanelModel = {
      ...base,
      function: `${HOSTILE}${SCRIPT}`,
      notes: [`note ${HOSTILE}`],
      path: {
        ...path,
        label: `path 1: ${HOSTILE}`,
        steps: path.steps.map((s) => ({
          ...s,
          ...(s.note !== undefined ? { note: `${s.note} ${SCRIPT}` } : {}),
          violations: s.violations.map((v) => ({
            ...v,
            message: `${v.message} ${HOSTILE}`,
            kernelMessage: `${SCRIPT} ${HOSTILE}`,
            docsUrl: 'javascript:alert(1)',
          })),
        })),
      },
    };
    await render(page, model);
    await page.keyboard.press('End');
    expect(await text(page, '#title')).toContain(`${SCRIPT}.pinsim — ${HOSTILE}${SCRIPT}()`);
    expect(await text(page, '.notices')).toContain(`note ${HOSTILE}`);
    expect(await text(page, '#violations .violation-message')).toContain(HOSTILE);
    expect(await text(page, '#violations .kernel-message code')).toBe(`${SCRIPT} ${HOSTILE}`);
    // A javascript: link is not a doc link: the violation shows without it.
    expect(await page.locator('#violations a').count()).toBe(0);
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    expect(await text(page, '#step-title')).toContain(`${HOSTILE} ${SCRIPT}`);
    expect(await page.locator('.tl-row .tl-call', { hasText: 'onerror' }).count()).toBe(1);
    expect(
      await page.evaluate(() => ({
        img: document.querySelectorAll('img').length,
        scripts: document.querySelectorAll('script').length,
        pwned: window.__pwned ?? null,
      })),
    ).toEqual({ img: 0, scripts: 1, pwned: null });
  });

  test('the CSP is on: an inline script is refused and reported (so "no violations" means something)', async () => {
    const { page } = await open();
    const blocked = await page.evaluate(async () => {
      const before = window.__csp.length;
      const s = document.createElement('script');
      s.textContent = 'window.__pwned = "inline"';
      document.body.appendChild(s);
      await new Promise((r) => setTimeout(r, 50));
      const seen = window.__csp.slice(before);
      window.__csp.length = before;
      return { seen, pwned: window.__pwned ?? null };
    });
    expect(blocked.pwned).toBeNull();
    expect(blocked.seen.join(' ')).toContain('script-src');
  });

  test('a message that does not fit the protocol is dropped and logged; the panel keeps what it shows', async () => {
    const { page, warnings } = await open();
    const model = traceModel(PUT_ON_PINNED);
    await render(page, model, 1);
    const broken = JSON.parse(JSON.stringify(model)) as { path: { steps: { pages: { refcount: unknown }[] }[] } };
    const first = broken.path.steps[0];
    if (!first) throw new Error('the trace has no step');
    first.pages[0] = { refcount: '9999' };
    await post(page, { type: 'render', model: broken as unknown as PanelModel });
    await post(page, { type: 'goto', step: -3 });
    await post(page, { type: 'explode' });
    await post(page, 'not even an object' as unknown as Record<string, unknown>);
    await page.waitForFunction(() => true);
    await page.waitForTimeout(100);
    expect(await refcountCell(page)).toBe('1025 +1024');
    const dropped = warnings.filter((w) => w.includes('dropped a message that does not fit the panel protocol'));
    expect(dropped).toHaveLength(4);
    expect(dropped.map((w) => w.replace(/^.*the panel protocol: /, ''))).toEqual([
      'message.model.path.steps[0].pages[0].index: Invalid key: Expected "index" but received undefined',
      'message.step: Invalid value: Expected >=0 but received -3',
      'message.type: Invalid type: Expected ("render" | "busy" | "error" | "goto") but received "explode"',
      'message: Invalid type: Expected Object but received "not even an object"',
    ]);
  });
});

describe('layouts', () => {
  test('a THP is one row (512 pages, one folio), with its exact _pincount', async () => {
    const { page } = await open();
    await render(page, traceModel('kernel 6.12\npages 1024 thp\npin_user_pages nr=512\nunpin_user_pages nr=512\n'));
    await page.keyboard.press('ArrowRight');
    const rows = page.locator('#page-rows tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).locator('th .page-range').innerText()).toBe('p0–511 (512)');
    expect((await rows.nth(0).locator('th .folio-label').innerText()).trim()).toBe('· folio 0');
    expect(await rows.nth(0).locator('td.refcount').innerText()).toBe('513 +512');
    expect(await rows.nth(0).locator('td.pincount').innerText()).toBe('512 +512');
    expect(await rows.nth(0).locator('td.held').innerText()).toBe('512 pins');
    expect(await rows.nth(1).locator('th .page-range').innerText()).toBe('p512–1023 (512)');
    expect(await text(page, '#counter-acquired .counter-value')).toBe('512');
  });

  test('many base pages fold into runs', async () => {
    const { page } = await open();
    await render(page, traceModel('kernel 6.12\npages 4096 base\npin_user_pages first=10 nr=2\n'));
    await page.keyboard.press('ArrowRight');
    const labels = await page.locator('#page-rows th').allInnerTexts();
    expect(labels).toEqual([
      'p0–9 (10 pages) · 10 folios',
      'p10–11 (2 pages) · 2 folios',
      'p12–4095 (4084 pages) · 4084 folios',
    ]);
  });

  test('a malformed trace lists its errors and simulates nothing', async () => {
    const { page } = await open();
    const model = traceModel('kernel 6.12\npages 4 bsae\npin_user_pages nr=four\n');
    await post(page, { type: 'render', model });
    await page.locator('#trace-errors li').first().waitFor();
    expect(await page.locator('#trace-errors li').allInnerTexts()).toEqual([
      'line 2, column 9: expected a page kind: base, thp, hugetlb, zero',
      'line 3, column 19: nr: expected a non-negative integer, not "four"',
    ]);
    expect(await page.locator('.tl-row').count()).toBe(0);
    expect(await page.locator('.body').isVisible()).toBe(false);
    expect(await text(page, '#outcome')).toContain('2 errors');
  });

  test('a step with dma-debug state gets the DMA table; one without gets none', async () => {
    const { page } = await open();
    const base = traceModel(PUT_ON_PINNED);
    const path = base.path;
    if (!path) throw new Error('no path');
    const dma = {
      mappings: [
        {
          id: 'buf',
          type: 'single',
          device: 'demo',
          address: '0x0000000012340000',
          size: 4096,
          direction: 'DMA_TO_DEVICE',
          mapErr: 'not-checked' as const,
          pages: [0],
        },
      ],
      counters: {
        error_count: 0,
        num_errors: 0,
        num_free_entries: 65535,
        min_free_entries: 65535,
        nr_total_entries: 65536,
      },
    };
    const model: PanelModel = {
      ...base,
      path: { ...path, steps: path.steps.map((s, i) => (i === 0 ? { ...s, dma } : s)) },
    };
    await render(page, model);
    expect(await page.locator('#dma').isVisible()).toBe(false);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#dma-table tbody tr').count()).toBe(1);
    expect(await text(page, '#dma-table tbody tr')).toContain('0x0000000012340000');
    expect(await page.locator('#dma h3').textContent()).toBe('dma-debug: 1 live mapping');
    expect(await page.locator('#dma-table tbody tr.changed-row').count()).toBe(1);
    expect(await text(page, '#dma-counters')).toContain('num_free_entries 65535');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#dma').isVisible()).toBe(false);
  });

  test("a real dma-debug run: the mapping, the kernel's words, the mapping gone after the unmap", async () => {
    const { page } = await open();
    await render(page, traceModel(DMA_SG_TRACE));
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#dma-table tbody tr').count()).toBe(1);
    expect(await text(page, '#dma-table tbody tr')).toContain('3 of 4');
    await page.keyboard.press(']');
    expect(await text(page, '#position')).toBe('step 4 / 6');
    expect(await text(page, '#violations .kernel-message code')).toContain('DMA-API:');
    expect(await page.locator('#dma-table tbody tr.removed-row').count()).toBe(1);
  });
});
