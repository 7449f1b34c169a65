#!/usr/bin/env node
// The Debian packages the end-to-end suite needs, and the one place that may install them.
//
// `npm run test:e2e` installs nothing: it says which packages are missing and the command that
// installs them. Only CI (`.ci/run`, which sets CI=true) installs them, as root, and then only the
// missing ones, with `--no-upgrade --no-install-recommends`: naming an installed package (g++,
// python3) to apt-get upgrades it, and with it whatever else it pulls in (issue 13).
//
//   node test/e2e/systemPackages.mjs [--install] [PHASE...]   (phases: code-server ui nvim; default all)
// prints what is missing; with --install (and CI=true, root) installs it; exit 2 when something is
// still missing.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** What each part of the suite needs: a command on PATH (or a dpkg package) and the package that provides it. */
export const NEEDS = {
  // Building code-server from npm: kerberos needs gssapi headers, @vscode/ripgrep is seeded from rg,
  // and node-pty/kerberos compile (.ci/run's npm ci needs the compiler too, for tree-sitter).
  'code-server': [
    { dpkg: 'libkrb5-dev', pkg: 'libkrb5-dev' },
    { cmd: 'rg', pkg: 'ripgrep' },
    { cmd: 'g++', pkg: 'g++' },
    { cmd: 'make', pkg: 'make' },
    { cmd: 'python3', pkg: 'python3' },
  ],
  ui: [{ cmd: 'chromium', pkg: 'chromium' }],
  nvim: [{ cmd: 'nvim', pkg: 'neovim' }],
};

const has = (cmd) => spawnSync('sh', ['-c', `command -v '${cmd}'`], { stdio: 'ignore' }).status === 0;
const installed = (pkg) =>
  spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' }).stdout?.includes('install ok installed') ??
  false;

/** The packages the given phases need that are not there, each once, in order. */
export function missingPackages(phases = Object.keys(NEEDS)) {
  const missing = [];
  for (const phase of phases)
    for (const need of NEEDS[phase] ?? [])
      if (!(need.cmd ? has(need.cmd) : installed(need.dpkg)) && !missing.includes(need.pkg)) missing.push(need.pkg);
  return missing;
}

export function installCommand(packages) {
  return `apt-get install --no-install-recommends --no-upgrade ${packages.join(' ')}`;
}

/**
 * Makes sure the phases' packages are there. Installs only under CI=true as root; otherwise, or if
 * the install fails, returns the lines that say what is missing and how to install it.
 * @returns {{ ok: true, installed: string[] } | { ok: false, message: string }}
 */
export function ensurePackages(phases, { env = process.env, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const missing = missingPackages(phases);
  if (missing.length === 0) return { ok: true, installed: [] };
  const mayInstall = env.CI === 'true' && process.getuid?.() === 0 && has('apt-get');
  if (!mayInstall)
    return {
      ok: false,
      message:
        `missing system packages: ${missing.join(' ')}\n` +
        `install them with: sudo ${installCommand(missing)}\n` +
        '(npm run test:e2e installs nothing itself; .ci/run does, as root with CI=true)',
    };
  log(`installing the missing system packages: ${missing.join(' ')}`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: aptEnv });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', '--no-upgrade', ...missing], {
    stdio: 'inherit',
    env: aptEnv,
  });
  const still = missingPackages(phases);
  if (r.status !== 0 || still.length > 0)
    return { ok: false, message: `apt-get could not install ${still.join(' ') || missing.join(' ')}` };
  return { ok: true, installed: missing };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const phases = args.filter((a) => !a.startsWith('--'));
  const wanted = phases.length > 0 ? phases : Object.keys(NEEDS);
  if (args.includes('--install')) {
    const r = ensurePackages(wanted);
    if (!r.ok) console.error(r.message);
    else console.log(r.installed.length ? `installed ${r.installed.join(' ')}` : 'system packages: all present');
    process.exitCode = r.ok ? 0 : 2;
  } else {
    const missing = missingPackages(wanted);
    if (missing.length) console.error(`missing: ${missing.join(' ')}\ninstall with: sudo ${installCommand(missing)}`);
    else console.log('system packages: all present');
    process.exitCode = missing.length ? 2 : 0;
  }
}
