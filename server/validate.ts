/**
 * The shape of what clients send, checked before a handler runs (valibot schemas). A request with
 * parameters that do not fit is answered InvalidParams (-32602) with what is wrong; a notification
 * that does not fit is logged and ignored. Without this, `didClose` with an empty `textDocument`
 * published diagnostics without a uri (`lsp-repro.py` case 1), and `pinscope/simulate` accepted
 * `pages: -5` or `"x"`.
 *
 * Positions in edits only need to be finite numbers: an edit past the end or before the start is
 * clamped to the document (documents.ts), as VS Code's own text model does.
 */
import * as v from 'valibot';
import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { SimulationParametersSchema } from '../shared/simulation';

const finite = v.pipe(v.number(), v.finite());
const uint = v.pipe(v.number(), v.integer(), v.minValue(0));
const textDocument = v.looseObject({ uri: v.string() });

/** A position in an edit: any finite numbers (clamped later). */
const editPosition = v.looseObject({ line: finite, character: finite });
const editRange = v.looseObject({ start: editPosition, end: editPosition });
/** A position a request asks about: what the protocol allows (uinteger). */
const position = v.looseObject({ line: uint, character: uint });
const range = v.looseObject({ start: position, end: position });

export const DidOpenParams = v.looseObject({
  textDocument: v.looseObject({ uri: v.string(), languageId: v.string(), version: finite, text: v.string() }),
});

export const DidChangeParams = v.looseObject({
  textDocument: v.looseObject({ uri: v.string(), version: finite }),
  contentChanges: v.array(
    v.union([v.looseObject({ range: editRange, text: v.string() }), v.looseObject({ text: v.string() })]),
  ),
});

export const DidCloseParams = v.looseObject({ textDocument });

export const HoverParams = v.looseObject({ textDocument, position });

export const CodeActionParams = v.looseObject({
  textDocument,
  range,
  context: v.looseObject({ diagnostics: v.array(v.looseObject({})) }),
});

export const CodeLensParams = v.looseObject({ textDocument });

/** What the simulation panel may change: the panel's own schema, with its bounds (shared/). */
const SimulationParameters = SimulationParametersSchema;

export const SimulateParams = v.looseObject({
  textDocument,
  function: v.optional(v.string()),
  position: v.optional(position),
  path: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  parameters: v.optional(SimulationParameters),
});

export const SimulateTraceParams = v.looseObject({ textDocument, parameters: v.optional(SimulationParameters) });

/** The problems of `value` against `schema` in one line (`pages: Invalid value …`), or null if it fits. */
export function problemsOf(schema: v.GenericSchema, value: unknown): string | null {
  const result = v.safeParse(schema, value);
  if (result.success) return null;
  return result.issues
    .slice(0, 3)
    .map((issue) => {
      const where = v.getDotPath(issue);
      return where ? `${where}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** The request's parameters, or InvalidParams saying what does not fit. */
export function checked<T>(method: string, schema: v.GenericSchema, params: T): T {
  const problems = problemsOf(schema, params);
  if (problems !== null)
    throw new ResponseError(ErrorCodes.InvalidParams, `${method}: invalid parameters: ${problems}`);
  return params;
}
