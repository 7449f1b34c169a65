/**
 * What the CLI does with what a user types (issue 10 "Protocol and exit codes", issue 9 item 5):
 * a named path that cannot be read makes the exit 2; odd file names keep every output format
 * intact; repeatable options repeat; simulate/extract refuse special files before reading them;
 * numbers are bounded.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { root, run, scratch } from './harness';

const example = (name: string): string => path.join(root, 'examples', name);
const CLEAN =
  'int f(unsigned long a, struct page **p)\n{\n\tint n = pin_user_pages_fast(a, 1, FOLL_WRITE, p);\n\n\tif (n != 1)\n\t\treturn n < 0 ? n : -EFAULT;\n\tunpin_user_page(p[0]);\n\treturn 0;\n}\n';

describe('exit status when a named path cannot be read', () => {
  it('lint nonexistent.c clean.c exits 2 (it exited 0); the clean file is still linted', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'clean.c'), CLEAN);
    const r = run(['lint', '--kernel-version', '6.12', 'nonexistent.c', 'clean.c'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([
      'pinscope: nonexistent.c: no such file or directory',
      expect.stringMatching(/^pinscope: 0 findings in 0 files \(1 parsed, 0 skipped by the prefilter, [\d.]+ s\)$/),
      'pinscope: exit 2: 1 path named on the command line could not be read',
      '',
    ]);
  });

  it('findings are still printed, and --exit-zero does not hide the missing path', () => {
    const r = run(['lint', '--exit-zero', '--kernel-version', '6.12', example('release-mismatch.c'), 'nope/']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/release-mismatch\.c:19:3: error: .*\[release-mismatch\]\n$/);
    expect(r.stderr).toContain('pinscope: nope: no such file or directory');
  });

  it('a named FIFO is not a file to lint: exit 2, and lint does not block on it', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'clean.c'), CLEAN);
    expect(spawnSync('mkfifo', [path.join(dir, 'pipe.c')]).status).toBe(0);
    const r = run(['lint', '--kernel-version', '6.12', 'pipe.c', 'clean.c'], dir, { timeout: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pinscope: pipe.c: not a regular file or directory');
  });

  it('a file found inside a named folder that cannot be read is one line on stderr, not exit 2', () => {
    if (process.getuid?.() === 0) return console.log('root reads mode-000 files: nothing to test');
    const dir = scratch();
    writeFileSync(path.join(dir, 'clean.c'), CLEAN);
    writeFileSync(path.join(dir, 'secret.c'), 'int x;', { mode: 0 });
    const r = run(['lint', '--kernel-version', '6.12', '.'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('secret.c: cannot read: permission denied');
  });
});

describe('file names with control characters', () => {
  const name = 'bad\nname\x1b.c';
  function tree(): string {
    const dir = scratch();
    copyFileSync(example('dma-unmap-sg-nents.c'), path.join(dir, name));
    return dir;
  }

  it('gcc output: one line per finding, the newline and escape written as \\n and \\x1b', () => {
    const r = run(['lint', '--kernel-version', '6.12', '.'], tree());
    expect(r.stdout.split('\n')).toEqual([expect.stringMatching(/^bad\\nname\\x1b\.c:17:25: error: .*\]$/), '']);
  });

  it('JSON keeps the name exactly (JSON escapes it)', () => {
    const r = run(['lint', '--format', 'json', '--kernel-version', '6.12', '.'], tree());
    expect((JSON.parse(r.stdout) as { findings: { file: string }[] }).findings.map((f) => f.file)).toEqual([name]);
  });

  it('SARIF: a percent-encoded URI', () => {
    const r = run(['lint', '--format', 'sarif', '--kernel-version', '6.12', '.'], tree());
    const log = JSON.parse(r.stdout) as Log;
    expect(log.runs[0]?.results?.[0]?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('bad%0Aname%1B.c');
  });

  it('--diff quotes the name as git does, and git apply applies it to give what --fix gives', () => {
    const dir = tree();
    const diff = run(['lint', '--diff', '--kernel-version', '6.12', '.'], dir);
    expect(diff.stdout.split('\n').slice(0, 2)).toEqual(['--- "a/bad\\nname\\033.c"', '+++ "b/bad\\nname\\033.c"']);
    writeFileSync(path.join(dir, '..', `${path.basename(dir)}.patch`), diff.stdout);
    const apply = spawnSync('git', ['apply', path.join(dir, '..', `${path.basename(dir)}.patch`)], { cwd: dir });
    expect(apply.status).toBe(0);
    expect(readFileSync(path.join(dir, name))).toEqual(
      readFileSync(path.join(root, 'test', 'fixtures', 'fixed', 'dma-unmap-sg-nents.c')),
    );
  });
});

describe('--diff headers', () => {
  it('inside the working directory: a/ and b/ and the relative path', () => {
    const r = run(['lint', '--diff', '--kernel-version', '6.12', 'examples/dma-unmap-sg-nents.c']);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      '--- a/examples/dma-unmap-sg-nents.c',
      '+++ b/examples/dma-unmap-sg-nents.c',
      '@@ -14,7 +14,7 @@',
    ]);
  });

  it('an absolute path outside it: a/tmp/…, never a//tmp/…, and patch -p1 applies it from /', () => {
    const dir = scratch();
    const file = path.join(dir, 'x.c');
    copyFileSync(example('dma-unmap-sg-nents.c'), file);
    const elsewhere = scratch();
    const r = run(['lint', '--diff', '--kernel-version', '6.12', file], elsewhere);
    const rel = file.slice(1);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([`--- a/${rel}`, `+++ b/${rel}`]);
    const patch = spawnSync('patch', ['-p1', '--dry-run'], { cwd: '/', input: r.stdout, encoding: 'utf8' });
    expect(patch.stdout.trim()).toBe(`checking file ${rel}`);
    expect(patch.status).toBe(0);
  });
});

describe('options', () => {
  it('--rule and --exclude repeat', () => {
    const dir = scratch();
    for (const n of ['missing-foll-write.c', 'release-mismatch.c', 'gup-for-dma.c'])
      copyFileSync(example(n), path.join(dir, n));
    mkdirSync(path.join(dir, 'skip'));
    copyFileSync(example('partial-pin.c'), path.join(dir, 'skip', 'p.c'));
    const r = run(
      [
        'lint',
        '--kernel-version=6.12',
        '--rule',
        'missing-foll-write=off',
        '--rule=release-mismatch=info',
        '--exclude',
        '**/skip/**',
        '--exclude=gup-for-dma.c',
        '.',
      ],
      dir,
    );
    expect(r.stdout.split('\n').map((l) => l.replace(/: .*\[/, ' ['))).toEqual([
      'release-mismatch.c:19:3 [release-mismatch]',
      '',
    ]);
  });

  it('unknown options and bad values are usage errors (exit 2), one line', () => {
    const bad = (args: string[]): string => {
      const r = run(args);
      expect(r.code).toBe(2);
      return r.stderr.trim();
    };
    expect(bad(['lint', '--frobnicate', 'examples'])).toMatch(/^pinscope: Unknown option '--frobnicate'/);
    expect(bad(['lint', '--jobs', '0', 'examples'])).toBe(
      'pinscope: --jobs must be a whole number from 1 to 1024 (not "0")',
    );
    expect(bad(['lint', '--max-file-size', '8MB', 'examples'])).toBe(
      'pinscope: --max-file-size must be a whole number from 1 to 1073741824 (not "8MB")',
    );
    expect(bad(['simulate', '--pages', '1e9', 'examples/partial-pin.c:region_pin_pages'])).toBe(
      'pinscope: --pages must be a whole number from 1 to 4096 (not "1e9")',
    );
    expect(bad(['simulate', '--pages', '5000', 'examples/partial-pin.c:region_pin_pages'])).toBe(
      'pinscope: --pages must be a whole number from 1 to 4096 (not "5000")',
    );
    expect(bad(['extract', '--format', 'yaml', 'examples/partial-pin.c:region_pin_pages'])).toBe(
      'pinscope: --format must be pinsim or json (not "yaml")',
    );
    expect(bad(['catalog', '--bogus'])).toMatch(/^pinscope: Unknown option '--bogus'/);
    expect(bad(['lsp', '--tcp'])).toMatch(/^pinscope: lsp: Unknown option '--tcp'/);
  });
});

describe('simulate and extract check their target before reading it', () => {
  it('/dev/zero: not a regular file, at once', () => {
    for (const command of ['simulate', 'extract']) {
      const r = run([command, '--kernel-version', '6.12', '/dev/zero:f'], root, { timeout: 20_000 });
      expect(r.signal).toBe(null);
      expect([r.code, r.stderr.trim()]).toEqual([2, 'pinscope: /dev/zero: not a regular file']);
    }
  });

  it('a FIFO (which would block the open) and a .pinsim FIFO', () => {
    const dir = scratch();
    expect(spawnSync('mkfifo', [path.join(dir, 'x.c'), path.join(dir, 't.pinsim')]).status).toBe(0);
    for (const target of ['x.c:f', 't.pinsim']) {
      const r = run(['simulate', '--kernel-version', '6.12', target], dir, { timeout: 20_000 });
      expect(r.signal).toBe(null);
      expect([r.code, r.stderr.trim()]).toEqual([2, `pinscope: ${target.replace(':f', '')}: not a regular file`]);
    }
  });

  it('a file over the 8 MB limit is refused without reading it; a directory is not a file', () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'big.c'), Buffer.alloc(9 * 1024 * 1024, 0x20));
    mkdirSync(path.join(dir, 'd.c'));
    expect(run(['simulate', 'big.c:f'], dir).stderr.trim()).toBe(
      'pinscope: big.c: 9.0 MB is over the 8.0 MB analysis limit (--max-file-size)',
    );
    expect(run(['extract', 'd.c:f'], dir).stderr.trim()).toBe('pinscope: d.c: not a regular file');
    expect(run(['simulate', 'missing.pinsim'], dir).stderr.trim()).toBe(
      'pinscope: missing.pinsim: cannot read: no such file or directory',
    );
  });
});
