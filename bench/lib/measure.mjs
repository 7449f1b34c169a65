// Running one command under GNU time: wall, CPU (user+sys, waited-for children included) and peak RSS.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const GNU_TIME = '/usr/bin/time';

/**
 * @typedef {object} Measurement
 * @property {'ok'|'failed'|'timeout'|'missing'} status
 *   ok: ran and exited with an accepted code; failed: other exit code, signal or spawn error;
 *   timeout: killed at the cap (wallS is then the cap, a lower bound); missing: executable not found.
 * @property {number|null} exitCode
 * @property {string|null} signal
 * @property {number|null} wallS   GNU time %e (or the outer clock when GNU time gave nothing)
 * @property {number|null} userS   %U: user CPU of the command and every child it waited for
 * @property {number|null} sysS    %S
 * @property {number|null} cpuS    userS + sysS
 * @property {number|null} maxRssKB %M: peak RSS of the largest single process in the tree (not a sum)
 * @property {string} stdoutFile   where the command's stdout went
 * @property {string} stderrFile
 * @property {string} stderrTail   last lines of stderr (for reports of failures)
 * @property {string} [message]
 */

/** @param {string} cmd @returns {string|null} absolute path of an executable, searching PATH */
export function which(cmd) {
  const candidates = cmd.includes('/')
    ? [cmd]
    : (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(path.delimiter).map((d) => path.join(d, cmd));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return null;
}

/** @param {string} file @param {number} [lines] */
export function tail(file, lines = 15) {
  try {
    const text = readFileSync(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Runs `argv` under `/usr/bin/time -f '%e %U %S %M'`, stdout and stderr to files in `outDir`.
 * The command runs in its own process group; at `capS` the whole group is sent SIGTERM, then SIGKILL.
 *
 * @param {object} o
 * @param {string[]} o.argv
 * @param {string} o.outDir
 * @param {string} o.name           file name stem for the output files
 * @param {number} [o.capS]         wall-time cap in seconds (default 1800)
 * @param {number[]} [o.okCodes]    exit codes that are not a failure (default [0])
 * @param {string} [o.cwd]
 * @param {NodeJS.ProcessEnv} [o.env]
 * @returns {Promise<Measurement>}
 */
export async function measure({ argv, outDir, name, capS = 1800, okCodes = [0], cwd, env }) {
  const stdoutFile = path.join(outDir, `${name}.stdout`);
  const stderrFile = path.join(outDir, `${name}.stderr`);
  const timeFile = path.join(outDir, `${name}.time`);
  /** @type {Measurement} */
  const m = {
    status: 'failed',
    exitCode: null,
    signal: null,
    wallS: null,
    userS: null,
    sysS: null,
    cpuS: null,
    maxRssKB: null,
    stdoutFile,
    stderrFile,
    stderrTail: '',
  };
  const exe = which(argv[0] ?? '');
  if (!exe) {
    m.status = 'missing';
    m.message = `${argv[0]}: not installed`;
    return m;
  }
  const haveTime = existsSync(GNU_TIME);
  const full = haveTime
    ? [GNU_TIME, '-f', '%e %U %S %M', '-o', timeFile, exe, ...argv.slice(1)]
    : [exe, ...argv.slice(1)];
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  const t0 = performance.now();
  let timedOut = false;
  /** @type {{code: number|null, signal: NodeJS.Signals|null, error?: Error}} */
  const res = await new Promise((resolve) => {
    const child = spawn(full[0], full.slice(1), {
      cwd,
      env: env ?? process.env,
      stdio: ['ignore', out, err],
      detached: true,
    });
    /** @type {NodeJS.Timeout|undefined} */
    let killTimer;
    const capTimer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(/** @type {number} */ (child.pid)), 'SIGTERM');
      } catch {
        /* gone */
      }
      killTimer = setTimeout(() => {
        try {
          process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 10_000);
    }, capS * 1000);
    // Ctrl-C on the bench: take the measured process group down too.
    const onSig = () => {
      try {
        process.kill(-(/** @type {number} */ (child.pid)), 'SIGKILL');
      } catch {
        /* gone */
      }
      process.exit(130);
    };
    process.once('SIGINT', onSig);
    child.on('error', (error) => {
      clearTimeout(capTimer);
      clearTimeout(killTimer);
      process.off('SIGINT', onSig);
      resolve({ code: null, signal: null, error });
    });
    child.on('close', (code, signal) => {
      clearTimeout(capTimer);
      clearTimeout(killTimer);
      process.off('SIGINT', onSig);
      resolve({ code, signal });
    });
  });
  const outerWall = (performance.now() - t0) / 1000;
  closeSync(out);
  closeSync(err);
  m.exitCode = res.code;
  m.signal = res.signal;
  m.stderrTail = tail(stderrFile);
  if (res.error) {
    m.message = res.error.message;
    return m;
  }
  if (timedOut) {
    m.status = 'timeout';
    m.wallS = capS;
    m.message = `killed at the ${capS} s cap`;
    return m;
  }
  if (haveTime) {
    const lines = tail(timeFile, 5).split('\n');
    for (const line of lines) {
      const mm = /^(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)$/.exec(line.trim());
      if (mm) {
        m.wallS = Number(mm[1]);
        m.userS = Number(mm[2]);
        m.sysS = Number(mm[3]);
        m.cpuS = Math.round((m.userS + m.sysS) * 100) / 100;
        m.maxRssKB = Number(mm[4]);
      }
      const sig = /Command terminated by signal (\d+)/.exec(line);
      if (sig) m.signal = `signal ${sig[1]}`;
    }
  } else {
    m.message = `${GNU_TIME} not found (apt-get install time): wall time only`;
  }
  if (m.wallS === null) m.wallS = Math.round(outerWall * 100) / 100;
  m.status = !m.signal && res.code !== null && okCodes.includes(res.code) ? 'ok' : 'failed';
  if (m.status === 'failed' && !m.message) m.message = m.signal ? `killed by ${m.signal}` : `exit ${res.code}`;
  return m;
}

/** First line of `cmd --version`-style output, or null. @param {string[]} argv */
export function versionOf(argv) {
  const r = spawnSync(argv[0] ?? '', argv.slice(1), { encoding: 'utf8', timeout: 15_000 });
  if (r.error || r.status !== 0) return null;
  return `${r.stdout}${r.stderr}`.trim().split('\n')[0] ?? null;
}
