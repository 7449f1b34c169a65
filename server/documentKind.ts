/**
 * The two kinds of document the server serves — C sources and `.pinsim` traces — behind one
 * interface. The kind is decided once, when the document opens (DocumentStore.open), and every
 * handler asks the document's kind instead of testing what the document is.
 */
import type {
  CancellationToken,
  CodeAction,
  CodeActionParams,
  CodeLens,
  Hover,
  Position,
} from 'vscode-languageserver-protocol';
import type { OpenDocument } from './documents';

export type DocumentKindName = 'c' | 'pinsim';

const PINSIM_LANGUAGE = 'pinsim';

/** A document is a trace when the client says its language is pinsim, or by its extension. */
export function documentKindOf(languageId: string, uri: string): DocumentKindName {
  return languageId === PINSIM_LANGUAGE || /\.pinsim$/i.test(uri) ? 'pinsim' : 'c';
}

export interface DocumentKind {
  /** An open or an edit: (re)compute the document's diagnostics. */
  schedule(doc: OpenDocument): void;
  /** The document closed: stop its work, forget its state and clear its diagnostics. */
  closed(uri: string): void;
  /** Settings changed: recompute what depends on them. */
  settingsChanged(docs: readonly OpenDocument[]): void;
  hover(doc: OpenDocument, position: Position): Promise<Hover | null>;
  codeActions(doc: OpenDocument, params: CodeActionParams, token: CancellationToken): Promise<CodeAction[]>;
  codeLenses(doc: OpenDocument, token: CancellationToken): Promise<CodeLens[]>;
}
