/**
 * `pinscope` as a user runs it: the built bundle in a child process. Exit codes, the three
 * output formats, --fix and --diff, the kernel version from a tree's Makefile, and bad input
 * (unreadable paths, binary data, a 50 MB file, non-UTF-8 text, broken C, an empty folder).
 */
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { root, run, scratch } from './harness';

describe('pinscope lint', () => {
  it('gcc format, exit 1 with findings', () => {
    const r = run(['lint', '--kernel-version', '6.12', 'examples/release-mismatch.c']);
    expect(r.code).toBe(1);
    expect(r.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^examples\/release-mismatch\.c:19:3: error: Pages pinned by pin_user_pages_fast\(\) \(line 12\) are released with a put_page\(\) loop\..* \[release-mismatch\]$/,
      ),
    ]);
    expect(r.stderr).toContain('1 finding in 1 file');
  });

  it('exit 0 when clean', () => {
    const dir = scratch();
    writeFileSync(
      path.join(dir, 'ok.c'),
      'int f(unsigned long a, struct page **p)\n{\n\tint n = pin_user_pages_fast(a, 1, FOLL_WRITE, p);\n\n\tif (n != 1)\n\t\treturn n < 0 ? n : -EFAULT;\n\tunpin_user_page(p[0]);\n\treturn 0;\n}\n',
    );
    const r = run(['lint', '--kernel-version', '6.12', dir]);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });

  it('JSON: 1-based ranges, rule, severity, fixes, stats', () => {
    const r = run(['lint', '--format', 'json', '--kernel-version', '6.12', 'examples/dma-unmap-sg-nents.c']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      version: number;
      findings: Record<string, unknown>[];
      stats: Record<string, unknown>;
    };
    expect(out.version).toBe(1);
    expect(out.findings).toHaveLength(1);
    expect(out.findings[0]).toMatchObject({
      file: 'examples/dma-unmap-sg-nents.c',
      line: 17,
      column: 25,
      endLine: 17,
      endColumn: 31,
      rule: 'dma-unmap-sg-nents',
      severity: 'error',
      fixes: [
        {
          title: 'Pass the original nents (nents)',
          safe: true,
          edits: [{ line: 17, column: 25, endLine: 17, endColumn: 31, newText: 'nents' }],
        },
      ],
    });
    expect(out.stats).toMatchObject({ files: 1, parsed: 1, kernelVersion: '6.12' });
  });

  it('SARIF 2.1.0 with rule metadata, fingerprints and fixes', () => {
    const r = run(['lint', '--format', 'sarif', '--kernel-version', '6.12', 'examples/gup-for-dma.c']);
    const sarif = JSON.parse(r.stdout) as Log;
    expect(sarif.version).toBe('2.1.0');
    const result = sarif.runs[0]?.results?.[0];
    expect(result?.ruleId).toBe('gup-for-dma');
    expect(result?.partialFingerprints?.['pinscope/v2']).toMatch(/^[0-9a-f]{32}:0$/);
    expect(result?.locations?.[0]?.physicalLocation?.region).toEqual({
      startLine: 14,
      startColumn: 8,
      endLine: 14,
      endColumn: 27,
    });
    expect(result?.fixes?.[0]?.artifactChanges[0]?.replacements.length).toBe(3);
  });

  it('--diff prints the safe fixes as a unified diff and changes nothing; --fix applies them', () => {
    const dir = scratch();
    const file = path.join(dir, 'release-mismatch.c');
    copyFileSync(path.join(root, 'examples', 'release-mismatch.c'), file);
    const original = readFileSync(file, 'utf8');
    const diff = run(['lint', '--diff', '--kernel-version', '6.12', file], dir);
    expect(diff.stdout).toContain('-\t\tput_page(pages[i]);');
    expect(diff.stdout).toContain('+\tunpin_user_pages(pages, pinned);');
    expect(readFileSync(file, 'utf8')).toBe(original);
    const fix = run(['lint', '--fix', '--kernel-version', '6.12', file], dir);
    expect(fix.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(
      readFileSync(path.join(root, 'test', 'fixtures', 'fixed', 'release-mismatch.c'), 'utf8'),
    );
    expect(fix.stderr).toContain('fixed 1 finding in 1 file; 0 remain');
  });

  it("reads the kernel version from the tree's top Makefile", () => {
    const dir = scratch();
    writeFileSync(path.join(dir, 'Makefile'), 'VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n');
    mkdirSync(path.join(dir, 'drivers'));
    copyFileSync(path.join(root, 'examples', 'api-version.c'), path.join(dir, 'drivers', 'x.c'));
    const r = run(['lint', path.join(dir, 'drivers')]);
    expect(r.stderr).toContain('checking against Linux 6.1');
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1); // on 6.1 the vmas argument is right
  });
});

describe('bad input: one line on stderr per path, the run goes on', () => {
  it('unreadable, missing, binary, huge, non-UTF-8 and broken files next to a good one', () => {
    const dir = scratch();
    copyFileSync(path.join(root, 'examples', 'release-mismatch.c'), path.join(dir, 'good.c'));
    writeFileSync(path.join(dir, 'binary.c'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0x70, 0x69, 0x6e]));
    // Over the size limit: one that may hold a catalogued call is reported, one that cannot is not
    // (the prefilter reads it in windows before the size check would name it).
    const huge = Buffer.alloc(50 * 1024 * 1024, 0x20);
    writeFileSync(path.join(dir, 'huge-blank.h'), huge);
    huge.write('pin_user_pages_fast', 30 * 1024 * 1024 - 7, 'latin1'); // across a 1 MiB window boundary
    writeFileSync(path.join(dir, 'huge.c'), huge);
    writeFileSync(
      path.join(dir, 'latin1.c'),
      Buffer.concat([
        Buffer.from('/* caf'),
        Buffer.from([0xe9]),
        Buffer.from(
          ' */\nint f(unsigned long a, struct page **p) { return pin_user_pages_fast(a, 1, FOLL_PIN, p); }\n',
        ),
      ]),
    );
    // Truncated in the middle of a statement, as an interrupted save or a bad patch leaves it.
    writeFileSync(
      path.join(dir, 'broken.c'),
      'int f(unsigned long a, struct page **p)\n{\n\tint r = pin_user_pages_fast(a, 1, FOLL_PIN, p);\n\tif (r < 0\n',
    );
    writeFileSync(path.join(dir, 'secret.c'), 'int x;');
    chmodSync(path.join(dir, 'secret.c'), 0);
    const r = run(['lint', '--kernel-version', '6.12', '--verbose', dir, path.join(dir, 'missing.c')]);
    expect(r.code).toBe(2); // a path named on the command line is missing; everything else still ran
    expect(r.stderr).toMatch(/missing\.c: no such file or directory/);
    expect(r.stderr).toContain('pinscope: exit 2: 1 path named on the command line could not be read');
    expect(r.stderr).toMatch(/binary\.c: skipped: binary data \(NUL byte at offset 4\)/);
    expect(r.stderr).toMatch(/huge\.c: skipped: 50\.0 MB is over the 8\.0 MB analysis limit/);
    expect(r.stderr).not.toContain('huge-blank.h');
    expect(r.stderr).toMatch(/latin1\.c: note: not valid UTF-8; read as Latin-1/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack traces
    const lines = r.stdout.trim().split('\n');
    expect(lines.some((l) => l.includes('good.c:19:3') && l.endsWith('[release-mismatch]'))).toBe(true);
    expect(lines.some((l) => l.includes('latin1.c:2:') && l.endsWith('[internal-foll-flag]'))).toBe(true);
    expect(lines.some((l) => l.includes('broken.c:3:36:') && l.endsWith('[internal-foll-flag]'))).toBe(true);
    expect(r.stderr).toMatch(/broken\.c:\d+:\d+: note: \d+ parts? of the file did not parse as C/);
    if (process.getuid?.() !== 0) expect(r.stderr).toMatch(/secret\.c: cannot read: permission denied/);
    // huge-blank.h is skipped by the prefilter (and secret.c too, when root can read it).
    expect(r.stderr).toContain(`(3 parsed, ${process.getuid?.() === 0 ? 2 : 1} skipped by the prefilter,`);

    // Without --verbose the notes are one line; the files that were not linted are still named.
    const normal = run(['lint', '--kernel-version', '6.12', dir]);
    expect(normal.stderr).not.toMatch(/broken\.c:\d+:\d+: note:/);
    expect(normal.stderr).not.toContain('latin1.c');
    expect(normal.stderr).toContain(
      'pinscope: notes: 1 file with code that did not parse as C (findings there may be missing), 1 file read as Latin-1 (not valid UTF-8); --verbose lists them',
    );
    expect(normal.stderr).toMatch(/huge\.c: skipped: 50\.0 MB/);
    expect(normal.stdout).toBe(r.stdout);
    // --quiet: the findings and nothing else.
    const quiet = run(['lint', '--kernel-version', '6.12', '--quiet', dir]);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toBe(r.stdout);
  });

  it('exit 2 when nothing can be read, or on a usage error', () => {
    const dir = scratch();
    expect(run(['lint', dir]).code).toBe(2);
    expect(run(['lint', dir]).stderr).toContain('no *.c or *.h files here');
    const bad = run(['lint', '--format', 'xml', 'examples']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('pinscope: --format must be gcc, json or sarif (not "xml")');
    expect(run(['lint', '--fix', '--diff', 'examples']).code).toBe(2);
    expect(run(['frobnicate']).code).toBe(2);
  });
});

describe('pinscope extract / simulate', () => {
  it('extract prints .pinsim paths that simulate parses back', () => {
    const r = run(['extract', '--kernel-version', '6.12', 'examples/partial-pin.c:region_pin_pages']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# region_pin_pages(), path 1 of');
    expect(r.stdout).toMatch(/pin_user_pages_fast nr=4 flags=FOLL_WRITE -> 2 +@24:11/);
  });

  it('simulate --format json carries initial state, per-step pages, vmstat and violations', () => {
    const r = run([
      'simulate',
      '--format',
      'json',
      '--kernel-version',
      '6.12',
      'examples/partial-pin.c:region_pin_pages',
    ]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as {
      paths: {
        outcome: string;
        initial: { pages: unknown[]; vmstat: unknown };
        steps: {
          call: string;
          line: number;
          pages: { refcount: number; pincount: number | null; maybeDmaPinned: boolean }[];
          vmstat: { nr_foll_pin_acquired: number; nr_foll_pin_released: number };
          violations: { kind: string; message: string }[];
        }[];
      }[];
    };
    const leak = out.paths.find((p) => p.outcome === 'leak');
    expect(leak).toBeDefined();
    expect(leak?.initial.vmstat).toEqual({ nr_foll_pin_acquired: 0, nr_foll_pin_released: 0 });
    const pin = leak?.steps.find((s) => s.call.startsWith('pin_user_pages_fast'));
    expect(pin?.line).toBe(24);
    expect(pin?.pages.map((p) => p.refcount)).toEqual([1025, 1025, 1, 1]);
    expect(pin?.vmstat).toEqual({ nr_foll_pin_acquired: 2, nr_foll_pin_released: 0 });
    expect(leak?.steps.at(-1)?.violations[0]?.kind).toBe('leak');
  });

  it('simulate --format markdown: one table per path, with the dma-debug column for DMA code', () => {
    const r = run([
      'simulate',
      '--format',
      'markdown',
      '--kernel-version',
      '6.12',
      'examples/dma-unmap-sg-nents.c:demo_read_sg',
    ]);
    expect(r.code).toBe(1);
    const tables = r.stdout.split('\n\n**');
    expect(tables).toHaveLength(2);
    expect(r.stdout).toContain('**demo\\_read\\_sg()** · Linux 6.12 · path 2 of 2 — **dma-error**');
    expect(r.stdout).toContain(
      '| step | line | call | result | acquired / released | dma-debug | pages (refcount[/pincount], P = maybe_dma_pinned) | notes |',
    );
    expect(r.stdout).toContain(
      'device driver frees DMA sg list with different entry count [map count=4] [unmap count=3]',
    );
  });

  it('a malformed trace: one line:col error per bad line, nothing simulated, exit 2', () => {
    const dir = scratch();
    const file = path.join(dir, 'bad.pinsim');
    writeFileSync(file, 'pages 4 base\npin_user_pages_fast nr=x\nunpin_user_pages first=0 nr=4\nbogus\n');
    const r = run(['simulate', file], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'bad.pinsim:2:24: nr: expected a non-negative integer, not "x"',
      'bad.pinsim:4:1: unknown call "bogus"',
      'pinscope: 2 errors; nothing was simulated',
    ]);
  });
});
