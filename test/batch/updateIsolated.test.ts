/**
 * The tree index update on a thread of its own (batch/index/updateIsolated.ts, what the language
 * server runs): the same index as an update on the caller's thread, its progress, and a failure
 * that comes back as an error instead of taking the caller down. Uses the built worker bundle
 * (vitest's global setup builds dist/).
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { updateIndex } from '../../batch/index/build';
import { updateIndexIsolated } from '../../batch/index/updateIsolated';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'xfile', 'tree');
const INDEX_WORKER = path.join(ROOT, 'dist', 'worker', 'index-worker.js');

function copyTree(): string {
  const root = path.join(mkdtempSync(path.join(tmpdir(), 'pinscope-isolated-')), 'tree');
  cpSync(FIXTURE, root, { recursive: true });
  return root;
}

const cacheEnv = (): NodeJS.ProcessEnv => ({ PINSCOPE_CACHE_DIR: mkdtempSync(path.join(tmpdir(), 'pinscope-cache-')) });

describe('updateIndexIsolated', () => {
  it('writes the same facts as an update on this thread, and reports its progress', async () => {
    const root = copyTree();
    const here = await updateIndex({ root, pinscopeVersion: 'test', kernelVersion: '6.12', env: cacheEnv() });
    const progress: string[] = [];
    const there = await updateIndexIsolated(
      { root, pinscopeVersion: 'test', kernelVersion: '6.12', env: cacheEnv() },
      INDEX_WORKER,
      (phase, done, total) => progress.push(`${phase} ${done + 1}/${total}`),
    );
    expect([there.fresh, there.files, there.hashed, there.summarised, there.factsChanged]).toEqual([
      here.fresh,
      here.files,
      here.hashed,
      here.summarised,
      here.factsChanged,
    ]);
    expect(readFileSync(there.factsFile as string, 'utf8')).toBe(readFileSync(here.factsFile as string, 'utf8'));
    // The last step of the scan is always posted: all of the tree's files were looked at.
    expect(progress).toContain(`scan ${here.files}/${here.files}`);
  });

  it('a thread that cannot run the update rejects with what went wrong', async () => {
    await expect(
      updateIndexIsolated(
        { root: copyTree(), pinscopeVersion: 'test', kernelVersion: '6.12', env: cacheEnv() },
        path.join(ROOT, 'test', 'fixtures', 'no-such-index-worker.js'),
      ),
    ).rejects.toThrow(/no-such-index-worker\.js/);
  });
});
