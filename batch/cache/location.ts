/**
 * Where `pinscope lint` keeps its result cache: `--cache-location DIR` when given, else the user's
 * cache directory as the XDG Base Directory specification names it — `$XDG_CACHE_HOME/pinscope`
 * when that is set to an absolute path (the specification says a relative one is to be ignored),
 * else `~/.cache/pinscope`.
 */
import { homedir } from 'node:os';
import path from 'node:path';

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'pinscope');
  return path.join(homedir(), '.cache', 'pinscope');
}
