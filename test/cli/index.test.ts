/**
 * `pinscope index` and `pinscope lint` with the tree index (issue 12), as a user runs them: the
 * index is built once, lint then reports what other files' helpers do, with the file it used as a
 * related place in JSON and SARIF; --no-index, and a tree nobody indexed, lint files alone. Lint
 * brings the index up to date on a thread of its own (cli/lintIndex.ts): a header edited since the
 * index was built counts as edited, and an update that fails says where and lints files alone.
 */
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, run, scratch } from './harness';

const FIXTURE = path.join(root, 'test', 'fixtures', 'xfile', 'tree');

function tree(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = path.join(scratch(), 'xdrv');
  cpSync(FIXTURE, dir, { recursive: true });
  return { dir, env: { ...process.env, PINSCOPE_CACHE_DIR: path.join(scratch(), 'cache') } };
}

interface JsonReport {
  findings: { file: string; line: number; rule: string; related: { file?: string; line: number }[] }[];
}

const rows = (stdout: string): string[] =>
  (JSON.parse(stdout) as JsonReport).findings.map(
    (f) =>
      `${f.file}:${f.line} ${f.rule}${f.related
        .filter((r) => r.file)
        .map((r) => ` ${r.file}:${r.line}`)
        .join('')}`,
  );

describe('pinscope index, then lint', () => {
  it('lint uses the index once it exists; --no-index and an unindexed tree do not', () => {
    const { dir, env } = tree();
    const lint = (...extra: string[]): string[] =>
      rows(
        run(['lint', '--format', 'json', '--kernel-version', '6.12', '--exit-zero', ...extra, '.'], dir, { env })
          .stdout,
      );
    const alone = ['xdrv_main.c:29 double-release', 'xdrv_main.c:42 release-mismatch'];
    expect(lint()).toEqual(alone);

    const indexed = run(['index', '--kernel-version', '6.12', '.'], dir, { env });
    expect(indexed.code).toBe(0);
    expect(indexed.stderr).toMatch(
      /^pinscope: indexed \S+ for Linux 6\.12: 4 files \(4 read, \d+ summarised in \d rounds?, new index\); 7 function summaries, 2 macros, 1 wrapper macros/m,
    );
    expect(lint()).toEqual([
      'xdrv_main.c:29 double-release include/xdrv.h:17',
      'xdrv_main.c:42 release-mismatch include/xdrv.h:23',
      'xdrv_main.c:51 internal-foll-flag include/xdrv.h:5',
      'xdrv_main.c:73 dma-mapping-leak xdrv_dma.c:12',
      'xdrv_main.c:84 dma-unmap-mismatch xdrv_dma.c:6',
      'xdrv_main.c:94 dma-mapping-unchecked include/xdrv.h:8',
      'xdrv_main.c:104 dma-double-unmap xdrv_dma.c:12 xdrv_dma.c:6',
      'xdrv_main.c:127 missing-release xdrv_pin.c:7',
    ]);
    // One file of the indexed tree is linted with the index too.
    expect(
      rows(
        run(['lint', '--format', 'json', '--kernel-version', '6.12', '--exit-zero', 'xdrv_main.c'], dir, { env })
          .stdout,
      ),
    ).toHaveLength(8);
    expect(lint('--no-index')).toEqual(alone);
    // Another kernel version: the index (built for 6.12) is not used.
    expect(
      rows(run(['lint', '--format', 'json', '--kernel-version', '6.1', '--exit-zero', '.'], dir, { env }).stdout).map(
        (r) => r.includes('include/'),
      ),
    ).not.toContain(true);
  });

  it('a header edited after indexing counts in the next lint (the update runs first)', () => {
    const { dir, env } = tree();
    expect(run(['index', '--kernel-version', '6.12', '.'], dir, { env }).code).toBe(0);
    const lint = (): string[] =>
      rows(
        run(['lint', '--format', 'json', '--kernel-version', '6.12', '--exit-zero', '.'], dir, { env }).stdout,
      ).filter((r) => r.startsWith('xdrv_main.c:42 '));
    expect(lint()).toEqual(['xdrv_main.c:42 release-mismatch include/xdrv.h:23']);
    // xdrv_put_page() now unpins: the right release for the page xdrv_main.c:42 gives it.
    const header = path.join(dir, 'include', 'xdrv.h');
    writeFileSync(header, readFileSync(header, 'utf8').replace('\tput_page(page);', '\tunpin_user_page(page);'));
    expect(lint()).toEqual([]);
  });

  it('an update that fails names the file, and lint goes on without the index', () => {
    const { dir, env } = tree();
    expect(run(['index', '--kernel-version', '6.12', '.'], dir, { env }).code).toBe(0);
    // state.json turned into a folder with something in it: the update cannot write it back.
    const folder = path.join(
      env.PINSCOPE_CACHE_DIR as string,
      'index',
      readdirSync(path.join(env.PINSCOPE_CACHE_DIR as string, 'index'))[0] as string,
    );
    const state = path.join(folder, 'state.json');
    rmSync(state);
    mkdirSync(path.join(state, 'x'), { recursive: true });
    const r = run(['lint', '--format', 'json', '--kernel-version', '6.12', '--exit-zero', '.'], dir, { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`pinscope: tree index of ${dir} could not be updated, files are linted alone: EISDIR`);
    expect(r.stderr).toContain(`'${state}'`);
    expect(rows(r.stdout)).toEqual(['xdrv_main.c:29 double-release', 'xdrv_main.c:42 release-mismatch']);
  });

  it('SARIF names the other file in the related location', () => {
    const { dir, env } = tree();
    run(['index', '--kernel-version', '6.12', '.'], dir, { env });
    const sarif = JSON.parse(
      run(['lint', '--format', 'sarif', '--kernel-version', '6.12', '--exit-zero', '.'], dir, { env }).stdout,
    ) as {
      runs: {
        results: {
          ruleId: string;
          relatedLocations?: {
            physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } };
          }[];
        }[];
      }[];
    };
    const flag = sarif.runs[0]?.results.find((r) => r.ruleId === 'internal-foll-flag');
    expect(
      flag?.relatedLocations?.map(
        (l) => `${l.physicalLocation.artifactLocation.uri}:${l.physicalLocation.region.startLine}`,
      ),
    ).toEqual(['xdrv_main.c:51', 'include/xdrv.h:5']);
  });
});
