/**
 * Open documents: their text (kept up to date from incremental didChange events) and the last
 * analysis result of each. The parse trees live in the analysis worker, not here.
 */
import { TextDocument, type Position, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { type AnalysisNote, type Finding, LineIndex, type SimTarget } from '../core/index';
import { documentKindOf, type DocumentKindName } from './documentKind';
import type { DocumentState } from './protocol';

/** Why an analysis is incomplete: core's notes plus the server's own (an internal error). */
export interface ServerNote {
  readonly kind: AnalysisNote['kind'] | 'internal-error';
  readonly message: string;
  readonly range?: AnalysisNote['range'];
}

export interface AnalysisResult {
  readonly uri: string;
  readonly version: number;
  /** The text the findings' spans refer to (the document at `version`). */
  readonly text: string;
  readonly lines: LineIndex;
  readonly state: DocumentState;
  readonly findings: readonly Finding[];
  readonly notes: readonly ServerNote[];
  readonly targets: readonly SimTarget[];
  readonly kernelVersion: string;
  readonly elapsedMs: number;
}

export class OpenDocument {
  result: AnalysisResult | undefined;
  /** C or a `.pinsim` trace: decided once, when the document opens. */
  readonly kind: DocumentKindName;

  constructor(public document: TextDocument) {
    this.kind = documentKindOf(document.languageId, document.uri);
  }

  get uri(): string {
    return this.document.uri;
  }

  get version(): number {
    return this.document.version;
  }

  get text(): string {
    return this.document.getText();
  }
}

export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  open(uri: string, languageId: string, version: number, text: string): OpenDocument {
    const doc = new OpenDocument(TextDocument.create(uri, languageId, version, text));
    this.docs.set(uri, doc);
    return doc;
  }

  /**
   * Applies incremental (or full) changes. Returns the document, or undefined when it is not
   * open. A version that does not increase is applied all the same (the text is what the client
   * says it is), but the caller is told so it can log it.
   */
  change(
    uri: string,
    version: number,
    changes: readonly TextDocumentContentChangeEvent[],
  ): { doc: OpenDocument; monotonic: boolean } | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    const monotonic = version > doc.version;
    // One change at a time: each range is clamped against the text the change applies to.
    for (const change of changes)
      doc.document = TextDocument.update(doc.document, [clamped(doc.document, change)], version);
    return { doc, monotonic };
  }

  close(uri: string): OpenDocument | undefined {
    const doc = this.docs.get(uri);
    this.docs.delete(uri);
    return doc;
  }

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  all(): OpenDocument[] {
    return [...this.docs.values()];
  }

  get size(): number {
    return this.docs.size;
  }
}

/**
 * A change whose range lies inside the text, start before end: a range past the end or before the
 * start (or with fractional numbers) would otherwise corrupt vscode-languageserver-textdocument's
 * line table — a line number past the end grows it into a sparse array of that length, which the
 * next edit walks element by element.
 */
function clamped(document: TextDocument, change: TextDocumentContentChangeEvent): TextDocumentContentChangeEvent {
  if (!('range' in change)) return change;
  const place = (p: Position): Position => {
    const line = Math.trunc(p.line);
    const character = Math.trunc(p.character);
    if (line < 0) return { line: 0, character: 0 };
    return document.positionAt(document.offsetAt({ line, character: Math.max(0, character) }));
  };
  let start = place(change.range.start);
  let end = place(change.range.end);
  if (start.line > end.line || (start.line === end.line && start.character > end.character))
    [start, end] = [end, start];
  return { range: { start, end }, text: change.text };
}

/** A result for a document that was not sent to the analysis (excluded, too large, binary, …). */
export function emptyResult(
  uri: string,
  version: number,
  text: string,
  state: DocumentState,
  kernelVersion: string,
  notes: readonly ServerNote[] = [],
): AnalysisResult {
  return {
    uri,
    version,
    text,
    lines: new LineIndex(text),
    state,
    findings: [],
    notes,
    targets: [],
    kernelVersion,
    elapsedMs: 0,
  };
}
