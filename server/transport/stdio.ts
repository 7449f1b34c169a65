/**
 * The stdio transport of the server (what every editor but VS Code's extension host uses, and
 * what `pinscope lsp` runs): a framing reader that reports bad input, the lifecycle gate, and the
 * answers JSON-RPC asks for — -32700 for a body that is not JSON, -32600 for JSON that is not a
 * message, -32002 and -32600 from the gate. Every problem is also one line on stderr (stdout is
 * the protocol stream). vscode-languageserver's own stdio setup does two more things, kept here:
 * console output never reaches stdout, and the process exits when stdin closes (0 after shutdown).
 */
import { format } from 'node:util';
import {
  AbstractMessageReader,
  createConnection,
  ProposedFeatures,
  StreamMessageWriter,
  type Connection,
  type DataCallback,
  type Disposable,
  type Message,
  type MessageReader,
  type MessageWriter,
  type ResponseMessage,
} from 'vscode-languageserver/node';
import { FramedMessageReader, type FramingProblem } from './framing';
import { LifecycleGate } from './lifecycle';

/** After this many problem lines, only every hundredth is logged (a client gone mad can send megabytes). */
const LOGGED_IN_FULL = 20;

const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/** The reader vscode-languageserver sees: framed messages that the lifecycle lets through. */
class GatedReader extends AbstractMessageReader {
  constructor(
    private readonly inner: MessageReader,
    private readonly gate: LifecycleGate,
    private readonly reply: (message: ResponseMessage) => void,
    private readonly log: (line: string) => void,
  ) {
    super();
    inner.onError((error) => this.fireError(error));
    inner.onClose(() => this.fireClose());
    inner.onPartialMessage((info) => this.firePartialMessage(info));
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((message: Message) => {
      const decision = this.gate.decide(message);
      if (decision.action === 'pass') callback(message);
      else if (decision.action === 'drop') this.log(decision.reason);
      else {
        this.log(`answered ${decision.code}: ${decision.message}`);
        this.reply({ jsonrpc: '2.0', id: decision.id, error: { code: decision.code, message: decision.message } });
      }
    });
  }
}

export interface StdioTransport {
  readonly connection: Connection;
  readonly gate: LifecycleGate;
}

export function createStdioConnection(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): StdioTransport {
  let problems = 0;
  const log = (line: string): void => {
    problems++;
    if (problems <= LOGGED_IN_FULL || problems % 100 === 0)
      process.stderr.write(`pinscope lsp: ${line}${problems === LOGGED_IN_FULL ? ' (from now on every 100th)' : ''}\n`);
  };
  const writer: MessageWriter = new StreamMessageWriter(output);
  const reply = (message: ResponseMessage): void => void writer.write(message).catch(() => undefined);
  const onProblem = (problem: FramingProblem): void => {
    if (problem.kind === 'header') {
      log(`bad message header (${problem.message}); skipped ${problem.skipped} bytes to the next Content-Length`);
      return;
    }
    const code = problem.kind === 'parse' ? PARSE_ERROR : INVALID_REQUEST;
    const text = problem.kind === 'parse' ? `Parse error: ${problem.message}` : `Invalid request: ${problem.message}`;
    log(`answered ${code}: ${text}`);
    // JSON-RPC: when the id cannot be read, the error response's id is null.
    reply({ jsonrpc: '2.0', id: null, error: { code, message: text } });
  };
  const gate = new LifecycleGate();
  const reader = new GatedReader(new FramedMessageReader(input, onProblem), gate, reply, log);
  const connection = createConnection(ProposedFeatures.all, reader, writer);
  // stdout is the protocol: console output goes to the client's log instead (as the library does
  // for its own stdio transport).
  for (const level of ['log', 'info', 'debug'] as const)
    console[level] = (...args: unknown[]) => connection.console.log(format(...args));
  console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
  console.error = (...args: unknown[]) => connection.console.error(format(...args));
  // The client went away: exit, successfully only if it asked to shut down first.
  reader.onClose(() => process.exit(gate.shutDown ? 0 : 1));
  return { connection, gate };
}
