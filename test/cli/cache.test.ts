/**
 * `pinscope lint`'s result cache (batch/cache/), through the built CLI on a tree of the examples
 * (twice over, so that the run goes through the worker pool): a warm run gives the report a fresh
 * run gives, byte for byte; an edit invalidates exactly the edited file's entry; another
 * configuration or build shares nothing; a corrupt entry is ignored with one note; `--no-cache`
 * writes nothing; two runs sharing the cache at once both come out right.
 */
import { spawn } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configKey } from '../../batch/cache/key';
import { lookup, store } from '../../batch/cache/store';
import { bin, root, run, scratch, type RunResult } from './harness';

const EXAMPLES = readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.c'));

/** The examples in a/ and b/ (more files than the CLI lints in-process), and a file with no catalogued call. */
function fixtureTree(): string {
  const dir = scratch();
  for (const sub of ['a', 'b']) {
    mkdirSync(path.join(dir, sub));
    for (const f of EXAMPLES) copyFileSync(path.join(root, 'examples', f), path.join(dir, sub, f));
  }
  writeFileSync(path.join(dir, 'a', 'plain.c'), 'int plain(void) { return 0; }\n');
  return dir;
}

const LINT = ['lint', '--format', 'json', '--exit-zero', '--kernel-version', '6.12'];

/** The JSON report with its one clock reading (stats.elapsedMs) set to 0: otherwise byte for byte. */
function report(r: RunResult): string {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.replace(/"elapsedMs":\d+/, '"elapsedMs":0');
}

/** Every entry file under `cache`, with its bytes and modification time. */
function entries(cache: string): Map<string, { bytes: string; mtimeMs: number }> {
  const out = new Map<string, { bytes: string; mtimeMs: number }>();
  if (!existsSync(cache)) return out;
  for (const rel of readdirSync(cache, { recursive: true, encoding: 'utf8' })) {
    const file = path.join(cache, rel);
    if (statSync(file).isFile()) out.set(rel, { bytes: readFileSync(file, 'utf8'), mtimeMs: statSync(file).mtimeMs });
  }
  return out;
}

/** The gcc format's closing line, which counts the results taken from the cache. */
function fromCache(r: RunResult): number {
  const m = /; (\d+) results from the cache\)$/m.exec(r.stderr);
  return m ? Number(m[1]) : 0;
}

/** The files the examples tree has that are parsed (not skipped by the prefilter). */
const LINTED = EXAMPLES.length * 2;

describe('the result cache', () => {
  it('a warm run gives the fresh report byte for byte, from one entry per linted file', () => {
    const dir = fixtureTree();
    const cache = path.join(dir, '..', `${path.basename(dir)}-cache`);
    const fresh = report(run([...LINT, '--no-cache', '.'], dir));
    const cold = report(run([...LINT, '--cache-location', cache, '.'], dir));
    const stored = entries(cache);
    expect(stored.size).toBe(LINTED);
    expect([...stored.keys()].every((k) => /^results-v1\/[0-9a-f]{16}\/[0-9a-f]{2}\/[0-9a-f]{64}\.json$/.test(k))).toBe(
      true,
    );
    const warm = report(run([...LINT, '--cache-location', cache, '.'], dir));
    expect(cold).toBe(fresh);
    expect(warm).toBe(fresh);
    // SARIF, with its fingerprints and fixes, too (its one clock reading is the run's end time).
    const sarif = (args: readonly string[]): string =>
      run(['lint', '--format', 'sarif', '--exit-zero', '--kernel-version', '6.12', ...args, '.'], dir).stdout.replace(
        /"endTimeUtc":"[^"]*"/,
        '',
      );
    expect(sarif(['--cache-location', cache])).toBe(sarif(['--no-cache']));
    const gcc = run(['lint', '--kernel-version', '6.12', '--cache-location', cache, '.'], dir);
    expect(fromCache(gcc)).toBe(LINTED);
  });

  it('an edit invalidates exactly the edited file: its entry is rewritten, no other is touched', () => {
    const dir = fixtureTree();
    const cache = path.join(dir, '..', `${path.basename(dir)}-cache`);
    run([...LINT, '--cache-location', cache, '.'], dir);
    const before = entries(cache);
    appendFileSync(path.join(dir, 'b', 'release-mismatch.c'), '\n/* an edit */\n');
    const gcc = run(['lint', '--kernel-version', '6.12', '--cache-location', cache, '.'], dir);
    expect(fromCache(gcc)).toBe(LINTED - 1);
    const after = entries(cache);
    expect(after.size).toBe(before.size);
    const changed = [...after].filter(
      ([k, v]) => before.get(k)?.bytes !== v.bytes || before.get(k)?.mtimeMs !== v.mtimeMs,
    );
    expect(changed.map(([, v]) => (JSON.parse(v.bytes) as { path: string }).path)).toEqual([
      path.join(dir, 'b', 'release-mismatch.c'),
    ]);
    expect(report(run([...LINT, '--cache-location', cache, '.'], dir))).toBe(
      report(run([...LINT, '--no-cache', '.'], dir)),
    );
  });

  it('another configuration shares nothing: a rule setting, the kernel version', () => {
    const dir = fixtureTree();
    const cache = path.join(dir, '..', `${path.basename(dir)}-cache`);
    const gcc = (args: readonly string[]): RunResult => run(['lint', '--cache-location', cache, ...args, '.'], dir);
    gcc(['--kernel-version', '6.12']);
    expect(fromCache(gcc(['--kernel-version', '6.12', '--rule', 'dma-on-stack=off']))).toBe(0);
    expect(fromCache(gcc(['--kernel-version', '6.12', '--rule', 'dma-on-stack=info']))).toBe(0);
    expect(fromCache(gcc(['--kernel-version', '5.10']))).toBe(0);
    expect(fromCache(gcc(['--kernel-version', '6.12', '--max-file-size', '1000000']))).toBe(0);
    expect(readdirSync(path.join(cache, 'results-v1'))).toHaveLength(5);
    expect(fromCache(gcc(['--kernel-version', '6.12']))).toBe(LINTED);
  });

  it('another build or version of pinscope never reads this one’s entries', () => {
    const request = { lint: { kernelVersion: { major: 6, minor: 12 } } };
    const keys = new Set([
      configKey(request, { version: '0.1.0', id: 'a' }),
      configKey(request, { version: '0.1.1', id: 'a' }),
      configKey(request, { version: '0.1.0', id: 'b' }),
      configKey({ ...request, budget: { timeMs: 1000, heapMb: 1536 } }, { version: '0.1.0', id: 'a' }),
    ]);
    expect(keys.size).toBe(4);
    // The same settings written in another order are the same configuration.
    const rules = (a: object, b: object): string[] =>
      [a, b].map((r) => configKey({ lint: { ...request.lint, rules: r } }, { version: '0.1.0', id: 'a' }));
    const [x, y] = rules(
      { 'dma-on-stack': { enabled: false }, 'missing-release': { severity: 'info' } },
      { 'missing-release': { severity: 'info' }, 'dma-on-stack': { enabled: false } },
    );
    expect(x).toBe(y);
    // An entry is checked against the key it was written under, the file's path and its bytes.
    const dir = scratch();
    const spec = { dir, key: configKey(request, { version: '0.1.0', id: 'a' }) };
    const bytes = Buffer.from('int x;\n');
    const file = path.join(dir, 'x.c');
    store(spec, file, lookup(spec, file, bytes).content, { findings: [], notes: [] });
    expect(lookup(spec, file, bytes).kind).toBe('hit');
    expect(lookup(spec, file, Buffer.from('int y;\n')).kind).toBe('miss');
    expect(lookup({ dir, key: configKey(request, { version: '0.1.0', id: 'b' }) }, file, bytes).kind).toBe('miss');
    // A result made with other cross-file facts (a header's helper changed) is a miss.
    store(spec, file, lookup(spec, file, bytes, 'f1').content, { findings: [], notes: [] }, 'f1');
    expect(lookup(spec, file, bytes, 'f1').kind).toBe('hit');
    expect(lookup(spec, file, bytes, 'f2').kind).toBe('miss');
    expect(lookup(spec, file, bytes).kind).toBe('miss');
  });

  it('a corrupt entry is ignored with one note, its file linted afresh and the entry rewritten', () => {
    const dir = fixtureTree();
    const cache = path.join(dir, '..', `${path.basename(dir)}-cache`);
    const fresh = report(run([...LINT, '--no-cache', '.'], dir));
    run([...LINT, '--cache-location', cache, '.'], dir);
    const names = [...entries(cache).keys()];
    const damage = [
      (f: string) => writeFileSync(f, ''),
      (f: string) => writeFileSync(f, readFileSync(f, 'utf8').slice(0, 40)),
      (f: string) => writeFileSync(f, '{"format":1,"findings":"not a list"}'),
      (f: string) => writeFileSync(f, Buffer.from([0xff, 0x00, 0x7b])),
    ];
    damage.forEach((d, i) => d(path.join(cache, names[i] as string)));
    const r = run([...LINT, '--cache-location', cache, '.'], dir);
    expect(report(r)).toBe(fresh);
    expect(r.stderr.split('\n').filter((l) => l.includes('cache'))).toEqual([
      `pinscope: note: 4 result cache entries in ${cache} could not be read; ignored, and the files linted afresh`,
    ]);
    const again = run(['lint', '--kernel-version', '6.12', '--cache-location', cache, '.'], dir);
    expect(again.stderr).not.toContain('could not be read');
    expect(fromCache(again)).toBe(LINTED);
  });

  it('--no-cache reads and writes nothing; without --cache-location the cache is in $XDG_CACHE_HOME/pinscope, else ~/.cache/pinscope', () => {
    const dir = fixtureTree();
    const home = scratch();
    const xdg = scratch();
    const env = (extra: Record<string, string>): NodeJS.ProcessEnv => {
      const e: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...extra };
      if (!('XDG_CACHE_HOME' in extra)) delete e.XDG_CACHE_HOME;
      return e;
    };
    report(run([...LINT, '--no-cache', '.'], dir, { env: env({ XDG_CACHE_HOME: xdg }) }));
    report(run([...LINT, '--no-cache', '.'], dir, { env: env({}) }));
    expect(readdirSync(xdg)).toEqual([]);
    expect(readdirSync(home)).toEqual([]);
    report(run([...LINT, '.'], dir, { env: env({ XDG_CACHE_HOME: xdg }) }));
    expect(entries(path.join(xdg, 'pinscope')).size).toBe(LINTED);
    // A relative XDG_CACHE_HOME is to be ignored (XDG Base Directory specification).
    report(run([...LINT, '.'], dir, { env: env({ XDG_CACHE_HOME: 'relative' }) }));
    expect(entries(path.join(home, '.cache', 'pinscope')).size).toBe(LINTED);
    expect(existsSync(path.join(dir, 'relative'))).toBe(false);
    const both = run([...LINT, '--no-cache', '--cache-location', xdg, '.'], dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('pinscope: --no-cache and --cache-location cannot be used together\n');
  });

  it('a cache folder that cannot be written: the run is right, and one note says so', () => {
    const dir = fixtureTree();
    const blocked = path.join(dir, '..', `${path.basename(dir)}-file`);
    writeFileSync(blocked, 'a file where the cache folder would be\n');
    const r = run([...LINT, '--cache-location', blocked, '.'], dir);
    expect(report(r)).toBe(report(run([...LINT, '--no-cache', '.'], dir)));
    expect(r.stderr.split('\n').filter((l) => l.includes('cache'))).toEqual([
      `pinscope: note: cannot write the result cache in ${blocked} (ENOTDIR); results are not cached (--cache-location DIR or --no-cache)`,
    ]);
  });

  it('two runs sharing the cache at once both give the fresh report, and leave whole entries only', async () => {
    const dir = fixtureTree();
    const cache = path.join(dir, '..', `${path.basename(dir)}-cache`);
    const fresh = report(run([...LINT, '--no-cache', '.'], dir));
    const runAsync = (): Promise<RunResult> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [bin, ...LINT, '--cache-location', cache, '.'], { cwd: dir });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
      });
    for (let round = 0; round < 2; round++) {
      const [a, b] = await Promise.all([runAsync(), runAsync()]);
      expect(report(a)).toBe(fresh);
      expect(report(b)).toBe(fresh);
      expect(a.stderr + b.stderr).not.toContain('cache');
    }
    const stored = entries(cache);
    expect(stored.size).toBe(LINTED);
    for (const { bytes } of stored.values()) expect(() => JSON.parse(bytes) as unknown).not.toThrow();
  });
});
