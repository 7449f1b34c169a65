/**
 * What happens when the server dies: restart it, tell the user once, and stop restarting (with one
 * error message) if it keeps dying — never a notification per crash, never a restart loop.
 */
import type * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type Message,
} from 'vscode-languageclient/node';

export interface CrashHandlerOptions {
  /** Restarts allowed within `windowMs` before giving up. */
  readonly maxRestarts: number;
  readonly windowMs: number;
  readonly log: vscode.LogOutputChannel;
  /** Shows a message; returns the button chosen (tests replace it). */
  readonly notify: (kind: 'warning' | 'error', message: string, ...buttons: string[]) => Thenable<string | undefined>;
  readonly showOutput: () => void;
}

export class CrashHandler implements ErrorHandler {
  private crashes: number[] = [];
  private warned = false;
  notifications = 0;
  restarts = 0;

  constructor(private readonly options: CrashHandlerOptions) {}

  /** A manual restart starts a new count. */
  reset(): void {
    this.crashes = [];
    this.warned = false;
  }

  /**
   * Errors on the connection are logged and nothing more: when the server dies, every message sent
   * before the connection's close is seen fails to write, and shutting the client down on the
   * fourth such error (vscode-languageclient's default) made closed() below see a client that is
   * stopping, which is never restarted — a crash under load left pinscope off. closed() alone
   * decides, and bounds the restarts.
   */
  error(error: Error, _message: Message | undefined, count: number | undefined): ErrorHandlerResult {
    if (count === undefined || count <= 3)
      this.options.log.error(`connection to the pinscope server: ${error.message}`);
    return { action: ErrorAction.Continue, handled: true };
  }

  closed(): CloseHandlerResult {
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < this.options.windowMs);
    this.crashes.push(now);
    if (this.crashes.length > this.options.maxRestarts) {
      const message = `The pinscope language server stopped ${this.crashes.length} times in ${Math.round(this.options.windowMs / 60_000)} minutes and will not be restarted. Details are in the pinscope output; run "pinscope: Restart Server" to try again.`;
      this.options.log.error(message);
      this.notify('error', message);
      return { action: CloseAction.DoNotRestart, handled: true };
    }
    this.restarts++;
    this.options.log.warn(
      `the pinscope language server stopped unexpectedly; restarting it (${this.crashes.length} of at most ${this.options.maxRestarts} in a row)`,
    );
    if (!this.warned) {
      this.warned = true;
      this.notify(
        'warning',
        'The pinscope language server stopped unexpectedly and was restarted. Details are in the pinscope output.',
      );
    }
    return { action: CloseAction.Restart, handled: true };
  }

  private notify(kind: 'warning' | 'error', message: string): void {
    this.notifications++;
    void this.options.notify(kind, message, 'Show Output').then((choice) => {
      if (choice === 'Show Output') this.options.showOutput();
    });
  }
}
