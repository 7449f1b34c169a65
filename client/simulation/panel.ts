/**
 * The simulation panel as the extension sees it: one vscode.WebviewPanel with scripts on, resources
 * limited to the panel bundle and media/, the HTML of html.ts with a fresh nonce, and typed messages
 * both ways. Whatever arrives from the webview is validated; what does not fit is dropped and logged.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { PANEL_VIEW_TYPE, parseFromPanel, type FromPanel, type ToPanel } from '../../shared/panel';
import { panelHtml } from './html';

export interface PanelHandlers {
  message(message: FromPanel): void;
  /** A message was dropped (it is logged by the handler). */
  dropped(reason: string): void;
  disposed(): void;
}

/** Webview options: scripts, and only dist/webview (bundle, codicons) and media/ (CSS) readable. */
function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    enableForms: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
    retainContextWhenHidden: false,
  };
}

export class SimulationPanel implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private disposed = false;

  /** Opens a new panel beside the active editor. */
  static create(
    extensionUri: vscode.Uri,
    title: string,
    log: vscode.LogOutputChannel,
    handlers: PanelHandlers,
  ): SimulationPanel {
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(extensionUri),
    );
    return new SimulationPanel(panel, extensionUri, log, handlers);
  }

  /** Takes over a panel VS Code restored (WebviewPanelSerializer). */
  static adopt(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    log: vscode.LogOutputChannel,
    handlers: PanelHandlers,
  ): SimulationPanel {
    panel.webview.options = webviewOptions(extensionUri);
    return new SimulationPanel(panel, extensionUri, log, handlers);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
    private readonly handlers: PanelHandlers,
  ) {
    const webview = panel.webview;
    const resource = (...p: string[]): string =>
      webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'simulation.svg');
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64'),
      scriptUri: resource('dist', 'webview', 'panel.js'),
      styleUri: resource('media', 'simulation.css'),
      codiconsUri: resource('dist', 'webview', 'codicons', 'codicon.css'),
    });
    this.subscriptions.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidDispose(() => {
        this.disposed = true;
        for (const s of this.subscriptions.splice(0)) s.dispose();
        this.handlers.disposed();
      }),
    );
  }

  /** A message from the webview (or a test standing in for it): validated, then handled. */
  receive(raw: unknown): boolean {
    const parsed = parseFromPanel(raw);
    if (!parsed.ok) {
      this.handlers.dropped(parsed.reason);
      return false;
    }
    this.handlers.message(parsed.value);
    return true;
  }

  post(message: ToPanel): void {
    if (this.disposed) return;
    void this.panel.webview
      .postMessage(message)
      .then(undefined, (e: unknown) =>
        this.log.warn(`simulation panel: postMessage failed: ${e instanceof Error ? e.message : String(e)}`),
      );
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  set title(title: string) {
    if (!this.disposed) this.panel.title = title;
  }

  reveal(): void {
    if (!this.disposed) this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
  }

  dispose(): void {
    if (!this.disposed) this.panel.dispose();
  }
}
