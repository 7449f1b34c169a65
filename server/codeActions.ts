/**
 * Code actions from findings. Every fix core offers becomes a `quickfix` tied to its diagnostic
 * (one WorkspaceEdit per fix, so the get→pin conversion and its rewritten releases apply as one
 * undo step). `source.fixAll.pinscope` applies the safe fixes of the whole file, chosen by core's
 * selectSafeFixes() exactly as `pinscope lint --fix` does.
 *
 * `isPreferred` marks the fix a developer wants for a finding (preferredFix): its one safe fix, or,
 * when it has none, its only fix. The LSP spec: "A quick fix should be marked preferred if it
 * properly addresses the underlying error"; clangd likewise prefers a diagnostic's only fix. A
 * preferred fix is never applied unasked: VS Code's "Auto Fix" (and a client's apply-preferred
 * key) applies it to the finding at the cursor when the developer asks; on save and with --fix
 * only safe fixes apply. Two candidates (two safe fixes, or two offered and none safe) leave the
 * choice to the developer: none is preferred.
 */
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionContext,
  type Diagnostic,
  type Range,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { type Finding, type Fix, type LineIndex, selectSafeFixes, type TextEdit } from '../core/index';
import { findingDiagnostic, findingFor, toRange } from './diagnostics';
import { Commands } from './protocol';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.pinscope`;

export interface CodeActionInput {
  readonly uri: string;
  /** The document version the findings were computed for (the edits carry it). */
  readonly version: number;
  readonly findings: readonly Finding[];
  readonly lines: LineIndex;
  readonly range: Range;
  readonly context: CodeActionContext;
  /** The client supports versioned `documentChanges` in workspace edits. */
  readonly documentChanges: boolean;
  /** The client implements pinscope's commands (the VS Code extension). */
  readonly clientCommands: boolean;
  readonly relatedInformation: boolean;
}

/** Whether an action of kind `kind` was asked for by `only` (a requested kind covers its sub-kinds). */
export function kindRequested(kind: string, only: readonly string[] | undefined): boolean {
  if (!only || only.length === 0)
    return kind === CodeActionKind.QuickFix || kind.startsWith(`${CodeActionKind.QuickFix}.`);
  return only.some((k) => k === '' || kind === k || kind.startsWith(`${k}.`));
}

function lspEdits(edits: readonly TextEdit[], lines: LineIndex): LspTextEdit[] {
  return [...edits]
    .sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end)
    .map((e) => {
      const start = lines.position(e.span.start);
      const end = lines.position(e.span.end);
      return {
        range: {
          start: { line: start.line, character: start.character },
          end: { line: end.line, character: end.character },
        },
        newText: e.newText,
      };
    });
}

function workspaceEdit(
  input: Pick<CodeActionInput, 'uri' | 'version' | 'lines' | 'documentChanges'>,
  edits: readonly TextEdit[],
): WorkspaceEdit {
  const textEdits = lspEdits(edits, input.lines);
  return input.documentChanges
    ? { documentChanges: [{ textDocument: { uri: input.uri, version: input.version }, edits: textEdits }] }
    : { changes: { [input.uri]: textEdits } };
}

function intersects(a: Range, b: Range): boolean {
  const before = (p: Range['start'], q: Range['start']): boolean =>
    p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** The fix marked `isPreferred` for a finding, if one stands out (see the top of this file). */
function preferredFix(finding: Finding): Fix | undefined {
  const safe = finding.fixes.filter((f) => f.safe);
  if (safe.length > 0) return safe.length === 1 ? safe[0] : undefined;
  return finding.fixes.length === 1 ? finding.fixes[0] : undefined;
}

function quickFix(input: CodeActionInput, finding: Finding, fix: Fix, diagnostic: Diagnostic): CodeAction {
  const action: CodeAction = {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: workspaceEdit(input, fix.edits),
  };
  if (fix === preferredFix(finding)) action.isPreferred = true;
  return action;
}

export function codeActions(input: CodeActionInput): CodeAction[] {
  const actions: CodeAction[] = [];
  const only = input.context.only;

  if (kindRequested(CodeActionKind.QuickFix, only)) {
    const pairs: { finding: Finding; diagnostic: Diagnostic }[] = [];
    for (const d of input.context.diagnostics) {
      const f = findingFor(d, input.findings);
      if (f && !pairs.some((p) => p.finding === f)) pairs.push({ finding: f, diagnostic: d });
    }
    // A client that sends no diagnostics (or ones it rebuilt without our range) still gets the
    // fixes of the findings under the cursor.
    if (input.context.diagnostics.length === 0) {
      for (const f of input.findings) {
        if (intersects(toRange(f.range), input.range)) {
          pairs.push({
            finding: f,
            diagnostic: findingDiagnostic(input.uri, f, { relatedInformation: input.relatedInformation }),
          });
        }
      }
    }
    for (const { finding, diagnostic } of pairs) {
      for (const fix of finding.fixes) actions.push(quickFix(input, finding, fix, diagnostic));
    }
    if (input.clientCommands) {
      const rules = [...new Set(pairs.map((p) => p.finding.rule))];
      for (const rule of rules) {
        actions.push({
          title: `Show documentation for ${rule}`,
          kind: CodeActionKind.QuickFix,
          command: {
            title: `Show documentation for ${rule}`,
            command: Commands.showRuleDocumentation,
            arguments: [rule],
          },
        });
      }
    }
  }

  if (only && kindRequested(FIX_ALL_KIND, only)) {
    const selection = selectSafeFixes(input.findings);
    if (selection.edits.length > 0) {
      const n = selection.applied.length;
      actions.push({
        title: `Fix ${n} pinscope finding${n === 1 ? '' : 's'} (safe fixes only)`,
        kind: FIX_ALL_KIND,
        diagnostics: [],
        edit: workspaceEdit(input, selection.edits),
      });
    }
  }
  return actions;
}
