/**
 * Dead parse trees, collected in time. tree-sitter's node binding keeps each tree in native memory
 * that V8 is never told about, and frees it only when V8 collects the tree's JS wrapper. A wrapper
 * that lives through a file's analysis is promoted to the old generation, and a thread with a small
 * heap then runs a full collection only now and then: the dead trees pile up. A cold tree index
 * build (which parses the kernel's 4–7 MB register headers) peaked at 1.2 GB RSS with worker heaps
 * of 20 MB (issue 12, docs/benchmarks.md "tree index: cold build").
 *
 * So a thread that parses many files counts the characters it has parsed (CParserOptions.onTreeBuilt)
 * and, between files, returns to its event loop (where Node-API runs the finalizers that delete
 * the trees V8 has collected) and collects garbage once they pass a bound: the trees of the files
 * before are then freed, and the next file's tree reuses their memory instead of growing the process.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * About 16 MB of source between collections. Most trees are freed by the event-loop turns alone
 * (their wrappers die young); the collections are for those promoted to the old generation. Side
 * by side on Linux 6.12 (docs/benchmarks.md), 16 MB peaked as low as 4 MB (385 vs 386 MB) for 7%
 * less CPU; without collections the peak was 412 MB.
 */
const COLLECT_EVERY_CHARS = 16 * 1024 * 1024;

/**
 * V8's full garbage collection as a function, or null where it cannot be had. Without
 * `--expose-gc` on the command line, the flag is set now and read from a new context, which V8
 * gives a `gc` global from then on (the flag only affects contexts created after it is set).
 */
export function fullCollection(): (() => void) | null {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === 'function') return existing as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

export interface ParsedMemory {
  /** For CParserOptions.onTreeBuilt: a tree of `chars` characters was built. */
  readonly built: (chars: number) => void;
  /**
   * Between files, when a tree was built since the last call: a turn of the event loop (after a
   * full collection, once the trees built since the last one pass the bound). Null when there is
   * nothing to wait for.
   */
  readonly settle: () => Promise<void> | null;
}

/**
 * Counts what was parsed; `settle` collects with `collect` every `everyChars` characters. The
 * turn of the event loop is what frees the trees: Node-API runs an addon's finalizers (the one
 * that deletes a tree) from the event loop, not inside the collection, so a thread that parses
 * file after file without returning to its loop frees none of them, collected or not.
 */
export function parsedMemory(collect: (() => void) | null, everyChars = COLLECT_EVERY_CHARS): ParsedMemory {
  let unsettled = 0;
  let sinceCollection = 0;
  return {
    built: (chars) => {
      unsettled += chars;
      sinceCollection += chars;
    },
    settle: () => {
      if (unsettled === 0) return null;
      unsettled = 0;
      if (collect !== null && sinceCollection >= everyChars) {
        sinceCollection = 0;
        collect();
      }
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}

/**
 * Keeps this process's young generations at their first size: V8 doubles a thread's new space
 * (up to 32 MB on the main thread) whenever a burst of allocation survives a scavenge, and never
 * gives it back while the thread lives. `pinscope index` has such bursts on its main thread (the
 * scan of 60,000 files, merging a round's results, writing state.json) while the summarising
 * workers hold their own peaks: a 2 MB new space measured ~20-45 MB of RSS less at the peak
 * (docs/benchmarks.md, "Tree index: cold build"). The growth factor is read when the space would
 * grow, so setting it at run time works (unlike the space's maximum, fixed when the heap is made);
 * it is a V8 flag of the whole process, so only a command that wants it for all its threads sets it.
 */
export function keepYoungGenerationSmall(): void {
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // An embedder without the flag: the default growth, as before.
  }
}
