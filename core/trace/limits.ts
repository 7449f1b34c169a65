/**
 * The bounds of a `.pinsim` trace and of what the simulation records. Every front end (the CLI's
 * options, the panel's page count, the language server) takes its limits from here, so a trace
 * one of them accepts is a trace every other can simulate. Each bound keeps the work and the memory
 * of one simulation small: the parse is linear in the text, the simulation linear in steps and
 * DMA mappings, and what it records (the state after every step) is capped.
 */

/** Pages of simulated user memory in one trace (all `pages` lines together); also `--pages` and the panel's page count. */
export const MAX_PAGES = 4096;

/** Steps in one trace. A path through a driver function has tens; a hand-written stress test a few thousand. */
export const MAX_STEPS = 100_000;

/** Characters in one trace text (about 80 per step at MAX_STEPS, with room for comments). */
export const MAX_TRACE_CHARS = 16 * 1024 * 1024;

/** Parse errors reported for one trace; the rest are summed up in one last error. */
export const MAX_ERRORS = 200;

/**
 * Page and DMA-mapping states the simulation records: it keeps the state of every page and every
 * live mapping after every step (what the panel steps through and `--format json` prints), so a
 * trace may have `MAX_RECORDED_STATES / pages` steps. About 125 MB of JSON at the limit.
 */
export const MAX_RECORDED_STATES = 1_000_000;

/** A folio's `_refcount` is a signed 32-bit atomic_t: starting refcounts and `times=` stay below 2^31. */
export const MAX_REFCOUNT = 2 ** 31 - 1;

/** DMA sizes in bytes (`size=`): 4 GiB, beyond any single streaming mapping or coherent allocation. */
export const MAX_DMA_SIZE = 2 ** 32;

/** Scatterlist entries in one `dma_map_sg` (`nents=`, and its `-> SEGMENTS`). */
export const MAX_NENTS = 65_536;

/** Source locations `@LINE:COLUMN` (1-based) in the C file a step came from. */
export const MAX_SOURCE_POSITION = 2 ** 31 - 1;

/** Counts in a trace (`nr=` of a release, a result) that are not page indices: an errno down to -MAX_ERRNO. */
export const MAX_ERRNO = 4095;
