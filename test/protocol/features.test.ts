/**
 * Hover, code lens and the simulate request over stdio, for the fixture's kernel (6.12, from the
 * workspace's Makefile: kernelVersion "auto").
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CodeLensRequest, HoverRequest, type Hover, type MarkupContent } from 'vscode-languageserver-protocol';
import { ServerInfoRequest, SimulateRequest } from '../../server/protocol';
import { DEMO, rangeOf, readFixture, startClient, uriOf, type LspClient } from './harness';

const text = readFixture(DEMO);
const uri = uriOf(DEMO);
/** Asymmetric matchers, typed as what they stand for (vitest types them as any). */
const SIMULATE_TITLE: unknown = expect.stringMatching(/^Simulate \(\d+\+? paths?\)$/);
const ANY_STRING: unknown = expect.any(String);

let client: LspClient;

beforeAll(async () => {
  client = await startClient();
  client.open(uri, text, 1);
  await client.waitForDiagnostics(uri, 1);
});

afterAll(async () => {
  await client.stop();
});

async function hoverOn(needle: string, nth = 0): Promise<Hover | null> {
  const range = rangeOf(text, needle, nth);
  return client.connection.sendRequest(HoverRequest.type, {
    textDocument: { uri },
    position: { line: range.start.line, character: range.start.character + 2 },
  });
}

describe('hover', () => {
  test('a get_user_pages_fast() call inside its gup-for-dma finding: the brief hover (the line, the 6.12 signature, the release)', async () => {
    const hover = await hoverOn('get_user_pages_fast(uaddr');
    expect(hover?.range).toEqual(rangeOf(text, 'get_user_pages_fast', 1));
    expect((hover?.contents as MarkupContent).kind).toBe('markdown');
    // The editor shows the finding above the hover: the full reference (core/hover.ts) is for names
    // outside findings (test/server/hover.test.ts).
    expect((hover?.contents as MarkupContent).value.split('\n\n')).toEqual([
      '**get_user_pages_fast()** · takes a FOLL_GET reference · all versions · EXPORT_SYMBOL_GPL',
      '```c\nint get_user_pages_fast(unsigned long start, int nr_pages, unsigned int gup_flags, struct page **pages)\n```',
      '**Release with** `put_page()`, `folio_put()`, `release_pages()` — never `unpin_user_page()`, `unpin_user_pages()`, `unpin_user_pages_dirty_lock()`.',
    ]);
  });

  test('FOLL_LONGTERM in a call', async () => {
    const hover = await hoverOn('FOLL_LONGTERM', 1);
    expect((hover?.contents as MarkupContent).value.split('\n\n')[0]).toBe(
      '**FOLL_LONGTERM** · since v5.2 · allowed on the fast path',
    );
  });

  test('nothing on a name the catalog does not know, or in a comment', async () => {
    expect(await hoverOn('mmap_read_lock')).toBeNull();
    expect(await hoverOn('get_user_pages_fast()')).toBeNull(); // in the /* … */ comment above
  });
});

describe('code lens and simulate', () => {
  test('a Simulate lens on every function with an acquire, on its name', async () => {
    const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
    expect(
      lenses?.map((l) => ({
        range: l.range,
        title: l.command?.title,
        command: l.command?.command,
        args: l.command?.arguments,
      })),
    ).toEqual(
      ['demo_register', 'demo_read', 'demo_pin_locked'].map((name) => ({
        range: rangeOf(text, name),
        title: SIMULATE_TITLE,
        command: 'pinscope.runSimulation',
        args: [uri, name],
      })),
    );
  });

  test('pinscope/simulate answers with a report and its step table', async () => {
    const result = await client.connection.sendRequest(SimulateRequest, {
      textDocument: { uri },
      function: 'demo_read',
    });
    expect(result.report.function).toBe('demo_read');
    expect(result.report.kernelVersion).toBe('6.12');
    expect(result.text.split('\n')[0]).toMatch(/^demo_read/);
  });

  test('pinscope/serverInfo', async () => {
    const info = await client.connection.sendRequest(ServerInfoRequest, {});
    expect(info).toMatchObject({
      version: ANY_STRING,
      openDocuments: 1,
      workerRestarts: 0,
    });
    expect(info.pid).toBe(client.process.pid);
  });
});
