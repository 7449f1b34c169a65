/**
 * The source line of the panel's current step, in the editor: a whole-line decoration with
 * "◂ pinscope step N/M" after it (and the step's first violation), in every visible editor of the
 * document — the C file for a function, the `.pinsim` file for a trace.
 */
import * as vscode from 'vscode';
import type { PanelModel } from '../../shared/panel';

export interface HighlightedLine {
  readonly uri: string;
  /** 1-based. */
  readonly line: number;
}

/** 1-based line of a step in its document: the C line for a function, the trace line for a trace. */
export function lineOf(model: PanelModel, step: number): HighlightedLine | null {
  const s = step >= 1 ? model.path?.steps[step - 1] : undefined;
  if (!s) return null;
  const line = model.source.kind === 'trace' ? (model.traceLines?.[step - 1] ?? null) : s.line;
  return line !== null && line >= 1 ? { uri: model.source.uri, line } : null;
}

export class StepHighlight implements vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    isWholeLine: true,
    backgroundColor: new vscode.ThemeColor('editor.stackFrameHighlightBackground'),
    borderColor: new vscode.ThemeColor('contrastActiveBorder'),
    borderStyle: 'dotted',
    borderWidth: '0 0 1px 0',
    overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.infoForeground'),
    overviewRulerLane: vscode.OverviewRulerLane.Full,
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
  });
  private readonly subscription = vscode.window.onDidChangeVisibleTextEditors(() => this.apply(false));
  private model: PanelModel | null = null;
  private at: (HighlightedLine & { readonly step: number }) | null = null;

  /** The line highlighted now, if any. */
  get line(): HighlightedLine | null {
    return this.at ? { uri: this.at.uri, line: this.at.line } : null;
  }

  /** Highlights `step` of `model` (null: nothing); `reveal` scrolls the editor to it. */
  show(model: PanelModel | null, step: number, reveal: boolean): void {
    this.model = model;
    const at = model ? lineOf(model, step) : null;
    this.at = at ? { ...at, step } : null;
    this.apply(reveal);
  }

  private apply(reveal: boolean): void {
    const at = this.at;
    const path = this.model?.path;
    for (const editor of vscode.window.visibleTextEditors) {
      if (!at || !path || editor.document.uri.toString() !== at.uri || at.line > editor.document.lineCount) {
        editor.setDecorations(this.decoration, []);
        continue;
      }
      const range = new vscode.Range(at.line - 1, 0, at.line - 1, 0);
      const kind = path.steps[at.step - 1]?.violations[0]?.kind;
      editor.setDecorations(this.decoration, [
        {
          range,
          hoverMessage: new vscode.MarkdownString(`pinscope simulation: step ${at.step} of ${path.steps.length}`),
          renderOptions: {
            after: { contentText: `◂ pinscope step ${at.step}/${path.steps.length}${kind ? ` · ${kind}` : ''}` },
          },
        },
      ]);
      if (reveal) editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.decoration.dispose();
  }
}
