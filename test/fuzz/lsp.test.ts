/**
 * Fuzzing the language server over stdio (issue 10): the built server (dist/server/server.js) gets
 * a seeded stream of what a broken or hostile client sends — malformed frames and bodies, JSON
 * that is no message, requests with parameters of the wrong shape, edits with ranges past the end,
 * negative, huge or fractional, random edit sequences on C and `.pinsim` documents, and requests at
 * random positions — mixed with ordinary traffic.
 *
 * Asserted throughout: the server stays alive and answers (a pinscope/serverInfo round trip every
 * few steps, and at the end every well-formed request got its answer); every publishDiagnostics
 * carries a uri and ranges of non-negative integers, start before end; and for a document whose
 * text the test knows at that version (it re-sends the full text after each out-of-range edit),
 * every range lies inside that text. stderr never shows a native abort.
 *
 * Fixed seed. `npm test` runs a short round; `PINSCOPE_FUZZ_ITERATIONS=3000 npm run fuzz` a long one
 * (`PINSCOPE_FUZZ_SEED` picks another seed). The counts are printed at the end.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { afterAll, describe, expect, it } from 'vitest';
import { mulberry32 as generator } from '../../scripts/triage-lib.mjs';
import { frame, notification, request, startRaw, type RawClient, type RawMessage } from '../protocol/raw';

const ROOT = path.join(__dirname, '..', '..');
const ITERATIONS = Number(process.env.PINSCOPE_FUZZ_ITERATIONS ?? 150);
const SEED = Number(process.env.PINSCOPE_FUZZ_SEED ?? 0x15e7);
const TIMEOUT = Math.max(120_000, ITERATIONS * 300);
/** A serverInfo round trip every this many steps. */
const PING_EVERY = 20;

const random = generator(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const int = (n: number): number => Math.floor(random() * n);

const corpus = readdirSync(path.join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.c'))
  .sort()
  .map((f) => readFileSync(path.join(ROOT, 'examples', f), 'utf8'));
const TRACE = 'kernel 6.12\npages 4 base\npin_user_pages_fast(0x1000, 4, FOLL_WRITE) = 4\nunpin_user_pages(4)\n';
const SNIPPETS = [
  '',
  ' ',
  '\n',
  '\r\n',
  '{',
  '}',
  '(',
  ');',
  '/*',
  '*/',
  '"',
  'pin_user_pages_fast(',
  'goto out;',
  '\u00a0',
  '\u2028',
  '\t',
  'x',
];

/** The documents the fuzzer edits: their text as the test knows it (null: unknown until re-sent). */
interface Doc {
  readonly uri: string;
  readonly languageId: string;
  version: number;
  text: string | null;
  open: boolean;
  /** The text at each version sent (the last few), for checking published ranges. */
  readonly history: Map<number, string>;
}

const docs: Doc[] = [
  { uri: 'file:///fuzz/a.c', languageId: 'c', version: 0, text: null, open: false, history: new Map() },
  { uri: 'file:///fuzz/b.c', languageId: 'c', version: 0, text: null, open: false, history: new Map() },
  { uri: 'file:///fuzz/t.pinsim', languageId: 'pinsim', version: 0, text: null, open: false, history: new Map() },
];

const counts = {
  steps: 0,
  malformed: 0,
  badParams: 0,
  opens: 0,
  edits: 0,
  outOfRange: 0,
  closes: 0,
  requests: 0,
  diagnostics: 0,
  rangesChecked: 0,
};

let client: RawClient;
let nextId = 100;
/** Well-formed requests sent; each must be answered. */
const pending = new Set<number>();
const problems: string[] = [];

function send(bytes: Buffer): void {
  client.send(bytes);
}

function sendRequest(method: string, params: unknown): number {
  const id = nextId++;
  pending.add(id);
  counts.requests++;
  send(request(id, method, params));
  return id;
}

function remember(doc: Doc, text: string | null): void {
  doc.text = text;
  if (text !== null) doc.history.set(doc.version, text);
  for (const v of doc.history.keys()) if (v < doc.version - 8) doc.history.delete(v);
}

function openDoc(doc: Doc): void {
  const text = doc.languageId === 'pinsim' ? TRACE : pick(corpus);
  doc.version++;
  doc.open = true;
  remember(doc, text);
  counts.opens++;
  send(
    notification('textDocument/didOpen', {
      textDocument: { uri: doc.uri, languageId: doc.languageId, version: doc.version, text },
    }),
  );
}

/** An edit inside the text (the model follows it) or a range out of it (the model forgets). */
function editDoc(doc: Doc): void {
  if (doc.text === null) {
    // Re-send the full text, so that the next versions can be checked again.
    doc.version++;
    const text = doc.languageId === 'pinsim' ? TRACE : pick(corpus);
    remember(doc, text);
    send(
      notification('textDocument/didChange', {
        textDocument: { uri: doc.uri, version: doc.version },
        contentChanges: [{ text }],
      }),
    );
    return;
  }
  doc.version++;
  counts.edits++;
  const model = TextDocument.create(doc.uri, doc.languageId, doc.version - 1, doc.text);
  const changes: unknown[] = [];
  let known = true;
  let current = model;
  for (let k = 0; k < 1 + int(3); k++) {
    const outOfRange = random() < 0.25;
    const text = pick(SNIPPETS) + (random() < 0.2 ? pick(SNIPPETS) : '');
    if (outOfRange) {
      counts.outOfRange++;
      known = false;
      const wild = (): number => pick([-1, -7, 1e9, 2 ** 31, 2 ** 53, 1.5, -0.5, current.lineCount + 3]);
      changes.push({
        range: { start: { line: wild(), character: wild() }, end: { line: wild(), character: pick([0, 5, 1e9, -3]) } },
        text,
      });
      continue;
    }
    const length = current.getText().length;
    const a = int(length + 1);
    const b = Math.min(length, a + int(40));
    const range = { start: current.positionAt(a), end: current.positionAt(b) };
    changes.push({ range, text });
    current = TextDocument.update(current, [{ range, text }], doc.version);
  }
  remember(doc, known ? current.getText() : null);
  send(
    notification('textDocument/didChange', {
      textDocument: { uri: doc.uri, version: doc.version },
      contentChanges: changes,
    }),
  );
}

const MALFORMED: (() => Buffer)[] = [
  () => Buffer.from(`Content-Length: ${int(50)}\r\n\r\n{"jsonrpc":`),
  () => frame('{"jsonrpc": "2.0", "id": 1, "method": '),
  () => frame(pick(['42', 'null', '"x"', '[]', '[{"jsonrpc":"2.0","method":"exit"}]', 'true'])),
  () => Buffer.from(`Content-Length: ${pick(['abc', '-5', '1e3', ''])}\r\n\r\n{}`),
  () => Buffer.from(`${pick(['hello', 'GET / HTTP/1.1', 'Content-Type: text/plain'])}\r\n\r\n`),
  () => Buffer.from(Array.from({ length: 1 + int(200) }, () => int(256))),
  () => frame({ jsonrpc: '2.0', id: { nested: true }, method: 'textDocument/hover', params: {} }),
  () => frame({ jsonrpc: '2.0', method: 42, params: [] }),
];

const BAD_PARAMS: (() => [string, unknown])[] = [
  () => ['textDocument/hover', { textDocument: { uri: pick(docs).uri } }],
  () => ['textDocument/hover', { textDocument: { uri: pick(docs).uri }, position: { line: -1, character: 'x' } }],
  () => ['textDocument/codeAction', { textDocument: {}, range: null, context: {} }],
  () => ['textDocument/codeLens', {}],
  () => [
    'pinscope/simulate',
    { textDocument: { uri: pick(docs).uri }, parameters: { pages: pick([-5, 'x', 1e9, 0.5]) } },
  ],
  () => ['pinscope/simulateTrace', { textDocument: { uri: 7 } }],
  () => ['pinscope/noSuchRequest', { a: 1 }],
];

const BAD_NOTIFICATIONS: (() => [string, unknown])[] = [
  () => ['textDocument/didClose', { textDocument: {} }],
  () => ['textDocument/didOpen', { textDocument: { uri: pick(docs).uri, languageId: 'c', version: 1 } }],
  () => ['textDocument/didChange', { textDocument: { uri: pick(docs).uri, version: 'x' }, contentChanges: {} }],
  () => [
    'textDocument/didChange',
    { textDocument: { uri: pick(docs).uri, version: 99 }, contentChanges: [{ range: {} }] },
  ],
];

function randomRequest(): void {
  const doc = pick(docs);
  const position = { line: int(80), character: int(60) };
  switch (int(5)) {
    case 0:
      sendRequest('textDocument/hover', { textDocument: { uri: doc.uri }, position });
      break;
    case 1:
      sendRequest('textDocument/codeAction', {
        textDocument: { uri: doc.uri },
        range: { start: position, end: { line: position.line + int(5), character: int(40) } },
        context: { diagnostics: [] },
      });
      break;
    case 2:
      sendRequest('textDocument/codeLens', { textDocument: { uri: doc.uri } });
      break;
    case 3:
      sendRequest('pinscope/simulate', { textDocument: { uri: doc.uri }, position, parameters: { pages: 1 + int(8) } });
      break;
    default:
      sendRequest('pinscope/simulateTrace', { textDocument: { uri: doc.uri } });
  }
}

function step(): void {
  counts.steps++;
  const roll = random();
  if (roll < 0.08) {
    counts.malformed++;
    send(pick(MALFORMED)());
  } else if (roll < 0.16) {
    counts.badParams++;
    if (random() < 0.5) {
      const [method, params] = pick(BAD_PARAMS)();
      sendRequest(method, params);
    } else {
      const [method, params] = pick(BAD_NOTIFICATIONS)();
      send(notification(method, params));
    }
  } else if (roll < 0.2) {
    const doc = pick(docs);
    counts.closes++;
    doc.open = false;
    send(notification('textDocument/didClose', { textDocument: { uri: doc.uri } }));
  } else if (roll < 0.35) {
    randomRequest();
  } else {
    const doc = pick(docs);
    if (doc.open) editDoc(doc);
    else openDoc(doc);
  }
}

/** Every diagnostic published so far, checked against the protocol and the known texts. */
function checkDiagnostics(messages: readonly RawMessage[]): void {
  for (const m of messages) {
    if (m.method !== 'textDocument/publishDiagnostics') continue;
    counts.diagnostics++;
    const p = m.params as { uri?: unknown; version?: unknown; diagnostics?: unknown };
    if (typeof p.uri !== 'string') {
      problems.push(`publishDiagnostics without a uri: ${JSON.stringify(p).slice(0, 200)}`);
      continue;
    }
    const doc = docs.find((d) => d.uri === p.uri);
    const text = doc && typeof p.version === 'number' ? doc.history.get(p.version) : undefined;
    const lines = text === undefined ? null : TextDocument.create(p.uri, 'c', 0, text);
    for (const d of (p.diagnostics ?? []) as { range: { start: Pos; end: Pos } }[]) {
      const { start, end } = d.range;
      const ok = [start.line, start.character, end.line, end.character].every((n) => Number.isInteger(n) && n >= 0);
      if (!ok || start.line > end.line || (start.line === end.line && start.character > end.character)) {
        problems.push(`bad range ${JSON.stringify(d.range)} in ${p.uri}`);
        continue;
      }
      if (!lines) continue;
      counts.rangesChecked++;
      const inside = (q: Pos): boolean =>
        q.line < lines.lineCount && lines.offsetAt(q) - lines.offsetAt({ line: q.line, character: 0 }) === q.character;
      if (!inside(start) || !inside(end))
        problems.push(
          `range ${JSON.stringify(d.range)} outside ${p.uri} v${String(p.version)} (${lines.lineCount} lines)`,
        );
    }
  }
}

interface Pos {
  readonly line: number;
  readonly character: number;
}

async function ping(): Promise<void> {
  const id = sendRequest('pinscope/serverInfo', {});
  const reply = await client.response(id);
  const anyString: unknown = expect.any(String);
  expect(reply.result).toMatchObject({ version: anyString });
}

afterAll(() => {
  client?.stop();
  console.log(`lsp fuzz (seed ${SEED}, ${ITERATIONS} iterations): ${JSON.stringify(counts)}`);
});

describe('the language server under a fuzzed client', () => {
  it(
    `stays alive, answers every request, and publishes only well-formed diagnostics (${ITERATIONS} steps)`,
    async () => {
      client = startRaw();
      const init = nextId++;
      send(
        request(init, 'initialize', {
          processId: null,
          rootUri: null,
          capabilities: {
            textDocument: { publishDiagnostics: { versionSupport: true } },
            workspace: { configuration: true },
          },
        }),
      );
      await client.response(init);
      send(notification('initialized'));
      for (let i = 0; i < ITERATIONS; i++) {
        step();
        if (i % PING_EVERY === PING_EVERY - 1) await ping();
        if (i % 7 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await ping();
      // Settle: every open document gets a text the test knows, and its diagnostics for it.
      for (const doc of docs.filter((d) => d.open)) {
        doc.text = null;
        editDoc(doc);
        const version = doc.version;
        await client.waitFor(
          `diagnostics of ${doc.uri} v${version}`,
          () =>
            client.messages.find((m) => {
              const p = m.params as { uri?: string; version?: number } | undefined;
              return m.method === 'textDocument/publishDiagnostics' && p?.uri === doc.uri && p.version === version
                ? m
                : undefined;
            }),
          30_000,
        );
      }
      // Every well-formed request is answered (a result or an error), none is dropped.
      await client.waitFor(
        `answers to ${pending.size} requests`,
        () => {
          for (const m of client.messages) if (typeof m.id === 'number' && m.method === undefined) pending.delete(m.id);
          return pending.size === 0 ? true : undefined;
        },
        60_000,
      );
      checkDiagnostics(client.messages);
      expect(problems).toEqual([]);
      expect(client.process.exitCode).toBeNull();
      expect(client.stderr).not.toMatch(/terminate called|FATAL ERROR|Maximum call stack/);
      expect(counts.rangesChecked).toBeGreaterThan(0);
    },
    TIMEOUT,
  );
});
