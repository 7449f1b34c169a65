/**
 * The base protocol and the lifecycle, over raw stdio bytes (lsp-repro.py cases 1 and 2): requests
 * before initialize, after shutdown and a second initialize are refused with the codes the spec
 * gives; a body that is not JSON gets -32700, JSON that is not a message -32600; a broken header is
 * one line on stderr and the next message is read; parameters that do not fit are InvalidParams
 * (requests) or logged and ignored (notifications) — never a diagnostic without a uri.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { frame, INITIALIZE, notification, request, startRaw, type RawClient } from './raw';

let client: RawClient | undefined;
afterEach(() => {
  client?.stop();
  client = undefined;
});

function start(): RawClient {
  client = startRaw();
  return client;
}

async function initialized(): Promise<RawClient> {
  const c = start();
  c.send(INITIALIZE(1), notification('initialized'));
  await c.response(1);
  return c;
}

const SERVER_INFO = 'pinscope/serverInfo';

describe('lifecycle', () => {
  test('a request before initialize: -32002; a notification before it is dropped (and said on stderr)', async () => {
    const c = start();
    c.send(request(7, SERVER_INFO), notification('textDocument/didOpen', {}));
    expect((await c.response(7)).error).toEqual({
      code: -32002,
      message: 'pinscope/serverInfo: the server is not initialized (send initialize first)',
    });
    await c.waitFor('the drop on stderr', () => (c.stderr.includes('textDocument/didOpen before') ? true : undefined));
    c.send(INITIALIZE(8), request(9, SERVER_INFO));
    expect((await c.response(8)).result).toMatchObject({ serverInfo: { name: 'pinscope' } });
    expect((await c.response(9)).result).toMatchObject({ openDocuments: 0 });
  });

  test('a second initialize: -32600, and the server goes on', async () => {
    const c = await initialized();
    c.send(INITIALIZE(2), request(3, SERVER_INFO));
    expect((await c.response(2)).error).toEqual({
      code: -32600,
      message: 'initialize: the server is already initialized (initialize may be sent only once)',
    });
    expect((await c.response(3)).result).toMatchObject({ openDocuments: 0 });
  });

  test('after shutdown: requests get -32600; exit then ends the process with 0', async () => {
    const c = await initialized();
    c.send(request(2, 'shutdown', null));
    expect((await c.response(2)).result).toBeNull();
    c.send(request(3, SERVER_INFO));
    expect((await c.response(3)).error).toEqual({
      code: -32600,
      message: 'pinscope/serverInfo: the server is shutting down (after shutdown only exit is accepted)',
    });
    c.send(notification('exit'));
    expect(await c.exited).toBe(0);
  });
});

describe('the base protocol', () => {
  test('a body that is not JSON: -32700 with a null id, a line on stderr, and the next message is answered', async () => {
    const c = await initialized();
    c.send(frame('{"jsonrpc": "2.0", "id": 5, "method": '), request(6, SERVER_INFO));
    const error = await c.response(null);
    expect(error.error?.code).toBe(-32700);
    expect(error.error?.message).toMatch(/^Parse error: /);
    expect((await c.response(6)).result).toMatchObject({ openDocuments: 0 });
    // stderr is another pipe than the responses: its line may come after them.
    await c.waitFor('the line on stderr', () => /^pinscope lsp: answered -32700: Parse error: /m.test(c.stderr));
  });

  test.each([
    ['a little', 60],
    ['far', 1_000_000],
  ])(
    'a body shorter than its Content-Length (by %s): -32700, and the message after it is answered',
    async (_, length) => {
      const c = await initialized();
      c.send(Buffer.from(`Content-Length: ${length}\r\n\r\n{"jsonrpc":`), request(6, SERVER_INFO));
      expect((await c.response(6)).result).toMatchObject({ openDocuments: 0 });
      expect((await c.response(null)).error?.message).toBe(
        `Parse error: the body ended after 11 of its ${length} bytes (Content-Length), where the next message's header starts`,
      );
    },
  );

  test('JSON that is not a message (a number, a batch array): -32600 with a null id', async () => {
    const c = await initialized();
    c.send(frame('42'), frame('[1, 2]'), request(6, SERVER_INFO));
    expect((await c.response(6)).result).toMatchObject({ openDocuments: 0 });
    expect(c.messages.filter((m) => m.id === null).map((m) => m.error)).toEqual([
      { code: -32600, message: 'Invalid request: a JSON number' },
      { code: -32600, message: 'Invalid request: a JSON array (batches are not part of LSP)' },
    ]);
  });

  test.each([
    ['no Content-Length', Buffer.from('Content-Type: x\r\n\r\n{}'), 'no Content-Length header'],
    [
      'a Content-Length that is not a number',
      Buffer.from('Content-Length: abc\r\n\r\n{}'),
      'Content-Length is not a number: "abc"',
    ],
    ['a line that is no header', Buffer.from('hello world\r\n\r\n'), 'a header line without a name: "hello world"'],
  ])('a broken header (%s): one line on stderr, and the next message is read', async (_, bytes, why) => {
    const c = await initialized();
    c.send(bytes, request(6, SERVER_INFO));
    expect((await c.response(6)).result).toMatchObject({ openDocuments: 0 });
    // stderr is another pipe than the responses: its line may come after them (it once did, under load).
    await c.waitFor('the line on stderr', () =>
      c.stderr.includes(`pinscope lsp: bad message header (${why}); skipped`),
    );
  });
});

describe('parameters', () => {
  test('didClose of an empty textDocument (lsp-repro.py case 1): ignored and logged, no diagnostics without a uri', async () => {
    const c = await initialized();
    c.send(notification('textDocument/didClose', { textDocument: {} }), request(2, SERVER_INFO));
    await c.response(2);
    const log = await c.waitFor('the log line', () =>
      c.messages.find((m) => m.method === 'window/logMessage' && JSON.stringify(m.params).includes('didClose')),
    );
    expect((log.params as { message: string }).message).toBe(
      'didClose: invalid parameters (textDocument.uri: Invalid key: Expected "uri" but received undefined); ignored',
    );
    expect(c.messages.filter((m) => m.method === 'textDocument/publishDiagnostics')).toEqual([]);
  });

  test.each([
    [{ pages: -5 }, 'parameters.pages: Invalid value: Expected >=1 but received -5'],
    [{ pages: 'x' }, 'parameters.pages: Invalid type: Expected number but received "x"'],
    [{ pages: 2.5 }, 'parameters.pages: Invalid safe integer: Received 2.5'],
    [{ pages: 5000 }, 'parameters.pages: Invalid value: Expected <=4096 but received 5000'],
    [
      { pageKind: 'huge' },
      'parameters.pageKind: Invalid type: Expected ("base" | "thp" | "hugetlb" | "zero") but received "huge"',
    ],
  ])('pinscope/simulate with %j: InvalidParams naming the field', async (parameters, message) => {
    const c = await initialized();
    c.send(request(2, 'pinscope/simulate', { textDocument: { uri: 'file:///t/a.c' }, function: 'f', parameters }));
    expect((await c.response(2)).error).toEqual({
      code: -32602,
      message: `pinscope/simulate: invalid parameters: ${message}`,
    });
  });

  test('a hover without a position: InvalidParams', async () => {
    const c = await initialized();
    c.send(request(2, 'textDocument/hover', { textDocument: { uri: 'file:///t/a.c' } }));
    expect((await c.response(2)).error?.code).toBe(-32602);
  });
});
