/**
 * Every command README.md shows runs, and says what README says it does (issue 13: its simulate
 * example once asked for a path 4 of a function with three). The commands are read from README's
 * ```sh blocks (one per line, a trailing `  # comment` dropped) and run verbatim with `sh -c`, in
 * order, in a scratch git repository holding a copy of examples/ — with `pinscope` on PATH being
 * this checkout's bin/pinscope.js, as after README's install step. Each is checked for its exit
 * status and its key lines. Commands that install or test the whole project run in .ci/run, on a
 * fresh clone: for those this test checks that .ci/run runs them as written.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, root, scratch } from './harness';

/** The commands of README's sh blocks, in order. */
function readmeCommands(markdown: string): string[] {
  const commands: string[] = [];
  let inSh = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      inSh = !inSh && line.trim() === '```sh';
      continue;
    }
    if (!inSh) continue;
    const command = line.replace(/\s{2,}#\s.*$/, '').trim();
    if (command && !command.startsWith('#')) commands.push(command);
  }
  return commands;
}

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly dir: string;
}

interface Expectation {
  /** Where a command that is not run here is run (its text must be there). */
  readonly ranBy?: string;
  readonly exit?: number;
  /** Lines stdout must have, in this order (other lines may come between). */
  readonly stdout?: readonly (string | RegExp)[];
  readonly stderr?: readonly (string | RegExp)[];
  readonly check?: (ran: Ran) => void;
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

/** `wanted` occur in `actual` in order. */
function expectLinesInOrder(actual: string, wanted: readonly (string | RegExp)[], what: string): void {
  const have = lines(actual);
  let at = 0;
  for (const w of wanted) {
    const i = have.findIndex((l, k) => k >= at && (typeof w === 'string' ? l === w : w.test(l)));
    expect(i, `${what} should have ${String(w)} (after line ${at}):\n${actual}`).toBeGreaterThanOrEqual(0);
    at = i + 1;
  }
}

const DOORBELL_GUP =
  'examples/release-mismatch.c:26:9: warning: Pages from get_user_pages_fast() (FOLL_GET) must be pinned';
const DOORBELL_FLAG = 'examples/release-mismatch.c:26:52: error: FOLL_PIN passed to get_user_pages_fast()';

const EXPECTED: Readonly<Record<string, Expectation>> = {
  'npm ci && npm start': { ranBy: '.ci/run' },
  'npm test': { ranBy: '.ci/run' },
  'npm pack': { ranBy: '.ci/run' },
  'npm install -g ./pinscope-*.tgz': { ranBy: '.ci/run' },
  'npm run eval': { ranBy: 'test/cli/corpusEval.test.ts' },
  'pinscope version': { exit: 0, stdout: [/^\d+\.\d+\.\d+$/] },
  'pinscope lint examples/': {
    exit: 1,
    stdout: [
      'examples/gup-for-dma.c:14:8: warning: Pages from get_user_pages_fast() (FOLL_GET) must be pinned [gup-for-dma]',
      'examples/release-mismatch.c:19:3: error: Pages pinned by pin_user_pages_fast() (line 12) are released with a put_page() loop. [release-mismatch]',
    ],
    stderr: [
      /^pinscope: no kernel Makefile above examples; checking against Linux \d+\.\d+/,
      /^pinscope: \d+ findings in \d+ files \(22 parsed, /,
    ],
  },
  'pinscope lint --explain examples/gup-for-dma.c': {
    exit: 1,
    stdout: [
      'examples/gup-for-dma.c:14:8: warning: Pages from get_user_pages_fast() (FOLL_GET) must be pinned [gup-for-dma]',
      /^ {4}they are handed to DMA \(sg_alloc_table_from_pages\(\), line 21\) .* Use pin_user_pages_fast\(\) and unpin_user_page\*\(\)\.$/,
    ],
  },
  'pinscope lint --format sarif examples/ > out.sarif': {
    exit: 1,
    check: ({ dir, stdout }) => {
      expect(stdout).toBe('');
      const sarif = JSON.parse(readFileSync(path.join(dir, 'out.sarif'), 'utf8')) as {
        version: string;
        runs: { results: unknown[] }[];
      };
      expect(sarif.version).toBe('2.1.0');
      expect(sarif.runs[0]?.results.length).toBeGreaterThanOrEqual(22);
    },
  },
  'pinscope lint --diff examples/api-version.c': {
    exit: 1,
    stdout: [
      '--- a/examples/api-version.c',
      '+++ b/examples/api-version.c',
      '-\tret = pin_user_pages(start, n, FOLL_WRITE, pages, NULL);',
      '+\tret = pin_user_pages(start, n, FOLL_WRITE, pages);',
      '-\t\tput_user_pages(pages, ret);',
      '+\t\tunpin_user_pages(pages, ret);',
    ],
  },
  'pinscope lint --fix examples/api-version.c': {
    exit: 0,
    stderr: ['pinscope: fixed 2 findings in 1 file; 0 remain'],
    check: ({ dir }) =>
      expect(readFileSync(path.join(dir, 'examples', 'api-version.c'), 'utf8')).toContain(
        'ret = pin_user_pages(start, n, FOLL_WRITE, pages);',
      ),
  },
  'pinscope extract examples/partial-pin.c:region_pin_pages': {
    exit: 0,
    stdout: [/^# region_pin_pages\(\), path 1 of 3\b/, /^pin_user_pages_fast nr=4 flags=FOLL_WRITE -> 2 +@24:11/],
  },
  'pinscope simulate examples/partial-pin.c:region_pin_pages': {
    exit: 1,
    stdout: [/^region_pin_pages\(\) on Linux \d+\.\d+ — 3 paths$/, /^path 2 — leak/, /^ {2}! leak: /],
  },
  'pinscope simulate examples/partial-pin.c:region_pin_pages --path 2 --kernel-version 6.12': {
    exit: 1,
    stdout: [
      /^path 2 — leak: /,
      /^ +2 +24 +pin_user_pages_fast\(nr=4, flags=FOLL_WRITE\) -> 2 .* p0–1 1025 P, p2–3 1$/,
      /^ {2}! leak: returns an error .* with 2 pins still held on pages 0–1/,
    ],
    check: ({ stdout }) => expect(stdout).not.toMatch(/^path [13] /m),
  },
  'pinscope simulate examples/dma-unmap-sg-nents.c:demo_read_sg --kernel-version 6.12': {
    exit: 1,
    stdout: [/device driver frees DMA sg list with different entry count \[map count=4\] \[unmap count=3\]/],
  },
  'pinscope lint --patch examples/patches/0001-demo-pin-the-doorbell-page.patch': {
    exit: 1,
    check: ({ stdout }) =>
      expect(lines(stdout)).toEqual([
        `${DOORBELL_GUP} (patch line 22) [gup-for-dma]`,
        `${DOORBELL_FLAG} (patch line 22) [internal-foll-flag]`,
      ]),
  },
  'git am examples/patches/0001-demo-pin-the-doorbell-page.patch': {
    exit: 0,
    check: ({ dir }) =>
      expect(execFileSync('git', ['log', '-1', '--format=%s'], { cwd: dir, encoding: 'utf8' })).toBe(
        'demo: pin the doorbell page\n',
      ),
  },
  'pinscope lint --since HEAD~1': {
    exit: 1,
    check: ({ stdout, stderr }) => {
      expect(lines(stdout)).toEqual([`${DOORBELL_GUP} [gup-for-dma]`, `${DOORBELL_FLAG} [internal-foll-flag]`]);
      // release-mismatch.c from the commit, api-version.c from --fix (fixed: nothing new).
      expect(stderr).toMatch(/^pinscope: 2 new findings in 1 file since HEAD~1 \(2 changed C files; /m);
    },
  },
  'pinscope lint --format json examples/ > baseline.json': { exit: 1 },
  'pinscope lint --baseline baseline.json examples/': {
    exit: 0,
    stdout: [],
    check: ({ stdout, stderr }) => {
      expect(stdout).toBe('');
      expect(stderr).toMatch(
        /^pinscope: 0 new findings in 0 files \(\d+ already in the baseline, 0 of its findings gone; /m,
      );
    },
  },
  'pinscope lint --shard 1/2 --format sarif examples/ > 1.sarif': { exit: 1 },
  'pinscope lint --shard 2/2 --format sarif examples/ > 2.sarif': { exit: 1 },
  'pinscope merge 1.sarif 2.sarif > examples.sarif': {
    exit: 1,
    check: ({ dir }) => {
      const whole = spawnSync(process.execPath, [bin, 'lint', '--format', 'sarif', 'examples/'], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(readFileSync(path.join(dir, 'examples.sarif'), 'utf8').trim()).toBe(whole.stdout.trim());
    },
  },
};

const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const commands = readmeCommands(readme);

describe("README's commands", () => {
  it('are all known to this test, and this test expects no command README dropped', () => {
    expect(commands.length).toBeGreaterThan(20);
    expect([...new Set(commands)].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(commands.filter((c) => EXPECTED[c]?.ranBy).map((c) => [c, EXPECTED[c]?.ranBy as string]))(
    '%s: run as written by %s',
    (command, where) => {
      expect(readFileSync(path.join(root, where), 'utf8')).toContain(command);
    },
  );

  describe('run in order, in a scratch git repository with a copy of examples/', () => {
    let dir: string;
    let env: NodeJS.ProcessEnv;
    beforeAll(() => {
      dir = path.join(scratch(), 'work');
      mkdirSync(dir);
      cpSync(path.join(root, 'examples'), path.join(dir, 'examples'), { recursive: true });
      const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
      git('init', '-q');
      git('config', 'user.name', 'README Reader');
      git('config', 'user.email', 'reader@example.invalid');
      git('add', '.');
      git('commit', '-q', '-m', 'examples');
      // `pinscope` on PATH, as README's install step leaves it.
      const shims = path.join(scratch(), 'bin');
      mkdirSync(shims);
      writeFileSync(path.join(shims, 'pinscope'), `#!/bin/sh\nexec '${process.execPath}' '${bin}' "$@"\n`);
      chmodSync(path.join(shims, 'pinscope'), 0o755);
      env = { ...process.env, PATH: `${shims}:${process.env.PATH ?? ''}` };
    });

    it.each(commands.filter((c) => !EXPECTED[c]?.ranBy).map((c) => [c]))('%s', (command) => {
      const expectation = EXPECTED[command] as Expectation;
      const r = spawnSync('sh', ['-c', command], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
      const ran: Ran = { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, dir };
      expect(ran.code, `exit status of ${command}; stderr:\n${ran.stderr}`).toBe(expectation.exit);
      expectLinesInOrder(ran.stdout, expectation.stdout ?? [], 'stdout');
      expectLinesInOrder(ran.stderr, expectation.stderr ?? [], 'stderr');
      expectation.check?.(ran);
    });
  });
});
