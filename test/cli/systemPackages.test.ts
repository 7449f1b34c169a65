/**
 * No surprise system changes (issue 13): the end-to-end suite's system packages are installed only
 * under CI=true, and then only the missing ones, with --no-upgrade; anywhere else it says what is
 * missing and the command. Run against a fake `apt-get` on a PATH where nothing else is found.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { root, scratch } from './harness';

/** Calls ensurePackages(phases) in a child whose PATH holds only sh and a recording apt-get. */
function ensure(phases: string[], ci: boolean): { result: { ok: boolean; message?: string }; aptCalls: string[] } {
  const dir = scratch();
  const fakeBin = path.join(dir, 'bin');
  mkdirSync(fakeBin);
  symlinkSync('/bin/sh', path.join(fakeBin, 'sh'));
  const calls = path.join(dir, 'apt-calls');
  writeFileSync(path.join(fakeBin, 'apt-get'), `#!/bin/sh\necho "$*" >> '${calls}'\n`);
  chmodSync(path.join(fakeBin, 'apt-get'), 0o755);
  const module = path.join(root, 'test', 'e2e', 'systemPackages.mjs');
  const script = `import(${JSON.stringify(module)}).then((m) => console.log(JSON.stringify(m.ensurePackages(${JSON.stringify(phases)}, { log() {} }))))`;
  const env: NodeJS.ProcessEnv = { PATH: fakeBin, ...(ci ? { CI: 'true' } : {}) };
  const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return {
    result: JSON.parse(r.stdout) as { ok: boolean; message?: string },
    aptCalls: existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [],
  };
}

describe('the end-to-end suite and system packages', () => {
  it('outside CI: installs nothing, names what is missing and the command', () => {
    const { result, aptCalls } = ensure(['ui', 'nvim'], false);
    expect(aptCalls).toEqual([]);
    expect(result).toEqual({
      ok: false,
      message:
        'missing system packages: chromium neovim\n' +
        'install them with: sudo apt-get install --no-install-recommends --no-upgrade chromium neovim\n' +
        '(npm run test:e2e installs nothing itself; .ci/run does, as root with CI=true)',
    });
  });

  it.runIf(process.getuid?.() === 0)('under CI=true as root: only the missing packages, never an upgrade', () => {
    const { result, aptCalls } = ensure(['nvim', 'code-server'], true);
    expect(aptCalls).toEqual([
      'update -qq',
      'install -y -qq --no-install-recommends --no-upgrade neovim libkrb5-dev ripgrep g++ make python3',
    ]);
    // The fake apt-get installs nothing: that is said, not hidden.
    expect(result.ok).toBe(false);
  });

  it('npm run test:e2e checks before it builds or installs anything', () => {
    const run = readFileSync(path.join(root, 'test', 'e2e', 'run.mjs'), 'utf8');
    expect(run.indexOf('ensurePackages(')).toBeGreaterThan(0);
    expect(run.indexOf('ensurePackages(')).toBeLessThan(run.lastIndexOf('install-code-server.sh'));
    expect(readFileSync(path.join(root, 'test', 'e2e', 'install-code-server.sh'), 'utf8')).not.toMatch(
      /apt-get (install|update)/,
    );
  });
});
