/**
 * The language server: wires the LSP connection to the document store, the scheduler, the
 * analysis worker and the feature modules. Each handler is a few lines; what it computes lives in
 * the module named after the feature.
 */
import path from 'node:path';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type CancellationToken,
  type ClientCapabilities,
  type Connection,
  type Disposable,
  type InitializeResult,
  type WorkDoneProgressReporter,
} from 'vscode-languageserver/node';
import pkg from '../package.json';
import { AnalysisHost } from './analysisHost';
import { codeActions, FIX_ALL_KIND } from './codeActions';
import { codeLenses } from './codeLens';
import { Configuration, fsPathOf } from './configuration';
import { resultDiagnostics, type DiagnosticOptions } from './diagnostics';
import { DocumentStore, type AnalysisResult } from './documents';
import { hoverAt } from './hover';
import {
  LintWorkspaceRequest,
  ServerInfoRequest,
  SimulateRequest,
  SimulateTraceRequest,
  StatusNotification,
  type InitializationOptions,
  type LintWorkspaceResult,
  type SimulateResult,
  type SimulateTraceResult,
  type StatusParams,
} from './protocol';
import { Scheduler } from './scheduler';
import { SETTINGS_SECTION } from './settings';
import { kernelVersionsWith } from './simulation';
import { isTraceDocument, traceCodeLenses, TraceDocuments } from './traceDocuments';
import { lintWorkspace } from './workspaceLint';
import { LineIndex, parseKernelVersion } from '../core/index';

export const SERVER_VERSION: string = pkg.version;

interface ClientFeatures {
  readonly relatedInformation: boolean;
  readonly diagnosticVersion: boolean;
  readonly documentChanges: boolean;
  readonly configuration: boolean;
  readonly configurationChange: boolean;
  readonly workDoneProgress: boolean;
  readonly codeLensRefresh: boolean;
  readonly workspaceFolderChanges: boolean;
  readonly clientCommands: boolean;
}

function featuresOf(c: ClientCapabilities, init: InitializationOptions | undefined): ClientFeatures {
  return {
    relatedInformation: c.textDocument?.publishDiagnostics?.relatedInformation === true,
    diagnosticVersion: c.textDocument?.publishDiagnostics?.versionSupport === true,
    documentChanges: c.workspace?.workspaceEdit?.documentChanges === true,
    configuration: c.workspace?.configuration === true,
    configurationChange: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    workDoneProgress: c.window?.workDoneProgress === true,
    codeLensRefresh: c.workspace?.codeLens?.refreshSupport === true,
    workspaceFolderChanges: c.workspace?.workspaceFolders === true,
    clientCommands: init?.clientCommands === true,
  };
}

function isInitOptions(value: unknown): value is InitializationOptions {
  return typeof value === 'object' && value !== null;
}

/** How long a request waits for the analysis of the current version before answering without it. */
const REQUEST_WAIT_SLACK_MS = 2000;

export interface ServerOptions {
  /** The worker script: the server bundle itself. */
  readonly bundle: string;
}

export function startServer(connection: Connection, options: ServerOptions): void {
  const documents = new DocumentStore();
  let features: ClientFeatures | undefined;
  let folders: string[] = [];
  const log = (message: string): void => connection.console.log(message);
  const host = new AnalysisHost({ script: options.bundle, log });
  const configuration = new Configuration({
    fetch: (scopeUri) =>
      connection.workspace.getConfiguration(
        scopeUri ? { scopeUri, section: SETTINGS_SECTION } : { section: SETTINGS_SECTION },
      ) as Promise<unknown>,
    folders: () => folders,
    log,
  });
  const diagnosticOptions = (): DiagnosticOptions => ({ relatedInformation: features?.relatedInformation ?? false });
  const lensSignature = new Map<string, string>();

  const apply = (result: AnalysisResult): void => {
    void connection.sendDiagnostics({
      uri: result.uri,
      ...(features?.diagnosticVersion ? { version: result.version } : {}),
      diagnostics: resultDiagnostics(result, diagnosticOptions()),
    });
    let errors = 0;
    let warnings = 0;
    let infos = 0;
    for (const f of result.findings) {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
      else infos++;
    }
    const status: StatusParams = {
      uri: result.uri,
      version: result.version,
      state: result.state,
      errors,
      warnings,
      infos,
      notes: result.notes.map((n) => n.message),
      kernelVersion: result.kernelVersion,
      elapsedMs: result.elapsedMs,
    };
    void connection.sendNotification(StatusNotification, status);
    // Code lenses follow the analysis; ask the client to fetch them again when they changed.
    const signature = result.targets.map((t) => `${t.name}@${t.span.start}:${t.paths}`).join(',');
    if (features?.codeLensRefresh && lensSignature.get(result.uri) !== signature) {
      lensSignature.set(result.uri, signature);
      void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    }
  };

  const scheduler = new Scheduler({
    documents,
    host,
    configuration,
    apply,
    log,
    isAnalysed: (doc) => !isTraceDocument(doc),
  });
  const traces = new TraceDocuments({
    documents,
    host,
    configuration,
    log,
    publish: (params) => void connection.sendDiagnostics(params),
    versionedDiagnostics: () => features?.diagnosticVersion ?? false,
  });
  /** C documents go to the scheduler, `.pinsim` traces to their own diagnostics. */
  const schedule = (uri: string): void => {
    const doc = documents.get(uri);
    if (doc && isTraceDocument(doc)) traces.schedule(uri);
    else scheduler.schedule(uri);
  };

  /**
   * The analysis result of the document's current version, waiting for it (bounded by the
   * document's budget). A cancelled request stops waiting at once: RequestCancelled.
   */
  const currentResult = async (uri: string, token: CancellationToken): Promise<AnalysisResult | undefined> => {
    const resolved = await configuration.for(uri);
    let timer: NodeJS.Timeout | undefined;
    let onCancel: Disposable | undefined;
    const giveUp = new Promise<undefined | 'cancelled'>((resolve) => {
      timer = setTimeout(
        () => resolve(undefined),
        resolved.settings.analysisTimeout + resolved.settings.debounce + REQUEST_WAIT_SLACK_MS,
      );
      onCancel = token.onCancellationRequested(() => resolve('cancelled'));
    });
    try {
      const result = await Promise.race([scheduler.current(uri), giveUp]);
      if (result === 'cancelled' || token.isCancellationRequested)
        throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      return result;
    } finally {
      clearTimeout(timer);
      onCancel?.dispose();
    }
  };

  connection.onInitialize((params): InitializeResult => {
    const init = isInitOptions(params.initializationOptions) ? params.initializationOptions : undefined;
    features = featuresOf(params.capabilities, init);
    if (init?.settings !== undefined) configuration.setPushed(init.settings);
    // Without workspace/configuration, settings come from initializationOptions / didChangeConfiguration.
    configuration.pullEnabled = features.configuration;
    const fromFolders = (params.workspaceFolders ?? [])
      .map((f) => fsPathOf(f.uri))
      .filter((p): p is string => p !== null);
    const root = params.rootUri ? fsPathOf(params.rootUri) : null;
    folders = fromFolders.length > 0 ? fromFolders : root ? [root] : [];
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
        hoverProvider: true,
        codeLensProvider: { resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'pinscope', version: SERVER_VERSION },
    };
  });

  connection.onInitialized(() => {
    if (features?.configurationChange)
      void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION });
    if (features?.workspaceFolderChanges) {
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        const removed = new Set(event.removed.map((f) => fsPathOf(f.uri)));
        folders = [
          ...folders.filter((f) => !removed.has(f)),
          ...event.added.map((f) => fsPathOf(f.uri)).filter((p): p is string => p !== null),
        ];
        configuration.invalidate();
        scheduler.scheduleAll();
      });
    }
    log(
      `pinscope ${SERVER_VERSION} language server (pid ${process.pid}, node ${process.version}); folders: ${folders.join(', ') || '(none)'}`,
    );
  });

  connection.onDidChangeConfiguration((params) => {
    const settings: unknown = params.settings;
    if (typeof settings === 'object' && settings !== null && SETTINGS_SECTION in settings) {
      configuration.setPushed((settings as Record<string, unknown>)[SETTINGS_SECTION]);
    }
    configuration.invalidate();
    traces.invalidate();
    scheduler.scheduleAll();
  });

  connection.onDidOpenTextDocument(({ textDocument }) => {
    documents.open(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
    schedule(textDocument.uri);
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    const changed = documents.change(textDocument.uri, textDocument.version, contentChanges);
    if (!changed) {
      log(`didChange for ${textDocument.uri}, which is not open; ignored`);
      return;
    }
    if (!changed.monotonic)
      log(
        `didChange for ${textDocument.uri}: version ${textDocument.version} does not follow the previous one; applied anyway`,
      );
    schedule(textDocument.uri);
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    const closed = documents.close(textDocument.uri);
    if (closed && isTraceDocument(closed)) {
      traces.closed(textDocument.uri);
      return;
    }
    scheduler.closed(textDocument.uri);
    lensSignature.delete(textDocument.uri);
    void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
  });

  connection.onCodeAction(async (params, token) => {
    const doc = documents.get(params.textDocument.uri);
    if (doc && isTraceDocument(doc)) return [];
    const result = await currentResult(params.textDocument.uri, token);
    if (!result) return [];
    return codeActions({
      uri: result.uri,
      version: result.version,
      findings: result.findings,
      lines: result.lines,
      range: params.range,
      context: params.context,
      documentChanges: features?.documentChanges ?? false,
      clientCommands: features?.clientCommands ?? false,
      relatedInformation: features?.relatedInformation ?? false,
    });
  });

  connection.onHover(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    if (isTraceDocument(doc)) return traces.hover(doc, params.position);
    const resolved = await configuration.for(params.textDocument.uri);
    return hoverAt(doc.text, params.position, resolved.kernelVersion);
  });

  connection.onCodeLens(async (params, token) => {
    const doc = documents.get(params.textDocument.uri);
    if (doc && isTraceDocument(doc)) return traceCodeLenses(doc.uri);
    const result = await currentResult(params.textDocument.uri, token);
    if (!result) return [];
    return codeLenses(result.uri, result.targets, result.lines);
  });

  connection.onRequest(SimulateRequest, async (params): Promise<SimulateResult> => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) throw new ResponseError(LSPErrorCodes.RequestFailed, `${params.textDocument.uri} is not open`);
    if (isTraceDocument(doc))
      throw new ResponseError(
        LSPErrorCodes.RequestFailed,
        `${params.textDocument.uri} is a .pinsim trace: use pinscope/simulateTrace`,
      );
    const resolved = await configuration.for(doc.uri);
    const kernelVersion = params.parameters?.kernelVersion ?? resolved.kernelVersionText;
    if (!parseKernelVersion(kernelVersion))
      throw new ResponseError(LSPErrorCodes.RequestFailed, `"${kernelVersion}" is not a kernel version like 6.12`);
    const offset =
      params.function === undefined && params.position ? new LineIndex(doc.text).offset(params.position) : undefined;
    const outcome = await host.simulate(
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
  });

  connection.onRequest(SimulateTraceRequest, async (params): Promise<SimulateTraceResult> => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) throw new ResponseError(LSPErrorCodes.RequestFailed, `${params.textDocument.uri} is not open`);
    const override = params.parameters?.kernelVersion;
    if (override !== undefined && !parseKernelVersion(override))
      throw new ResponseError(LSPErrorCodes.RequestFailed, `"${override}" is not a kernel version like 6.12`);
    const resolved = await configuration.for(doc.uri);
    const sim = await traces.simulate(doc, override);
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
  });

  connection.onRequest(LintWorkspaceRequest, async (params, token): Promise<LintWorkspaceResult> => {
    const roots = params.paths && params.paths.length > 0 ? [...params.paths] : folders;
    if (roots.length === 0)
      throw new ResponseError(LSPErrorCodes.RequestFailed, 'no workspace folder to lint (open a folder)');
    // Progress on the client's token, or on one the server creates (whose cancel button the client
    // shows); the request's own cancellation stops the run either way.
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    let progress: WorkDoneProgressReporter;
    if (params.workDoneToken !== undefined) {
      progress = connection.window.attachWorkDoneProgress(params.workDoneToken);
    } else if (features?.workDoneProgress) {
      const created = await connection.window.createWorkDoneProgress();
      created.token.onCancellationRequested(() => abort.abort());
      progress = created;
    } else {
      progress = connection.window.attachWorkDoneProgress(undefined);
    }
    progress.begin('pinscope: linting the workspace', 0, 'listing files…', true);
    let lastReport = 0;
    try {
      const result = await lintWorkspace({
        roots,
        settingsFor: (root) => configuration.forFolder(root),
        workerScript: path.join(path.dirname(options.bundle), '..', 'worker', 'lint-worker.js'),
        signal: abort.signal,
        onProgress: (done, total) => {
          const now = Date.now();
          if (now - lastReport < 100 && done < total) return;
          lastReport = now;
          progress.report(total === 0 ? 100 : Math.floor((done / total) * 100), `${done}/${total} files`);
        },
        publish: (uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }),
        isOpen: (uri) => documents.get(uri) !== undefined,
        diagnosticOptions: diagnosticOptions(),
      });
      if (token.isCancellationRequested)
        throw new ResponseError(LSPErrorCodes.RequestCancelled, 'Lint Workspace was cancelled');
      log(
        `lint workspace: ${result.files} files, ${result.parsed} parsed, ${result.findings} findings in ${result.filesWithFindings} files, ${result.elapsedMs} ms${result.cancelled ? ' (cancelled)' : ''}`,
      );
      return result;
    } finally {
      progress.done();
    }
  });

  connection.onRequest(ServerInfoRequest, () => ({
    version: SERVER_VERSION,
    pid: process.pid,
    rssBytes: process.memoryUsage().rss,
    openDocuments: documents.size,
    workerRestarts: host.restarts,
  }));

  connection.onShutdown(() => {
    host.dispose();
  });

  connection.listen();
}
