/**
 * A time and work budget for analysing one file. core does no I/O and reads no clock of its own:
 * the caller gives the deadline together with the clock it is measured on. The meter is shared by
 * everything that analyses the file — the CFG builder counts statements, the path engine counts
 * steps and the states it holds — and once it trips, it stays tripped: what was found before is
 * kept, and each function that could not be analysed (in full) gets a `budget` note.
 *
 * For front ends (the language server's worker, batch lint):
 *
 *     lintText(text, { kernelVersion, budget: { now: Date.now, deadline: Date.now() + 10_000 } })
 *
 * Counters are deterministic (`maxSteps`, `maxStates`, `maxNodes`): tests bound work with them, not
 * with time.
 */

export interface AnalysisBudget {
  /** When to stop, in the units of `now` (ms since the epoch for `Date.now`). */
  readonly deadline?: number;
  /** The clock `deadline` is measured on. Required with `deadline`. */
  readonly now?: () => number;
  /** Path-engine steps over the whole file, all functions together (each function also has its own cap). */
  readonly maxSteps?: number;
  /** States one function's path walk may hold pending at once: bounds memory on explosive shapes. */
  readonly maxStates?: number;
  /** CFG statements built over the whole file. */
  readonly maxNodes?: number;
}

export type BudgetLimit = 'deadline' | 'steps' | 'states' | 'nodes';

/** How often (in units of work) the clock is read: reading it is the expensive part. */
const CLOCK_EVERY = 256;

export class BudgetMeter {
  private steps = 0;
  private nodes = 0;
  private sinceClock = 0;
  private outOfTime = false;
  private outOfNodes = false;
  private outOfSteps = false;

  constructor(private readonly budget: AnalysisBudget = {}) {}

  /** Why path walks can no longer run (the deadline passed, or the file's steps are spent), or null. */
  get exhausted(): BudgetLimit | null {
    return this.outOfTime ? 'deadline' : this.outOfSteps ? 'steps' : null;
  }

  /**
   * One statement the CFG builder is about to build: the limit that stops it, or null. The
   * statement cap stops only CFG building; functions already built are still walked.
   */
  spendNodes(): BudgetLimit | null {
    this.nodes++;
    if (this.budget.maxNodes !== undefined && this.nodes > this.budget.maxNodes) this.outOfNodes = true;
    this.tick(1);
    return this.outOfTime ? 'deadline' : this.outOfNodes ? 'nodes' : null;
  }

  /**
   * Path steps about to be taken by a walk holding `pendingStates` states: the limit that stops
   * the walk, or null. Too many open states stops this walk only; the step cap and the deadline
   * stop every walk after it too.
   */
  spendSteps(n: number, pendingStates: number): BudgetLimit | null {
    this.steps += n;
    if (this.budget.maxSteps !== undefined && this.steps > this.budget.maxSteps) this.outOfSteps = true;
    this.tick(n);
    if (this.exhausted) return this.exhausted;
    return this.budget.maxStates !== undefined && pendingStates > this.budget.maxStates ? 'states' : null;
  }

  private tick(work: number): void {
    this.sinceClock += work;
    if (this.sinceClock < CLOCK_EVERY || this.outOfTime) return;
    this.sinceClock = 0;
    if (this.budget.deadline !== undefined && this.budget.now && this.budget.now() >= this.budget.deadline)
      this.outOfTime = true;
  }
}

/** What a limit means, for notes: `analysis budget exhausted (${describeLimit(limit)})`. */
export function describeLimit(limit: BudgetLimit): string {
  switch (limit) {
    case 'deadline':
      return 'out of time';
    case 'steps':
      return 'too many path steps in the file';
    case 'states':
      return 'too many paths open at once';
    case 'nodes':
      return 'too many statements in the file';
  }
}

/** Thrown by the CFG builder when the meter trips: the function is left unanalysed. */
export class BudgetExceeded extends Error {
  constructor(readonly limit: BudgetLimit) {
    super(`analysis budget exhausted: ${describeLimit(limit)}`);
  }
}
