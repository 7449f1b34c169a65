/**
 * Which names matter ahead of each CFG node, and which names each loop's body mentions. Merging
 * (merge.ts) ignores values no statement ahead can read; the leak checks excuse a mapping that a
 * loop the path skipped would have stored (`for (i = 0; i < n; i++) ring[i].dma = dma + i * sz;`
 * with n unknown). Both are computed once per function from the words of each node's syntax.
 */
import type { SyntaxNode } from '../parse/syntax';
import type { Cfg, CfgNode } from '../analysis/cfg';
import type { State } from './state';
import type { Resource } from './types';
import { memoKey, type FunctionWalk } from './walk';

const NAME = /[A-Za-z_]\w*/g;

/** The first name in a key (`ring` in `ring[i].dma`). */
export const ROOT_NAME = /[A-Za-z_]\w*/;

const NAMES_AT = memoKey<readonly ReadonlySet<string>[]>('names at each node');
const LIVE = memoKey<readonly ReadonlySet<string>[]>('names live at each node');
const LOOP_BODIES = memoKey<Map<number, ReadonlySet<string>>>('names in each loop body');

/** The words of each CFG node's syntax, read once for liveness and for skipped loops. */
function namesAt(walk: FunctionWalk): readonly ReadonlySet<string>[] {
  return walk.memo(NAMES_AT, () =>
    walk.cfg.nodes.map((node) => new Set(node.syntax ? Array.from(node.syntax.text.matchAll(NAME), (m) => m[0]) : [])),
  );
}

/** For each CFG node, the names mentioned at it or at any node reachable from it (`#id` for loop heads). */
export function liveNames(walk: FunctionWalk): readonly ReadonlySet<string>[] {
  return walk.memo(LIVE, () => reachableMentions(walk.cfg, namesAt(walk)));
}

/**
 * Names (identifiers, as words of the source; `#id` for loop heads) mentioned at each node or
 * anywhere after it. Over-approximates liveness (no kills), which is safe: a name kept alive only
 * keeps states apart. Computed per strongly connected component, sinks first: every node of a
 * component reaches the same names, so they share one set — a goto ladder whose labels all reach
 * each other is one component, where a fixed point over single nodes took 45 s for 800 gotos.
 */
function reachableMentions(cfg: Cfg, namesAt: readonly ReadonlySet<string>[]): ReadonlySet<string>[] {
  const mentions = cfg.nodes.map((node) => {
    const names = new Set(namesAt[node.id]);
    for (const e of node.succs) if (e.cond) for (const m of e.cond.expr.text.matchAll(NAME)) names.add(m[0]);
    // A loop head "mentions" itself, so the heads a path can still reach are known too.
    if (node.kind === 'loop-head') names.add(`#${node.id}`);
    return names;
  });
  const live: ReadonlySet<string>[] = new Array<ReadonlySet<string>>(cfg.nodes.length);
  for (const members of components(cfg)) {
    // Components come sinks first: every successor outside this one is done.
    const after = new Set<ReadonlySet<string>>();
    for (const id of members)
      for (const e of (cfg.nodes[id] as CfgNode).succs) {
        const theirs = live[e.to];
        if (theirs) after.add(theirs);
      }
    const own = new Set<string>();
    for (const id of members) for (const name of mentions[id] as Set<string>) own.add(name);
    const only = after.size === 1 ? ([...after][0] as ReadonlySet<string>) : null;
    let names: ReadonlySet<string>;
    if (only && [...own].every((n) => only.has(n))) names = only;
    else {
      for (const theirs of after) for (const name of theirs) own.add(name);
      names = own;
    }
    for (const id of members) live[id] = names;
  }
  return live;
}

/** The strongly connected components of the CFG (Tarjan's, with an explicit stack), sinks first. */
function components(cfg: Cfg): number[][] {
  const n = cfg.nodes.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    // Frames: a node and the index of its next successor edge to look at.
    const frames: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as [number, number];
      const [v, next] = frame;
      const succs = (cfg.nodes[v] as CfgNode).succs;
      if (next < succs.length) {
        frame[1] = next + 1;
        const w = (succs[next] as { to: number }).to;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          frames.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v] as number, index[w] as number);
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]] as number, low[v] as number);
      if (low[v] !== index[v]) continue;
      const members: number[] = [];
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
        onStack[w] = 0;
        members.push(w);
        if (w === v) break;
      }
      out.push(members);
    }
  }
  return out;
}

/**
 * Whether a loop this path skipped (or broke out of in its first round) mentions the resource's
 * key in its body, and did not make the resource itself.
 */
export function skippedConsumer(walk: FunctionWalk, r: Resource, state: State): boolean {
  if (state.skippedLoops.size === 0 || r.op.kind !== 'dma') return false;
  const bodies = walk.memo(LOOP_BODIES, () => loopBodyNames(walk.cfg, namesAt(walk)));
  const names = [r.key, r.op.handleOut]
    .map((k) => (k ? ROOT_NAME.exec(k)?.[0] : undefined))
    .filter((n): n is string => n !== undefined);
  const at = r.op.node.startIndex;
  for (const id of state.skippedLoops) {
    const body = bodies.get(id);
    if (!body || !names.some((n) => body.has(n))) continue;
    // A loop that made the mapping itself is not one that would have handed it on: alx's refill
    // loop maps, then frees the skb and breaks out when the address is misaligned.
    const span = loopSpan(walk.cfg.nodes[id] as CfgNode);
    if (span && at >= span.start && at < span.end) continue;
    return true;
  }
  return false;
}

/** For each loop head, the names its body mentions (nodes reached by entering, until back at the head). */
function loopBodyNames(cfg: Cfg, namesAt: readonly ReadonlySet<string>[]): Map<number, ReadonlySet<string>> {
  const out = new Map<number, ReadonlySet<string>>();
  for (const head of cfg.nodes) {
    if (head.kind !== 'loop-head') continue;
    const names = new Set<string>();
    const span = loopSpan(head);
    if (!span) continue;
    const seen = new Set<number>([head.id]);
    const stack = head.succs.filter((e) => e.enter).map((e) => e.to);
    while (stack.length > 0) {
      const id = stack.pop() as number;
      if (seen.has(id)) continue;
      seen.add(id);
      const node = cfg.nodes[id];
      // A `break` or `goto` leads out of the loop: stop at the loop's own text.
      if (!node || !node.syntax || node.syntax.startIndex < span.start || node.syntax.endIndex > span.end) continue;
      for (const name of namesAt[id] ?? []) names.add(name);
      for (const e of node.succs) if (!e.back || e.to !== head.id) stack.push(e.to);
    }
    out.set(head.id, names);
  }
  return out;
}

const LOOP_STATEMENTS = new Set(['for_statement', 'while_statement', 'do_statement']);

/** The text a loop head's loop covers: its for/while/do statement, or a macro loop's header and body. */
function loopSpan(head: CfgNode): { start: number; end: number } | null {
  const syntax = head.syntax;
  if (!syntax) return null;
  for (let n: SyntaxNode | null = syntax; n; n = n.parent) {
    if (LOOP_STATEMENTS.has(n.type)) return { start: n.startIndex, end: n.endIndex };
    if (n.type === 'compound_statement' || n.type === 'function_definition') break;
  }
  const body = syntax.nextNamedSibling;
  return { start: syntax.startIndex, end: body ? body.endIndex : syntax.endIndex };
}
