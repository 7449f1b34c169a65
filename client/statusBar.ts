/**
 * The status bar item: pinscope's findings in the active file, or that the analysis was partial,
 * from the server's pinscope/status notifications. Click: the Problems panel.
 */
import * as vscode from 'vscode';
import type { StatusParams } from '../server/protocol';

export type ServerState = 'starting' | 'running' | 'stopped';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly byUri = new Map<string, StatusParams>();
  private server: ServerState = 'starting';
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.item = vscode.window.createStatusBarItem('pinscope.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'pinscope';
    this.item.command = 'workbench.actions.view.problems';
    this.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(() => this.render()));
    this.render();
  }

  setServerState(state: ServerState): void {
    this.server = state;
    this.render();
  }

  update(status: StatusParams): void {
    this.byUri.set(status.uri, status);
    this.render();
  }

  forget(uri: string): void {
    this.byUri.delete(uri);
    this.render();
  }

  status(uri: string): StatusParams | undefined {
    return this.byUri.get(uri);
  }

  get text(): string {
    return this.item.text;
  }

  private render(): void {
    const item = this.item;
    item.backgroundColor = undefined;
    const editor = vscode.window.activeTextEditor;
    const s = editor ? this.byUri.get(editor.document.uri.toString()) : undefined;
    if (this.server === 'starting') {
      item.text = '$(sync~spin) pinscope';
      item.tooltip = 'pinscope: starting the language server';
    } else if (this.server === 'stopped') {
      item.text = '$(error) pinscope';
      item.tooltip = 'pinscope: the language server is not running (pinscope: Restart Server)';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else if (!s) {
      item.text = '$(pass) pinscope';
      item.tooltip = 'pinscope: no C file with results is active';
    } else {
      const total = s.errors + s.warnings + s.infos;
      const counts =
        total === 0 ? '$(pass) pinscope' : `$(error) ${s.errors} $(warning) ${s.warnings + s.infos} pinscope`;
      const tooltip = new vscode.MarkdownString(
        `**pinscope** · Linux ${s.kernelVersion} · ${s.errors} errors, ${s.warnings} warnings, ${s.infos} infos (${s.elapsedMs} ms)`,
      );
      if (s.state === 'partial' || s.state === 'skipped' || s.state === 'failed') {
        item.text = `$(warning) ${total > 0 ? `${total} ` : ''}pinscope: partial`;
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        for (const note of s.notes) tooltip.appendMarkdown(`\n\n$(warning) ${note}`);
        tooltip.supportThemeIcons = true;
      } else if (s.state === 'excluded') {
        item.text = '$(circle-slash) pinscope';
        tooltip.appendMarkdown('\n\nThis file matches `pinscope.exclude`.');
      } else {
        item.text = counts;
      }
      item.tooltip = tooltip;
    }
    item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
