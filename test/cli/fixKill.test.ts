/**
 * `lint --fix` under a kill and a full disk, made exact with strace's fault injection (no root, no
 * timing): the CLI's main thread, which makes every file-system call of a fix, is traced (no -f),
 * and strace delivers SIGKILL at the Nth write(2) — then the Nth fsync, fchmod and rename — for
 * every N the run makes; or fails the call with ENOSPC. After each run every file must be either
 * exactly as it was or exactly fixed (issue 10; ../shared/repro/fix-sigkill.sh, fix-enospc.sh).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, root, scratch } from './harness';

const strace = spawnSync('strace', ['-V']).status === 0;
if (!strace) console.log('test/cli/fixKill.test.ts: skipped: strace is not installed (apt-get install strace)');

const FILES = ['dma-unmap-sg-nents.c', 'release-mismatch.c', 'api-version.c'] as const;
const original = (name: string): Buffer => readFileSync(path.join(root, 'examples', name));
const fixed = (name: string): Buffer => readFileSync(path.join(root, 'test', 'fixtures', 'fixed', name));

function freshTree(): string {
  const dir = scratch();
  for (const name of FILES) writeFileSync(path.join(dir, name), original(name));
  return dir;
}

/**
 * pinscope lint --fix on the three files, under strace with the given extra arguments. Without the
 * result cache: its entries are written the same way (a temporary file, renamed), and counting
 * them here would only double the runs (test/cli/cache.test.ts tests the cache).
 */
function fixUnderStrace(dir: string, straceArgs: readonly string[]) {
  return spawnSync(
    'strace',
    [...straceArgs, process.execPath, bin, 'lint', '-q', '--no-cache', '--kernel-version', '6.12', '--fix', ...FILES],
    { cwd: dir, encoding: 'utf8', timeout: 60_000 },
  );
}

/** The run with the Nth call of `syscall` made to fail (`error=ENOSPC`) or to kill (`signal=SIGKILL`). */
function fixInjected(dir: string, syscall: string, action: string, n: number) {
  return fixUnderStrace(dir, [
    '-o',
    '/dev/null',
    '-e',
    `trace=${syscall}`,
    '-e',
    `inject=${syscall}:${action}:when=${n}`,
  ]);
}

/** The main thread's calls of `syscall` in a clean run, with the file each one used (strace -y). */
function callsOf(syscall: string): string[] {
  const dir = freshTree();
  const log = path.join(dir, '..', `${path.basename(dir)}.strace`);
  const r = fixUnderStrace(dir, ['-y', '-o', log, '-e', `trace=${syscall}`]);
  expect(r.status).toBe(0);
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(`${syscall}(`));
}

/** Each file is exactly the original or exactly fixed; which ones are fixed, as a string. */
function state(dir: string): string {
  return FILES.map((name) => {
    const now = readFileSync(path.join(dir, name));
    if (now.equals(original(name))) return 'o';
    if (now.equals(fixed(name))) return 'F';
    throw new Error(`${name} is neither the original nor the fixed file (${now.length} bytes)`);
  }).join('');
}

describe.skipIf(!strace)('--fix killed at every write, fsync, fchmod and rename', () => {
  for (const syscall of ['write', 'fchmod', 'fsync', 'rename'] as const) {
    it(`SIGKILL at each ${syscall}(2): every file is the original or fully fixed`, () => {
      const total = callsOf(syscall).length;
      // Three files, each written to a temporary file, given its mode, fsynced and renamed.
      expect(total).toBeGreaterThanOrEqual(3);
      const states: string[] = [];
      for (let n = 1; n <= total; n++) {
        const dir = freshTree();
        const r = fixInjected(dir, syscall, 'signal=SIGKILL', n);
        expect(r.signal, `${syscall} #${n}`).toBe('SIGKILL');
        states.push(state(dir));
      }
      // Files are fixed one after the other, never half: a kill before a file's rename leaves it
      // as it was, a kill after leaves it fixed.
      // (A write after the last rename — an event-loop wakeup — and the directory fsync after it
      // find all three fixed.)
      expect(states[0]).toBe('ooo');
      const after = syscall === 'write' || syscall === 'fsync' ? ['FFF'] : [];
      expect(new Set(states)).toEqual(new Set(['ooo', 'Foo', 'FFo', ...after]));
    });
  }

  it('only temporary files are written, never an original in place', () => {
    const toFiles = callsOf('write').filter((l) => /^write\(\d+<\//.test(l));
    expect(toFiles.map((l) => /^write\(\d+<[^>]*\/\.([^/>]+)\.\d+-[0-9a-f]{8}\.pinscope-tmp>/.exec(l)?.[1])).toEqual([
      ...FILES,
    ]);
  });
});

describe.skipIf(!strace)('--fix on a full disk', () => {
  for (const [syscall, errno] of [
    ['write', 'ENOSPC'],
    ['fsync', 'ENOSPC'],
    ['fchmod', 'EPERM'],
    ['rename', 'EIO'],
  ] as const) {
    it(`${errno} from the first ${syscall}(2) to a file: that file is left as it was, the others are fixed`, () => {
      const calls = callsOf(syscall);
      const n = calls.findIndex((l) => l.includes('.pinscope-tmp')) + 1;
      expect(n).toBeGreaterThan(0);
      const dir = freshTree();
      const r = fixInjected(dir, syscall, `error=${errno}`, n);
      expect(r.status).toBe(2);
      const words = { ENOSPC: 'no space left on device', EPERM: 'operation not permitted', EIO: 'input/output error' };
      expect(r.stderr.trim()).toBe(`pinscope: ${FILES[0]}: not fixed: ${words[errno]}; the file is unchanged`);
      expect(state(dir)).toBe('oFF');
      expect(readdirSync(dir).sort()).toEqual([...FILES].sort()); // no temporary file left behind
    });
  }
});
