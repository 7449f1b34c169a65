// What a build of the pinscope CLI supports, for sections that may run an older build (--cli, against=DIR).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * `['--no-cache']` when this build has a result cache (issue 12), else `[]`: a benchmark of a cold
 * run must not read what an earlier run left in the user's cache, nor leave anything there.
 * @param {string[]} pinscope argv prefix that runs the CLI
 */
export function noCacheFlag(pinscope) {
  const r = spawnSync(pinscope[0] ?? '', [...pinscope.slice(1), 'lint', '--help'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return /--no-cache/.test(`${r.stdout ?? ''}${r.stderr ?? ''}`) ? ['--no-cache'] : [];
}

/** A JSON report without its one clock reading, for byte-for-byte comparison. @param {string} file */
export const reportOf = (file) => readFileSync(file, 'utf8').replace(/"elapsedMs":\d+/, '"elapsedMs":0');
