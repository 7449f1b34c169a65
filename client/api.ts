/**
 * What activate() returns: a small API for the integration tests (and for other extensions, should
 * they want to know whether pinscope is running).
 */
import type { ServerInfoResult, StatusParams } from '../server/protocol';
import type { SimulationSnapshot } from './simulation/controller';

export interface PinscopeApi {
  /** Resolves when the language client is running. */
  ready(): Promise<void>;
  /** The server's process id, memory and restart count (a custom request). */
  serverInfo(): Promise<ServerInfoResult>;
  /** The last pinscope/status the server sent for a document. */
  status(uri: string): StatusParams | undefined;
  /** The status bar item's text right now. */
  statusBarText(): string;
  /** How many times a server crash was reported to the user (in a notification). */
  crashNotifications(): number;
  /** How many times the server was restarted after a crash. */
  crashRestarts(): number;
  /** The simulation panel: what it shows, the step, the highlighted source line, dropped messages. */
  simulation(): SimulationSnapshot;
  /** Hands a message to the extension as if the simulation panel had posted it; false when dropped. */
  simulationReceive(message: unknown): boolean;
}
