/**
 * C documents: analysed in the worker after each edit (scheduler.ts decides when, and which result
 * wins), published as diagnostics with a status notification, and answered from the current
 * analysis: quick fixes, code lenses (`Simulate`) and hovers on catalogued names.
 */
import {
  CodeLensRefreshRequest,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type CodeLens,
  type Connection,
  type Disposable,
  type Hover,
  type Position,
} from 'vscode-languageserver/node';
import type { AnalysisHost } from './analysisHost';
import { codeActions } from './codeActions';
import { codeLenses } from './codeLens';
import type { Configuration } from './configuration';
import { resultDiagnostics } from './diagnostics';
import type { DocumentKind } from './documentKind';
import type { AnalysisResult, DocumentStore, OpenDocument } from './documents';
import type { ClientFeatures } from './features';
import { hoverAt } from './hover';
import type { StatusParams } from './protocol';
import { StatusNotification } from './protocol';
import { Scheduler } from './scheduler';
import type { IndexRequest } from '../batch/index/forLint';

/** How long a request waits for the analysis of the current version before answering without it. */
const REQUEST_WAIT_SLACK_MS = 2000;

export interface CDocumentsDeps {
  readonly connection: Connection;
  readonly documents: DocumentStore;
  readonly host: AnalysisHost;
  readonly configuration: Configuration;
  readonly features: () => ClientFeatures;
  readonly log: (message: string) => void;
  readonly indexFor?: (uri: string) => IndexRequest | undefined;
}

export class CDocuments implements DocumentKind {
  private readonly scheduler: Scheduler;
  /** Per document: the code lenses last announced, to ask for a refresh only when they change. */
  private readonly lensSignature = new Map<string, string>();

  constructor(private readonly deps: CDocumentsDeps) {
    this.scheduler = new Scheduler({
      documents: deps.documents,
      host: deps.host,
      configuration: deps.configuration,
      apply: (result) => this.apply(result),
      log: deps.log,
      isAnalysed: (doc) => doc.kind === 'c',
      ...(deps.indexFor ? { indexFor: deps.indexFor } : {}),
    });
  }

  schedule(doc: OpenDocument): void {
    this.scheduler.schedule(doc.uri);
  }

  settingsChanged(): void {
    this.scheduler.scheduleAll();
  }

  closed(uri: string): void {
    this.scheduler.closed(uri);
    this.lensSignature.delete(uri);
    void this.deps.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  async hover(doc: OpenDocument, position: Position): Promise<Hover | null> {
    const resolved = await this.deps.configuration.for(doc.uri);
    return hoverAt(doc.text, position, resolved.kernelVersion, doc.result?.findings ?? []);
  }

  async codeActions(doc: OpenDocument, params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
    const result = await this.currentResult(doc.uri, token);
    if (!result) return [];
    const features = this.deps.features();
    return codeActions({
      uri: result.uri,
      version: result.version,
      findings: result.findings,
      lines: result.lines,
      range: params.range,
      context: params.context,
      documentChanges: features.documentChanges,
      clientCommands: features.clientCommands,
      relatedInformation: features.relatedInformation,
    });
  }

  async codeLenses(doc: OpenDocument, token: CancellationToken): Promise<CodeLens[]> {
    const result = await this.currentResult(doc.uri, token);
    if (!result) return [];
    return codeLenses(result.uri, result.targets, result.lines);
  }

  /** A result that won: diagnostics, the status bar's numbers, and new code lenses when they changed. */
  private apply(result: AnalysisResult): void {
    const { connection } = this.deps;
    const features = this.deps.features();
    void connection.sendDiagnostics({
      uri: result.uri,
      ...(features.diagnosticVersion ? { version: result.version } : {}),
      diagnostics: resultDiagnostics(result, { relatedInformation: features.relatedInformation }),
    });
    void connection.sendNotification(StatusNotification, statusOf(result));
    const signature = result.targets.map((t) => `${t.name}@${t.span.start}:${t.paths}`).join(',');
    if (features.codeLensRefresh && this.lensSignature.get(result.uri) !== signature) {
      this.lensSignature.set(result.uri, signature);
      void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    }
  }

  /**
   * The analysis result of the document's current version, waiting for it (bounded by the
   * document's budget). A cancelled request stops waiting at once: RequestCancelled.
   */
  private async currentResult(uri: string, token: CancellationToken): Promise<AnalysisResult | undefined> {
    const resolved = await this.deps.configuration.for(uri);
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
      const result = await Promise.race([this.scheduler.current(uri), giveUp]);
      if (result === 'cancelled' || token.isCancellationRequested)
        throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
      return result;
    } finally {
      clearTimeout(timer);
      onCancel?.dispose();
    }
  }
}

function statusOf(result: AnalysisResult): StatusParams {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of result.findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  return {
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
}
