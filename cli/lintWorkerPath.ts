/** The bundled lint worker (dist/worker/lint-worker.js), next to the CLI bundle. */
import path from 'node:path';

export const LINT_WORKER = path.join(__dirname, '..', 'worker', 'lint-worker.js');
