/**
 * The LSP lifecycle, enforced on the incoming message stream before vscode-languageserver sees a
 * message (the library answers any request at any time: `lsp-repro.py` case 2):
 *  - before `initialize`: a request is answered ServerNotInitialized (-32002); a notification is
 *    dropped, except `exit`;
 *  - a second `initialize` is answered InvalidRequest (-32600);
 *  - after `shutdown`: a request is answered InvalidRequest (-32600); a notification other than
 *    `exit` is dropped.
 * Responses (to the server's own requests) always go through.
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#initialize
 * https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#shutdown
 */
import type { Message } from 'vscode-languageserver/node';

/** JSON-RPC and LSP error codes the gate answers with. */
const LifecycleErrors = {
  InvalidRequest: -32600,
  ServerNotInitialized: -32002,
} as const;

export type GateDecision =
  | { readonly action: 'pass' }
  /** Answer the request with this error instead of handling it. */
  | { readonly action: 'reject'; readonly id: number | string; readonly code: number; readonly message: string }
  /** A notification the lifecycle does not allow now: dropped (with a reason for the log). */
  | { readonly action: 'drop'; readonly reason: string };

type State = 'waiting-for-initialize' | 'running' | 'shut-down';

interface Incoming {
  readonly id?: unknown;
  readonly method?: unknown;
}

const PASS: GateDecision = { action: 'pass' };

export class LifecycleGate {
  private state: State = 'waiting-for-initialize';

  /** Whether `shutdown` was received (the exit code of `exit` depends on it). */
  get shutDown(): boolean {
    return this.state === 'shut-down';
  }

  decide(message: Message): GateDecision {
    const { id, method } = message as Incoming;
    const isRequest = typeof method === 'string' && (typeof id === 'number' || typeof id === 'string');
    const isNotification = typeof method === 'string' && id === undefined;
    if (isRequest) return this.request(id, method);
    if (isNotification) return this.notification(method);
    // A response to one of the server's requests, or something vscode-jsonrpc rejects itself.
    return PASS;
  }

  private request(id: number | string, method: string): GateDecision {
    switch (this.state) {
      case 'waiting-for-initialize':
        if (method !== 'initialize')
          return {
            action: 'reject',
            id,
            code: LifecycleErrors.ServerNotInitialized,
            message: `${method}: the server is not initialized (send initialize first)`,
          };
        this.state = 'running';
        return PASS;
      case 'running':
        if (method === 'initialize')
          return {
            action: 'reject',
            id,
            code: LifecycleErrors.InvalidRequest,
            message: 'initialize: the server is already initialized (initialize may be sent only once)',
          };
        if (method === 'shutdown') this.state = 'shut-down';
        return PASS;
      case 'shut-down':
        return {
          action: 'reject',
          id,
          code: LifecycleErrors.InvalidRequest,
          message: `${method}: the server is shutting down (after shutdown only exit is accepted)`,
        };
    }
  }

  private notification(method: string): GateDecision {
    if (method === 'exit' || this.state === 'running') return PASS;
    return {
      action: 'drop',
      reason:
        this.state === 'waiting-for-initialize'
          ? `${method} before initialize; dropped`
          : `${method} after shutdown; dropped`,
    };
  }
}
