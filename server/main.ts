/**
 * Entry of dist/server/server.js. On the main thread it is the language server (the transport —
 * --stdio, --node-ipc, --socket=N, --pipe=NAME — comes from the command line, as
 * vscode-languageserver reads it); in a worker thread it is the analysis worker the server starts
 * from this same file.
 */
import { isMainThread } from 'node:worker_threads';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { runAnalysisWorker } from './analysisWorker';
import { startServer } from './server';
import { createStdioConnection } from './transport/stdio';

if (isMainThread) {
  const others = ['--node-ipc', '--socket', '--pipe'];
  // No transport on the command line: stdio, which is what every editor but VS Code uses. stdio
  // gets pinscope's own framing and lifecycle checks (transport/stdio.ts); node-ipc carries whole
  // messages, and socket and pipe are the library's.
  const other = process.argv.some((a) => others.some((t) => a === t || a.startsWith(`${t}=`)));
  startServer(other ? createConnection(ProposedFeatures.all) : createStdioConnection().connection, {
    bundle: __filename,
  });
} else {
  runAnalysisWorker();
}
