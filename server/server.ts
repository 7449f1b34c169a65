/**
 * The language server, in bash-language-server's shape: one class that owns the server's parts
 * (documents, settings, the analysis worker, the two document kinds), says what it can do
 * (`capabilities`), wires itself to a connection (`register`), and has one method per handler.
 * What a handler computes lives in the module named after the feature; what differs between C and
 * `.pinsim` documents lives in their DocumentKind (cDocuments.ts, traceDocuments.ts), chosen once
 * per document.
 */
import path from 'node:path';
import type * as v from 'valibot';
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type CodeLens,
  type CodeLensParams,
  type Connection,
  type DidChangeConfigurationParams,
  type DidChangeTextDocumentParams,
  type DidCloseTextDocumentParams,
  type DidOpenTextDocumentParams,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
  type ServerCapabilities,
  type WorkDoneProgressReporter,
  type WorkspaceFoldersChangeEvent,
} from 'vscode-languageserver/node';
import pkg from '../package.json';
import { LineIndex, parseKernelVersion } from '../core/index';
import { AnalysisHost } from './analysisHost';
import { CDocuments } from './cDocuments';
import { FIX_ALL_KIND } from './codeActions';
import { Configuration, fsPathOf } from './configuration';
import type { DocumentKind, DocumentKindName } from './documentKind';
import { DocumentStore, type OpenDocument } from './documents';
import { featuresOf, isInitOptions, NO_FEATURES, type ClientFeatures } from './features';
import {
  LintWorkspaceRequest,
  ServerInfoRequest,
  SimulateRequest,
  SimulateTraceRequest,
  type LintWorkspaceParams,
  type LintWorkspaceResult,
  type ServerInfoResult,
  type SimulateParams,
  type SimulateResult,
  type SimulateTraceParams,
  type SimulateTraceResult,
} from './protocol';
import { SETTINGS_SECTION } from './settings';
import { kernelVersionsWith } from './simulation';
import { TraceDocuments } from './traceDocuments';
import { TreeIndexes } from './treeIndex';
import { lintWorkspace } from './workspaceLint';
import * as V from './validate';
import { checked, problemsOf } from './validate';

const SERVER_VERSION: string = pkg.version;

export interface ServerOptions {
  /** The server bundle (Lint Workspace's worker bundle is found next to it). */
  readonly bundle: string;
  /** The analysis process's bundle (dist/server/analysis.js). */
  readonly analysisScript: string;
}

class PinscopeServer {
  private readonly documents = new DocumentStore();
  private readonly host: AnalysisHost;
  private readonly configuration: Configuration;
  private readonly traces: TraceDocuments;
  private readonly kinds: Readonly<Record<DocumentKindName, DocumentKind>>;
  private features: ClientFeatures = NO_FEATURES;
  private folders: string[] = [];
  private readonly trees: TreeIndexes;

  constructor(
    private readonly connection: Connection,
    private readonly options: ServerOptions,
  ) {
    const log = (message: string): void => this.log(message);
    this.host = new AnalysisHost({ script: options.analysisScript, log });
    this.configuration = new Configuration({
      fetch: (scopeUri) =>
        connection.workspace.getConfiguration(
          scopeUri ? { scopeUri, section: SETTINGS_SECTION } : { section: SETTINGS_SECTION },
        ) as Promise<unknown>,
      folders: () => this.folders,
      log,
    });
    const shared = { documents: this.documents, host: this.host, configuration: this.configuration, log };
    this.traces = new TraceDocuments({
      ...shared,
      publish: (params) => void connection.sendDiagnostics(params),
      versionedDiagnostics: () => this.features.diagnosticVersion,
    });
    this.trees = new TreeIndexes({
      version: SERVER_VERSION,
      kernelVersionFor: async (folder) => (await this.configuration.forFolder(folder)).kernelVersionText,
      progress: () =>
        this.features.workDoneProgress
          ? connection.window.createWorkDoneProgress()
          : Promise.resolve(connection.window.attachWorkDoneProgress(undefined)),
      workerScript: path.join(path.dirname(options.bundle), '..', 'worker', 'lint-worker.js'),
      indexWorkerScript: path.join(path.dirname(options.bundle), '..', 'worker', 'index-worker.js'),
      log,
      changed: () => this.kinds.c.settingsChanged(this.documents.all()),
    });
    this.kinds = {
      c: new CDocuments({
        ...shared,
        connection,
        features: () => this.features,
        indexFor: (uri) => this.trees.requestFor(fsPathOf(uri)),
      }),
      pinsim: this.traces,
    };
  }

  /** What the server offers, whatever the client: a client ignores what it does not use. */
  capabilities(): ServerCapabilities {
    return {
      // Saves keep the tree index current (server/treeIndex.ts).
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    };
  }

  /**
   * Wires every handler to the connection (then the caller starts listening). Parameters are
   * checked against the protocol's shapes first (validate.ts): a request that does not fit is
   * answered InvalidParams, a notification that does not fit is logged and ignored.
   */
  register(): void {
    const c = this.connection;
    const notification =
      <P>(method: string, schema: v.GenericSchema, handler: (params: P) => void) =>
      (params: P): void => {
        const problems = problemsOf(schema, params);
        if (problems === null) handler(params);
        else this.log(`${method}: invalid parameters (${problems}); ignored`);
      };
    c.onInitialize((params) => this.onInitialize(params));
    c.onInitialized(() => this.onInitialized());
    c.onDidChangeConfiguration((params) => this.onDidChangeConfiguration(params));
    c.onDidOpenTextDocument(notification('didOpen', V.DidOpenParams, (p) => this.onDidOpen(p)));
    c.onDidChangeTextDocument(notification('didChange', V.DidChangeParams, (p) => this.onDidChange(p)));
    c.onDidSaveTextDocument((p: { textDocument?: { uri?: unknown } } | undefined) =>
      this.trees.didSave(typeof p?.textDocument?.uri === 'string' ? fsPathOf(p.textDocument.uri) : null),
    );
    c.onDidCloseTextDocument(notification('didClose', V.DidCloseParams, (p) => this.onDidClose(p)));
    c.onCodeAction((p, token) => this.onCodeAction(checked('codeAction', V.CodeActionParams, p), token));
    c.onHover((p) => this.onHover(checked('hover', V.HoverParams, p)));
    c.onCodeLens((p, token) => this.onCodeLens(checked('codeLens', V.CodeLensParams, p), token));
    c.onRequest(SimulateRequest, (p) => this.onSimulate(checked(SimulateRequest.method, V.SimulateParams, p)));
    c.onRequest(SimulateTraceRequest, (p) =>
      this.onSimulateTrace(checked(SimulateTraceRequest.method, V.SimulateTraceParams, p)),
    );
    c.onRequest(LintWorkspaceRequest, (params, token) => this.onLintWorkspace(params, token));
    c.onRequest(ServerInfoRequest, () => this.onServerInfo());
    c.onShutdown(() => this.onShutdown());
  }

  private log(message: string): void {
    this.connection.console.log(message);
  }

  private kindOf(doc: OpenDocument): DocumentKind {
    return this.kinds[doc.kind];
  }

  private onInitialize(params: InitializeParams): InitializeResult {
    const init = isInitOptions(params.initializationOptions) ? params.initializationOptions : undefined;
    this.features = featuresOf(params.capabilities, init);
    if (init?.settings !== undefined) this.configuration.setPushed(init.settings);
    // Without workspace/configuration, settings come from initializationOptions / didChangeConfiguration.
    this.configuration.pullEnabled = this.features.configuration;
    const fromFolders = (params.workspaceFolders ?? [])
      .map((f) => fsPathOf(f.uri))
      .filter((p): p is string => p !== null);
    const root = params.rootUri ? fsPathOf(params.rootUri) : null;
    this.folders = fromFolders.length > 0 ? fromFolders : root ? [root] : [];
    return { capabilities: this.capabilities(), serverInfo: { name: 'pinscope', version: SERVER_VERSION } };
  }

  private onInitialized(): void {
    if (this.features.configurationChange)
      void this.connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
    if (this.features.workspaceFolderChanges)
      this.connection.workspace.onDidChangeWorkspaceFolders((event) => this.onDidChangeWorkspaceFolders(event));
    this.log(
      `pinscope ${SERVER_VERSION} language server (pid ${process.pid}, node ${process.version}); folders: ${this.folders.join(', ') || '(none)'}`,
    );
    void this.trees.open(this.folders);
  }

  private onDidChangeWorkspaceFolders(event: WorkspaceFoldersChangeEvent): void {
    const removed = new Set(event.removed.map((f) => fsPathOf(f.uri)));
    this.folders = [
      ...this.folders.filter((f) => !removed.has(f)),
      ...event.added.map((f) => fsPathOf(f.uri)).filter((p): p is string => p !== null),
    ];
    this.configuration.invalidate();
    this.kinds.c.settingsChanged(this.documents.all());
    void this.trees.open(this.folders);
  }

  private onDidChangeConfiguration(params: DidChangeConfigurationParams): void {
    const settings: unknown = params.settings;
    if (typeof settings === 'object' && settings !== null && SETTINGS_SECTION in settings) {
      this.configuration.setPushed((settings as Record<string, unknown>)[SETTINGS_SECTION]);
    }
    this.configuration.invalidate();
    for (const kind of Object.values(this.kinds)) kind.settingsChanged(this.documents.all());
  }

  private onDidOpen({ textDocument }: DidOpenTextDocumentParams): void {
    const doc = this.documents.open(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
    this.kindOf(doc).schedule(doc);
  }

  private onDidChange({ textDocument, contentChanges }: DidChangeTextDocumentParams): void {
    const changed = this.documents.change(textDocument.uri, textDocument.version, contentChanges);
    if (!changed) {
      this.log(`didChange for ${textDocument.uri}, which is not open; ignored`);
      return;
    }
    if (!changed.monotonic)
      this.log(
        `didChange for ${textDocument.uri}: version ${textDocument.version} does not follow the previous one; applied anyway`,
      );
    this.kindOf(changed.doc).schedule(changed.doc);
  }

  private onDidClose({ textDocument }: DidCloseTextDocumentParams): void {
    const closed = this.documents.close(textDocument.uri);
    // A document that was never opened is closed as C: whatever the worker may hold goes.
    this.kinds[closed?.kind ?? 'c'].closed(textDocument.uri);
  }

  private async onCodeAction(params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
    const doc = this.documents.get(params.textDocument.uri);
    return doc ? this.kindOf(doc).codeActions(doc, params, token) : [];
  }

  private async onHover(params: HoverParams): Promise<Hover | null> {
    const doc = this.documents.get(params.textDocument.uri);
    return doc ? this.kindOf(doc).hover(doc, params.position) : null;
  }

  private async onCodeLens(params: CodeLensParams, token: CancellationToken): Promise<CodeLens[]> {
    const doc = this.documents.get(params.textDocument.uri);
    return doc ? this.kindOf(doc).codeLenses(doc, token) : [];
  }

  private openDocument(uri: string): OpenDocument {
    const doc = this.documents.get(uri);
    if (!doc) throw new ResponseError(LSPErrorCodes.RequestFailed, `${uri} is not open`);
    return doc;
  }

  private async onSimulate(params: SimulateParams): Promise<SimulateResult> {
    const doc = this.openDocument(params.textDocument.uri);
    if (doc.kind === 'pinsim')
      throw new ResponseError(
        LSPErrorCodes.RequestFailed,
        `${params.textDocument.uri} is a .pinsim trace: use pinscope/simulateTrace`,
      );
    const resolved = await this.configuration.for(doc.uri);
    const kernelVersion = params.parameters?.kernelVersion ?? resolved.kernelVersionText;
    if (!parseKernelVersion(kernelVersion))
      throw new ResponseError(ErrorCodes.InvalidParams, `"${kernelVersion}" is not a kernel version like 6.12`);
    const offset =
      params.function === undefined && params.position ? new LineIndex(doc.text).offset(params.position) : undefined;
    const outcome = await this.host.simulate(
      {
        uri: doc.uri,
        text: doc.text,
        kernelVersion,
        ...(params.function !== undefined ? { function: params.function } : {}),
        ...(offset !== undefined ? { offset } : {}),
        ...(params.path !== undefined ? { path: params.path } : {}),
        ...(params.parameters !== undefined ? { parameters: params.parameters } : {}),
      },
      resolved.settings.analysisTimeout,
    );
    if (outcome.kind === 'failed')
      throw new ResponseError(
        LSPErrorCodes.RequestFailed,
        `simulation of ${params.function ?? 'the function'}() failed: ${outcome.message}`,
      );
    const r = outcome.reply.result;
    return {
      function: r.function,
      report: r.report,
      text: outcome.reply.text,
      paths: r.paths,
      ...(r.chosen ? { chosen: r.chosen } : {}),
      ...(r.nothingToSimulate ? { nothingToSimulate: r.nothingToSimulate } : {}),
      kernelVersions: kernelVersionsWith(resolved.kernelVersionText),
    };
  }

  private async onSimulateTrace(params: SimulateTraceParams): Promise<SimulateTraceResult> {
    const doc = this.openDocument(params.textDocument.uri);
    const override = params.parameters?.kernelVersion;
    if (override !== undefined && !parseKernelVersion(override))
      throw new ResponseError(ErrorCodes.InvalidParams, `"${override}" is not a kernel version like 6.12`);
    const resolved = await this.configuration.for(doc.uri);
    const sim = await this.traces.simulate(doc, override);
    if (!sim)
      throw new ResponseError(
        LSPErrorCodes.RequestFailed,
        `simulation of ${doc.uri} failed (details are in the pinscope output)`,
      );
    const kernelVersions = kernelVersionsWith(sim.ok ? sim.report.kernelVersion : resolved.kernelVersionText);
    return sim.ok
      ? {
          ok: true,
          report: sim.report,
          traceLines: sim.traceLines,
          trace: sim.trace,
          markdown: sim.markdown,
          kernelVersions,
        }
      : { ok: false, errors: sim.errors, kernelVersion: override ?? resolved.kernelVersionText, kernelVersions };
  }

  /**
   * Progress on the client's token, or on one the server creates (whose cancel button the client
   * shows); cancelling either aborts `abort`.
   */
  private async workspaceProgress(
    params: LintWorkspaceParams,
    abort: AbortController,
  ): Promise<WorkDoneProgressReporter> {
    const window = this.connection.window;
    if (params.workDoneToken !== undefined) return window.attachWorkDoneProgress(params.workDoneToken);
    if (!this.features.workDoneProgress) return window.attachWorkDoneProgress(undefined);
    const created = await window.createWorkDoneProgress();
    created.token.onCancellationRequested(() => abort.abort());
    return created;
  }

  private async onLintWorkspace(params: LintWorkspaceParams, token: CancellationToken): Promise<LintWorkspaceResult> {
    const roots = params.paths && params.paths.length > 0 ? [...params.paths] : this.folders;
    if (roots.length === 0)
      throw new ResponseError(LSPErrorCodes.RequestFailed, 'no workspace folder to lint (open a folder)');
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    const progress = await this.workspaceProgress(params, abort);
    progress.begin('pinscope: linting the workspace', 0, 'listing files…', true);
    let lastReport = 0;
    try {
      const result = await lintWorkspace({
        roots,
        settingsFor: (root) => this.configuration.forFolder(root),
        workerScript: path.join(path.dirname(this.options.bundle), '..', 'worker', 'lint-worker.js'),
        signal: abort.signal,
        onProgress: (done, total) => {
          const now = Date.now();
          if (now - lastReport < 100 && done < total) return;
          lastReport = now;
          progress.report(total === 0 ? 100 : Math.floor((done / total) * 100), `${done}/${total} files`);
        },
        publish: (uri, diagnostics) => void this.connection.sendDiagnostics({ uri, diagnostics }),
        isOpen: (uri) => this.documents.get(uri) !== undefined,
        diagnosticOptions: { relatedInformation: this.features.relatedInformation },
      });
      if (token.isCancellationRequested)
        throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Lint Workspace was cancelled');
      this.log(
        `lint workspace: ${result.files} files, ${result.parsed} parsed, ${result.findings} findings in ${result.filesWithFindings} files, ${result.elapsedMs} ms${result.cancelled ? ' (cancelled)' : ''}`,
      );
      return result;
    } finally {
      progress.done();
    }
  }

  private onServerInfo(): ServerInfoResult {
    return {
      version: SERVER_VERSION,
      pid: process.pid,
      rssBytes: process.memoryUsage().rss,
      openDocuments: this.documents.size,
      workerRestarts: this.host.restarts,
      analysisPid: this.host.pid ?? null,
    };
  }

  private onShutdown(): void {
    this.host.dispose();
  }
}

export function startServer(connection: Connection, options: ServerOptions): void {
  new PinscopeServer(connection, options).register();
  connection.listen();
}
