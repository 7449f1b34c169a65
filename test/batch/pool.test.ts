/**
 * Whole-tree runs over worker threads (batch/pool.ts, the built dist/worker/lint-worker.js), with
 * one bad file among many: lint-worker-oom.sh as a test (a 2 MB file in a run of 31 used to end
 * the whole run with "JS heap out of memory"), and a file that kills its worker, one that never
 * finishes and one that exhausts its memory budget — each gets its own note or line, and every
 * other file is linted. Inputs are generated here.
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintFiles, type PoolOptions } from '../../batch/pool';
import type { FileLintResult } from '../../batch/lintFile';

const root = path.join(__dirname, '..', '..');
const workerScript = path.join(root, 'dist', 'worker', 'lint-worker.js');
const example = path.join(root, 'examples', 'missing-release.c');
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pinscope-pool-'));
  process.env.PINSCOPE_TEST_HOOKS = '1';
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  delete process.env.PINSCOPE_TEST_HOOKS;
});

/** `n` copies of an example with one finding each, plus `extra` files. */
function run(name: string, n: number, extra: Record<string, string>): string[] {
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = path.join(dir, `${name}-${String(i).padStart(2, '0')}.c`);
    copyFileSync(example, f);
    files.push(f);
  }
  for (const [base, text] of Object.entries(extra)) {
    const f = path.join(dir, `${name}-${base}`);
    writeFileSync(f, text);
    files.push(f);
  }
  return files;
}

const options = (extra: Partial<PoolOptions> = {}): PoolOptions => ({
  request: { lint: { kernelVersion: { major: 6, minor: 12 } } },
  workerScript,
  threads: 2,
  batchSize: 8,
  ...extra,
});

const summary = (results: readonly FileLintResult[]): string[] =>
  results.map((r) => `${path.basename(r.file)} ${r.status} ${r.findings.map((f) => f.rule).join(',')}`);

const pinned = 'void f(void){pin_user_pages_fast(0,1,0,0);}\n';

describe('a bad file in a pool run', () => {
  it('lint-worker-oom.sh: a 2 MB file among 30 is linted alone with its memory budget; every file gets its result', async () => {
    let dense = pinned;
    for (let i = 0; dense.length < 2 * 1024 * 1024; i++) dense += `int a${i};\n`;
    const files = run('oom', 30, { 'dense.c': dense });
    const pool = await lintFiles(files, options());
    expect(pool.linted).toBe(31);
    expect(pool.results.filter((r) => r.findings.length === 1)).toHaveLength(30);
    expect(pool.results.filter((r) => r.status !== 'linted')).toEqual([]);
  });

  it('a file that kills its worker gets one line; the rest of its batch is linted by a new worker', async () => {
    const files = run('exit', 24, { 'dies.c': `/* pinscope-test-hook: exit */\n${pinned}` });
    const pool = await lintFiles(files, options());
    const dies = pool.results.find((r) => r.file.endsWith('dies.c'));
    expect(dies).toMatchObject({
      status: 'error',
      problem: 'internal error: the lint worker died while analysing this file (it exited); please report it',
    });
    expect(pool.results.filter((r) => r.findings.length === 1)).toHaveLength(24);
  });

  it('a file that never finishes is stopped at its time budget with a note; the others are linted', async () => {
    const files = run('hang', 24, { 'hangs.c': `/* pinscope-test-hook: hang */\n${pinned}` });
    const pool = await lintFiles(
      files,
      options({ request: { ...options().request, budget: { timeMs: 300, heapMb: 256 } } }),
    );
    expect(summary(pool.results.filter((r) => r.status !== 'linted'))).toEqual(['hang-hangs.c stopped ']);
    expect(pool.results.find((r) => r.status === 'stopped')?.notes).toEqual([
      {
        kind: 'budget',
        message: 'pinscope stopped analysing this file after 300 ms (its time budget); no findings are shown for it',
      },
    ]);
    expect(pool.results.filter((r) => r.findings.length === 1)).toHaveLength(24);
  });

  it('a file that needs more than its memory budget gets a note, after a try alone; the others are linted', async () => {
    const files = run('mem', 24, { 'hoards.c': `/* pinscope-test-hook: oom */\n${pinned}` });
    const pool = await lintFiles(
      files,
      options({ request: { ...options().request, budget: { timeMs: 30_000, heapMb: 128 } } }),
    );
    expect(pool.results.find((r) => r.file.endsWith('hoards.c'))?.notes).toEqual([
      {
        kind: 'budget',
        message:
          'pinscope stopped analysing this file: it needed more than its 128 MB memory budget; no findings are shown for it',
      },
    ]);
    expect(pool.results.filter((r) => r.findings.length === 1)).toHaveLength(24);
  });
});
