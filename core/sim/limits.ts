/**
 * The simulation's limits, for every caller: the bounds themselves live in core/trace/limits.ts;
 * here are the checks a caller runs before it asks for a simulation — of options (`--pages`, the
 * panel's parameters) and of a trace made in memory rather than parsed (a JSON trace, a test's).
 */
import { MAX_PAGES, MAX_STEPS } from '../trace/limits';
import { PAGE_KINDS, type Trace } from '../trace/types';
import type { SimOptions } from './types';

export { MAX_PAGES, MAX_RECORDED_STATES, MAX_STEPS } from '../trace/limits';

/** A trace, or options, beyond what the simulation takes. The message says which limit and why. */
export class TraceLimitError extends RangeError {
  constructor(
    message: string,
    /** The 1-based trace line of the step where the limit was reached, when the trace came from text. */
    readonly traceLine?: number,
  ) {
    super(message);
    this.name = 'TraceLimitError';
  }
}

function isCount(n: unknown, min: number, max: number): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
}

/** Why the simulation cannot take these options, or null when it can (`--pages`, `--partial`, `--path`, the panel). */
export function checkSimOptions(options: SimOptions): string | null {
  if (options.pages !== undefined && !isCount(options.pages, 1, MAX_PAGES))
    return `pages: expected a whole number from 1 to ${MAX_PAGES}, not ${String(options.pages)}`;
  if (options.pageKind !== undefined && !(PAGE_KINDS as readonly string[]).includes(options.pageKind))
    return `page kind: expected one of ${PAGE_KINDS.join(', ')}, not ${String(options.pageKind)}`;
  const outcome = options.acquireOutcome;
  // A partial count beyond the pages asked for is cut to them; it allocates nothing.
  if (typeof outcome === 'object' && !isCount(outcome.partial, 1, Number.MAX_SAFE_INTEGER))
    return `partial: expected a whole number of pages from 1, not ${String(outcome.partial)}`;
  if (options.path !== undefined && !isCount(options.path, 1, Number.MAX_SAFE_INTEGER))
    return `path: expected a path number from 1, not ${String(options.path)}`;
  return null;
}

/**
 * Why the simulation cannot run this trace, or null when it can. A parsed trace always passes; a
 * trace built in memory (or read from JSON) may not: its memory, its number of steps and the shape
 * of each step are checked.
 */
export function checkTrace(trace: Trace): string | null {
  // Read as plain data: the types say what a trace should be, not what a JSON file holds.
  const memory: unknown = trace.memory;
  const steps: unknown = trace.steps;
  if (!Array.isArray(memory) || !Array.isArray(steps)) return 'a trace needs a memory list and a step list';
  let pages = 0;
  for (const region of memory as unknown[]) {
    const { kind, count } = (typeof region === 'object' && region !== null ? region : {}) as Record<string, unknown>;
    if (typeof kind !== 'string' || !(PAGE_KINDS as readonly string[]).includes(kind))
      return `memory: expected a page kind (${PAGE_KINDS.join(', ')}), not ${String(kind)}`;
    if (!isCount(count, 1, MAX_PAGES))
      return `memory: expected a page count from 1 to ${MAX_PAGES}, not ${String(count)}`;
    pages += count;
  }
  if (pages > MAX_PAGES) return `memory: ${pages} pages; a trace simulates at most ${MAX_PAGES}`;
  if (steps.length > MAX_STEPS) return `${steps.length} steps; a trace has at most ${MAX_STEPS}`;
  for (const [i, step] of (steps as unknown[]).entries()) {
    const { call, args } = (typeof step === 'object' && step !== null ? step : {}) as Record<string, unknown>;
    if (typeof call !== 'string' || typeof args !== 'object' || args === null)
      return `step ${i + 1}: expected a call and its arguments`;
  }
  return null;
}
