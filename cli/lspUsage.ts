/** `pinscope lsp`'s usage, apart from cli/lsp.ts so the main usage can show it without loading the server. */
export const LSP_USAGE = `usage: pinscope lsp [--stdio | --node-ipc | --socket=PORT | --pipe=NAME]
  Runs the pinscope language server (default transport: stdio).`;
