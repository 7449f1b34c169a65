/**
 * The few git commands `lint --since` needs, run as git itself (execFileSync, no shell: a revision
 * or path is never read as shell syntax). Every failure is a `UsageError` that says what git said.
 */
import { execFileSync } from 'node:child_process';
import { UsageError } from './options';

export interface GitOptions {
  readonly cwd: string;
  /** Output above this many bytes is an error (git show of a huge file). */
  readonly maxBuffer?: number;
}

function gitError(args: readonly string[], e: unknown): UsageError {
  const stderr = (e as { stderr?: Buffer | string }).stderr;
  const said = stderr ? String(stderr).trim().split('\n')[0] : '';
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return new UsageError('--since needs git, and git is not on PATH');
  return new UsageError(`git ${args[0]} failed${said ? `: ${said}` : ''}`);
}

/** git's stdout as bytes. */
export function git(args: readonly string[], options: GitOptions): Buffer {
  try {
    return execFileSync('git', ['-c', 'core.quotepath=off', ...args], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
    });
  } catch (e) {
    throw gitError(args, e);
  }
}

/** NUL-separated fields of `git … -z` output. */
export function zFields(output: Buffer): string[] {
  const fields = output.toString('utf8').split('\0');
  if (fields.at(-1) === '') fields.pop();
  return fields;
}
