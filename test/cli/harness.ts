/** Running the built `pinscope` as a user does (a child process), and scratch folders for its files. */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const root = path.join(__dirname, '..', '..');
export const bin = path.join(root, 'bin', 'pinscope.js');

export interface RunResult {
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(args: readonly string[], cwd = root, options: SpawnSyncOptions = {}): RunResult {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000, ...options });
  return { code: r.status ?? -1, signal: r.signal, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'pinscope-cli-'));
}
