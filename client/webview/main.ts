/**
 * Entry of the simulation panel's bundle (dist/webview/panel.js, built for the browser): restores
 * the persisted state, validates every message from the extension (dropping and logging what does
 * not fit), and hands the keyboard to the view.
 */
import { parsePanelState, parseToPanel, type FromPanel, type PanelState } from './protocol';
import { PanelView } from './view';

interface VsCodeApi {
  postMessage(message: FromPanel): void;
  getState(): unknown;
  setState(state: PanelState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const STATE_DELAY_MS = 250;

function start(): void {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('app');
  if (!root) return;
  let pending: PanelState | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (pending) vscode.setState(pending);
    pending = null;
  };
  const view = new PanelView(root, {
    post: (message) => vscode.postMessage(message),
    saveState: (state, urgent) => {
      pending = state;
      if (urgent) {
        // After this frame is painted: a big model's state costs a structured clone.
        if (timer !== null) clearTimeout(timer);
        timer = setTimeout(flush, 0);
      } else if (timer === null) {
        timer = setTimeout(flush, STATE_DELAY_MS);
      }
    },
  });
  window.addEventListener('pagehide', flush);

  const saved = vscode.getState();
  let restoredRun: number | null = null;
  if (saved !== undefined && saved !== null) {
    const state = parsePanelState(saved);
    if (state.ok && state.value.model) {
      view.render(state.value.model, state.value.step, state.value.chartPage);
      restoredRun = state.value.model.runId;
    } else if (!state.ok) {
      console.warn(`pinscope: the saved panel state does not fit and was ignored: ${state.reason}`);
    }
  }

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    const parsed = parseToPanel(event.data);
    if (!parsed.ok) {
      console.warn(`pinscope: dropped a message that does not fit the panel protocol: ${parsed.reason}`);
      return;
    }
    const m = parsed.value;
    switch (m.type) {
      case 'render':
        view.render(m.model, m.step);
        view.busy('');
        break;
      case 'busy':
        view.busy(m.message);
        break;
      case 'error':
        view.error(m.message);
        break;
      case 'goto':
        view.goto(m.step);
        break;
    }
  });
  document.addEventListener('keydown', (e) => view.onKey(e));
  vscode.postMessage({ type: 'ready', runId: restoredRun });
}

start();
