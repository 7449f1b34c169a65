/**
 * The evaluation against real upstream fixes (`npm run eval`, scripts/eval.ts) as part of
 * `npm test`: every expected finding of every case found, nothing reported on fixed or correct
 * code. The corpus lives outside the repository (scripts/corpus.ts finds it); without it this
 * test is skipped and the test run's first lines say so (test/protocol/globalSetup.ts).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findCorpus } from '../../scripts/corpus';
import { root } from './harness';

const corpus = findCorpus(root);

describe.skipIf(!corpus.dir)(`npm run eval (corpus: ${corpus.dir ?? 'not found'})`, () => {
  it('every case passes: N passed, 0 failed', () => {
    const r = spawnSync('npm', ['run', '--silent', 'eval'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toContain(`eval: corpus ${corpus.dir}`);
    const failures = r.stdout.split('\n').filter((l) => l.startsWith('FAIL '));
    expect(failures).toEqual([]);
    expect(r.stdout).toMatch(/^[1-9]\d* passed, 0 failed$/m);
    expect(r.status).toBe(0);
  });
});

describe('when there is no corpus', () => {
  it('npm run eval -- DIR says in one line what it skipped and where it looked, exit 2', () => {
    const r = spawnSync('npm', ['run', '--silent', 'eval', '--', 'no/such/corpus'], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim()).toBe(
      `eval: the evaluation was skipped: no corpus (a folder with cases/) at ${root}/no/such/corpus; set PINSCOPE_CORPUS=DIR or pass the folder (npm run eval -- DIR)`,
    );
  });
});

describe('findCorpus', () => {
  it('looks next to the repository, next to the main checkout of a worktree, and where $PINSCOPE_CORPUS says', () => {
    const here = findCorpus('/nowhere/repo', undefined, {});
    expect(here).toEqual({ dir: null, tried: ['/nowhere/shared/corpus'] });
    expect(findCorpus('/nowhere/repo', undefined, { PINSCOPE_CORPUS: 'c', INIT_CWD: '/x' }).tried).toEqual([
      '/x/c',
      '/nowhere/shared/corpus',
    ]);
    expect(findCorpus('/nowhere/repo', '../corpus', { INIT_CWD: '/elsewhere/sub' }).tried).toEqual([
      '/nowhere/corpus',
      '/elsewhere/corpus',
    ]);
  });
});
