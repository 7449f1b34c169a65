/**
 * Code actions over stdio: the quick fixes of each diagnostic with exact titles and isPreferred, the
 * get→pin conversion as one versioned WorkspaceEdit whose result equals the expected file, and
 * source.fixAll.pinscope with the safe fixes only.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CodeActionRequest, type CodeAction, type Diagnostic } from 'vscode-languageserver-protocol';
import {
  applyTextEdits,
  DEMO,
  editsFor,
  FIXTURES,
  FULL_CAPABILITIES,
  onlyRules,
  readFixture,
  RULES_UNDER_TEST,
  startClient,
  uriOf,
  type LspClient,
} from './harness';

const text = readFixture(DEMO);
const uri = uriOf(DEMO);
const expectedConversion = readFixture(path.join(FIXTURES, 'expected', 'pinscope_demo.get-to-pin.c'));
const expectedFixAll = readFixture(path.join(FIXTURES, 'expected', 'pinscope_demo.fix-all.c'));

let client: LspClient;
let diagnostics: Diagnostic[];

beforeAll(async () => {
  client = await startClient({
    settings: { rules: onlyRules(RULES_UNDER_TEST) },
    initializationOptions: { clientCommands: true },
  });
  client.open(uri, text, 1);
  diagnostics = (await client.waitForDiagnostics(uri, 1)).diagnostics;
});

afterAll(async () => {
  await client.stop();
});

async function actionsFor(d: Diagnostic, only?: string[]): Promise<CodeAction[]> {
  const result = await client.connection.sendRequest(CodeActionRequest.type, {
    textDocument: { uri },
    range: d.range,
    context: { diagnostics: [d], ...(only ? { only } : {}) },
  });
  return (result ?? []).filter(
    (a): a is CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'),
  );
}

const byCode = (code: string): Diagnostic => {
  const d = diagnostics.find((x) => x.code === code);
  if (!d) throw new Error(`no ${code} diagnostic`);
  return d;
};

describe('quick fixes', () => {
  test('longterm-get: the get→pin conversion, preferred (its only fix) though not safe, one versioned edit', async () => {
    const actions = await actionsFor(byCode('longterm-get'));
    expect(actions.map((a) => [a.title, a.kind, a.isPreferred ?? false])).toEqual([
      ['Convert get_user_pages_fast() to pin_user_pages_fast() and unpin the pages at 1 release', 'quickfix', true],
      ['Show documentation for longterm-get', 'quickfix', false],
    ]);
    const conversion = actions[0] as CodeAction;
    expect(conversion.diagnostics).toEqual([byCode('longterm-get')]);
    // One WorkspaceEdit, tied to the document version it was computed for.
    expect(conversion.edit?.documentChanges).toHaveLength(1);
    expect(conversion.edit?.documentChanges?.[0]).toMatchObject({ textDocument: { uri, version: 1 } });
    expect(editsFor(conversion.edit, uri)).toHaveLength(3); // the call, the release loop, the unused `i`
    expect(applyTextEdits(text, editsFor(conversion.edit, uri))).toBe(expectedConversion);
    const doc = actions[1] as CodeAction;
    expect(doc.command).toEqual({
      title: 'Show documentation for longterm-get',
      command: 'pinscope.showRuleDocumentation',
      arguments: ['longterm-get'],
    });
  });

  test('release-mismatch and api-version: one safe fix each, exact edits', async () => {
    const mismatch = await actionsFor(byCode('release-mismatch'), ['quickfix']);
    expect(mismatch.filter((a) => a.edit).map((a) => [a.title, a.isPreferred ?? false])).toEqual([
      ['Release with unpin_user_pages()', true],
    ]);
    const fixed = applyTextEdits(text, editsFor(mismatch[0]?.edit, uri));
    expect(fixed.slice(fixed.indexOf('static void demo_read'), fixed.indexOf('/* internal-foll-flag'))).toBe(
      'static void demo_read(struct page **pages, unsigned long uaddr, int n)\n{\n\tint got;\n\n\tgot = pin_user_pages_fast(uaddr, n, 0, pages);\n' +
        '\tif (got <= 0)\n\t\treturn;\n\tunpin_user_pages(pages, got);\n}\n\n',
    );
    const api = await actionsFor(byCode('api-version'), ['quickfix']);
    expect(api.filter((a) => a.edit).map((a) => [a.title, a.isPreferred ?? false])).toEqual([
      ['Remove the `vmas` argument (NULL)', true],
    ]);
    const [edit] = editsFor(api[0]?.edit, uri);
    expect(edit?.newText).toBe('');
    expect(
      text.split('\n')[edit?.range.start.line ?? 0]?.slice(edit?.range.start.character, edit?.range.end.character),
    ).toBe(', NULL');
  });

  test('a client without documentChanges gets `changes`; without clientCommands no command actions', async () => {
    const plain = await startClient({
      settings: { rules: onlyRules(RULES_UNDER_TEST) },
      capabilities: { ...FULL_CAPABILITIES, workspace: { configuration: true } },
    });
    try {
      plain.open(uri, text, 1);
      const d = (await plain.waitForDiagnostics(uri)).diagnostics.find((x) => x.code === 'longterm-get') as Diagnostic;
      const result = (await plain.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri },
        range: d.range,
        context: { diagnostics: [d] },
      })) as CodeAction[];
      expect(result.map((a) => a.title)).toEqual([
        'Convert get_user_pages_fast() to pin_user_pages_fast() and unpin the pages at 1 release',
      ]);
      expect(result[0]?.edit?.documentChanges).toBeUndefined();
      expect(applyTextEdits(text, result[0]?.edit?.changes?.[uri] ?? [])).toBe(expectedConversion);
    } finally {
      await plain.stop();
    }
  });

  test('no diagnostics in the context (a minimal client): the fixes of the findings in the range', async () => {
    const d = byCode('longterm-get');
    const result = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [] },
    })) as CodeAction[];
    expect(result.filter((a) => a.edit).map((a) => a.title)).toEqual([
      'Convert get_user_pages_fast() to pin_user_pages_fast() and unpin the pages at 1 release',
    ]);
  });
});

describe('source.fixAll.pinscope', () => {
  test('applies every safe fix, and the result is what the file should be', async () => {
    const result = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.pinscope'] },
    })) as CodeAction[];
    expect(result.map((a) => [a.title, a.kind])).toEqual([
      ['Fix 3 pinscope findings (safe fixes only)', 'source.fixAll.pinscope'],
    ]);
    const fixed = applyTextEdits(text, editsFor(result[0]?.edit, uri));
    expect(fixed).toBe(expectedFixAll);

    // The client applies it (a full-text change, as after a save with codeActionsOnSave): only
    // longterm-get is left, whose get→pin conversion is offered, never applied unasked.
    client.change(uri, 2, [{ text: fixed }]);
    const after = await client.waitForDiagnostics(uri, 2);
    expect(after.diagnostics.map((d) => d.code)).toEqual(['longterm-get']);
    // Asking again at version 2 offers nothing.
    const again = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    expect(again).toEqual([]);
  });

  test('not offered to a request for quick fixes only', async () => {
    client.change(uri, 3, [{ text }]);
    await client.waitForDiagnostics(uri, 3);
    const result = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['quickfix'] },
    })) as CodeAction[];
    expect(result.filter((a) => a.kind === 'source.fixAll.pinscope')).toEqual([]);
  });
});
