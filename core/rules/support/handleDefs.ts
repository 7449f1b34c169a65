/**
 * Where the value a DMA handle holds at a point came from: the definitions of the handle that
 * reach each CFG node (a map, or anything else — an assignment, `&h` passed to a call, a new
 * object under `slot->dma`, the value it had on entry), and for a map whether a
 * dma_mapping_error() (or a checker helper) of it lies on the way. dma-mapping-null-check asks
 * this: a test of the handle against 0 is the failure check of a mapping only when every value
 * that reaches it is a mapping's, and one of them arrives unchecked.
 */
import type { CfgNode } from '../../analysis/cfg';
import type { DmaOp } from '../../analysis/ops';
import type { FunctionAnalysis } from '../../analysis/types';
import { writeChanges, writesOf } from '../../analysis/writes';

/** One definition of the handle: the map that made it (null for anything else), checked since or not. */
export interface HandleDef {
  readonly node: number;
  readonly map: DmaOp | null;
  readonly checked: boolean;
}

type Facts = ReadonlyMap<string, HandleDef>;

const defKey = (d: HandleDef): string => `${d.node}:${d.checked ? 1 : 0}`;

/** The node's map of the handle (`h = dma_map_single(...)`), if it has one. */
function mapAt(node: CfgNode, key: string): DmaOp | null {
  for (const op of node.ops)
    if (op.kind === 'dma' && op.api.role === 'map' && op.api.returns === 'handle' && op.key === key) return op;
  return null;
}

/** Whether the node checks the handle: dma_mapping_error(), or a helper that calls it on the handle. */
function checksAt(node: CfgNode, key: string): boolean {
  return node.ops.some(
    (op) =>
      (op.kind === 'dma' && op.api.role === 'check' && op.key === key) ||
      (op.kind === 'dma-use' && op.how === 'check' && op.key === key),
  );
}

/** What a node does to the handle: defines it (a map or something else), checks it, or neither. */
function effect(fn: FunctionAnalysis, node: CfgNode, key: string): { def: HandleDef | null; checks: boolean } {
  const map = mapAt(node, key);
  const writes = writesOf(node, fn.info).filter((w) => writeChanges(w.place, key));
  // The map's own assignment (`h = dma_map_single(...)`) is the map's definition, not another one.
  const other = writes.some((w) => !(map && w.place === key && w.value && w.node.startIndex <= map.node.startIndex));
  const def =
    map && !other
      ? { node: node.id, map, checked: false }
      : writes.length > 0
        ? { node: node.id, map: null, checked: false }
        : null;
  return { def, checks: checksAt(node, key) };
}

/**
 * The definitions of `key` that reach the start of each node (a forward may-analysis; the entry's
 * own value is a definition with no map).
 */
export function reachingDefs(fn: FunctionAnalysis, key: string): readonly Facts[] {
  const nodes = fn.cfg.nodes;
  const facts: Map<string, HandleDef>[] = nodes.map(() => new Map<string, HandleDef>());
  const entry: HandleDef = { node: fn.cfg.entry, map: null, checked: false };
  facts[fn.cfg.entry]?.set(defKey(entry), entry);
  const effects = nodes.map((n) => effect(fn, n, key));
  const work = [fn.cfg.entry];
  const queued = new Set(work);
  while (work.length > 0) {
    const id = work.pop() as number;
    queued.delete(id);
    const node = nodes[id] as CfgNode;
    const out = transfer(facts[id] as Facts, effects[id] as ReturnType<typeof effect>);
    for (const e of node.succs) {
      const target = facts[e.to] as Map<string, HandleDef>;
      let grew = false;
      for (const [k, d] of out)
        if (!target.has(k)) {
          target.set(k, d);
          grew = true;
        }
      if (grew && !queued.has(e.to)) {
        queued.add(e.to);
        work.push(e.to);
      }
    }
  }
  return facts;
}

function transfer(input: Facts, e: { def: HandleDef | null; checks: boolean }): Facts {
  let out: Map<string, HandleDef> = new Map(input);
  if (e.def) out = new Map([[defKey(e.def), e.def]]);
  if (e.checks) {
    const checked = new Map<string, HandleDef>();
    for (const d of out.values()) {
      const c = d.map ? { ...d, checked: true } : d;
      checked.set(defKey(c), c);
    }
    out = checked;
  }
  return out;
}

/**
 * The definitions that reach a test of the handle inside node `at` (its condition): those reaching
 * the node, or the node's own when its condition maps the handle first (`if (!(h = dma_map_…)))`).
 */
export function defsAtTest(fn: FunctionAnalysis, facts: readonly Facts[], at: CfgNode, key: string): HandleDef[] {
  const own = effect(fn, at, key);
  if (own.def) return [own.def];
  return [...(facts[at.id]?.values() ?? [])];
}
