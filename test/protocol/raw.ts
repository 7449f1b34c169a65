/**
 * A raw stdio client for the built server: writes bytes exactly as given (broken headers, bodies
 * that are not JSON), reads the server's frames back, and keeps its stderr. What the typed client
 * (harness.ts) cannot send.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { SERVER } from './harness';

export interface RawMessage {
  readonly id?: number | string | null;
  readonly method?: string;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string };
  readonly params?: unknown;
}

export const frame = (body: string | object): Buffer => {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]);
};

export const request = (id: number, method: string, params: unknown = {}): Buffer =>
  frame({ jsonrpc: '2.0', id, method, params });

export const notification = (method: string, params: unknown = {}): Buffer => frame({ jsonrpc: '2.0', method, params });

export const INITIALIZE = (id = 1): Buffer =>
  request(id, 'initialize', { processId: null, rootUri: null, capabilities: {} });

export class RawClient {
  readonly messages: RawMessage[] = [];
  stderr = '';
  private pending = Buffer.alloc(0);
  private listeners: (() => void)[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly process: ChildProcessWithoutNullStreams) {
    process.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    process.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
      this.notify();
    });
    this.exited = new Promise((resolve) => process.once('exit', (code) => resolve(code)));
  }

  send(...chunks: Buffer[]): void {
    for (const c of chunks) this.process.stdin.write(c);
  }

  private onData(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.pending.subarray(0, end).toString())?.[1]);
      if (this.pending.length < end + 4 + length) return;
      const body = this.pending.subarray(end + 4, end + 4 + length).toString('utf8');
      this.pending = this.pending.subarray(end + 4 + length);
      const message = JSON.parse(body) as RawMessage;
      this.messages.push(message);
      // Answer the server's own requests (configuration, registration) so it goes on.
      if (message.method !== undefined && message.id !== undefined && message.id !== null) {
        const result = message.method === 'workspace/configuration' ? [{ debounce: 0 }] : null;
        this.send(frame({ jsonrpc: '2.0', id: message.id, result }));
      }
      this.notify();
    }
  }

  private notify(): void {
    for (const l of this.listeners.splice(0)) l();
  }

  /**
   * The first message (or stderr state) `pick` accepts, waiting for it up to `timeoutMs`. `undefined` and
   * `false` both mean "not yet", as in harness.ts's LspClient.waitFor: a boolean condition must not pass at
   * once because it is false.
   */
  waitFor<T>(what: string, pick: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; stderr:\n${this.stderr}`)),
        timeoutMs,
      );
      const check = (): void => {
        const found = pick();
        if (found !== undefined && found !== false) {
          clearTimeout(timer);
          resolve(found);
        } else this.listeners.push(check);
      };
      check();
    });
  }

  response(id: number | string | null): Promise<RawMessage> {
    return this.waitFor(`the response to ${String(id)}`, () =>
      this.messages.find((m) => m.id === id && m.method === undefined),
    );
  }

  stop(): void {
    if (this.process.exitCode === null) this.process.kill('SIGKILL');
  }
}

export function startRaw(): RawClient {
  return new RawClient(
    spawn(process.execPath, [SERVER, '--stdio'], { stdio: 'pipe', env: { ...process.env, PINSCOPE_TEST_HOOKS: '1' } }),
  );
}
