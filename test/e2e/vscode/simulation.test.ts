/**
 * The simulation in a real extension host: Run Simulation on the function at the cursor (the
 * leaking path of the fixture), the source line following the panel's step, messages that do not
 * fit dropped and logged, Export Trace and Copy as Markdown, a function with nothing to simulate,
 * and `.pinsim` files (the language, the server's diagnostics, hover, the Run lens, a broken trace
 * opening the panel with its errors). What only the webview shows is tested in test/e2e/ui.mjs and
 * test/webview/.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { PinscopeApi } from '../../../client/api';
import type { RunResult } from '../../../client/simulation/controller';

function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const simFile = (): vscode.Uri => workspaceFile('drivers', 'misc', 'pinscope_sim.c');
const trace = (name: string): vscode.Uri => workspaceFile('traces', name);

/** Puts the cursor on the first occurrence of `needle` in the C fixture. */
async function cursorAt(needle: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(simFile());
  const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  const at = doc.positionAt(doc.getText().indexOf(needle));
  editor.selection = new vscode.Selection(at, at);
  return editor;
}

const run = (...args: unknown[]): Thenable<RunResult> =>
  vscode.commands.executeCommand<RunResult>('pinscope.runSimulation', ...args);

let api: PinscopeApi;

describe('Run Simulation', () => {
  before(async () => {
    const ext = vscode.extensions.getExtension<PinscopeApi>('pinscope.pinscope');
    assert.ok(ext, 'the extension is installed');
    api = ext.isActive ? ext.exports : await ext.activate();
    await api.ready();
  });

  it('on the function at the cursor: the leaking path opens in the panel, at its violation', async () => {
    await cursorAt('goto out');
    const result = await run(undefined, undefined, { outcome: 'leak' });
    assert.deepEqual(result.kind === 'panel' ? [result.function, result.path, result.outcome] : result, [
      'sim_map_user',
      3,
      'leak',
    ]);
    const s = api.simulation();
    assert.equal(s.open, true);
    assert.equal(s.function, 'sim_map_user');
    assert.equal(s.pathIndex, 3);
    // It opens at the leak (step 5, `return ret;` on line 50), not before the first step.
    assert.equal(s.step, 5);
    assert.deepEqual(s.highlighted, { uri: simFile().toString(), line: 50 });
  });

  it('the step the panel reports moves the highlighted line of the C editor', async () => {
    const { runId } = api.simulation();
    assert.equal(api.simulationReceive({ type: 'step', runId, step: 2 }), true);
    await until('line 32 highlighted', () => api.simulation().highlighted?.line === 32);
    assert.equal(api.simulation().highlighted?.uri, simFile().toString());
    api.simulationReceive({ type: 'step', runId, step: 5 });
    await until('line 50 highlighted', () => api.simulation().highlighted?.line === 50);
    // A step of an older run is ignored.
    api.simulationReceive({ type: 'step', runId: (runId ?? 0) - 1, step: 2 });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(api.simulation().highlighted?.line, 50);
    // The start has no line.
    api.simulationReceive({ type: 'step', runId, step: 0 });
    await until('no highlight at the start', () => api.simulation().highlighted === null);
  });

  it('a message from the panel that does not fit the protocol is dropped and logged', () => {
    const before = api.simulation().dropped;
    const { runId } = api.simulation();
    assert.equal(api.simulationReceive({ type: 'step', runId, step: 'two' }), false);
    assert.equal(api.simulationReceive({ type: 'rerun', runId, parameters: { pages: 1e9 }, path: null }), false);
    assert.equal(api.simulationReceive({ type: 'openLink', url: 'javascript:alert(1)' }), false);
    assert.equal(api.simulationReceive({ type: 'shell', command: 'rm -rf /' }), false);
    const after = api.simulation();
    assert.equal(after.dropped, before + 4);
    assert.equal(
      after.lastDropReason,
      'message.type: Invalid type: Expected ("ready" | "step" | "reveal" | "rerun" | "export" | "copyMarkdown" | "openLink") but received "shell"',
    );
    assert.equal(after.highlighted, null);
  });

  it('Copy as Markdown gives the step table; Export Trace writes the path as a .pinsim file', async () => {
    const markdown = await vscode.commands.executeCommand<string>('pinscope.copyAsMarkdown');
    assert.match(
      markdown.split('\n')[0] ?? '',
      /^\*\*sim\\_map\\_user\(\)\*\* · Linux 6\.12 · path 3 of 5 — \*\*leak\*\*$/,
    );
    assert.ok(
      markdown.includes(
        '| 2 | 32 | `pin_user_pages_fast(nr=4, flags=FOLL_WRITE\\|FOLL_LONGTERM) -> 2` | 2 | 2 / 0 | p0–1 1025 P, p2–3 1 |',
      ),
      markdown,
    );
    const target = workspaceFile('sim_map_user.path3.pinsim');
    const written = await vscode.commands.executeCommand<string>('pinscope.exportTrace', target);
    assert.equal(written, target.toString());
    const text = readFileSync(target.fsPath, 'utf8');
    assert.match(text, /^# sim_map_user\(\), path 3 of 5: /);
    assert.match(text, /\npin_user_pages_fast nr=4 flags=FOLL_WRITE\|FOLL_LONGTERM -> 2 +@32:11\n/);
    const doc = await vscode.workspace.openTextDocument(target);
    assert.equal(doc.languageId, 'pinsim');
    await until(
      'the exported trace has no errors',
      () => vscode.languages.getDiagnostics(target).length === 0 && vscode.languages.getDiagnostics(target),
    );
  });

  it('a function without catalogued calls says so instead of opening an empty panel', async () => {
    const before = api.simulation().runId;
    await cursorAt('d->npages = npages');
    const result = await run();
    assert.deepEqual(result, {
      kind: 'message',
      message: 'sim_dev_program() makes no catalogued GUP, pin or DMA call: nothing to simulate',
    });
    assert.equal(api.simulation().runId, before);
  });

  it(".pinsim files: the language, the server's diagnostics at line:column, a hover with the state, the Run lens", async () => {
    const broken = await vscode.workspace.openTextDocument(trace('broken.pinsim'));
    assert.equal(broken.languageId, 'pinsim');
    const diagnostics = await until('2 diagnostics', () => {
      const d = vscode.languages.getDiagnostics(broken.uri).filter((x) => x.source === 'pinscope');
      return d.length === 2 ? d : undefined;
    });
    assert.deepEqual(
      diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.message]),
      [
        [2, 8, 'expected a page kind: base, thp, hugetlb, zero'],
        [3, 18, 'nr: expected a non-negative integer, not "four"'],
      ],
    );
    const good = await vscode.workspace.openTextDocument(trace('put_on_pinned.pinsim'));
    const line = good
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('put_page'));
    const hovers = await until('a hover', async () => {
      const h = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        good.uri,
        new vscode.Position(line, 2),
      );
      return h.length > 0 ? h : undefined;
    });
    const text = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')))
      .join('\n');
    assert.match(text, /\*\*step 3 of 4\*\*/);
    assert.match(text, /\| p0 \| base \| 2048 \(-1\) \|/);
    const lenses = await until('the Run lens', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', good.uri);
      return l.length > 0 ? l : undefined;
    });
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.title, l.command?.command]),
      [[0, 'Run', 'pinscope.runSimulation']],
    );
  });

  it('Run on a trace with errors opens the panel with the errors listed and nothing simulated', async () => {
    const result = await run(trace('broken.pinsim').toString());
    assert.deepEqual(result.kind === 'panel' ? [result.errors, result.outcome] : result, [2, null]);
    assert.equal(api.simulation().errors, 2);
    assert.equal(api.simulation().highlighted, null);
  });

  it("Run on a good trace: stepping highlights the trace's own line", async () => {
    const doc = await vscode.workspace.openTextDocument(trace('put_on_pinned.pinsim'));
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const result = await run(doc.uri.toString());
    assert.deepEqual(result.kind === 'panel' ? [result.function, result.outcome, result.errors] : result, [
      'demo_read',
      'mismatch',
      0,
    ]);
    const { runId } = api.simulation();
    api.simulationReceive({ type: 'step', runId, step: 3 });
    await until('trace line 7 highlighted', () => api.simulation().highlighted?.line === 7);
    assert.equal(api.simulation().highlighted?.uri, doc.uri.toString());
  });
});
