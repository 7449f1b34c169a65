/**
 * Entry of dist/server/server.js: the language server. The transport — --stdio, --node-ipc,
 * --socket=N, --pipe=NAME — comes from the command line, as vscode-languageserver reads it. The
 * analysis process it forks is another bundle (analysisMain.ts).
 */
import path from 'node:path';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';
import { createStdioConnection } from './transport/stdio';

const others = ['--node-ipc', '--socket', '--pipe'];
// No transport on the command line: stdio, which is what every editor but VS Code uses. stdio
// gets pinscope's own framing and lifecycle checks (transport/stdio.ts); node-ipc carries whole
// messages, and socket and pipe are the library's.
const other = process.argv.some((a) => others.some((t) => a === t || a.startsWith(`${t}=`)));
startServer(other ? createConnection(ProposedFeatures.all) : createStdioConnection().connection, {
  bundle: __filename,
  analysisScript: path.join(__dirname, 'analysis.js'),
});
