/**
 * A transfer module: what one kind of statement effect does to a path's state. The engine
 * (engine.ts) owns the worklist, merging and the budget, and calls the modules at fixed points:
 *
 * 1. `ops`: at a node, each operation, by its kind (a kind belongs to exactly one module);
 * 2. `afterOps`: then the statement itself (its assignments);
 * 3. `atReturn`: at a `return` node, after the above;
 * 4. `alongCondition`: along a conditional edge — the states that may take it (none when the
 *    condition cannot hold on the path);
 * 5. `atExit`: at the function's exit, before the path is recorded (leaks are found here).
 *
 * Modules run in the order given to the engine; each sees the state the previous one made.
 */
import type { CfgEdge, CfgNode } from '../../analysis/cfg';
import type { Op } from '../../analysis/ops';
import type { State } from '../state';
import type { FunctionWalk } from '../walk';

export type OpTransfer<K extends Op['kind']> = (
  walk: FunctionWalk,
  node: CfgNode,
  op: Extract<Op, { kind: K }>,
  state: State,
) => State;

export type OpTransfers = { readonly [K in Op['kind']]?: OpTransfer<K> };

export interface TransferModule {
  readonly name: string;
  readonly ops?: OpTransfers;
  readonly afterOps?: (walk: FunctionWalk, node: CfgNode, state: State) => State;
  readonly atReturn?: (walk: FunctionWalk, node: CfgNode, state: State) => State;
  readonly alongCondition?: (walk: FunctionWalk, edge: CfgEdge, state: State) => State[];
  readonly atExit?: (walk: FunctionWalk, state: State) => State;
}
