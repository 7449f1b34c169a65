/**
 * pinscope/lintWorkspace over stdio: diagnostics for files that are not open, work-done progress
 * (server-created and client-given tokens), exclusion, cancellation; and `pinscope lsp --stdio`
 * serving the same protocol from the CLI.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CancellationTokenSource } from 'vscode-languageserver-protocol';
import { LintWorkspaceRequest } from '../../server/protocol';
import {
  DEMO,
  onlyRules,
  readFixture,
  ROOT,
  RULES_UNDER_TEST,
  startClient,
  uriOf,
  WS,
  type LspClient,
} from './harness';

let client: LspClient | undefined;
let big: string;

beforeAll(() => {
  // A tree big enough for the worker pool and for a cancellation to land mid-run.
  big = mkdtempSync(path.join(os.tmpdir(), 'pinscope-ws-'));
  writeFileSync(path.join(big, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\n');
  for (let d = 0; d < 20; d++) {
    const dir = path.join(big, 'drivers', `d${d}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 30; f++) copyFileSync(DEMO, path.join(dir, `f${f}.c`));
    writeFileSync(path.join(dir, 'plain.c'), 'int main(void) { return 0; }\n');
  }
});

afterAll(() => rmSync(big, { recursive: true, force: true }));

afterEach(async () => {
  await client?.stop();
  client = undefined;
});

describe('pinscope/lintWorkspace', () => {
  test('lints the workspace folder, publishes for files not open, reports server-created progress', async () => {
    client = await startClient({ settings: { rules: onlyRules(RULES_UNDER_TEST) } });
    const result = await client.connection.sendRequest(LintWorkspaceRequest, {});
    expect(result).toMatchObject({
      files: 1,
      parsed: 1,
      prefiltered: 0,
      findings: 4,
      filesWithFindings: 1,
      partial: 0,
      cancelled: false,
      kernelVersions: ['6.12'],
    });
    const published = client.lastDiagnostics(uriOf(DEMO));
    expect(published?.diagnostics.map((d) => d.code)).toEqual([
      'longterm-get',
      'release-mismatch',
      'api-version',
      'internal-foll-flag',
    ]);
    expect(client.createdProgress).toHaveLength(1);
    const kinds = client.progress.filter((p) => p.token === client?.createdProgress[0]).map((p) => p.value.kind);
    expect(kinds[0]).toBe('begin');
    expect(kinds[kinds.length - 1]).toBe('end');
  });

  test('a client-given workDoneToken, exclude globs, kernel version of the folder', async () => {
    client = await startClient({
      folder: big,
      settings: { rules: onlyRules(RULES_UNDER_TEST), exclude: ['drivers/d1*/**'] },
    });
    const result = await client.connection.sendRequest(LintWorkspaceRequest, { workDoneToken: 'tok-1' });
    // d1 and d10–d19 are excluded: 9 folders of 31 files are left; on 6.1 there is no api-version finding.
    expect(result).toMatchObject({
      files: 9 * 31,
      parsed: 9 * 30,
      prefiltered: 9,
      findings: 9 * 30 * 3,
      filesWithFindings: 9 * 30,
      cancelled: false,
      kernelVersions: ['6.1'],
    });
    const events = client.progress.filter((p) => p.token === 'tok-1');
    expect(events[0]?.value).toMatchObject({
      kind: 'begin',
      title: 'pinscope: linting the workspace',
      cancellable: true,
    });
    expect(events.filter((e) => e.value.kind === 'report').length).toBeGreaterThan(0);
    expect(events[events.length - 1]?.value.kind).toBe('end');
    expect(client.createdProgress).toEqual([]);
  });

  test('cancelling the request stops the run', async () => {
    client = await startClient({ folder: big });
    const source = new CancellationTokenSource();
    const c = client;
    const pending = c.connection.sendRequest(LintWorkspaceRequest, { workDoneToken: 'tok-2' }, source.token);
    await c.waitFor('first progress report', () =>
      c.progress.find((p) => p.token === 'tok-2' && p.value.kind === 'report'),
    );
    source.cancel();
    const outcome = await pending.then(
      (r) => ({ result: r }),
      (e: unknown) => ({ error: e as { code?: number } }),
    );
    expect('error' in outcome ? outcome.error.code : outcome.result.cancelled).toBe('error' in outcome ? -32800 : true);
    await c.waitFor('progress end', () => c.progress.find((p) => p.token === 'tok-2' && p.value.kind === 'end'));
    // Not every file was published.
    const published = new Set(c.published.map((p) => p.uri));
    expect(published.size).toBeLessThan(20 * 30);
  });

  test("cancelling the progress (the notification's cancel button) stops the run too", async () => {
    client = await startClient({ folder: big });
    const c = client;
    const pending = c.connection.sendRequest(LintWorkspaceRequest, {});
    const token = await c.waitFor('created progress', () => c.createdProgress[0]);
    await c.waitFor('first progress report', () =>
      c.progress.find((p) => p.token === token && p.value.kind === 'report'),
    );
    await c.connection.sendNotification('window/workDoneProgress/cancel', { token });
    const result = await pending;
    expect(result.cancelled).toBe(true);
    expect(result.files).toBe(20 * 31);
  });
});

describe('pinscope lsp --stdio', () => {
  test('the CLI serves the same diagnostics and code actions', async () => {
    client = await startClient({
      command: [process.execPath, path.join(ROOT, 'bin', 'pinscope.js'), 'lsp', '--stdio'],
      settings: { rules: onlyRules(RULES_UNDER_TEST) },
    });
    expect(client.initializeResult.serverInfo?.name).toBe('pinscope');
    const uri = uriOf(path.join(WS, 'drivers', 'misc', 'pinscope_demo.c'));
    client.open(uri, readFixture(DEMO));
    const published = await client.waitForDiagnostics(uri);
    expect(published.diagnostics.map((d) => d.code)).toEqual([
      'longterm-get',
      'release-mismatch',
      'api-version',
      'internal-foll-flag',
    ]);
  });

  test('a file that kills a lint worker, and a file over 1 MB, in a folder of 30: the run goes on, each gets its result', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'pinscope-ws-bad-'));
    try {
      for (let f = 0; f < 30; f++) copyFileSync(DEMO, path.join(folder, `f${f}.c`));
      const pinned = 'void f(void){pin_user_pages_fast(0,1,0,0);}\n';
      writeFileSync(path.join(folder, 'dies.c'), `/* pinscope-test-hook: exit */\n${pinned}`);
      let dense = pinned;
      for (let i = 0; dense.length < 1.1 * 1024 * 1024; i++) dense += `int a${i};\n`;
      writeFileSync(path.join(folder, 'dense.c'), dense);
      client = await startClient({ settings: { rules: onlyRules(RULES_UNDER_TEST) } });
      const result = await client.connection.sendRequest(LintWorkspaceRequest, { paths: [folder] });
      expect(result).toMatchObject({ files: 32, parsed: 31, findings: 120, filesWithFindings: 30, partial: 1 });
      expect(client.lastDiagnostics(uriOf(path.join(folder, 'dies.c')))?.diagnostics.map((d) => d.message)).toEqual([
        'pinscope did not analyse this file: internal error: the lint worker died while analysing this file (it exited); please report it',
      ]);
      // Parsed (31 = 30 + dense.c), and clean: nothing to publish for it.
      expect(client.lastDiagnostics(uriOf(path.join(folder, 'dense.c')))).toBeUndefined();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
