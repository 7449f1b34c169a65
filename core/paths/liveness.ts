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
 * Names (identifiers, as words of the source; `#id` for loop heads) mentioned at each node or anywhere after it, by a
 * backward fixed point over the CFG. Over-approximates liveness (no kills), which is safe: a
 * name kept alive only keeps states apart.
 */
function reachableMentions(cfg: Cfg, namesAt: readonly ReadonlySet<string>[]): ReadonlySet<string>[] {
  const live = cfg.nodes.map((node) => {
    const names = new Set(namesAt[node.id]);
    for (const e of node.succs) if (e.cond) for (const m of e.cond.expr.text.matchAll(NAME)) names.add(m[0]);
    // A loop head "mentions" itself, so the heads a path can still reach are known too.
    if (node.kind === 'loop-head') names.add(`#${node.id}`);
    return names;
  });
  const preds: number[][] = cfg.nodes.map(() => []);
  for (const node of cfg.nodes) for (const e of node.succs) preds[e.to]?.push(node.id);
  const work = cfg.nodes.map((n) => n.id);
  const queued = new Set(work);
  while (work.length > 0) {
    const id = work.pop() as number;
    queued.delete(id);
    const mine = live[id] as Set<string>;
    for (const p of preds[id] ?? []) {
      const theirs = live[p] as Set<string>;
      const before = theirs.size;
      for (const name of mine) theirs.add(name);
      if (theirs.size !== before && !queued.has(p)) {
        queued.add(p);
        work.push(p);
      }
    }
  }
  return live;
}

/** Whether a loop this path skipped mentions the resource's key in its body. */
export function skippedConsumer(walk: FunctionWalk, r: Resource, state: State): boolean {
  if (state.skippedLoops.size === 0 || r.op.kind !== 'dma') return false;
  const bodies = walk.memo(LOOP_BODIES, () => loopBodyNames(walk.cfg, namesAt(walk)));
  const names = [r.key, r.op.handleOut]
    .map((k) => (k ? ROOT_NAME.exec(k)?.[0] : undefined))
    .filter((n): n is string => n !== undefined);
  for (const id of state.skippedLoops) {
    const body = bodies.get(id);
    if (body && names.some((n) => body.has(n))) return true;
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
