/**
 * A minimal LSP client for the protocol tests: spawns the BUILT server (dist/server/server.js, or
 * any command), speaks JSON-RPC over stdio with vscode-languageserver-protocol, answers the
 * server's requests (workspace/configuration from `settings`), and records what the server sends.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import {
  ConfigurationRequest,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializeRequest,
  InitializedNotification,
  LogMessageNotification,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  WorkDoneProgressCreateRequest,
  CodeLensRefreshRequest,
  type ClientCapabilities,
  type InitializeResult,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { RULE_IDS } from '../../core/rules/index';
import { StatusNotification, type StatusParams } from '../../server/protocol';

export const ROOT = path.resolve(__dirname, '..', '..');
export const SERVER = path.join(ROOT, 'dist', 'server', 'server.js');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'lsp');
export const WS = path.join(FIXTURES, 'ws');
export const DEMO = path.join(WS, 'drivers', 'misc', 'pinscope_demo.c');

export const uriOf = (file: string): string => pathToFileURL(file).toString();
export const readFixture = (file: string): string => readFileSync(file, 'utf8');

/** Everything a full-featured client (VS Code) declares that changes what the server sends. */
export const FULL_CAPABILITIES: ClientCapabilities = {
  textDocument: {
    publishDiagnostics: {
      relatedInformation: true,
      versionSupport: true,
      codeDescriptionSupport: true,
      dataSupport: true,
    },
    codeAction: {
      codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } },
      isPreferredSupport: true,
    },
    hover: { contentFormat: ['markdown', 'plaintext'] },
  },
  workspace: {
    configuration: true,
    workspaceEdit: { documentChanges: true },
    codeLens: { refreshSupport: true },
    workspaceFolders: true,
  },
  window: { workDoneProgress: true },
};

export interface StartOptions {
  /** The `pinscope` settings section the client answers workspace/configuration with. */
  readonly settings?: Record<string, unknown>;
  readonly capabilities?: ClientCapabilities;
  readonly command?: readonly string[];
  readonly env?: Record<string, string>;
  readonly folder?: string;
  readonly initializationOptions?: unknown;
}

export interface ProgressEvent {
  readonly token: string | number;
  readonly value: { kind: string; title?: string; message?: string; percentage?: number; cancellable?: boolean };
}

export class LspClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly statuses: StatusParams[] = [];
  readonly logs: string[] = [];
  readonly progress: ProgressEvent[] = [];
  readonly createdProgress: (string | number)[] = [];
  codeLensRefreshes = 0;
  stderr = '';
  settings: Record<string, unknown>;
  private listeners: (() => void)[] = [];
  initializeResult!: InitializeResult;

  constructor(
    readonly process: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
    settings: Record<string, unknown>,
  ) {
    this.settings = settings;
  }

  /** Text the server wrote to stderr: a waitFor on it is checked again (stderr and stdout are two pipes). */
  addStderr(text: string): void {
    this.stderr += text;
    this.changed();
  }

  private changed(): void {
    for (const l of this.listeners.splice(0)) l();
  }

  /** Resolves when `predicate` holds (checked after every message), or rejects after `timeoutMs`. */
  waitFor<T>(what: string, predicate: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const v = predicate();
        if (v !== undefined && v !== false) {
          clearTimeout(timer);
          resolve(v);
          return true;
        }
        return false;
      };
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${what}; server log:\n${this.logs.slice(-20).join('\n')}`,
            ),
          ),
        timeoutMs,
      );
      const loop = (): void => {
        if (!check()) this.listeners.push(loop);
      };
      loop();
    });
  }

  diagnosticsFor(uri: string): PublishDiagnosticsParams[] {
    return this.published.filter((p) => p.uri === uri);
  }

  lastDiagnostics(uri: string): PublishDiagnosticsParams | undefined {
    const all = this.diagnosticsFor(uri);
    return all[all.length - 1];
  }

  /** The next publishDiagnostics for `uri` with the given version (or any, after `after` publishes). */
  waitForDiagnostics(uri: string, version?: number, timeoutMs?: number): Promise<PublishDiagnosticsParams> {
    return this.waitFor(
      `diagnostics for ${path.basename(uri)}${version !== undefined ? ` v${version}` : ''}`,
      () => {
        const all = this.diagnosticsFor(uri);
        return version === undefined ? all[all.length - 1] : all.find((p) => p.version === version);
      },
      timeoutMs,
    );
  }

  open(uri: string, text: string, version = 1, languageId = 'c'): void {
    void this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId, version, text },
    });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): void {
    void this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges,
    });
  }

  close(uri: string): void {
    void this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 3000))]);
      void this.connection.sendNotification(ExitNotification.type);
    } catch {
      // already gone
    }
    const exited = new Promise((r) => this.process.once('exit', r));
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (this.process.exitCode === null) this.process.kill('SIGKILL');
    this.connection.dispose();
  }

  attach(): void {
    const c = this.connection;
    c.onNotification(PublishDiagnosticsNotification.type, (p) => {
      this.published.push(p);
      this.changed();
    });
    c.onNotification(StatusNotification, (s) => {
      this.statuses.push(s);
      this.changed();
    });
    c.onNotification(LogMessageNotification.type, (m) => {
      this.logs.push(m.message);
      this.changed();
    });
    c.onNotification('$/progress', (p: ProgressEvent) => {
      this.progress.push(p);
      this.changed();
    });
    c.onRequest(ConfigurationRequest.type, (params) =>
      params.items.map((item) => (item.section === 'pinscope' ? this.settings : null)),
    );
    c.onRequest(RegistrationRequest.type, () => undefined);
    c.onRequest(WorkDoneProgressCreateRequest.type, (p) => {
      this.createdProgress.push(p.token);
      return undefined;
    });
    c.onRequest(CodeLensRefreshRequest.type, () => {
      this.codeLensRefreshes++;
      return undefined;
    });
  }
}

export async function startClient(options: StartOptions = {}): Promise<LspClient> {
  const [cmd, ...args] = options.command ?? [process.execPath, SERVER, '--stdio'];
  const child = spawn(cmd as string, args, {
    env: { ...process.env, PINSCOPE_TEST_HOOKS: '1', ...options.env },
    stdio: 'pipe',
  });
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  const client = new LspClient(child, connection, { debounce: 0, ...options.settings });
  child.stderr.on('data', (d: Buffer) => client.addStderr(d.toString()));
  client.attach();
  connection.listen();
  const folder = options.folder ?? WS;
  client.initializeResult = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: uriOf(folder),
    workspaceFolders: [{ uri: uriOf(folder), name: path.basename(folder) }],
    capabilities: options.capabilities ?? FULL_CAPABILITIES,
    initializationOptions: options.initializationOptions ?? null,
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return client;
}

/** Applies LSP text edits to a text (positions in UTF-16, lines split at \n). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const offset = (p: { line: number; character: number }): number => (starts[p.line] ?? text.length) + p.character;
  const sorted = [...edits]
    .map((e) => ({ start: offset(e.range.start), end: offset(e.range.end), newText: e.newText }))
    .sort((a, b) => b.start - a.start);
  let out = text;
  let limit = Number.POSITIVE_INFINITY;
  for (const e of sorted) {
    if (e.end > limit) throw new Error('overlapping edits');
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    limit = e.start;
  }
  return out;
}

/** The edits of a WorkspaceEdit for `uri`, whichever form the server used. */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (!edit) return [];
  if (edit.documentChanges) {
    return edit.documentChanges.flatMap((c) =>
      'textDocument' in c && c.textDocument.uri === uri ? c.edits.filter((e): e is TextEdit => 'range' in e) : [],
    );
  }
  return edit.changes?.[uri] ?? [];
}

/** The LSP range of the `nth` occurrence (0-based) of `needle` in `text`: the tests' own oracle. */
export function rangeOf(
  text: string,
  needle: string,
  nth = 0,
): { start: { line: number; character: number }; end: { line: number; character: number } } {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" #${nth} not in the text`);
  }
  const pos = (offset: number): { line: number; character: number } => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length - 1;
    return { line, character: offset - (before.lastIndexOf('\n') + 1) };
  };
  return { start: pos(at), end: pos(at + needle.length) };
}

/** The rules the protocol tests check exactly; every other rule is switched off in their settings, so
 * that rules core adds later do not change these tests (and the per-rule setting is exercised). */
export const RULES_UNDER_TEST = ['longterm-get', 'release-mismatch', 'api-version', 'internal-foll-flag'] as const;

export function onlyRules(ids: readonly string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const rules: Record<string, unknown> = {};
  for (const id of RULE_IDS) if (!ids.includes(id)) rules[id] = { enabled: false };
  return { ...rules, ...extra };
}
