/**
 * The simulation over stdio: pinscope/simulate for the function at a position (every path, worst
 * first; one path with its .pinsim text and Markdown table), what it says when there is nothing to
 * simulate, and `.pinsim` documents — diagnostics from the server at each error's line:column, the
 * `Run` lens, a hover with the state after a step, pinscope/simulateTrace.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CodeLensRequest, HoverRequest, type MarkupContent } from 'vscode-languageserver-protocol';
import { parseTrace } from '../../core/trace/parse';
import { SimulateRequest, SimulateTraceRequest } from '../../server/protocol';
import { FIXTURES, rangeOf, readFixture, startClient, uriOf, type LspClient } from './harness';

const SIM = path.join(FIXTURES, 'sim', 'drivers', 'misc', 'pinscope_sim.c');
const TRACE = path.join(FIXTURES, 'sim', 'traces', 'put_on_pinned.pinsim');
const BROKEN = path.join(FIXTURES, 'sim', 'traces', 'broken.pinsim');
const simText = readFixture(SIM);
const sim = uriOf(SIM);
let client: LspClient;

beforeAll(async () => {
  client = await startClient({ initializationOptions: { clientCommands: true } });
  client.open(sim, simText, 1);
  client.open(uriOf(TRACE), readFixture(TRACE), 1, 'pinsim');
  client.open(uriOf(BROKEN), readFixture(BROKEN), 1, 'pinsim');
  await client.waitForDiagnostics(sim, 1);
});

afterAll(async () => {
  await client.stop();
});

describe('pinscope/simulate', () => {
  test('at a position inside sim_map_user(): its five paths, worst first, each with its outcome', async () => {
    const at = rangeOf(simText, 'goto out').start;
    const r = await client.connection.sendRequest(SimulateRequest, { textDocument: { uri: sim }, position: at });
    expect(r.function).toBe('sim_map_user');
    expect(r.report.kernelVersion).toBe('6.12');
    expect(r.paths.map((p) => [p.index, p.outcome])).toEqual([
      [3, 'leak'],
      [1, 'clean'],
      [2, 'clean'],
      [4, 'clean'],
      [5, 'clean'],
    ]);
    expect(r.paths[0]).toMatchObject({
      label: '!pages: false → pinned < 0: false → pinned != npages: true',
      steps: 5,
      violations: 1,
    });
    expect(r.paths[0]?.firstViolation).toMatch(/^returns with 2 pins still held on pages 0–1/);
    expect(r.chosen).toBeUndefined();
    expect(r.kernelVersions).toContain('6.12');
    expect(r.kernelVersions).toContain('5.4');
  });

  test('one path: the path, its .pinsim text (which parses) and its Markdown table', async () => {
    const r = await client.connection.sendRequest(SimulateRequest, {
      textDocument: { uri: sim },
      function: 'sim_map_user',
      path: 3,
    });
    const chosen = r.chosen;
    expect(chosen?.index).toBe(3);
    expect(chosen?.path.outcome).toBe('leak');
    const last = chosen?.path.steps.at(-1);
    expect(last?.line).toBe(50);
    expect(last?.violations[0]?.docsUrl).toBe(
      'https://docs.kernel.org/core-api/pin_user_pages.html#tracking-dma-pinned-pages',
    );
    expect(chosen?.path.steps[1]?.pages.map((p) => p.refcount)).toEqual([1025, 1025, 1, 1]);
    expect(parseTrace(chosen?.trace ?? '').ok).toBe(true);
    expect(chosen?.trace).toContain('pin_user_pages_fast nr=4 flags=FOLL_WRITE|FOLL_LONGTERM -> 2');
    const md = chosen?.markdown.split('\n') ?? [];
    expect(md[0]).toBe('**sim\\_map\\_user()** · Linux 6.12 · path 3 of 5 — **leak**');
    expect(md).toContain(
      '| step | line | call | result | acquired / released | pages (refcount[/pincount], P = maybe_dma_pinned) | notes |',
    );
    expect(md.find((l) => l.startsWith('| 2 |'))).toBe(
      '| 2 | 32 | `pin_user_pages_fast(nr=4, flags=FOLL_WRITE\\|FOLL_LONGTERM) -> 2` | 2 | 2 / 0 | p0–1 1025 P, p2–3 1 | |',
    );
  });

  test('the parameters: THP pages, a kernel version, an acquire that fails', async () => {
    const thp = await client.connection.sendRequest(SimulateRequest, {
      textDocument: { uri: sim },
      function: 'sim_map_user',
      path: 5,
      parameters: { pageKind: 'thp', kernelVersion: '5.10' },
    });
    expect(thp.report.kernelVersion).toBe('5.10');
    const pinned = thp.chosen?.path.steps.find((s) => s.call.startsWith('pin_user_pages_fast'));
    expect(pinned?.pages).toHaveLength(512);
    expect(pinned?.pages[0]).toMatchObject({ kind: 'thp', refcount: 513, pincount: 512, maybeDmaPinned: true });
    const fails = await client.connection.sendRequest(SimulateRequest, {
      textDocument: { uri: sim },
      function: 'sim_map_user',
      path: 2,
      parameters: { acquire: { kind: 'error' }, pages: 8 },
    });
    expect(fails.chosen?.path.initial.pages).toHaveLength(8);
  });

  test('nothing to simulate: a function without catalogued calls, a position outside any function', async () => {
    const inside = rangeOf(simText, 'd->npages = npages').start;
    const r = await client.connection.sendRequest(SimulateRequest, { textDocument: { uri: sim }, position: inside });
    expect(r.function).toBe('sim_dev_program');
    expect(r.paths).toEqual([]);
    expect(r.nothingToSimulate).toBe('sim_dev_program() makes no catalogued GUP, pin or DMA call: nothing to simulate');
    const outside = await client.connection.sendRequest(SimulateRequest, {
      textDocument: { uri: sim },
      position: { line: 0, character: 0 },
    });
    expect(outside.function).toBeNull();
    expect(outside.nothingToSimulate).toMatch(/not in a function/);
  });
});

describe('.pinsim documents', () => {
  test('diagnostics from the server: one per malformed line, at its line:column', async () => {
    const published = await client.waitForDiagnostics(uriOf(BROKEN));
    expect(
      published.diagnostics.map((d) => [
        d.range.start.line + 1,
        d.range.start.character + 1,
        d.range.end.character + 1,
        d.code,
        d.message,
      ]),
    ).toEqual([
      [3, 9, 13, 'pinsim', 'expected a page kind: base, thp, hugetlb, zero'],
      [4, 19, 23, 'pinsim', 'nr: expected a non-negative integer, not "four"'],
    ]);
    const good = await client.waitForDiagnostics(uriOf(TRACE));
    expect(good.diagnostics).toEqual([]);
  });

  test('an edit that fixes the trace clears them', async () => {
    const uri = uriOf(path.join(FIXTURES, 'sim', 'traces', 'edited.pinsim'));
    client.open(uri, 'pages 2 base\nput_page page=x\n', 1, 'pinsim');
    expect((await client.waitForDiagnostics(uri, 1)).diagnostics).toHaveLength(1);
    client.change(uri, 2, [{ text: 'pages 2 base\nput_page page=0\n' }]);
    expect((await client.waitForDiagnostics(uri, 2)).diagnostics).toEqual([]);
  });

  test('a Run lens that opens the panel (pinscope.runSimulation with the trace)', async () => {
    const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(TRACE) } });
    expect(
      lenses?.map((l) => [l.range.start.line, l.command?.title, l.command?.command, l.command?.arguments]),
    ).toEqual([[0, 'Run', 'pinscope.runSimulation', [uriOf(TRACE)]]]);
  });

  test('a hover on a step line: the state after that step', async () => {
    const text = readFixture(TRACE);
    const at = rangeOf(text, 'put_page page=0').start;
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: uriOf(TRACE) },
      position: { line: at.line, character: 2 },
    });
    const value = (hover?.contents as MarkupContent).value;
    expect(value.split('\n')[0]).toBe('**step 3 of 4** · `put_page(page=0)` · source line 39');
    expect(value).toContain('| p0 | base | 2048 (-1) | — | yes | 1 pin, 0 refs |');
    expect(value).toContain('nr_foll_pin_acquired **2** · nr_foll_pin_released **0** · outstanding **2**');
    expect(value).toContain('it stays 1023 references high (refcount 2048)');
    // Not on a setup line or a comment.
    expect(
      await client.connection.sendRequest(HoverRequest.type, {
        textDocument: { uri: uriOf(TRACE) },
        position: { line: 3, character: 2 },
      }),
    ).toBeNull();
    expect(
      await client.connection.sendRequest(HoverRequest.type, {
        textDocument: { uri: uriOf(TRACE) },
        position: { line: 0, character: 2 },
      }),
    ).toBeNull();
  });

  test("pinscope/simulateTrace: the report and each step's line; a malformed trace gives its errors and nothing else", async () => {
    const r = await client.connection.sendRequest(SimulateTraceRequest, { textDocument: { uri: uriOf(TRACE) } });
    if (!r.ok) throw new Error('the fixture trace did not simulate');
    expect(r.traceLines).toEqual([5, 6, 7, 8]);
    expect(r.report.function).toBe('demo_read');
    expect(r.report.paths[0]?.steps.map((s) => s.pages[0]?.refcount)).toEqual([1025, 2049, 2048, 2048]);
    const older = await client.connection.sendRequest(SimulateTraceRequest, {
      textDocument: { uri: uriOf(TRACE) },
      parameters: { kernelVersion: '5.6' },
    });
    // 5.6: FOLL_PIN exists but pins still count 1, like FOLL_GET.
    expect(older.ok && older.report.kernelVersion).toBe('5.6');
    expect(older.ok && older.report.paths[0]?.steps.map((s) => s.pages[0]?.refcount)).toEqual([2, 3, 2, 2]);
    const broken = await client.connection.sendRequest(SimulateTraceRequest, { textDocument: { uri: uriOf(BROKEN) } });
    expect(broken).toMatchObject({ ok: false, kernelVersion: '6.12' });
    expect(broken.ok ? [] : broken.errors.map((e) => `${e.line}:${e.column}`)).toEqual(['3:9', '4:19']);
  });

  test('a trace is not analysed as C: no C diagnostics, no code actions, no C lenses', async () => {
    const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: uriOf(BROKEN) } });
    expect(lenses?.map((l) => l.command?.title)).toEqual(['Run']);
    expect(client.statuses.filter((s) => s.uri.endsWith('.pinsim'))).toEqual([]);
  });
});
