/**
 * The palette commands (category "pinscope"). The simulation's commands (Run Simulation, behind the
 * code lens too; Export Trace; Copy as Markdown) live in simulation/controller.ts.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  WorkDoneProgress,
  type LanguageClient,
  type WorkDoneProgressReport,
  type WorkDoneProgressBegin,
  type WorkDoneProgressEnd,
} from 'vscode-languageclient/node';
import { Commands, LintWorkspaceRequest } from '../server/protocol';
import { ruleSummaries, ruleSummary } from '../server/rules';

export interface CommandHost {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** The running client, after waiting for it to start. */
  client(): Promise<LanguageClient>;
  restart(): Promise<void>;
}

async function lintWorkspace(host: CommandHost): Promise<void> {
  const client = await host.client();
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'pinscope', cancellable: true },
    async (progress, cancel) => {
      const token = `pinscope-lint-${Date.now()}`;
      let shown = 0;
      const sub = client.onProgress(
        WorkDoneProgress.type,
        token,
        (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
          if (value.kind === 'end') return;
          const pct = value.percentage ?? shown;
          progress.report({ message: value.message ?? '', increment: Math.max(0, pct - shown) });
          shown = pct;
        },
      );
      try {
        const r = await client.sendRequest(LintWorkspaceRequest, { workDoneToken: token }, cancel);
        const summary = `${r.findings} finding${r.findings === 1 ? '' : 's'} in ${r.filesWithFindings} file${r.filesWithFindings === 1 ? '' : 's'} (${r.files} files, ${r.parsed} parsed, Linux ${r.kernelVersions.join(', ')}, ${(r.elapsedMs / 1000).toFixed(1)} s)`;
        host.log.info(`Lint Workspace: ${summary}${r.cancelled ? ' — cancelled' : ''}`);
        void vscode.window.showInformationMessage(`pinscope: ${r.cancelled ? 'cancelled after ' : ''}${summary}`);
      } catch (e) {
        if (cancel.isCancellationRequested) {
          void vscode.window.showInformationMessage('pinscope: Lint Workspace cancelled');
          return;
        }
        const message = e instanceof Error ? e.message : String(e);
        host.log.error(`Lint Workspace failed: ${message}`);
        void vscode.window.showErrorMessage(`pinscope: Lint Workspace failed: ${message}`);
      } finally {
        sub.dispose();
      }
    },
  );
}

async function showRuleDocumentation(host: CommandHost, ruleId?: unknown): Promise<void> {
  let id = typeof ruleId === 'string' ? ruleId : undefined;
  if (!id) {
    const picked = await vscode.window.showQuickPick(
      ruleSummaries().map((r) => ({ label: r.id, description: r.title, detail: r.description })),
      {
        title: 'pinscope: Show Rule Documentation',
        matchOnDescription: true,
        matchOnDetail: true,
      },
    );
    id = picked?.label;
  }
  if (!id) return;
  const rule = ruleSummary(id);
  if (!rule) {
    void vscode.window.showWarningMessage(`pinscope: there is no rule "${id}"`);
    return;
  }
  const page = vscode.Uri.joinPath(host.extensionUri, ...rule.page.split('/'));
  if (page.scheme === 'file' && existsSync(page.fsPath)) {
    await vscode.commands.executeCommand('markdown.showPreview', page);
  } else {
    host.log.warn(`${rule.page} is not in the extension; opening ${rule.docsUrl}`);
    await vscode.env.openExternal(vscode.Uri.parse(rule.docsUrl));
  }
}

export function registerCommands(host: CommandHost): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.lintWorkspace, () => lintWorkspace(host)),
    vscode.commands.registerCommand(Commands.restartServer, () => host.restart()),
    vscode.commands.registerCommand(Commands.showRuleDocumentation, (ruleId?: unknown) =>
      showRuleDocumentation(host, ruleId),
    ),
  ];
}
