/**
 * A handle used a line or two *before* its dma_mapping_error() check (issue 11, class 5):
 *
 *   desc->des2 = cpu_to_le32(des2);            // stored in the descriptor …
 *   if (dma_mapping_error(priv->device, des2)) // … and checked before anything else happens
 *           return -1;
 *
 * The store is bookkeeping, not a device use: the function checks the mapping before the path can
 * go anywhere else. A register write (`writel(addr, reg)`) reaches the device at once and stays a
 * use. Found once per CFG node and key.
 */
import type { CfgNode } from '../analysis/cfg';
import type { DmaUseOp, Op } from '../analysis/ops';
import { writeChanges, writesOf } from '../analysis/writes';
import { writesDeviceRegister } from '../catalog/helpers';
import { memoKey, type FunctionWalk } from './walk';

/** Statements looked at after the use. */
const AHEAD = 4;

const CHECKED_AHEAD = memoKey<Map<string, boolean>>('uses checked on the straight line after them');

function checks(op: Op, key: string): boolean {
  return (
    (op.kind === 'dma' && op.api.role === 'check' && op.key === key) ||
    (op.kind === 'dma-use' && op.how === 'check' && op.key === key)
  );
}

/** Whether the path from `node` runs straight (no branch, no return) into a check of `key`. */
export function checkedStraightAfter(walk: FunctionWalk, node: CfgNode, use: DmaUseOp, key: string): boolean {
  // Only a store, or an address computed from the handle and stored; a call that takes the handle
  // itself hands it on, and a register write reaches the device at once.
  if (use.how !== 'store' && !(use.how === 'call' && use.computed)) return false;
  if (use.callee && writesDeviceRegister(use.callee)) return false;
  const memo = walk.memo(CHECKED_AHEAD, () => new Map<string, boolean>());
  const id = `${node.id}|${use.node.startIndex}|${key}`;
  let answer = memo.get(id);
  if (answer === undefined) {
    answer = scan(walk, node, use, key);
    memo.set(id, answer);
  }
  return answer;
}

function scan(walk: FunctionWalk, start: CfgNode, use: DmaUseOp, key: string): boolean {
  let node: CfgNode | undefined = start;
  for (let step = 0; node && step <= AHEAD; step++) {
    const here: CfgNode = node;
    // In the use's own statement only a check after it counts (`ret = f(h) ?: dma_mapping_error(…)`).
    if (here.ops.some((op) => checks(op, key) && (here !== start || op.node.startIndex > use.node.startIndex)))
      return true;
    if (here !== start && writesOf(here, walk.fn.info).some((w) => writeChanges(w.place, key))) return false;
    if (here.kind === 'return' || here.kind === 'exit' || here.succs.length !== 1) return false;
    node = walk.cfg.nodes[(here.succs[0] as CfgNode['succs'][number]).to];
  }
  return false;
}
