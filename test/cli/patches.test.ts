/**
 * Patches and baselines (issue 13), driven as a kernel developer or a CI job would, on a small git
 * repository this test builds: a kernel-like tree (`Makefile` with VERSION/PATCHLEVEL, the
 * examples as drivers/demo/*.c) and two commits on top of it —
 *   1. "demo: pin one page": gup-for-dma.c gains three comment lines above its finding (the
 *      finding moves, it is not new) and release-mismatch.c a function passing FOLL_PIN (new);
 *   2. "demo: add a ring, drop old": ring.c is added (a partial-pin finding, new), old.c with a
 *      dma-on-stack finding is deleted, missing-release.c is renamed (its finding is not new).
 * Every expectation is the exact list of rule + place.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Log } from 'sarif';
import { beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../batch/shard';
import { root, run, scratch } from './harness';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_DATE: '2026-12-01T12:00:00Z', GIT_COMMITTER_DATE: '2026-12-01T12:00:00Z' },
  });
}

const PIN_ONE = `
static int pin_one(unsigned long uaddr, struct page **pages)
{
\tint got = get_user_pages_fast(uaddr, 1, FOLL_PIN, pages);

\treturn got;
}
`;

/** The repository: base commit, then the two commits above; returns its folder. */
function buildRepository(): string {
  const repo = path.join(scratch(), 'linux');
  const demo = path.join(repo, 'drivers', 'demo');
  mkdirSync(demo, { recursive: true });
  writeFileSync(path.join(repo, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n');
  for (const name of readdirSync(path.join(root, 'examples')).filter((n) => n.endsWith('.c')))
    copyFileSync(path.join(root, 'examples', name), path.join(demo, name));
  copyFileSync(path.join(root, 'examples', 'dma-on-stack.c'), path.join(demo, 'old.c'));
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'base');

  const gup = path.join(demo, 'gup-for-dma.c');
  writeFileSync(
    gup,
    readFileSync(gup, 'utf8').replace(
      '#include <linux/scatterlist.h>\n',
      '#include <linux/scatterlist.h>\n\n/* Three new lines\n * above the finding. */\n',
    ),
  );
  writeFileSync(
    path.join(demo, 'release-mismatch.c'),
    readFileSync(path.join(demo, 'release-mismatch.c'), 'utf8') + PIN_ONE,
  );
  git(repo, 'commit', '-q', '-a', '-m', 'demo: pin one page');

  copyFileSync(path.join(root, 'examples', 'partial-pin.c'), path.join(demo, 'ring.c'));
  git(repo, 'add', 'drivers/demo/ring.c');
  git(repo, 'rm', '-q', 'drivers/demo/old.c');
  git(repo, 'mv', 'drivers/demo/missing-release.c', 'drivers/demo/missing-release-renamed.c');
  git(repo, 'commit', '-q', '-m', 'demo: add a ring, drop old');
  return repo;
}

interface JsonOut {
  findings: { file: string; line: number; column: number; rule: string; fingerprint: string; patch?: unknown }[];
  notes: unknown[];
  stats: { files: number; parsed: number; prefiltered: number; shard?: string; baseline?: unknown };
}

const places = (out: JsonOut): string[] => out.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`);

/** What the two commits add: exactly these two findings. */
const NEW_FINDINGS = [
  'drivers/demo/release-mismatch.c:28:42 internal-foll-flag',
  'drivers/demo/ring.c:25:6 partial-pin',
];

let repo: string;
beforeAll(() => {
  repo = buildRepository();
});

describe('lint --since REV', () => {
  it('reports only the findings new since REV: moved and renamed findings are not new, a deleted file is not linted', () => {
    const r = run(['lint', '--since', 'HEAD~2', '--format', 'json'], repo);
    expect(r.stderr).toContain('checking against Linux 6.12');
    expect(places(JSON.parse(r.stdout) as JsonOut)).toEqual(NEW_FINDINGS);
    expect(r.code).toBe(1);
  });

  it('gcc lines, and the closing line counts the changed C files', () => {
    const r = run(['lint', '--since', 'HEAD~2'], repo);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      'drivers/demo/release-mismatch.c:28:42: error: FOLL_PIN passed to get_user_pages_fast() [internal-foll-flag]',
      expect.stringMatching(
        /^drivers\/demo\/ring\.c:25:6: warning: When pin_user_pages_fast\(\) takes only some .* \[partial-pin\]$/,
      ),
    ]);
    // gup-for-dma.c, release-mismatch.c, ring.c, missing-release-renamed.c; old.c is gone.
    expect(r.stderr).toMatch(/pinscope: 2 new findings in 2 files since HEAD~2 \(4 changed C files; /);
  });

  it('PATH... limits it; one commit back is one finding; no change is exit 0', () => {
    expect(places(JSON.parse(run(['lint', '--since', 'HEAD~1', '--format', 'json'], repo).stdout) as JsonOut)).toEqual([
      'drivers/demo/ring.c:25:6 partial-pin',
    ]);
    const limited = run(['lint', '--since', 'HEAD~2', '--format', 'json', 'drivers/demo/ring.c'], repo);
    expect(places(JSON.parse(limited.stdout) as JsonOut)).toEqual(['drivers/demo/ring.c:25:6 partial-pin']);
    const none = run(['lint', '--since', 'HEAD'], repo);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('0 new findings in 0 files since HEAD (0 changed C files;');
    expect(none.code).toBe(0);
  });

  it('work-tree edits and untracked files count; a finding copied once more is one new finding', () => {
    const work = path.join(scratch(), 'clone');
    git(path.dirname(work), 'clone', '-q', repo, work);
    const file = path.join(work, 'drivers', 'demo', 'release-mismatch.c');
    writeFileSync(file, readFileSync(file, 'utf8') + PIN_ONE.replace('pin_one', 'pin_two'));
    copyFileSync(path.join(root, 'examples', 'dma-on-stack.c'), path.join(work, 'drivers', 'demo', 'untracked.c'));
    const r = run(['lint', '--since', 'HEAD', '--format', 'json'], work);
    expect(places(JSON.parse(r.stdout) as JsonOut)).toEqual([
      'drivers/demo/release-mismatch.c:35:42 internal-foll-flag',
      'drivers/demo/untracked.c:14:29 dma-on-stack',
    ]);
    expect(r.code).toBe(1);
  });

  it('a revision git does not know, or no repository, is exit 2 with one line', () => {
    const bad = run(['lint', '--since', 'no-such-rev'], repo);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n').at(-1)).toBe(
      `pinscope: --since no-such-rev: not a commit in the repository at ${repo}`,
    );
    const outside = run(['lint', '--since', 'HEAD', '--kernel-version', '6.12'], scratch());
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^pinscope: git rev-parse failed: fatal: not a git repository/m);
  });
});

describe('lint --patch', () => {
  let base: string;
  let mbox: string;
  beforeAll(() => {
    base = path.join(scratch(), 'base');
    git(repo, 'worktree', 'add', '-q', '--detach', base, 'HEAD~2');
    mbox = path.join(scratch(), 'series.mbox');
    writeFileSync(mbox, git(repo, 'format-patch', '--stdout', 'HEAD~2..HEAD'));
  });

  /** 1-based line of `text` in the patch input, found independently of pinscope. */
  const lineOf = (input: string, text: string, after = 0): number =>
    input.split('\n').findIndex((l, i) => i >= after && l === text) + 1;

  it('a format-patch series applied in order to the tree in memory: the findings each patch adds, with its line in the mbox', () => {
    const input = readFileSync(mbox, 'utf8');
    const pinLine = lineOf(input, '+\tint got = get_user_pages_fast(uaddr, 1, FOLL_PIN, pages);');
    const secondPatch = input.indexOf('Subject: [PATCH 2/2]');
    const ringLine = lineOf(input, '+\tif (pinned != npages) {', input.slice(0, secondPatch).split('\n').length);
    expect(pinLine).toBeGreaterThan(0);
    expect(ringLine).toBeGreaterThan(pinLine);

    const r = run(['lint', '--patch', mbox], base);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      `drivers/demo/release-mismatch.c:28:42: error: FOLL_PIN passed to get_user_pages_fast() (patch line ${pinLine} in [PATCH 1/2] demo: pin one page) [internal-foll-flag]`,
      expect.stringMatching(
        new RegExp(
          `^drivers/demo/ring\\.c:25:6: warning: When pin_user_pages_fast\\(\\) .* \\(patch line ${ringLine} in \\[PATCH 2/2\\] demo: add a ring, drop old\\) \\[partial-pin\\]$`,
        ),
      ),
    ]);
    expect(r.stderr).toMatch(/2 new findings in 2 files from the patch \(4 changed C files;/);
    expect(r.code).toBe(1);
    // Nothing was written: the tree is still at the base commit.
    expect(git(base, 'status', '--porcelain')).toBe('');

    const json = JSON.parse(run(['lint', '--patch', mbox, '--format', 'json'], base).stdout) as JsonOut;
    expect(json.findings.map((f) => f.patch)).toEqual([
      { line: pinLine, subject: '[PATCH 1/2] demo: pin one page' },
      { line: ringLine, subject: '[PATCH 2/2] demo: add a ring, drop old' },
    ]);
  });

  it('--patch - reads stdin; --tree names the tree; a plain `git diff` works too', () => {
    const fromStdin = run(['lint', '--patch', '-', '--tree', base, '--format', 'json'], scratch(), {
      input: readFileSync(mbox),
    });
    // Run from elsewhere: the files are named by their absolute paths in the tree.
    expect(places(JSON.parse(fromStdin.stdout) as JsonOut)).toEqual(NEW_FINDINGS.map((p) => `${base}/${p}`));
    const diff = path.join(scratch(), 'one.diff');
    writeFileSync(diff, git(repo, 'diff', 'HEAD~2', 'HEAD~1'));
    const plain = run(['lint', '--patch', diff], base);
    const pinLine = lineOf(readFileSync(diff, 'utf8'), '+\tint got = get_user_pages_fast(uaddr, 1, FOLL_PIN, pages);');
    expect(plain.stdout.trim()).toBe(
      `drivers/demo/release-mismatch.c:28:42: error: FOLL_PIN passed to get_user_pages_fast() (patch line ${pinLine}) [internal-foll-flag]`,
    );
  });

  it('a patch that does not apply, or is not a patch: exit 2 naming the patch and file', () => {
    const second = path.join(scratch(), 'second.patch');
    writeFileSync(second, git(repo, 'format-patch', '--stdout', 'HEAD~1..HEAD'));
    // The second patch alone on the base tree: the rename's source exists, but ring.c is new, fine;
    // applying the first one twice is what cannot work.
    const first = path.join(scratch(), 'first.patch');
    writeFileSync(first, git(repo, 'format-patch', '--stdout', 'HEAD~2..HEAD~1'));
    const twice = path.join(scratch(), 'twice.mbox');
    writeFileSync(twice, readFileSync(first, 'utf8') + readFileSync(first, 'utf8'));
    const r = run(['lint', '--patch', twice], base);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').at(-1)).toBe(
      "pinscope: --patch: patch 2 ([PATCH] demo: pin one page): does not apply to drivers/demo/gup-for-dma.c (does the tree match the patch's base?)",
    );
    const notPatch = path.join(scratch(), 'x.patch');
    writeFileSync(notPatch, 'hello\n');
    expect(run(['lint', '--patch', notPatch], base).stderr.trim().split('\n').at(-1)).toBe(
      'pinscope: --patch: no diff found in the patch',
    );
    expect(run(['lint', '--patch', second, 'drivers'], base).code).toBe(2);
  });
});

describe('lint --baseline OLD.json', () => {
  let base: string;
  let old: string;
  beforeAll(() => {
    base = path.join(scratch(), 'base');
    git(repo, 'worktree', 'add', '-q', '--detach', base, 'HEAD~2');
    old = path.join(scratch(), 'old.json');
    const r = run(['lint', '--format', 'json', 'drivers'], base);
    writeFileSync(old, r.stdout);
  });

  it('hides what the earlier report had (matched by fingerprint, across checkouts): only new findings, exit 1', () => {
    const r = run(['lint', '--baseline', old, '--format', 'json', 'drivers'], repo);
    const out = JSON.parse(r.stdout) as JsonOut;
    // A baseline knows files by path: the renamed file's finding is new to it, its old one is gone.
    expect(places(out)).toEqual(['drivers/demo/missing-release-renamed.c:22:3 missing-release', ...NEW_FINDINGS]);
    const all = (JSON.parse(run(['lint', '--format', 'json', 'drivers'], repo).stdout) as JsonOut).findings.length;
    expect(out.stats.baseline).toEqual({ unchanged: all - 3, absent: 2 });
    expect(r.code).toBe(1);
    const gcc = run(['lint', '--baseline', old, 'drivers'], repo);
    expect(gcc.stderr).toMatch(
      new RegExp(`3 new findings in 3 files \\(${all - 3} already in the baseline, 2 of its findings gone; `),
    );
  });

  it('SARIF marks every result new or unchanged, and lists the gone finding as absent', () => {
    const r = run(['lint', '--baseline', old, '--format', 'sarif', 'drivers'], repo);
    const results = (JSON.parse(r.stdout) as Log).runs[0]?.results ?? [];
    const state = (s: string) =>
      results
        .filter((x) => x.baselineState === s)
        .map(
          (x) =>
            `${x.locations?.[0]?.physicalLocation?.artifactLocation?.uri}:${x.locations?.[0]?.physicalLocation?.region?.startLine} ${x.ruleId}`,
        );
    expect(state('new')).toEqual([
      'drivers/demo/missing-release-renamed.c:22 missing-release',
      'drivers/demo/release-mismatch.c:28 internal-foll-flag',
      'drivers/demo/ring.c:25 partial-pin',
    ]);
    expect(state('absent')).toEqual([
      'drivers/demo/missing-release.c:22 missing-release',
      'drivers/demo/old.c:14 dma-on-stack',
    ]);
    expect(state('unchanged').length).toBeGreaterThan(20);
    expect(r.code).toBe(1);
    // A SARIF report works as a baseline too; against itself nothing is new.
    const sarif = path.join(scratch(), 'now.sarif');
    writeFileSync(sarif, run(['lint', '--format', 'sarif', 'drivers'], repo).stdout);
    const same = run(['lint', '--baseline', sarif, 'drivers'], repo);
    expect([same.stdout, same.code]).toEqual(['', 0]);
  });

  it('a report without fingerprints, or not a report, is exit 2 before anything runs', () => {
    const older = path.join(scratch(), 'older.json');
    const report = JSON.parse(readFileSync(old, 'utf8')) as JsonOut;
    // What a report looked like before fingerprints: the same findings without them.
    const unprinted = report.findings.map((f) =>
      Object.fromEntries(Object.entries(f).filter(([k]) => k !== 'fingerprint')),
    );
    writeFileSync(older, JSON.stringify({ ...report, findings: unprinted }));
    const r = run(['lint', '--baseline', older, 'drivers'], repo);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /older\.json: its findings have no fingerprints \(an older pinscope wrote it\); write it again with this one$/,
    );
    writeFileSync(older, '{"version": 1, "findings": [], "notes": []}');
    expect(run(['lint', '--baseline', older, 'drivers'], repo).stderr.trim()).toMatch(
      /older\.json: not a pinscope JSON report \(stats: Invalid key: Expected "stats" but received undefined\)$/,
    );
  });
});

describe('lint --shard I/N and merge', () => {
  it('N shards merge into the report of one run: the same findings and notes, in the same order', () => {
    const dir = scratch();
    const whole = JSON.parse(run(['lint', '--format', 'json', 'drivers', 'Makefile'], repo).stdout) as JsonOut;
    const shards = [1, 2, 3].map((i) => {
      const file = path.join(dir, `shard-${i}.json`);
      const r = run(['lint', '--format', 'json', '--shard', `${i}/3`, 'drivers', 'Makefile'], repo);
      writeFileSync(file, r.stdout);
      return { file, out: JSON.parse(r.stdout) as JsonOut };
    });
    expect(shards.map((s) => s.out.stats.shard)).toEqual(['1/3', '2/3', '3/3']);
    expect(shards.every((s) => s.out.findings.length > 0)).toBe(true);
    expect(shards.reduce((n, s) => n + s.out.stats.files, 0)).toBe(whole.stats.files);
    const merged = run(['merge', ...[2, 0, 1].map((i) => shards[i]?.file as string)], repo);
    expect(merged.code).toBe(1);
    const out = JSON.parse(merged.stdout) as JsonOut;
    expect(out.findings).toEqual(whole.findings);
    expect(out.notes).toEqual(whole.notes);
    expect(out.stats).toMatchObject({
      files: whole.stats.files,
      parsed: whole.stats.parsed,
      prefiltered: whole.stats.prefiltered,
    });
  });

  it('SARIF shards merge into the very SARIF of one run', () => {
    const dir = scratch();
    const whole = run(['lint', '--format', 'sarif', 'drivers'], repo).stdout;
    const files = [1, 2].map((i) => {
      const file = path.join(dir, `shard-${i}.sarif`);
      writeFileSync(file, run(['lint', '--format', 'sarif', '--shard', `${i}/2`, 'drivers'], repo).stdout);
      return file;
    });
    expect(run(['merge', ...files], repo).stdout.trim()).toBe(whole.trim());
  });

  it('a missing or doubled shard, or reports of other paths, is exit 2', () => {
    const dir = scratch();
    const shard = (i: number, ...paths: string[]) => {
      const file = path.join(dir, `s${i}-${paths.length}.json`);
      writeFileSync(file, run(['lint', '--format', 'json', '--shard', `${i}/3`, ...paths], repo).stdout);
      return file;
    };
    const [a, b] = [shard(1, 'drivers'), shard(2, 'drivers')];
    expect(run(['merge', a, b], repo).stderr.trim()).toBe('pinscope: merge: shard 3/3 missing');
    expect(run(['merge', a, a, b], repo).stderr.trim()).toMatch(/are both shard 1\/3$/);
    expect(run(['merge', a, b, shard(3, 'drivers', 'Makefile')], repo).stderr.trim()).toMatch(
      /linted other paths than/,
    );
  });

  it('the split is stable: a file keeps its shard whatever other files exist', () => {
    // SHA-1 of the report path, first 32 bits, modulo N, plus 1: pinned here, since changing the
    // scheme moves files between the jobs of every CI matrix that uses it.
    expect(['drivers/demo/ring.c', 'drivers/demo/old.c', 'fs/x.c'].map((p) => shardOf(p, 3))).toEqual([2, 1, 2]);
    expect(['drivers/demo/ring.c', 'drivers/demo/old.c', 'fs/x.c'].map((p) => shardOf(p, 7))).toEqual([1, 7, 2]);
    const r1 = JSON.parse(run(['lint', '--format', 'json', '--shard', '1/3', 'drivers'], repo).stdout) as JsonOut;
    const work = path.join(scratch(), 'more');
    git(path.dirname(work), 'clone', '-q', repo, work);
    for (let i = 0; i < 10; i++)
      copyFileSync(path.join(root, 'examples', 'dma-on-stack.c'), path.join(work, 'drivers', 'demo', `added-${i}.c`));
    const r2 = JSON.parse(run(['lint', '--format', 'json', '--shard', '1/3', 'drivers'], work).stdout) as JsonOut;
    const before = new Set(r1.findings.map((f) => f.file));
    expect(r2.findings.filter((f) => !f.file.includes('/added-')).map((f) => f.file)).toEqual(
      r1.findings.map((f) => f.file),
    );
    expect([...before].every((f) => shardOf(f, 3) === 1)).toBe(true);
    rmSync(work, { recursive: true, force: true });
  });
});
