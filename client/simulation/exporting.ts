/**
 * Export Trace (the path shown, as a `.pinsim` file) and Copy as Markdown (its step table), from the
 * texts the server sent with the run.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { PanelModel } from '../../shared/panel';
import { asUri } from './uri';

/** What the two commands need of the run shown; `trace`/`markdown` are null after a restore until refreshed. */
export interface Exportable {
  readonly model: PanelModel;
  readonly trace: string | null;
  readonly markdown: string | null;
}

/** The file a save dialog proposes: `fn.path3.pinsim` beside the C file, `x.canonical.pinsim` beside a trace. */
function defaultTarget(model: PanelModel): vscode.Uri {
  const source = vscode.Uri.parse(model.source.uri, true);
  const name =
    model.source.kind === 'function'
      ? `${model.function}.path${model.pathIndex ?? 1}.pinsim`
      : `${path.posix.basename(source.path).replace(/\.pinsim$/i, '')}.canonical.pinsim`;
  return vscode.Uri.joinPath(source, '..', name);
}

/** Writes the trace to `target` (a URI; absent: asks where). Returns the URI written, if any. */
export async function exportTrace(
  current: Exportable | undefined,
  target: unknown,
  log: vscode.LogOutputChannel,
): Promise<string | undefined> {
  if (!current?.model.path) {
    void vscode.window.showInformationMessage(
      'pinscope: run a simulation first (pinscope: Run Simulation); Export Trace saves the path it shows.',
    );
    return undefined;
  }
  const trace = current.trace;
  if (trace === null) {
    void vscode.window.showInformationMessage(
      'pinscope: the simulation is still being refreshed; try again in a moment.',
    );
    return undefined;
  }
  const uri =
    asUri(target) ??
    (await vscode.window.showSaveDialog({
      defaultUri: defaultTarget(current.model),
      filters: { 'pinscope traces': ['pinsim'] },
      saveLabel: 'Export Trace',
      title: 'pinscope: Export Trace',
    }));
  if (!uri) return undefined;
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(trace));
  log.info(`Export Trace: wrote ${uri.toString(true)}`);
  if (target === undefined) {
    void vscode.window
      .showInformationMessage(`pinscope: the path is saved as ${path.posix.basename(uri.path)}`, 'Open')
      .then(async (choice) => {
        if (choice === 'Open') await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      });
  }
  return uri.toString();
}

/** Copies the step table as Markdown. Returns the text copied, if any. */
export async function copyAsMarkdown(current: Exportable | undefined): Promise<string | undefined> {
  if (!current?.markdown) {
    void vscode.window.showInformationMessage(
      'pinscope: run a simulation first (pinscope: Run Simulation); Copy as Markdown copies the step table it shows.',
    );
    return undefined;
  }
  await vscode.env.clipboard.writeText(current.markdown);
  vscode.window.setStatusBarMessage('$(check) pinscope: step table copied as Markdown', 4000);
  return current.markdown;
}
