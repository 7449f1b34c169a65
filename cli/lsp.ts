/**
 * `pinscope lsp [--stdio | --node-ipc | --socket=PORT | --pipe=NAME]`: the language server the VS
 * Code extension uses, for every other editor (Neovim, Emacs, Helix, …). The server is loaded from
 * its bundle at run time so that the CLI's import graph stays cli → core.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Io } from './io';
import { LSP_USAGE } from './lspUsage';
import { parseCommandLine, UsageError } from './options';

export { LSP_USAGE };

/** The transports vscode-languageserver reads from process.argv itself; here they are only checked. */
const LSP_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  stdio: { type: 'boolean' },
  'node-ipc': { type: 'boolean' },
  socket: { type: 'string' },
  pipe: { type: 'string' },
  clientProcessId: { type: 'string' },
} as const;

/** Starts the server; the returned promise never resolves (the server exits the process on `exit`). */
export function runLsp(argv: readonly string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine<typeof LSP_OPTIONS>>;
  try {
    parsed = parseCommandLine(argv, LSP_OPTIONS);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`lsp: ${e.message}\n${LSP_USAGE}`);
    throw e;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(LSP_USAGE);
    return Promise.resolve(0);
  }
  if (positionals.length > 0) throw new UsageError(`lsp: unexpected argument "${positionals[0]}"\n${LSP_USAGE}`);
  for (const [name, value] of [
    ['socket', values.socket],
    ['clientProcessId', values.clientProcessId],
  ] as const)
    if (value !== undefined && !/^\d+$/.test(value))
      throw new UsageError(`lsp: --${name} must be a number\n${LSP_USAGE}`);
  const bundle = path.join(__dirname, '..', 'server', 'server.js');
  if (!existsSync(bundle)) throw new UsageError(`lsp: ${bundle} is missing; run \`npm run build\` first`);
  // vscode-languageserver reads the transport from process.argv; the server defaults to stdio.
  // The bundle path is only known at run time, so this stays a require() (esbuild leaves it alone).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(bundle);
  return new Promise<number>(() => undefined);
}
