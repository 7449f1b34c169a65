/**
 * When documents are analysed and which result wins. Each edit (re)starts a per-document debounce
 * timer; the analysis of a version whose document has moved on is cancelled if it has not started
 * and discarded if it has: a result is applied only when its document is still open at exactly
 * that version, and only if no later run has been applied already. Requests that need the current
 * version's result (code actions, code lenses) flush the timer and wait for it.
 */
import type { IndexRequest } from '../batch/index/forLint';
import type { AnalysisHost, AnalysisOutcome } from './analysisHost';
import type { Configuration, ResolvedSettings } from './configuration';
import { emptyResult, type AnalysisResult, type DocumentStore, type OpenDocument, type ServerNote } from './documents';
import { LineIndex, textMayContainCatalogued } from '../core/index';

export interface SchedulerDeps {
  readonly documents: DocumentStore;
  readonly host: AnalysisHost;
  readonly configuration: Configuration;
  /** Called with every result that wins (publish diagnostics and status). */
  readonly apply: (result: AnalysisResult) => void;
  readonly log: (message: string) => void;
  /** Whether a document is C for this scheduler (`.pinsim` traces are not); default: all are. */
  readonly isAnalysed?: (doc: OpenDocument) => boolean;
  /** The tree index a document is analysed with, when its tree has one (server/treeIndex.ts). */
  readonly indexFor?: (uri: string) => IndexRequest | undefined;
}

interface Waiter {
  readonly version: number;
  readonly resolve: (result: AnalysisResult | undefined) => void;
}

/** How much of the text the binary check looks at, like core's decodeSource. */
const BINARY_PROBE = 8192;

function formatSize(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} KB`;
}

/** Where the first NUL character is in the first 8 KiB of the text, or -1. */
function nulAt(text: string): number {
  const i = text.slice(0, BINARY_PROBE).indexOf('\u0000');
  return i;
}

const indexOf = (index: IndexRequest | undefined): { index?: IndexRequest } => (index ? { index } : {});

export class Scheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly waiters = new Map<string, Waiter[]>();
  /** Per document: the sequence number of the newest run started, while it has not finished. */
  private readonly inFlight = new Map<string, { readonly seq: number; readonly version: number }>();
  private seq = 0;

  constructor(private readonly deps: SchedulerDeps) {}

  /** An edit or open: analyse after the debounce of the document's settings. */
  schedule(uri: string, force = false): void {
    this.clearTimer(uri);
    void this.deps.configuration.for(uri).then(
      (resolved) => {
        const doc = this.deps.documents.get(uri);
        if (!doc) return;
        // Already analysed (or being analysed) at this version, by a request that could not wait.
        if (!force && (doc.result?.version === doc.version || this.inFlight.get(uri)?.version === doc.version)) return;
        this.clearTimer(uri);
        if (resolved.settings.debounce <= 0) {
          void this.run(uri);
          return;
        }
        this.timers.set(
          uri,
          setTimeout(() => {
            this.timers.delete(uri);
            void this.run(uri);
          }, resolved.settings.debounce),
        );
      },
      (e: unknown) => this.deps.log(`settings for ${uri}: ${e instanceof Error ? e.message : String(e)}`),
    );
  }

  /** Every open document again (settings changed). */
  scheduleAll(): void {
    for (const doc of this.deps.documents.all()) {
      if (this.deps.isAnalysed && !this.deps.isAnalysed(doc)) continue;
      this.schedule(doc.uri, true);
    }
  }

  /**
   * The result for the document's current version: at once when it is there, else after an
   * analysis that starts now. Undefined when the document closes or moves on meanwhile.
   */
  current(uri: string): Promise<AnalysisResult | undefined> {
    const doc = this.deps.documents.get(uri);
    if (!doc) return Promise.resolve(undefined);
    const idle = !this.timers.has(uri) && !this.inFlight.has(uri);
    if (idle && doc.result && doc.result.version === doc.version) return Promise.resolve(doc.result);
    const promise = new Promise<AnalysisResult | undefined>((resolve) => {
      const list = this.waiters.get(uri) ?? [];
      list.push({ version: doc.version, resolve });
      this.waiters.set(uri, list);
    });
    if (this.timers.has(uri) || !this.inFlight.has(uri)) {
      this.clearTimer(uri);
      void this.run(uri);
    }
    return promise;
  }

  /** The document closed: stop everything about it. */
  closed(uri: string): void {
    this.clearTimer(uri);
    this.deps.host.forget(uri);
    this.inFlight.delete(uri);
    this.deps.configuration.forget(uri);
    this.resolveWaiters(uri, undefined, Number.POSITIVE_INFINITY);
  }

  private clearTimer(uri: string): void {
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
  }

  /** Waiters for versions up to `upTo` are answered: with `result` when it is for their version. */
  private resolveWaiters(uri: string, result: AnalysisResult | undefined, upTo: number): void {
    const list = this.waiters.get(uri);
    if (!list) return;
    const keep: Waiter[] = [];
    for (const w of list) {
      if (w.version <= upTo) w.resolve(result && result.version === w.version ? result : undefined);
      else keep.push(w);
    }
    if (keep.length > 0) this.waiters.set(uri, keep);
    else this.waiters.delete(uri);
  }

  private async run(uri: string): Promise<void> {
    const doc = this.deps.documents.get(uri);
    if (!doc) return;
    const seq = ++this.seq;
    const version = doc.version;
    this.inFlight.set(uri, { seq, version });
    const text = doc.text;
    let result: AnalysisResult | undefined;
    try {
      const resolved = await this.deps.configuration.for(uri);
      result = await this.analyse(uri, version, text, resolved);
    } catch (e) {
      this.deps.log(`analysis of ${uri} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    const newest = this.inFlight.get(uri)?.seq === seq;
    if (!newest) return; // a later run owns the document now
    this.inFlight.delete(uri);
    const now = this.deps.documents.get(uri);
    if (!result || !now || now.version !== version) {
      // Superseded, closed or stale: answer the waiters of this version (and older) with nothing.
      this.resolveWaiters(uri, undefined, version);
      if (now && now.version !== version && !this.timers.has(uri)) this.schedule(uri);
      return;
    }
    now.result = result;
    this.deps.apply(result);
    this.resolveWaiters(uri, result, version);
  }

  private async analyse(
    uri: string,
    version: number,
    text: string,
    resolved: ResolvedSettings,
  ): Promise<AnalysisResult | undefined> {
    const { settings } = resolved;
    const kv = resolved.kernelVersionText;
    if (resolved.excluded) return emptyResult(uri, version, text, 'excluded', kv);
    if (text.length > settings.maxFileSize) {
      return emptyResult(uri, version, text, 'skipped', kv, [
        {
          kind: 'too-large',
          message: `pinscope did not analyse this file: ${formatSize(text.length)} is over the ${formatSize(settings.maxFileSize)} limit (pinscope.maxFileSize)`,
        },
      ]);
    }
    const nul = nulAt(text);
    if (nul >= 0) {
      return emptyResult(uri, version, text, 'skipped', kv, [
        {
          kind: 'binary',
          message: `pinscope did not analyse this file: it looks binary (NUL character at offset ${nul})`,
        },
      ]);
    }
    if (!textMayContainCatalogued(text)) {
      // Nothing any rule looks at: no parse, and no tree kept for the document.
      this.deps.host.forget(uri);
      return emptyResult(uri, version, text, 'analysed', kv);
    }
    const outcome: AnalysisOutcome = await this.deps.host.analyze(
      { uri, version, text, kernelVersion: kv, rules: settings.rules, ...indexOf(this.deps.indexFor?.(uri)) },
      settings.analysisTimeout,
    );
    const lines = (): LineIndex => new LineIndex(text);
    switch (outcome.kind) {
      case 'superseded':
        return undefined;
      case 'done': {
        const notes: ServerNote[] = outcome.reply.notes.map((n) => ({
          kind: n.kind,
          message: n.message,
          ...(n.range ? { range: n.range } : {}),
        }));
        return {
          uri,
          version,
          text,
          lines: lines(),
          state: notes.length > 0 ? 'partial' : 'analysed',
          findings: outcome.reply.findings,
          notes,
          targets: outcome.reply.targets,
          kernelVersion: kv,
          elapsedMs: outcome.elapsedMs,
        };
      }
      case 'timeout':
        return emptyResult(uri, version, text, 'partial', kv, [
          {
            kind: 'budget',
            message: `pinscope stopped analysing this file after ${outcome.budgetMs} ms (pinscope.analysisTimeout); no findings are shown for it`,
          },
        ]);
      case 'failed':
        this.deps.log(`internal error analysing ${uri} (version ${version}): ${outcome.stack || outcome.message}`);
        return emptyResult(uri, version, text, 'failed', kv, [
          {
            kind: 'internal-error',
            message: `pinscope hit an internal error analysing this file (please report it; details are in the pinscope output): ${outcome.message}`,
          },
        ]);
      case 'crashed':
        return emptyResult(uri, version, text, 'failed', kv, [
          {
            kind: 'internal-error',
            message: `pinscope's analysis of this file stopped (${outcome.message}); it was restarted and will try again on the next edit`,
          },
        ]);
    }
  }
}
