/**
 * Path enumeration over a function's CFG with an abstract state (state.ts): which resources the
 * path acquired, what their results may be, whether they were released or handed off, and a
 * small environment of symbolic values. This file is the worklist: it walks the graph depth
 * first, merges states that meet at a node (merge.ts), keeps to the budget, and leaves every
 * statement effect to the transfer modules (transfer/: pages, DMA, assignments, returns, branches).
 *
 * Loops run zero or one time (`for`/`while`/iterator macros: after coming back around, the path
 * must leave); and the whole enumeration runs under an explicit budget, after which the function
 * is reported as partially analysed — never silently.
 */
import type { BudgetLimit, BudgetMeter } from '../analysis/budget';
import type { CfgNode } from '../analysis/cfg';
import type { Op } from '../analysis/ops';
import type { FunctionAnalysis } from '../analysis/types';
import { StateMerger } from './merge';
import { initialState, type State } from './state';
import { STANDARD_TRANSFERS, type OpTransfer, type TransferModule } from './transfer';
import { DEFAULT_BUDGET, type CompletePath, type FunctionPaths, type PathBudget, type ReturnStatus } from './types';
import { FunctionWalk } from './walk';

type AnyOpTransfer = OpTransfer<Op['kind']>;

/** The modules' hooks, gathered once per enumeration: ops by kind, the rest in module order. */
class Transfers {
  private readonly byKind = new Map<Op['kind'], AnyOpTransfer>();
  readonly afterOps: NonNullable<TransferModule['afterOps']>[] = [];
  readonly atReturn: NonNullable<TransferModule['atReturn']>[] = [];
  readonly alongCondition: NonNullable<TransferModule['alongCondition']>[] = [];
  readonly atExit: NonNullable<TransferModule['atExit']>[] = [];

  constructor(modules: readonly TransferModule[]) {
    for (const m of modules) {
      for (const [kind, transfer] of Object.entries(m.ops ?? {}) as [Op['kind'], AnyOpTransfer][]) {
        if (this.byKind.has(kind)) throw new Error(`two transfer modules handle '${kind}' operations`);
        this.byKind.set(kind, transfer);
      }
      if (m.afterOps) this.afterOps.push(m.afterOps);
      if (m.atReturn) this.atReturn.push(m.atReturn);
      if (m.alongCondition) this.alongCondition.push(m.alongCondition);
      if (m.atExit) this.atExit.push(m.atExit);
    }
  }

  /** The node's operations, then the statement's own effects. */
  node(walk: FunctionWalk, node: CfgNode, input: State): State {
    let state = input;
    for (const op of node.ops) {
      const transfer = this.byKind.get(op.kind);
      if (transfer) state = transfer(walk, node, op, state);
    }
    for (const t of this.afterOps) state = t(walk, node, state);
    return state;
  }

  /** The states that may take a conditional edge (each module narrows the previous one's). */
  condition(walk: FunctionWalk, edge: CfgNode['succs'][number], state: State): State[] {
    let states = [state];
    for (const t of this.alongCondition) states = states.flatMap((s) => t(walk, edge, s));
    return states;
  }
}

class Enumeration {
  private readonly walk: FunctionWalk;
  private readonly merger: StateMerger;
  private readonly paths: CompletePath[] = [];
  private steps = 0;
  private partial = false;
  private budgetLimit: BudgetLimit | null = null;

  constructor(
    fn: FunctionAnalysis,
    private readonly budget: PathBudget,
    private readonly transfers: Transfers,
    private readonly meter: BudgetMeter | undefined,
  ) {
    this.walk = new FunctionWalk(fn);
    this.merger = new StateMerger(this.walk);
  }

  run(): FunctionPaths {
    const cfg = this.walk.cfg;
    const stack: State[] = [initialState(cfg.entry)];
    while (stack.length > 0) {
      if (this.steps >= this.budget.maxSteps) {
        this.partial = true;
        break;
      }
      const limit = this.meter?.spendSteps(1, stack.length) ?? null;
      if (limit) {
        this.partial = true;
        this.budgetLimit = limit;
        break;
      }
      const state = stack.pop() as State;
      this.steps++;
      if (!this.merger.admit(state)) continue;
      const node = cfg.nodes[state.node] as CfgNode;
      let s = this.transfers.node(this.walk, node, state);
      if (node.kind === 'exit') {
        this.finish(s);
        continue;
      }
      if (node.kind === 'return') for (const t of this.transfers.atReturn) s = t(this.walk, node, s);
      const successors = this.successors(node, s);
      // Depth-first: push in reverse so the first successor (the `true` branch) runs first.
      for (let i = successors.length - 1; i >= 0; i--) stack.push(successors[i] as State);
    }
    if (this.paths.length >= this.budget.maxPaths) this.partial = true;
    return {
      fn: this.walk.fn,
      resources: this.walk.resources,
      paths: this.paths,
      issues: this.walk.issues,
      partial: this.partial,
      budgetLimit: this.budgetLimit,
      steps: this.steps,
      dmaPairs: this.walk.dmaPairs,
    };
  }

  /** A path reached the exit: the modules finish it (leaks), and it is kept while there is room. */
  private finish(input: State): void {
    let state = input;
    for (const t of this.transfers.atExit) state = t(this.walk, state);
    if (this.paths.length >= this.budget.maxPaths) return;
    const last = state.events[state.events.length - 1];
    const returnStatus: ReturnStatus = last?.kind === 'return' ? (last.returnStatus ?? 'unknown') : 'void';
    this.paths.push({
      events: state.events,
      resources: this.walk.resources
        .filter((r) => state.res[r.id])
        .map((r) => ({
          res: r,
          outcomes: state.res[r.id]?.outcomes ?? [],
          status: state.res[r.id]?.status ?? 'held',
        })),
      returnStatus,
      issues: state.issues,
    });
  }

  /**
   * The states along each edge out of `node`. A back edge is taken once per path, and the loop
   * head it returns to may then only be left; leaving a loop head without entering marks the loop
   * as skipped on this path.
   */
  private successors(node: CfgNode, state: State): State[] {
    const out: State[] = [];
    for (const edge of node.succs) {
      if (edge.enter && state.exitOnly.has(node.id)) continue;
      let next: State = state;
      if (edge.back) {
        const key = `${node.id}>${edge.to}`;
        if (state.back.has(key)) continue;
        const back = new Set(state.back);
        back.add(key);
        const exitOnly = new Set(state.exitOnly);
        const target = this.walk.cfg.nodes[edge.to] as CfgNode;
        if (target.kind === 'loop-head') exitOnly.add(target.id);
        next = { ...next, back, exitOnly };
      }
      if (
        node.kind === 'loop-head' &&
        !edge.enter &&
        !edge.back &&
        !state.exitOnly.has(node.id) &&
        !next.skippedLoops.has(node.id)
      ) {
        next = { ...next, skippedLoops: new Set([...next.skippedLoops, node.id]) };
      }
      // A `break` on the loop's first round (`if (l == fifo_len) break;` before the store): the
      // rest of that round was skipped as if the loop had not run (liveness.ts, skippedConsumer).
      if (edge.leaves !== undefined && !next.skippedLoops.has(edge.leaves) && !tookBackEdge(next, edge.leaves))
        next = { ...next, skippedLoops: new Set([...next.skippedLoops, edge.leaves]) };
      // Conditions and switch cases: the modules decide which states may take the edge.
      if (edge.cond || edge.switchCase) {
        for (const s of this.transfers.condition(this.walk, edge, next)) out.push({ ...s, node: edge.to });
        continue;
      }
      out.push({ ...next, node: edge.to });
    }
    return out;
  }
}

const standard = new Transfers(STANDARD_TRANSFERS);

/** Whether the path came back around to loop head `head` (its round finished). */
function tookBackEdge(state: State, head: number): boolean {
  const suffix = `>${head}`;
  for (const key of state.back) if (key.endsWith(suffix)) return true;
  return false;
}

/**
 * Every path through `fn` within the budget, with the issues found on them. `meter` is the file's
 * analysis budget (core/analysis/budget.ts), shared with the CFG builder and the other functions.
 */
export function enumeratePaths(
  fn: FunctionAnalysis,
  budget: PathBudget = DEFAULT_BUDGET,
  modules: readonly TransferModule[] = STANDARD_TRANSFERS,
  meter?: BudgetMeter,
): FunctionPaths {
  const transfers = modules === STANDARD_TRANSFERS ? standard : new Transfers(modules);
  return new Enumeration(fn, budget, transfers, meter).run();
}

export { mayHold } from './outcomes';
export type * from './types';
export { DEFAULT_BUDGET } from './types';
