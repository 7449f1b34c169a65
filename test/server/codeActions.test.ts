/**
 * server/codeActions.ts as a pure function: which fixes are preferred, how diagnostics map back to
 * findings, the WorkspaceEdit forms, and which kinds a request's `only` lets through.
 */
import { describe, expect, test } from 'vitest';
import type { CodeAction } from 'vscode-languageserver-protocol';
import type { Finding, Fix } from '../../core/findings';
import { LineIndex } from '../../core/text/lineIndex';
import { codeActions, kindRequested, type CodeActionInput } from '../../server/codeActions';
import { findingDiagnostic } from '../../server/diagnostics';

const text = 'int a = FOLL_PIN;\nint b = FOLL_GET;\n';
const lines = new LineIndex(text);
const uri = 'file:///x.c';

function finding(rule: Finding['rule'], start: number, end: number, fixes: Fix[]): Finding {
  return {
    rule,
    severity: 'error',
    message: `${rule} here`,
    span: { start, end },
    range: lines.range({ start, end }),
    related: [],
    docsUrl: 'https://docs.example/x',
    fixes,
  };
}
const fix = (title: string, safe: boolean, start: number, end: number, newText: string): Fix => ({
  title,
  safe,
  edits: [{ span: { start, end }, newText }],
});

const twoSafe = finding('internal-foll-flag', 8, 16, [
  fix('Remove FOLL_PIN', true, 8, 16, '0'),
  fix('Convert to pin', true, 0, 3, 'long'),
]);
const oneSafe = finding('internal-foll-flag', 26, 34, [
  fix('Convert (manual)', false, 18, 21, 'long'),
  fix('Remove FOLL_GET', true, 26, 34, '0'),
]);

function input(over: Partial<CodeActionInput>): CodeActionInput {
  return {
    uri,
    version: 3,
    findings: [twoSafe, oneSafe],
    lines,
    range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } },
    context: { diagnostics: [] },
    documentChanges: true,
    clientCommands: false,
    relatedInformation: false,
    ...over,
  };
}
const summary = (actions: CodeAction[]): [string, string | undefined, boolean][] =>
  actions.map((a) => [a.title, a.kind, a.isPreferred ?? false]);

describe('codeActions', () => {
  test('isPreferred on the single safe fix of a finding, not on the unsafe one beside it, nor on one of two safe', () => {
    const diagnostics = [
      findingDiagnostic(uri, twoSafe, { relatedInformation: false }),
      findingDiagnostic(uri, oneSafe, { relatedInformation: false }),
    ];
    expect(summary(codeActions(input({ context: { diagnostics } })))).toEqual([
      ['Remove FOLL_PIN', 'quickfix', false],
      ['Convert to pin', 'quickfix', false],
      ['Convert (manual)', 'quickfix', false],
      ['Remove FOLL_GET', 'quickfix', true],
    ]);
  });

  test('a finding with no safe fix: its only fix is preferred (never applied unasked); of two, neither', () => {
    const onlyOffered = finding('longterm-get', 8, 16, [fix('Convert to pin', false, 0, 3, 'long')]);
    const twoOffered = finding('missing-foll-write', 26, 34, [
      fix('Add FOLL_WRITE', false, 26, 34, 'FOLL_GET | FOLL_WRITE'),
      fix('Convert to pin', false, 18, 21, 'long'),
    ]);
    const diagnostics = [onlyOffered, twoOffered].map((f) => findingDiagnostic(uri, f, { relatedInformation: false }));
    const actions = codeActions(input({ findings: [onlyOffered, twoOffered], context: { diagnostics } }));
    expect(summary(actions)).toEqual([
      ['Convert to pin', 'quickfix', true],
      ['Add FOLL_WRITE', 'quickfix', false],
      ['Convert to pin', 'quickfix', false],
    ]);
    // Fix-all takes safe fixes only: none here.
    expect(
      codeActions(
        input({ findings: [onlyOffered, twoOffered], context: { diagnostics: [], only: ['source.fixAll'] } }),
      ),
    ).toEqual([]);
  });

  test("each action is tied to the client's diagnostic; a diagnostic from another source gets nothing", () => {
    const mine = findingDiagnostic(uri, oneSafe, { relatedInformation: false });
    const theirs = { ...mine, source: 'clangd' };
    const actions = codeActions(input({ context: { diagnostics: [mine, theirs] } }));
    expect(actions.map((a) => a.diagnostics)).toEqual([[mine], [mine]]);
  });

  test('a diagnostic whose range the client moved is found again through its data', () => {
    const d = findingDiagnostic(uri, oneSafe, { relatedInformation: false });
    const moved = { ...d, range: { start: { line: 5, character: 0 }, end: { line: 5, character: 3 } } };
    expect(codeActions(input({ context: { diagnostics: [moved] } })).map((a) => a.title)).toEqual([
      'Convert (manual)',
      'Remove FOLL_GET',
    ]);
  });

  test('versioned documentChanges, or plain changes, with exact ranges and text', () => {
    const d = findingDiagnostic(uri, oneSafe, { relatedInformation: false });
    const [, remove] = codeActions(input({ context: { diagnostics: [d] } }));
    expect(remove?.edit).toEqual({
      documentChanges: [
        {
          textDocument: { uri, version: 3 },
          edits: [{ range: { start: { line: 1, character: 8 }, end: { line: 1, character: 16 } }, newText: '0' }],
        },
      ],
    });
    const [, plain] = codeActions(input({ context: { diagnostics: [d] }, documentChanges: false }));
    expect(plain?.edit).toEqual({
      changes: {
        [uri]: [{ range: { start: { line: 1, character: 8 }, end: { line: 1, character: 16 } }, newText: '0' }],
      },
    });
  });

  test('source.fixAll.pinscope: the first safe fix of each finding, when asked for', () => {
    const all = codeActions(input({ context: { diagnostics: [], only: ['source.fixAll'] } }));
    expect(summary(all)).toEqual([['Fix 2 pinscope findings (safe fixes only)', 'source.fixAll.pinscope', false]]);
    expect(all[0]?.edit?.documentChanges?.[0]).toMatchObject({
      edits: [
        { range: { start: { line: 0, character: 8 }, end: { line: 0, character: 16 } }, newText: '0' },
        { range: { start: { line: 1, character: 8 }, end: { line: 1, character: 16 } }, newText: '0' },
      ],
    });
    expect(codeActions(input({ context: { diagnostics: [] } })).some((a) => a.kind === 'source.fixAll.pinscope')).toBe(
      false,
    );
  });

  test('kindRequested', () => {
    expect(kindRequested('quickfix', undefined)).toBe(true);
    expect(kindRequested('source.fixAll.pinscope', undefined)).toBe(false);
    expect(kindRequested('source.fixAll.pinscope', ['source'])).toBe(true);
    expect(kindRequested('source.fixAll.pinscope', ['source.fixAll.pinscope'])).toBe(true);
    expect(kindRequested('source.fixAll.pinscope', ['source.organizeImports'])).toBe(false);
    expect(kindRequested('quickfix', ['refactor'])).toBe(false);
  });
});
