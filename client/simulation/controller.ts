/**
 * Run Simulation in VS Code: the commands (Run Simulation, Export Trace, Copy as Markdown), the one
 * simulation panel (created, reused, restored after a reload), and the panel's messages. The server
 * computes everything (pinscope/simulate, pinscope/simulateTrace); this file asks, picks and shows.
 * The run's model is built in models.ts, the editor's line in highlight.ts, the exports in
 * exporting.ts.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SimulateRequest, SimulateTraceRequest, type SimulateResult } from '../../server/protocol';
import {
  OUTCOME_ICON,
  PANEL_VIEW_TYPE,
  parseFromPanel,
  parsePanelState,
  positions,
  startStep,
  type FromPanel,
  type PanelModel,
} from '../../shared/panel';
import type { PathOutcome, PathSummary, SimulationParameters } from '../../shared/simulation';
import { copyAsMarkdown, exportTrace, type Exportable } from './exporting';
import { lineOf, StepHighlight, type HighlightedLine } from './highlight';
import { functionModel, parseRunOptions, traceModel, type RunOptions } from './models';
import { SimulationPanel, type PanelHandlers } from './panel';
import { asUri } from './uri';

export type { RunOptions } from './models';

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
  readonly highlighted: HighlightedLine | null;
  readonly dropped: number;
  readonly lastDropReason: string;
}

const SimulationCommands = {
  run: 'pinscope.runSimulation',
  exportTrace: 'pinscope.exportTrace',
  copyAsMarkdown: 'pinscope.copyAsMarkdown',
} as const;

/**
 * Where the panel shows a run: the first violation (a new run, another path), or the step it shows
 * now (the same path run again with other parameters, or refreshed after a reload).
 */
type StartAt = 'first-violation' | 'keep';

const CONTEXT_KEY = 'pinscope.simulationOpen';

function isTrace(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'pinsim' || /\.pinsim$/i.test(doc.uri.path);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function documentOf(uri: vscode.Uri): { uri: string; fileName: string } {
  return { uri: uri.toString(), fileName: path.posix.basename(uri.path) };
}

export class SimulationController implements vscode.Disposable {
  private panel: SimulationPanel | undefined;
  private current: Exportable | undefined;
  private nextRunId = 1;
  private lastStep: number | null = null;
  private dropped = 0;
  private lastDropReason = '';
  private readonly highlight = new StepHighlight();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly host: SimulationHost) {
    this.disposables.push(
      this.highlight,
      vscode.commands.registerCommand(SimulationCommands.run, (uri?: unknown, fn?: unknown, options?: unknown) =>
        this.run(uri, fn, options),
      ),
      vscode.commands.registerCommand(SimulationCommands.exportTrace, (target?: unknown) =>
        exportTrace(this.current, target, this.host.log),
      ),
      vscode.commands.registerCommand(SimulationCommands.copyAsMarkdown, () => copyAsMarkdown(this.current)),
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state) => {
          this.restore(panel, state);
          return Promise.resolve();
        },
      }),
    );
  }

  // ─── Run Simulation ───────────────────────────────────────────────────────────────────────────────

  async run(uriArg: unknown, fnArg: unknown, optionsArg: unknown): Promise<RunResult> {
    const options = parseRunOptions(optionsArg);
    if (!options.ok) return this.say(`Run Simulation: the options do not fit (${options.reason})`, 'error');
    const editor = vscode.window.activeTextEditor;
    const uri = asUri(uriArg) ?? editor?.document.uri;
    if (!uri) return this.say('Open a C file (or a .pinsim trace) and put the cursor in a function to simulate it.');
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(uri);
    } catch (e) {
      return this.say(`cannot open ${uri.toString(true)}: ${message(e)}`, 'error');
    }
    const parameters = options.value.parameters ?? {};
    if (isTrace(doc)) return this.runTrace(doc, parameters, 'first-violation');
    const fn = typeof fnArg === 'string' && fnArg !== '' ? fnArg : undefined;
    const cursorEditor = [editor, ...vscode.window.visibleTextEditors].find(
      (e) => e?.document.uri.toString() === uri.toString(),
    );
    const position = fn === undefined ? cursorEditor?.selection.active : undefined;
    if (fn === undefined && !position) return this.say('Put the cursor in a function to simulate it.');
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
    const chosen = await this.choosePath(name, first.paths, options.value);
    if (chosen === undefined) return { kind: 'cancelled' };
    return this.runFunction(doc.uri, name, chosen, parameters, 'first-violation');
  }

  /** The path asked for, else the first with the outcome asked for, else the user's pick. */
  private async choosePath(
    fn: string,
    paths: readonly PathSummary[],
    options: RunOptions,
  ): Promise<number | undefined> {
    if (options.path !== undefined) return options.path;
    const withOutcome = options.outcome ? paths.find((p) => p.outcome === options.outcome)?.index : undefined;
    if (withOutcome !== undefined) return withOutcome;
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

  /** Simulates one path of a function and shows it. */
  private async runFunction(
    uri: vscode.Uri,
    fn: string,
    pathIndex: number,
    parameters: SimulationParameters,
    start: StartAt,
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
    const model = functionModel(
      this.nextRunId++,
      documentOf(uri),
      fn,
      { ...r, chosen: r.chosen },
      parameters,
      pathIndex,
    );
    this.show({ model, trace: r.chosen.trace, markdown: r.chosen.markdown }, start);
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
    start: StartAt,
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
    const model = traceModel(this.nextRunId++, documentOf(doc.uri), r, parameters);
    this.show({ model, trace: r.ok ? r.trace : null, markdown: r.ok ? r.markdown : null }, start);
    return {
      kind: 'panel',
      runId: model.runId,
      function: model.function || model.source.fileName,
      path: null,
      outcome: model.path?.outcome ?? null,
      errors: model.errors.length,
    };
  }

  private show(current: Exportable, start: StartAt): void {
    const model = current.model;
    const title = `Simulation: ${model.source.kind === 'function' ? `${model.function}()` : model.source.fileName}`;
    if (!this.panel || this.panel.isDisposed)
      this.attach(SimulationPanel.create(this.host.extensionUri, title, this.host.log, this.handlers()));
    const panel = this.panel as SimulationPanel;
    panel.title = title;
    panel.reveal();
    this.current = current;
    const step = start === 'first-violation' ? startStep(model.path) : (this.lastStep ?? 0);
    this.lastStep = Math.min(step, Math.max(0, positions(model) - 1));
    panel.post({ type: 'render', model, ...(start === 'first-violation' ? { step: this.lastStep } : {}) });
    this.highlight.show(model, this.lastStep, false);
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
        this.highlight.show(null, 0, false);
        void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
      },
    };
  }

  // ─── Messages from the panel ──────────────────────────────────────────────────────────────────────

  private async onMessage(m: FromPanel): Promise<void> {
    const current = this.current;
    const isCurrent = (runId: number): boolean => current !== undefined && runId === current.model.runId;
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
        if (!current || !isCurrent(m.runId)) return;
        this.lastStep = Math.min(m.step, Math.max(0, positions(current.model) - 1));
        this.highlight.show(current.model, this.lastStep, true);
        return;
      case 'reveal':
        if (isCurrent(m.runId)) await this.reveal(m.step);
        return;
      case 'rerun':
        await this.rerun(m.parameters, m.path);
        return;
      case 'export':
        await exportTrace(this.current, undefined, this.host.log);
        return;
      case 'copyMarkdown':
        await copyAsMarkdown(this.current);
        return;
      case 'openLink':
        await vscode.env.openExternal(vscode.Uri.parse(m.url, true));
        return;
    }
  }

  /** Runs the panel's source again: another path opens at its first violation, the same one keeps its step. */
  private async rerun(parameters: SimulationParameters, pathIndex: number | null): Promise<void> {
    const current = this.current;
    if (!current) return;
    const source = current.model.source;
    this.panel?.post({ type: 'busy', message: 'Running the simulation…' });
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri, true));
      if (source.kind === 'trace') {
        await this.runTrace(doc, parameters, 'keep');
        return;
      }
      const path = pathIndex ?? current.model.pathIndex ?? 1;
      const start = path === current.model.pathIndex ? 'keep' : 'first-violation';
      await this.runFunction(doc.uri, source.function, path, parameters, start);
    } catch (e) {
      this.host.log.warn(`simulation: run again failed: ${message(e)}`);
      this.panel?.post({ type: 'error', message: `Could not run the simulation again: ${message(e)}` });
    }
  }

  /** Shows a step's line in its editor (opened beside the panel when it is not visible). */
  private async reveal(step: number): Promise<void> {
    const model = this.current?.model;
    const at = model ? lineOf(model, step) : null;
    if (!model || !at) return;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === at.uri);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(at.uri, true));
    const line = Math.min(at.line - 1, doc.lineCount - 1);
    const range = new vscode.Range(line, 0, line, 0);
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      preserveFocus: false,
      selection: range,
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    this.lastStep = step;
    this.highlight.show(model, step, false);
  }

  // ─── Restore after a reload ───────────────────────────────────────────────────────────────────────

  private restore(webviewPanel: vscode.WebviewPanel, state: unknown): void {
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
    this.highlight.show(model, parsed.value.step, false);
    // The source may have changed while the window was closed: run again, keeping the step.
    void this.rerun(model.parameters, model.pathIndex);
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
    const model: PanelModel | null = this.current?.model ?? null;
    return {
      open: this.panel !== undefined && !this.panel.isDisposed,
      runId: model?.runId ?? null,
      function: model?.function ?? null,
      source: model?.source.uri ?? null,
      pathIndex: model?.pathIndex ?? null,
      outcome: model?.path?.outcome ?? null,
      errors: model?.errors.length ?? 0,
      step: this.lastStep,
      highlighted: this.highlight.line,
      dropped: this.dropped,
      lastDropReason: this.lastDropReason,
    };
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
