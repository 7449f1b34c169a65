/**
 * Entry of dist/server/server.js. Normally it is the language server (the transport — --stdio,
 * --node-ipc, --socket=N, --pipe=NAME — comes from the command line, as vscode-languageserver
 * reads it); with ANALYSIS_PROCESS_FLAG it is the analysis process the server forks from this
 * same file.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { ANALYSIS_PROCESS_FLAG } from './analysisProcess';
import { runAnalysisWorker } from './analysisWorker';
import { startServer } from './server';
import { createStdioConnection } from './transport/stdio';

if (!process.argv.includes(ANALYSIS_PROCESS_FLAG)) {
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
