/**
 * `pinscope lsp [--stdio | --node-ipc | --socket=PORT | --pipe=NAME]`: the language server the VS
 * Code extension uses, for every other editor (Neovim, Emacs, Helix, …). The server is loaded from
 * its bundle at run time so that the CLI's import graph stays cli → core.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './args';

import { LSP_USAGE } from './lspUsage';

export { LSP_USAGE };

const TRANSPORT = /^--(stdio|node-ipc|socket=\d+|pipe=.+|clientProcessId=\d+)$/;

/** Starts the server; the returned promise never resolves (the server exits the process on `exit`). */
export function runLsp(argv: readonly string[], io: { out(line: string): void }): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(LSP_USAGE);
    return Promise.resolve(0);
  }
  for (const a of argv) if (!TRANSPORT.test(a)) throw new UsageError(`lsp: unknown option ${a}\n${LSP_USAGE}`);
  const bundle = path.join(__dirname, '..', 'server', 'server.js');
  if (!existsSync(bundle)) throw new UsageError(`lsp: ${bundle} is missing; run \`npm run build\` first`);
  // vscode-languageserver reads the transport from process.argv; the server defaults to stdio.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(bundle);
  return new Promise<number>(() => undefined);
}
