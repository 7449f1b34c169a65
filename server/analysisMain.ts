/**
 * Entry of dist/server/analysis.js: the analysis process the language server forks
 * (analysisProcess.ts). A bundle of its own, with core and the message loop only: no LSP library,
 * so that the process starts sooner and holds less.
 */
import { runAnalysisWorker } from './analysisWorker';

runAnalysisWorker();
