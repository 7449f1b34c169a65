/**
 * `.pinsim` documents in the server: diagnostics for malformed lines (one per parse error, at its
 * line:column), a `Run` code lens, and a hover on a step line with the state after that step.
 * Traces are parsed and simulated in the analysis worker, within the document's time budget and
 * under its size limit, never on the main thread: a tokenizer that loops on one odd character
 * once took the whole server down (lsp-repro.py case 3). Both results are kept per document
 * version.
 */
import {
  DiagnosticSeverity,
  MarkupKind,
  type CodeAction,
  type CodeLens,
  type Diagnostic,
  type Hover,
  type Position,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol';
import { LineIndex, type TraceDocumentSimulation, type TraceError } from '../core/index';
import type { AnalysisHost } from './analysisHost';
import type { Configuration } from './configuration';
import type { DocumentKind } from './documentKind';
import type { DocumentStore, OpenDocument } from './documents';
import { Commands } from './protocol';
import { stepHoverMarkdown } from './simulation';

/** The range of a parse error: from its column to the end of the word there (at least one character). */
function errorRange(lines: LineIndex, e: TraceError): Diagnostic['range'] {
  const line = Math.max(0, e.line - 1);
  const text = lines.lineText(e.line);
  const start = Math.min(Math.max(0, e.column - 1), text.length);
  let end = start;
  if (text[start] === '"') {
    const close = text.indexOf('"', start + 1);
    end = close < 0 ? text.length : close + 1;
  } else {
    while (end < text.length && !/\s/.test(text[end] as string)) end++;
  }
  if (end === start && start < text.length) end = start + 1;
  return { start: { line, character: start }, end: { line, character: end } };
}

function traceDiagnostics(text: string, errors: readonly TraceError[]): Diagnostic[] {
  if (errors.length === 0) return [];
  const lines = new LineIndex(text);
  return errors.map((e) => ({
    range: errorRange(lines, e),
    severity: DiagnosticSeverity.Error,
    source: 'pinscope',
    code: 'pinsim',
    message: e.message,
  }));
}

function traceCodeLenses(uri: string): CodeLens[] {
  return [
    {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      command: { title: 'Run', command: Commands.runSimulation, arguments: [uri] },
    },
  ];
}

export interface TraceDocumentsDeps {
  readonly documents: DocumentStore;
  readonly host: AnalysisHost;
  readonly configuration: Configuration;
  readonly publish: (params: PublishDiagnosticsParams) => void;
  readonly log: (message: string) => void;
  readonly versionedDiagnostics: () => boolean;
}

/** A trace's parse, from the worker: its errors and the line of each step, or why there is none. */
type TraceCheck =
  | { readonly ok: true; readonly errors: readonly TraceError[]; readonly stepLines: readonly number[] }
  | { readonly ok: false; readonly message: string };

function formatSize(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`;
}

export class TraceDocuments implements DocumentKind {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly checks = new Map<string, { readonly version: number; readonly result: Promise<TraceCheck> }>();
  private readonly simulations = new Map<
    string,
    { readonly version: number; readonly key: string; readonly result: Promise<TraceDocumentSimulation | undefined> }
  >();

  constructor(private readonly deps: TraceDocumentsDeps) {}

  /** An open or an edit: diagnostics after the document's debounce. */
  schedule(doc: OpenDocument): void {
    const uri = doc.uri;
    const existing = this.timers.get(uri);
    if (existing) clearTimeout(existing);
    void this.deps.configuration.for(uri).then(
      (resolved) => {
        const delay = Math.min(resolved.settings.debounce, 500);
        this.timers.set(
          uri,
          setTimeout(() => {
            this.timers.delete(uri);
            void this.publish(uri);
          }, delay),
        );
      },
      (e: unknown) => this.deps.log(`settings for ${uri}: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  private async publish(uri: string): Promise<void> {
    const doc = this.deps.documents.get(uri);
    if (!doc) return;
    const version = doc.version;
    const text = doc.text;
    const check = await this.check(doc);
    // Closed or edited meanwhile: the newer version publishes its own.
    if (this.deps.documents.get(uri)?.version !== version) return;
    const diagnostics: Diagnostic[] = check.ok
      ? traceDiagnostics(text, check.errors)
      : [
          {
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
            severity: DiagnosticSeverity.Information,
            source: 'pinscope',
            code: 'partial-analysis',
            message: check.message,
          },
        ];
    this.deps.publish({ uri, ...(this.deps.versionedDiagnostics() ? { version } : {}), diagnostics });
  }

  /** The parse of the document's current version, in the worker within the document's budget. */
  private check(doc: OpenDocument): Promise<TraceCheck> {
    const kept = this.checks.get(doc.uri);
    if (kept && kept.version === doc.version) return kept.result;
    const text = doc.text;
    const result = (async (): Promise<TraceCheck> => {
      const resolved = await this.deps.configuration.for(doc.uri);
      const { maxFileSize, analysisTimeout } = resolved.settings;
      if (text.length > maxFileSize)
        return {
          ok: false,
          message: `pinscope did not check this trace: ${formatSize(text.length)} is over the ${formatSize(maxFileSize)} limit (pinscope.maxFileSize)`,
        };
      const outcome = await this.deps.host.checkTrace({ uri: doc.uri, text }, analysisTimeout);
      if (outcome.kind === 'failed') {
        this.deps.log(`checking ${doc.uri} failed: ${outcome.message}`);
        return { ok: false, message: `pinscope could not check this trace: ${outcome.message}` };
      }
      return { ok: true, errors: outcome.reply.errors, stepLines: outcome.reply.stepLines };
    })();
    this.checks.set(doc.uri, { version: doc.version, result });
    return result;
  }

  /** Settings changed: the kernel version a trace without a `kernel` line uses may have too. */
  settingsChanged(): void {
    this.simulations.clear();
  }

  /** A trace has nothing to fix. */
  codeActions(): Promise<CodeAction[]> {
    return Promise.resolve([]);
  }

  codeLenses(doc: OpenDocument): Promise<CodeLens[]> {
    return Promise.resolve(traceCodeLenses(doc.uri));
  }

  closed(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
    this.simulations.delete(uri);
    this.checks.delete(uri);
    this.deps.publish({ uri, diagnostics: [] });
  }

  /** The simulation of the document's current text (kept while the document does not change). */
  async simulate(doc: OpenDocument, kernelVersion: string | undefined): Promise<TraceDocumentSimulation | undefined> {
    const key = kernelVersion ?? '';
    const cached = this.simulations.get(doc.uri);
    if (cached && cached.version === doc.version && cached.key === key) return cached.result;
    const text = doc.text;
    const result = (async (): Promise<TraceDocumentSimulation | undefined> => {
      const resolved = await this.deps.configuration.for(doc.uri);
      if (text.length > resolved.settings.maxFileSize) {
        this.deps.log(`${doc.uri} was not simulated: it is over pinscope.maxFileSize`);
        return undefined;
      }
      const outcome = await this.deps.host.simulateTrace(
        {
          uri: doc.uri,
          text,
          fallbackVersion: resolved.kernelVersionText,
          ...(kernelVersion ? { kernelVersion } : {}),
        },
        resolved.settings.analysisTimeout,
      );
      if (outcome.kind === 'failed') {
        this.deps.log(`simulation of ${doc.uri} failed: ${outcome.message}`);
        // Not kept: the next request tries again.
        const kept = this.simulations.get(doc.uri);
        if (kept && kept.version === doc.version && kept.key === key) this.simulations.delete(doc.uri);
        return undefined;
      }
      return outcome.reply.result;
    })();
    this.simulations.set(doc.uri, { version: doc.version, key, result });
    return result;
  }

  /** On a step line: the state after that step. */
  async hover(doc: OpenDocument, position: Position): Promise<Hover | null> {
    const lineNo = position.line + 1;
    const check = await this.check(doc);
    if (!check.ok || check.errors.length > 0) return null;
    const index = check.stepLines.indexOf(lineNo);
    if (index < 0) return null;
    const lineText = new LineIndex(doc.text).lineText(lineNo);
    const sim = await this.simulate(doc, undefined);
    if (!sim?.ok) return null;
    const path = sim.report.paths[0];
    if (!path) return null;
    return {
      contents: { kind: MarkupKind.Markdown, value: stepHoverMarkdown(path, index) },
      range: { start: { line: position.line, character: 0 }, end: { line: position.line, character: lineText.length } },
    };
  }
}
