/** Builds the bundles once before the tests: the protocol tests speak to dist/server/server.js. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { corpusMissing, findCorpus } from '../../scripts/corpus';

export default function setup(): void {
  const root = path.resolve(__dirname, '..', '..');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  // Said once, up front, rather than by each test that reads the corpus (issue 13: nothing skipped silently).
  const corpus = findCorpus(root);
  if (!corpus.dir)
    process.stdout.write(
      `pinscope tests: ${corpusMissing('the corpus evaluation and the corpus files of the focus, memo and trace tests are', corpus)}\n`,
    );
}
