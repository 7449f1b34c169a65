/**
 * The tree index in the language server (issue 12): with an index for the workspace folder's
 * tree, the server updates it in the background with work-done progress, analyses a document with
 * the other files' facts (relatedInformation in the header), and a saved header updates it.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { DidOpenTextDocumentNotification, DidSaveTextDocumentNotification } from 'vscode-languageserver-protocol';
import { ROOT, startClient, uriOf, type LspClient } from './harness';

let client: LspClient | undefined;
afterEach(async () => {
  await client?.stop();
  client = undefined;
});

test('documents are analysed with the index, and a saved header updates it', async () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'pinscope-lsp-xfile-')), 'xdrv');
  cpSync(path.join(ROOT, 'test', 'fixtures', 'xfile', 'tree'), dir, { recursive: true });
  const cache = mkdtempSync(path.join(tmpdir(), 'pinscope-lsp-cache-'));
  const env = { XDG_CACHE_HOME: cache };
  const { spawnSync } = await import('node:child_process');
  spawnSync(process.execPath, [path.join(ROOT, 'bin', 'pinscope.js'), 'index', '--kernel-version', '6.12', dir], {
    env: { ...process.env, ...env },
  });
  client = await startClient({ folder: dir, env, settings: { kernelVersion: '6.12' } });
  const c = client;
  await c.waitFor('the index update to end', () => c.logs.find((l) => l.startsWith('tree index of')));
  expect(c.progress.some((p) => p.value.kind === 'begin' && p.value.title === 'pinscope: tree index')).toBe(true);
  const main = path.join(dir, 'xdrv_main.c');
  const uri = uriOf(main);
  await c.connection.sendNotification(DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: 'c', version: 1, text: readFileSync(main, 'utf8') },
  });
  const header = uriOf(path.join(dir, 'include', 'xdrv.h'));
  const flagged = await c.waitFor('the header flag macro finding', () =>
    c
      .diagnosticsFor(uri)
      .at(-1)
      ?.diagnostics.find((d) => d.code === 'internal-foll-flag'),
  );
  expect(
    flagged.relatedInformation?.map(
      (r) => `${r.location.uri === header ? 'xdrv.h' : 'main'}:${r.location.range.start.line + 1}`,
    ),
  ).toContain('xdrv.h:5');

  // The header's release helper drops a reference now; saving it updates the index.
  const headerFile = path.join(dir, 'include', 'xdrv.h');
  writeFileSync(headerFile, readFileSync(headerFile, 'utf8').replace('\tunpin_user_page(page);', '\tput_page(page);'));
  await c.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri: header } });
  await c.waitFor(
    'a release mismatch at the header helper',
    () =>
      c
        .diagnosticsFor(uri)
        .at(-1)
        ?.diagnostics.find((d) => d.code === 'release-mismatch' && d.range.start.line === 14),
    30_000,
  );
});
