/**
 * Hostile input, both ways (from ../shared/repro/webview-xss.test.ts): a trace whose labels, words
 * and file names are HTML and script, rendered by the real panel in headless Chromium, runs no
 * script and adds no element; and messages from the panel that could open a link, run a command or
 * simulate a trillion pages are refused, each with the reason the extension logs.
 */
import { describe, expect, test } from 'vitest';
import { parseFromPanel } from '../../shared/panel';
import { panelBrowser, post, traceModel } from './harness';

const IMG = `<img src=x onerror="window.__xss=1">`;
const SCRIPT = `<script>window.__xss=2</script>`;
const TRACE = `# ${IMG}${SCRIPT} label
kernel 6.12
function f_x
source /src/${IMG.replace(/ /g, '_')}.c
pages 2 base
pin_user_pages nr=2 -> 1
branch "${IMG.replace(/"/g, '\\"')}${SCRIPT}" true
access first=0 nr=1 mode=write via=<svg/onload=window.__xss=3>
escape first=0 nr=1 to=<iframe/src=javascript:window.__xss=4>
put_page page=0 via="><img/src=x/onerror=window.__xss=5>
return <b>bold</b> status=error
`;

declare global {
  interface Window {
    __xss?: number;
  }
}

describe('hostile text in the panel', () => {
  const { open } = panelBrowser();

  test('labels, words, file names and links render as text; no script runs, no element is added', async () => {
    const { page } = await open();
    const model = JSON.parse(JSON.stringify(traceModel(TRACE, `${IMG}.pinsim`))) as {
      function: string;
      path: { label: string; steps: { violations: { docsUrl?: string; message: string }[] }[] };
    };
    model.function = `${IMG}${SCRIPT}`;
    model.path.label = `${IMG}${SCRIPT}`;
    for (const s of model.path.steps)
      for (const v of s.violations) {
        v.docsUrl = 'javascript:window.__xss=6';
        v.message = IMG + SCRIPT;
      }
    await post(page, { type: 'render', model, step: 0 });
    await page.locator('#position', { hasText: 'step 0 /' }).waitFor();
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
    const last = model.path.steps.length;
    await page.locator('#position', { hasText: `step ${last} / ${last}` }).waitFor();
    const seen = await page.evaluate(() => ({
      xss: window.__xss ?? null,
      injected: document.querySelectorAll('#app img, #app script, #app iframe, #app b, #app svg [onload]').length,
      hrefs: Array.from(document.querySelectorAll('a'), (a) => a.getAttribute('href')),
    }));
    expect(seen).toEqual({ xss: null, injected: 0, hrefs: [] });
    expect(await page.locator('#title').innerText()).toBe(`${IMG}.pinsim — ${IMG}${SCRIPT}()`);
    await page.keyboard.press('[');
    await page.locator('#position', { hasText: `step ${last - 1} / ${last}` }).waitFor();
    expect(await page.locator('#violations .violation-message').innerText()).toBe(IMG + SCRIPT);
    expect(await page.locator('#violations a').count()).toBe(0);
  }, 60_000);
});

describe('messages from the panel', () => {
  test('openLink: only https documentation links pass', () => {
    const refused = [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'command:workbench.action.terminal.new',
      'vscode://x',
      'https://x/"><b>',
      'http://docs.kernel.org/',
      'https://docs.kernel.org/\nfoo',
      'data:text/html,<b>',
    ];
    for (const url of refused)
      expect(parseFromPanel({ type: 'openLink', url }), url).toEqual({
        ok: false,
        reason: 'message.url: expected an https documentation link',
      });
    expect(parseFromPanel({ type: 'openLink', url: 'https://docs.kernel.org/core-api/pin_user_pages.html' })).toEqual({
      ok: true,
      value: { type: 'openLink', url: 'https://docs.kernel.org/core-api/pin_user_pages.html' },
    });
  });

  test('what does not fit is refused with where and why', () => {
    const types = '("ready" | "step" | "reveal" | "rerun" | "export" | "copyMarkdown" | "openLink")';
    const cases: [unknown, string][] = [
      [null, 'message: Invalid type: Expected Object but received null'],
      [5, 'message: Invalid type: Expected Object but received 5'],
      [{}, `message.type: Invalid type: Expected ${types} but received undefined`],
      [{ type: '__proto__' }, `message.type: Invalid type: Expected ${types} but received "__proto__"`],
      [{ type: 'shell', command: 'rm -rf /' }, `message.type: Invalid type: Expected ${types} but received "shell"`],
      [
        { type: 'rerun', runId: 1, parameters: { pages: 1e12 }, path: 1 },
        'message.parameters.pages: Invalid value: Expected <=4096 but received 1000000000000',
      ],
      [
        { type: 'rerun', runId: 1, parameters: { pages: 4 }, path: 0 },
        'message.path: Invalid value: Expected >=1 but received 0',
      ],
      [
        { type: 'rerun', runId: 1, parameters: { kernelVersion: '<b>' }, path: null },
        'message.parameters.kernelVersion: expected a kernel version like 6.12',
      ],
      [
        { type: 'rerun', runId: 1, parameters: { acquire: { kind: 'partial', taken: 0 } }, path: null },
        'message.parameters.acquire.taken: Invalid value: Expected >=1 but received 0',
      ],
      [{ type: 'step', runId: 'a', step: 1 }, 'message.runId: Invalid type: Expected number but received "a"'],
      [{ type: 'step', runId: 1, step: -1 }, 'message.step: Invalid value: Expected >=0 but received -1'],
      [{ type: 'step', runId: 1, step: 1.5 }, 'message.step: Invalid safe integer: Received 1.5'],
    ];
    for (const [message, reason] of cases)
      expect(parseFromPanel(message), JSON.stringify(message)).toEqual({ ok: false, reason });
  });

  test('what fits keeps exactly its known fields', () => {
    expect(
      parseFromPanel({ type: 'rerun', runId: 3, parameters: { pages: 8, pageKind: 'thp', extra: 1 }, path: 2, x: 'y' }),
    ).toEqual({ ok: true, value: { type: 'rerun', runId: 3, parameters: { pages: 8, pageKind: 'thp' }, path: 2 } });
  });
});
