// Locating (and if needed extracting) the kernel tree the benchmarks run over.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const KERNEL_SERIES = '6.12';
/** PINSCOPE_BENCH_TARBALL overrides it (for testing the harness itself). */
export const TARBALL = process.env.PINSCOPE_BENCH_TARBALL || `/usr/src/linux-source-${KERNEL_SERIES}.tar.xz`;
export const TREE_NAME = `linux-source-${KERNEL_SERIES}`;

/** Thrown when the bench cannot go on; `exitCode` is what the process should exit with. */
export class BenchExit extends Error {
  /** @param {string} message @param {number} exitCode */
  constructor(message, exitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * The tree to run over: `--tree` if given (it must exist), else the Debian linux-source tarball extracted
 * once into `<root>/.bench-cache/linux-source-6.12`.
 *
 * The extraction is idempotent: a marker file beside the tree (`linux-source-6.12.complete`) is written
 * only after tar exited 0, so a tree without it (an interrupted extraction) is removed and extracted again.
 *
 * @param {{ root: string, treeArg?: string, log: (msg: string) => void }} opts
 * @returns {Promise<{ tree: string, extractedNow: boolean, extractSeconds?: number }>}
 */
export async function locateTree({ root, treeArg, log }) {
  if (treeArg) {
    const tree = path.resolve(treeArg);
    if (!existsSync(tree) || !statSync(tree).isDirectory()) {
      throw new BenchExit(`--tree ${treeArg}: no such directory`, 2);
    }
    return { tree, extractedNow: false };
  }
  const cache = path.join(root, '.bench-cache');
  const tree = path.join(cache, TREE_NAME);
  const marker = path.join(cache, `${TREE_NAME}.complete`);
  if (existsSync(marker) && existsSync(tree)) {
    return { tree, extractedNow: false };
  }
  if (!existsSync(TARBALL)) {
    throw new BenchExit(
      `kernel source tarball ${TARBALL} not found; install it with: apt-get install linux-source-${KERNEL_SERIES}\n` +
        `(or point the bench at a tree with --tree <path>)`,
      2,
    );
  }
  mkdirSync(cache, { recursive: true });
  rmSync(marker, { force: true });
  if (existsSync(tree)) {
    log(`${tree} is incomplete (no marker): removing it and extracting again`);
    rmSync(tree, { recursive: true, force: true });
  }
  log(`extracting ${TARBALL} into ${cache} (one time) ...`);
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const child = spawn('tar', ['-xJf', TARBALL, '-C', cache, '--no-same-owner'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err = (err + d).slice(-4000);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(undefined);
      else reject(new BenchExit(`tar failed (${signal ?? `exit ${code}`}):\n${err}`, 2));
    });
  });
  const extractSeconds = (performance.now() - t0) / 1000;
  if (!existsSync(tree)) {
    throw new BenchExit(`extracted ${TARBALL} but ${tree} is not there: unexpected tarball layout`, 2);
  }
  writeFileSync(marker, `${TARBALL}\nextracted ${new Date().toISOString()} in ${extractSeconds.toFixed(1)} s\n`);
  log(`extracted in ${extractSeconds.toFixed(1)} s`);
  return { tree, extractedNow: true, extractSeconds };
}

/** @param {string} root */
export function describeCachedExtraction(root) {
  const marker = path.join(root, '.bench-cache', `${TREE_NAME}.complete`);
  return existsSync(marker) ? readFileSync(marker, 'utf8').trim() : null;
}
