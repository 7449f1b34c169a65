/**
 * What `pinscope lint` says on stderr about its result cache: nothing when it worked, one line when
 * entries were unreadable (they were ignored and their files linted afresh) and one when results
 * could not be written (the run is right, the next one will not be faster). Never an error: the
 * cache only ever saves time.
 */
import type { CacheTally } from '../batch/cache/tally';
import { terminalPath } from './filePaths';
import type { Io } from './io';
import type { Verbosity } from './runNotes';

export function printCacheNotes(
  io: Io,
  verbosity: Verbosity,
  cache: (CacheTally & { readonly dir: string }) | undefined,
): void {
  if (!cache || verbosity === 'quiet') return;
  const where = terminalPath(cache.dir);
  if (verbosity === 'verbose')
    io.err(
      `pinscope: result cache ${where}: ${cache.hits} results from it, ${cache.misses + cache.corrupt} files linted afresh`,
    );
  if (cache.corrupt > 0)
    io.err(
      `pinscope: note: ${cache.corrupt} result cache ${cache.corrupt === 1 ? 'entry' : 'entries'} in ${where} could not be read; ignored, and the files linted afresh`,
    );
  if (cache.writeError !== null)
    io.err(
      `pinscope: note: cannot write the result cache in ${where} (${cache.writeError}); results are not cached (--cache-location DIR or --no-cache)`,
    );
}
