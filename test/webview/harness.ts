/**
 * The simulation panel's front end in headless Chromium: the BUILT bundle (dist/webview/panel.js),
 * the real page (client/simulation/html.ts: CSP `default-src 'none'`, the script by nonce) served
 * from a tiny static server on loopback, a stand-in for VS Code's `acquireVsCodeApi` (postMessage,
 * getState, setState recorded on window), and the models the extension would send, built with the
 * server's simulation code from `.pinsim` text.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { panelHtml } from '../../client/simulation/html';
import { traceModel as buildTraceModel } from '../../client/simulation/models';
import { simulateTraceDocument } from '../../core/index';
import { kernelVersionsWith } from '../../server/simulation';
import type { PanelModel, PanelState, ToPanel } from '../../shared/panel';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Chromium as the e2e tests launch it (test/e2e/lib.mjs): Debian's binary, headless, no sandbox. */
function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--disable-dev-shm-usage',
    ],
  });
}

const FILES: Record<string, { file: string; type: string }> = {
  '/dist/webview/panel.js': { file: 'dist/webview/panel.js', type: 'text/javascript' },
  '/dist/webview/codicons/codicon.css': { file: 'dist/webview/codicons/codicon.css', type: 'text/css' },
  '/dist/webview/codicons/codicon.ttf': { file: 'dist/webview/codicons/codicon.ttf', type: 'font/ttf' },
  '/media/simulation.css': { file: 'media/simulation.css', type: 'text/css' },
};

export interface PanelServer {
  readonly origin: string;
  /** The panel page, with a fresh nonce per request. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the panel page and exactly the files the webview may load (like localResourceRoots). */
async function startPanelServer(): Promise<PanelServer> {
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/panel.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        panelHtml({
          cspSource: origin,
          nonce: randomBytes(18).toString('base64'),
          scriptUri: `${origin}/dist/webview/panel.js`,
          styleUri: `${origin}/media/simulation.css`,
          codiconsUri: `${origin}/dist/webview/codicons/codicon.css`,
        }),
      );
      return;
    }
    const entry = FILES[url.pathname];
    if (!entry) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': entry.type });
    res.end(readFileSync(path.join(ROOT, entry.file)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, url: `${origin}/panel.html`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** What the stand-in records on window. */
export interface Recorded {
  readonly sent: unknown[];
  readonly state: PanelState | undefined;
  readonly cspViolations: string[];
  readonly consoleWarnings: string[];
}

declare global {
  interface Window {
    __sent: unknown[];
    __state: unknown;
    __csp: string[];
    __pwned?: unknown;
  }
}

/**
 * Opens the panel in a fresh page: `acquireVsCodeApi` returns a stand-in whose getState() is
 * `initialState`; every securitypolicyviolation event is recorded.
 */
export interface Viewport {
  readonly width: number;
  readonly height: number;
}

async function openPanel(
  browser: Browser,
  url: string,
  initialState?: PanelState,
  viewport: Viewport = { width: 1280, height: 900 },
): Promise<{ page: Page; warnings: string[] }> {
  const page = await browser.newPage({ viewport });
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text());
  });
  page.on('pageerror', (e) => warnings.push(`pageerror: ${e.message}`));
  await page.addInitScript(
    (state: string | null) => {
      window.__sent = [];
      window.__csp = [];
      window.__state = state === null ? undefined : JSON.parse(state);
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
      });
      let acquired = false;
      (window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => {
        if (acquired) throw new Error('acquireVsCodeApi called twice');
        acquired = true;
        return {
          postMessage: (m: unknown) => window.__sent.push(JSON.parse(JSON.stringify(m))),
          getState: () => window.__state,
          setState: (s: unknown) => {
            window.__state = JSON.parse(JSON.stringify(s));
          },
        };
      };
    },
    initialState ? JSON.stringify(initialState) : null,
  );
  await page.goto(url);
  await page.waitForFunction(() => window.__sent.some((m) => (m as { type?: string }).type === 'ready'));
  return { page, warnings };
}

export async function post(page: Page, message: ToPanel | Record<string, unknown>): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

export async function recorded(page: Page): Promise<Recorded> {
  return page.evaluate(() => ({
    sent: window.__sent,
    state: window.__state as PanelState | undefined,
    cspViolations: window.__csp,
    consoleWarnings: [],
  }));
}

let runIds = 100;

/**
 * A real dma-debug run: 4 pages pinned, mapped as a 4-entry scatterlist that dma_map_sg() merges into
 * 3 segments, written by the device, then unmapped with the 3 it returned (dma-debug's "unmap with a
 * different nents" error, at step 4) and unpinned dirty.
 */
export const DMA_SG_TRACE = `kernel 6.12
pages 4 base
pin_user_pages_fast nr=4 flags=FOLL_WRITE|FOLL_LONGTERM -> 4
dma_map_sg id=sg first=0 nents=4 dir=DMA_FROM_DEVICE -> 3
device_write id=sg
dma_unmap_sg id=sg nents=3 dir=DMA_FROM_DEVICE
unpin_user_pages_dirty_lock first=0 nr=4 dirty=true
return 0
`;

/** The model the extension sends for a `.pinsim` text (what runTrace builds from pinscope/simulateTrace). */
export function traceModel(text: string, fileName = 'test.pinsim'): PanelModel {
  const sim = simulateTraceDocument(text, undefined, '6.12');
  const kernelVersions = kernelVersionsWith(sim.ok ? sim.report.kernelVersion : '6.12');
  return buildTraceModel(
    runIds++,
    { uri: `file:///tmp/${encodeURIComponent(fileName)}`, fileName },
    sim.ok ? { ...sim, kernelVersions } : { ...sim, kernelVersion: '6.12', kernelVersions },
    {},
  );
}

/**
 * One headless Chromium and one panel server for a test file (started before its tests, closed after
 * them). `open` opens a fresh panel page; after each test its pages are closed, and none may have
 * seen a CSP violation (test/webview/panel.test.ts proves the listener reports one).
 */
export function panelBrowser(): {
  open: (state?: PanelState, viewport?: Viewport) => Promise<{ page: Page; warnings: string[] }>;
} {
  let browser: Browser | undefined;
  let server: PanelServer | undefined;
  const pages: Page[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
    server = await startPanelServer();
  }, 60_000);
  afterEach(async () => {
    for (const page of pages.splice(0)) {
      const r = await recorded(page);
      expect(r.cspViolations).toEqual([]);
      await page.close();
    }
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    open: async (state, viewport) => {
      if (!browser || !server) throw new Error('panelBrowser: the browser is not started yet');
      const opened = await openPanel(browser, server.url, state, viewport);
      pages.push(opened.page);
      return opened;
    },
  };
}

/** Renders `model` at `step` (the start unless told; `null`: no step in the message, the panel decides). */
export async function render(page: Page, model: PanelModel, step: number | null = 0): Promise<void> {
  await post(page, { type: 'render', model, ...(step !== null ? { step } : {}) });
  await page
    .locator('#position')
    .filter({ hasText: /step \d+ \//u })
    .waitFor();
}

/** Text of the first element matching `selector`. */
export function text(page: Page, selector: string): Promise<string> {
  return page.locator(selector).first().innerText();
}
