// Types of lspEdits.mjs for the TypeScript that replays its edits (test/unit/incremental.test.ts).

export interface LspPosition {
  readonly line: number;
  readonly character: number;
}

export interface LspChange {
  readonly range: { readonly start: LspPosition; readonly end: LspPosition };
  readonly text: string;
}

export interface SeededEdit {
  readonly kind: 'indent' | 'newline' | 'token';
  readonly line: number;
  readonly change: LspChange;
  readonly undo: LspChange;
}

export function seededEdits(text: string, where: string, pairs: number, seed?: number): SeededEdit[] | null;
