/**
 * Run Simulation in VS Code: the commands (Run Simulation, Export Trace, Copy as Markdown), the one
 * simulation panel (created, reused, restored after a reload), and the decoration that follows the
 * current step in the source editor. The server computes everything (pinscope/simulate,
 * pinscope/simulateTrace); this file asks, picks, and shows.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  SimulateRequest,
  SimulateTraceRequest,
  type PathOutcome,
  type PathSummary,
  type SimulateResult,
  type SimulationParameters,
} from '../../server/protocol';
import {
  PANEL_VIEW_TYPE,
  parseFromPanel,
  parsePanelState,
  positions,
  type FromPanel,
  type PanelModel,
} from '../webview/protocol';
import { SimulationPanel, type PanelHandlers } from './panel';

export interface SimulationHost {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  client(): Promise<LanguageClient>;
}

/** What a run of the command did (returned to executeCommand, for tests and other extensions). */
export type RunResult =
  | {
      readonly kind: 'panel';
      readonly runId: number;
      readonly function: string;
      readonly path: number | null;
      readonly outcome: PathOutcome | null;
      readonly errors: number;
    }
  | { readonly kind: 'message'; readonly message: string }
  | { readonly kind: 'cancelled' };

/** Optional third argument of pinscope.runSimulation: skip the quick pick. */
export interface RunOptions {
  readonly path?: number;
  /** The first path (worst first) with this outcome. */
  readonly outcome?: PathOutcome;
  readonly parameters?: SimulationParameters;
}

/** What the tests can see of the simulation (PinscopeApi.simulation()). */
export interface SimulationSnapshot {
  readonly open: boolean;
  readonly runId: number | null;
  readonly function: string | null;
  readonly source: string | null;
  readonly pathIndex: number | null;
  readonly outcome: PathOutcome | null;
  readonly errors: number;
  /** The step the panel reported last. */
  readonly step: number | null;
  /** The line (1-based) the source editor highlights, and in which document. */
  readonly highlighted: { readonly uri: string; readonly line: number } | null;
  readonly dropped: number;
  readonly lastDropReason: string;
}

interface Current {
  readonly model: PanelModel;
  /** The `.pinsim` text of the path (Export Trace) and its Markdown table; null after a restore until refreshed. */
  readonly trace: string | null;
  readonly markdown: string | null;
}

export const SimulationCommands = {
  run: 'pinscope.runSimulation',
  exportTrace: 'pinscope.exportTrace',
  copyAsMarkdown: 'pinscope.copyAsMarkdown',
} as const;

const CONTEXT_KEY = 'pinscope.simulationOpen';

const OUTCOME_ICON: Record<PathOutcome, string> = {
  clean: 'pass',
  leak: 'warning',
  mismatch: 'error',
  'double-release': 'error',
  'count-mismatch': 'error',
  'use-after-release': 'error',
  invalid: 'circle-slash',
  'dma-error': 'error',
};

function isTrace(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'pinsim' || /\.pinsim$/i.test(doc.uri.path);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function asUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string' && value !== '') {
    try {
      return vscode.Uri.parse(value, true);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function runOptions(value: unknown): RunOptions {
  if (typeof value !== 'object' || value === null) return {};
  const o = value as Record<string, unknown>;
  return {
    ...(typeof o.path === 'number' && Number.isInteger(o.path) && o.path >= 1 ? { path: o.path } : {}),
    ...(typeof o.outcome === 'string' ? { outcome: o.outcome as PathOutcome } : {}),
    ...(typeof o.parameters === 'object' && o.parameters !== null
      ? { parameters: o.parameters as SimulationParameters }
      : {}),
  };
}

export class SimulationController implements vscode.Disposable {
  private panel: SimulationPanel | undefined;
  private current: Current | undefined;
  private nextRunId = 1;
  private lastStep: number | null = null;
  private highlighted: { uri: string; line: number; step: number } | null = null;
  private dropped = 0;
  private lastDropReason = '';
  private readonly disposables: vscode.Disposable[] = [];
  private readonly decoration: vscode.TextEditorDecorationType;

  constructor(private readonly host: SimulationHost) {
    this.decoration = vscode.window.createTextEditorDecorationType({
      isWholeLine: true,
      backgroundColor: new vscode.ThemeColor('editor.stackFrameHighlightBackground'),
      borderColor: new vscode.ThemeColor('contrastActiveBorder'),
      borderStyle: 'dotted',
      borderWidth: '0 0 1px 0',
      overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.infoForeground'),
      overviewRulerLane: vscode.OverviewRulerLane.Full,
      after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    });
    this.disposables.push(
      this.decoration,
      vscode.commands.registerCommand(SimulationCommands.run, (uri?: unknown, fn?: unknown, options?: unknown) =>
        this.run(uri, fn, runOptions(options)),
      ),
      vscode.commands.registerCommand(SimulationCommands.exportTrace, (target?: unknown) => this.exportTrace(target)),
      vscode.commands.registerCommand(SimulationCommands.copyAsMarkdown, () => this.copyAsMarkdown()),
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state) => this.restore(panel, state),
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.applyHighlight(false)),
    );
  }

  // ─── Run Simulation ───────────────────────────────────────────────────────────────────────────────

  async run(uriArg: unknown, fnArg: unknown, options: RunOptions): Promise<RunResult> {
    const editor = vscode.window.activeTextEditor;
    const uri = asUri(uriArg) ?? editor?.document.uri;
    if (!uri) return this.say('Open a C file (or a .pinsim trace) and put the cursor in a function to simulate it.');
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(uri);
    } catch (e) {
      return this.say(`cannot open ${uri.toString(true)}: ${message(e)}`, 'error');
    }
    if (isTrace(doc)) return this.runTrace(doc, options.parameters ?? {}, 0);
    const fn = typeof fnArg === 'string' && fnArg !== '' ? fnArg : undefined;
    const cursorEditor = [editor, ...vscode.window.visibleTextEditors].find(
      (e) => e?.document.uri.toString() === uri.toString(),
    );
    const position = fn === undefined ? cursorEditor?.selection.active : undefined;
    if (fn === undefined && !position) return this.say('Put the cursor in a function to simulate it.');
    const parameters = options.parameters ?? {};
    let first: SimulateResult;
    try {
      const client = await this.host.client();
      first = await this.progress('simulating', () =>
        client.sendRequest(SimulateRequest, {
          textDocument: { uri: doc.uri.toString() },
          ...(fn !== undefined ? { function: fn } : {}),
          ...(position ? { position: { line: position.line, character: position.character } } : {}),
          parameters,
        }),
      );
    } catch (e) {
      return this.say(`the simulation failed: ${message(e)}`, 'error');
    }
    if (first.nothingToSimulate || first.paths.length === 0 || first.function === null) {
      return this.say(first.nothingToSimulate ?? `${first.function ?? 'this function'}() has nothing to simulate`);
    }
    const name = first.function;
    const chosen =
      options.path ??
      (options.outcome ? first.paths.find((p) => p.outcome === options.outcome)?.index : undefined) ??
      (await this.pickPath(name, first.paths));
    if (chosen === undefined) return { kind: 'cancelled' };
    return this.runFunction(doc.uri, name, chosen, parameters, 0);
  }

  private async pickPath(fn: string, paths: readonly PathSummary[]): Promise<number | undefined> {
    if (paths.length === 1) return paths[0]?.index;
    const items = paths.map((p) => ({
      label: `$(${OUTCOME_ICON[p.outcome]}) path ${p.index} — ${p.outcome}`,
      description: p.label,
      detail: `${p.steps} step${p.steps === 1 ? '' : 's'}${p.firstViolation ? ` · ${p.firstViolation}` : ''}`,
      index: p.index,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: `pinscope: Run Simulation — ${fn}() has ${paths.length} paths, worst first`,
      placeHolder: 'Pick the path to simulate',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    return picked?.index;
  }

  /** Simulates one path of a function and shows it. `step`: where the panel starts (undefined: keep). */
  private async runFunction(
    uri: vscode.Uri,
    fn: string,
    pathIndex: number,
    parameters: SimulationParameters,
    step: number | undefined,
  ): Promise<RunResult> {
    const client = await this.host.client();
    const r = await this.progress('simulating', () =>
      client.sendRequest(SimulateRequest, {
        textDocument: { uri: uri.toString() },
        function: fn,
        path: pathIndex,
        parameters,
      }),
    );
    if (!r.chosen) throw new Error(r.nothingToSimulate ?? `${fn}() has no path ${pathIndex}`);
    const model: PanelModel = {
      runId: this.nextRunId++,
      source: { kind: 'function', uri: uri.toString(), function: fn, fileName: path.posix.basename(uri.path) },
      function: fn,
      kernelVersion: r.report.kernelVersion,
      kernelVersions: r.kernelVersions,
      parameters,
      paths: r.paths,
      pathIndex,
      path: r.chosen.path,
      traceLines: null,
      notes: r.report.notes,
      errors: [],
      partial: r.report.partial,
    };
    this.show(model, r.chosen.trace, r.chosen.markdown, step);
    return {
      kind: 'panel',
      runId: model.runId,
      function: fn,
      path: pathIndex,
      outcome: model.path?.outcome ?? null,
      errors: 0,
    };
  }

  private async runTrace(
    doc: vscode.TextDocument,
    parameters: SimulationParameters,
    step: number | undefined,
  ): Promise<RunResult> {
    let r;
    try {
      const client = await this.host.client();
      r = await this.progress('simulating the trace', () =>
        client.sendRequest(SimulateTraceRequest, { textDocument: { uri: doc.uri.toString() }, parameters }),
      );
    } catch (e) {
      return this.say(`the simulation failed: ${message(e)}`, 'error');
    }
    const fileName = path.posix.basename(doc.uri.path);
    const traceParameters: SimulationParameters = parameters.kernelVersion
      ? { kernelVersion: parameters.kernelVersion }
      : {};
    const fn = r.ok && r.report.function !== '(trace)' ? r.report.function : '';
    const model: PanelModel = {
      runId: this.nextRunId++,
      source: { kind: 'trace', uri: doc.uri.toString(), fileName },
      function: fn,
      kernelVersion: r.ok ? r.report.kernelVersion : r.kernelVersion,
      kernelVersions: r.kernelVersions,
      parameters: traceParameters,
      paths: [],
      pathIndex: null,
      path: r.ok ? (r.report.paths[0] ?? null) : null,
      traceLines: r.ok ? r.traceLines : null,
      notes: r.ok ? r.report.notes : [],
      errors: r.ok ? [] : r.errors,
      partial: false,
    };
    this.show(model, r.ok ? r.trace : null, r.ok ? r.markdown : null, step);
    return {
      kind: 'panel',
      runId: model.runId,
      function: fn || fileName,
      path: null,
      outcome: model.path?.outcome ?? null,
      errors: model.errors.length,
    };
  }

  private show(model: PanelModel, trace: string | null, markdown: string | null, step: number | undefined): void {
    const title = `Simulation: ${model.source.kind === 'function' ? `${model.function}()` : model.source.fileName}`;
    if (!this.panel || this.panel.isDisposed)
      this.attach(SimulationPanel.create(this.host.extensionUri, title, this.host.log, this.handlers()));
    const panel = this.panel as SimulationPanel;
    panel.title = title;
    panel.reveal();
    this.current = { model, trace, markdown };
    const start = step === undefined ? (this.lastStep ?? 0) : step;
    this.lastStep = Math.min(start, Math.max(0, positions(model) - 1));
    panel.post({ type: 'render', model, ...(step !== undefined ? { step } : {}) });
    this.highlight(this.lastStep, false);
    this.host.log.info(
      `simulation: ${model.source.kind === 'function' ? `${model.function}() path ${model.pathIndex}` : model.source.fileName} on Linux ${model.kernelVersion}: ${model.path ? `${model.path.steps.length} steps, ${model.path.outcome}` : `${model.errors.length} errors, nothing simulated`}`,
    );
  }

  private attach(panel: SimulationPanel): void {
    this.panel = panel;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, true);
  }

  private handlers(): PanelHandlers {
    return {
      message: (m) => void this.onMessage(m),
      dropped: (reason) => this.onDrop(reason),
      disposed: () => {
        this.panel = undefined;
        this.current = undefined;
        this.lastStep = null;
        this.highlighted = null;
        this.applyHighlight(false);
        void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
      },
    };
  }

  // ─── Messages from the panel ──────────────────────────────────────────────────────────────────────

  private async onMessage(m: FromPanel): Promise<void> {
    const current = this.current;
    switch (m.type) {
      case 'ready':
        // A fresh webview (first load, or shown again after being hidden) gets the current run,
        // unless it restored exactly that run from its own state.
        if (current && m.runId !== current.model.runId)
          this.panel?.post({
            type: 'render',
            model: current.model,
            ...(this.lastStep !== null ? { step: this.lastStep } : {}),
          });
        return;
      case 'step':
        if (!current || m.runId !== current.model.runId) return;
        this.lastStep = Math.min(m.step, Math.max(0, positions(current.model) - 1));
        this.highlight(this.lastStep, true);
        return;
      case 'reveal':
        if (!current || m.runId !== current.model.runId) return;
        await this.reveal(m.step);
        return;
      case 'rerun':
        await this.rerun(m.parameters, m.path);
        return;
      case 'export':
        await this.exportTrace(undefined);
        return;
      case 'copyMarkdown':
        await this.copyAsMarkdown();
        return;
      case 'openLink':
        await vscode.env.openExternal(vscode.Uri.parse(m.url, true));
        return;
    }
  }

  private async rerun(parameters: SimulationParameters, pathIndex: number | null): Promise<void> {
    const current = this.current;
    if (!current) return;
    const source = current.model.source;
    this.panel?.post({ type: 'busy', message: 'Running the simulation…' });
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri, true));
      if (source.kind === 'trace') await this.runTrace(doc, parameters, undefined);
      else
        await this.runFunction(
          doc.uri,
          source.function,
          pathIndex ?? current.model.pathIndex ?? 1,
          parameters,
          undefined,
        );
    } catch (e) {
      this.host.log.warn(`simulation: run again failed: ${message(e)}`);
      this.panel?.post({ type: 'error', message: `Could not run the simulation again: ${message(e)}` });
    }
  }

  // ─── The source line of the current step ──────────────────────────────────────────────────────────

  /** 1-based line of a step in its document: the C line for a function, the trace line for a trace. */
  private lineOf(step: number): { uri: string; line: number } | null {
    const model = this.current?.model;
    if (!model?.path || step < 1) return null;
    const s = model.path.steps[step - 1];
    if (!s) return null;
    const line = model.source.kind === 'trace' ? (model.traceLines?.[step - 1] ?? null) : s.line;
    return line !== null && line >= 1 ? { uri: model.source.uri, line } : null;
  }

  private highlight(step: number, reveal: boolean): void {
    const at = this.lineOf(step);
    this.highlighted = at ? { ...at, step } : null;
    this.applyHighlight(reveal);
  }

  private applyHighlight(reveal: boolean): void {
    const h = this.highlighted;
    const model = this.current?.model;
    for (const editor of vscode.window.visibleTextEditors) {
      if (!h || !model?.path || editor.document.uri.toString() !== h.uri || h.line > editor.document.lineCount) {
        editor.setDecorations(this.decoration, []);
        continue;
      }
      const range = new vscode.Range(h.line - 1, 0, h.line - 1, 0);
      const s = model.path.steps[h.step - 1];
      const violations = s?.violations.length ?? 0;
      editor.setDecorations(this.decoration, [
        {
          range,
          hoverMessage: new vscode.MarkdownString(`pinscope simulation: step ${h.step} of ${model.path.steps.length}`),
          renderOptions: {
            after: {
              contentText: `◂ pinscope step ${h.step}/${model.path.steps.length}${violations > 0 ? ` · ${s?.violations[0]?.kind ?? ''}` : ''}`,
            },
          },
        },
      ]);
      if (reveal) editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  private async reveal(step: number): Promise<void> {
    const at = this.lineOf(step);
    if (!at) return;
    const uri = vscode.Uri.parse(at.uri, true);
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === at.uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = Math.min(at.line - 1, doc.lineCount - 1);
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      preserveFocus: false,
      selection: new vscode.Range(line, 0, line, 0),
    });
    editor.revealRange(new vscode.Range(line, 0, line, 0), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.lastStep = step;
    this.highlight(step, false);
  }

  // ─── Restore after a reload ───────────────────────────────────────────────────────────────────────

  private async restore(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (this.panel && !this.panel.isDisposed) {
      webviewPanel.dispose();
      return;
    }
    const parsed = parsePanelState(state);
    if (!parsed.ok || !parsed.value.model) {
      this.host.log.warn(`simulation panel: nothing to restore${parsed.ok ? '' : ` (${parsed.reason})`}; closing it`);
      webviewPanel.dispose();
      return;
    }
    const model = parsed.value.model;
    this.attach(SimulationPanel.adopt(webviewPanel, this.host.extensionUri, this.host.log, this.handlers()));
    this.current = { model, trace: null, markdown: null };
    this.nextRunId = Math.max(this.nextRunId, model.runId + 1);
    this.lastStep = parsed.value.step;
    this.highlight(parsed.value.step, false);
    // The source may have changed while the window was closed: run again, keeping the step.
    void this.rerun(model.parameters, model.pathIndex);
  }

  // ─── Export Trace, Copy as Markdown ───────────────────────────────────────────────────────────────

  async exportTrace(target: unknown): Promise<string | undefined> {
    const current = this.current;
    if (!current?.model.path) {
      void vscode.window.showInformationMessage(
        'pinscope: run a simulation first (pinscope: Run Simulation); Export Trace saves the path it shows.',
      );
      return undefined;
    }
    if (current.trace === null) {
      void vscode.window.showInformationMessage(
        'pinscope: the simulation is still being refreshed; try again in a moment.',
      );
      return undefined;
    }
    let uri = asUri(target);
    if (!uri) {
      const source = vscode.Uri.parse(current.model.source.uri, true);
      const name =
        current.model.source.kind === 'function'
          ? `${current.model.function}.path${current.model.pathIndex ?? 1}.pinsim`
          : `${path.posix.basename(source.path).replace(/\.pinsim$/i, '')}.canonical.pinsim`;
      uri = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.joinPath(source, '..', name),
        filters: { 'pinscope traces': ['pinsim'] },
        saveLabel: 'Export Trace',
        title: 'pinscope: Export Trace',
      });
      if (!uri) return undefined;
    }
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(current.trace));
    this.host.log.info(`Export Trace: wrote ${uri.toString(true)}`);
    if (target === undefined) {
      void vscode.window
        .showInformationMessage(`pinscope: the path is saved as ${path.posix.basename(uri.path)}`, 'Open')
        .then(async (choice) => {
          if (choice === 'Open') await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
        });
    }
    return uri.toString();
  }

  async copyAsMarkdown(): Promise<string | undefined> {
    const current = this.current;
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

  // ─── helpers ──────────────────────────────────────────────────────────────────────────────────────

  private say(text: string, kind: 'info' | 'error' = 'info'): RunResult {
    if (kind === 'error') {
      this.host.log.error(`Run Simulation: ${text}`);
      void vscode.window.showErrorMessage(`pinscope: ${text}`);
    } else {
      void vscode.window.showInformationMessage(`pinscope: ${text}`);
    }
    return { kind: 'message', message: text };
  }

  private progress<T>(title: string, task: () => Thenable<T>): Thenable<T> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `pinscope: ${title}` }, task);
  }

  /** For tests: a message as if the webview had sent it (validated the same way). */
  receive(raw: unknown): boolean {
    if (this.panel && !this.panel.isDisposed) return this.panel.receive(raw);
    const parsed = parseFromPanel(raw);
    if (!parsed.ok) this.onDrop(parsed.reason);
    return parsed.ok;
  }

  private onDrop(reason: string): void {
    this.dropped++;
    this.lastDropReason = reason;
    this.host.log.warn(`simulation panel: dropped a message that does not fit the protocol (${reason})`);
  }

  snapshot(): SimulationSnapshot {
    const model = this.current?.model ?? null;
    return {
      open: this.panel !== undefined && !this.panel.isDisposed,
      runId: model?.runId ?? null,
      function: model?.function ?? null,
      source: model?.source.uri ?? null,
      pathIndex: model?.pathIndex ?? null,
      outcome: model?.path?.outcome ?? null,
      errors: model?.errors.length ?? 0,
      step: this.lastStep,
      highlighted: this.highlighted ? { uri: this.highlighted.uri, line: this.highlighted.line } : null,
      dropped: this.dropped,
      lastDropReason: this.lastDropReason,
    };
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
