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

if (isMainThread) {
  const transports = ['--stdio', '--node-ipc', '--socket', '--pipe'];
  // No transport on the command line: stdio, which is what every editor but VS Code uses.
  if (!process.argv.some((a) => transports.some((t) => a === t || a.startsWith(`${t}=`)))) process.argv.push('--stdio');
  startServer(createConnection(ProposedFeatures.all), { bundle: __filename });
} else {
  runAnalysisWorker();
}
