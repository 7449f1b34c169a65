/**
 * docs/ci.md's recipes work as written: its pre-commit hook (taken from the document) refuses a
 * commit that adds a finding and lets a clean one through; its patch-series commands report what
 * each patch of a `git format-patch` series adds, against a worktree at the series' base.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bin, root, scratch } from './harness';

const doc = readFileSync(path.join(root, 'docs', 'ci.md'), 'utf8');

/** The ```sh blocks of docs/ci.md. */
const shBlocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);

let env: NodeJS.ProcessEnv;
beforeAll(() => {
  const shims = path.join(scratch(), 'bin');
  mkdirSync(shims);
  writeFileSync(path.join(shims, 'pinscope'), `#!/bin/sh\nexec '${process.execPath}' '${bin}' "$@"\n`);
  chmodSync(path.join(shims, 'pinscope'), 0o755);
  env = {
    ...process.env,
    PATH: `${shims}:${process.env.PATH ?? ''}`,
    GIT_AUTHOR_NAME: 'Recipe',
    GIT_AUTHOR_EMAIL: 'recipe@example.invalid',
    GIT_COMMITTER_NAME: 'Recipe',
    GIT_COMMITTER_EMAIL: 'recipe@example.invalid',
  };
});

const sh = (command: string, cwd: string) => spawnSync('sh', ['-c', command], { cwd, env, encoding: 'utf8' });

/** A repository with a kernel Makefile and two example drivers, committed. */
function repository(): string {
  const repo = path.join(scratch(), 'linux');
  mkdirSync(path.join(repo, 'drivers', 'demo'), { recursive: true });
  writeFileSync(path.join(repo, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 12\n');
  for (const name of ['release-mismatch.c', 'partial-pin.c'])
    copyFileSync(path.join(root, 'examples', name), path.join(repo, 'drivers', 'demo', name));
  for (const args of [
    ['init', '-q', '-b', 'master'],
    ['add', '.'],
    ['commit', '-q', '-m', 'base'],
  ])
    execFileSync('git', args, { cwd: repo, env });
  return repo;
}

const DOORBELL = `
static int pin_doorbell(unsigned long uaddr, struct page **page)
{
\treturn get_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_PIN, page);
}
`;

describe('the pre-commit hook of docs/ci.md', () => {
  const hook = shBlocks.find((b) => b.startsWith('#!/bin/sh\n# pinscope'));

  it('is in the document', () => {
    expect(hook).toContain('pinscope lint --since HEAD --quiet');
  });

  it('lets a clean commit through and refuses one that adds a finding', () => {
    const repo = repository();
    writeFileSync(path.join(repo, '.git', 'hooks', 'pre-commit'), hook as string);
    chmodSync(path.join(repo, '.git', 'hooks', 'pre-commit'), 0o755);
    const file = path.join(repo, 'drivers', 'demo', 'partial-pin.c');

    // A comment moves the existing finding: not new, the commit goes through.
    writeFileSync(file, `/* moved */\n${readFileSync(file, 'utf8')}`);
    const clean = sh('git commit -q -am "demo: a comment"', repo);
    expect([clean.status, clean.stdout, clean.stderr]).toEqual([0, '', '']);

    writeFileSync(file, readFileSync(file, 'utf8') + DOORBELL);
    const refused = sh('git commit -q -am "demo: pin the doorbell"', repo);
    expect(refused.status).toBe(1);
    // git gives a hook's stdout to stderr.
    expect(refused.stderr.split('\n').filter((l) => l.startsWith('drivers/'))).toEqual([
      'drivers/demo/partial-pin.c:38:9: warning: Pages from get_user_pages_fast() (FOLL_GET) must be pinned [gup-for-dma]',
      'drivers/demo/partial-pin.c:38:52: error: FOLL_PIN passed to get_user_pages_fast() [internal-foll-flag]',
    ]);
    expect(refused.stderr).toContain('pinscope: the commit adds the findings above');
    expect(execFileSync('git', ['log', '--format=%s'], { cwd: repo, encoding: 'utf8' })).toBe(
      'demo: a comment\nbase\n',
    );
  });
});

describe("docs/ci.md's patch series commands", () => {
  const series = shBlocks.find((b) => b.startsWith('git format-patch'))?.split('\n') ?? [];

  it('format-patch, a worktree at the base, and the series on stdin', () => {
    const repo = repository();
    execFileSync('git', ['branch', 'origin/master'], { cwd: repo, env }); // stands in for the upstream branch
    const file = path.join(repo, 'drivers', 'demo', 'release-mismatch.c');
    writeFileSync(file, readFileSync(file, 'utf8') + DOORBELL);
    execFileSync('git', ['commit', '-q', '-am', 'demo: pin the doorbell page'], { cwd: repo, env });
    copyFileSync(path.join(root, 'examples', 'dma-on-stack.c'), path.join(repo, 'drivers', 'demo', 'cmd.c'));
    execFileSync('git', ['add', '.'], { cwd: repo, env });
    execFileSync('git', ['commit', '-q', '-m', 'demo: send a command'], { cwd: repo, env });

    const [formatPatch, worktree, lint] = series.map((l) => l.replace(/\s{2,}#\s.*$/, ''));
    for (const command of [formatPatch, worktree]) expect(sh(command as string, repo).status).toBe(0);
    const r = sh(lint as string, repo);
    expect(r.status).toBe(1);
    const input = execFileSync('sh', ['-c', 'cat outgoing/*.patch'], { cwd: repo, encoding: 'utf8' }).split('\n');
    const at = (text: string) => input.indexOf(text) + 1;
    const base = path.join(path.dirname(repo), 'linux-base');
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      `${base}/drivers/demo/release-mismatch.c:28:9: warning: Pages from get_user_pages_fast() (FOLL_GET) must be pinned (patch line ${at('+\treturn get_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_PIN, page);')} in [PATCH 1/2] demo: pin the doorbell page) [gup-for-dma]`,
      `${base}/drivers/demo/release-mismatch.c:28:52: error: FOLL_PIN passed to get_user_pages_fast() (patch line ${at('+\treturn get_user_pages_fast(uaddr, 1, FOLL_WRITE | FOLL_PIN, page);')} in [PATCH 1/2] demo: pin the doorbell page) [internal-foll-flag]`,
      `${base}/drivers/demo/cmd.c:14:29: error: dma_map_single() maps the on-stack array \`cmd\` (patch line ${at('+\taddr = dma_map_single(dev, cmd, sizeof(cmd), DMA_FROM_DEVICE);')} in [PATCH 2/2] demo: send a command) [dma-on-stack]`,
    ]);
  });
});
