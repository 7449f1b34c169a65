/** Builds the bundles once before the tests: the protocol tests speak to dist/server/server.js. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { corpusMissing, findCorpus } from '../../scripts/corpus';

export default function setup(): () => void {
  // `pinscope lint` keeps a result cache in the user's cache folder: the tests keep theirs in a
  // folder of their own, fresh for each run (the tests' processes inherit this environment).
  const cache = mkdtempSync(path.join(tmpdir(), 'pinscope-test-cache-'));
  process.env.XDG_CACHE_HOME = cache;
  const root = path.resolve(__dirname, '..', '..');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
  // Said once, up front, rather than by each test that reads the corpus (issue 13: nothing skipped silently).
  const corpus = findCorpus(root);
  if (!corpus.dir)
    process.stdout.write(
      `pinscope tests: ${corpusMissing('the corpus evaluation and the corpus files of the focus, memo and trace tests are', corpus)}\n`,
    );
  return () => rmSync(cache, { recursive: true, force: true });
}
