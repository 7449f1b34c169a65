/**
 * The assignment transfer: what a statement's assignments and `++`/`--` updates do to the path —
 * the assigned variable's new value (`pinned = 0; pinned += ret;` is ret), facts about it
 * forgotten, page variables re-pointed (`page = wpage;`), and DMA keys that go through the
 * variable detached (`slot->dma` after `slot = …`, `ring[i].dma` after `i++`). GUP and DMA results
 * were bound by the acquire itself.
 */
import type { SyntaxNode } from '../../parse/syntax';
import type { CfgNode } from '../../analysis/cfg';
import { canonical, expressionNodesOfType, identifierName, unwrap } from '../../analysis/expr';
import { iteratorCursorsAt } from '../../analysis/writes';
import { bind, setRes, type State } from '../state';
import type { Resource } from '../types';
import { evaluate } from '../values';
import { memoKey, type FunctionWalk } from '../walk';
import type { TransferModule } from './module';

interface AssignmentEffect {
  /** The variable or canonical field assigned. */
  readonly name: string;
  readonly right: SyntaxNode;
  /** `=`, `+=`, … (`=` for an initializer). */
  readonly op: string | undefined;
  /** The right side is an acquire or DMA call the engine tracks: its value was bound there. */
  readonly boundByAcquire: boolean;
}

interface StatementEffects {
  readonly assignments: readonly AssignmentEffect[];
  /** Variables changed by `++`/`--`. */
  readonly updates: readonly string[];
}

const STATEMENT_EFFECTS = ['assignment_expression', 'init_declarator', 'update_expression'];

const EFFECTS = memoKey<Map<CfgNode, StatementEffects>>('assignments and updates of each statement');

/**
 * The assignments and `i++`-style updates of a statement, found once per CFG node: a node is
 * visited on every path through it, and walking its syntax each time dominated DMA-heavy files.
 */
function effectsOf(walk: FunctionWalk, node: CfgNode): StatementEffects {
  const cache = walk.memo(EFFECTS, () => new Map<CfgNode, StatementEffects>());
  const cached = cache.get(node);
  if (cached) return cached;
  const assignments: AssignmentEffect[] = [];
  const updates: string[] = [];
  for (const n of expressionNodesOfType(node.syntax as SyntaxNode, STATEMENT_EFFECTS)) {
    if (n.type === 'assignment_expression' || n.type === 'init_declarator') {
      const effect = assignmentEffect(n, walk.resources);
      if (effect) assignments.push(effect);
    } else if (n.type === 'update_expression') {
      const name = identifierName(n.childForFieldName('argument'));
      if (name) updates.push(name);
    }
  }
  // An iterator macro's cursors get a new object every round (`list_for_each_entry_safe(comp,
  // _comp, …)`): what `comp->virt_addr` named before the loop is not what it names inside.
  if (node.kind === 'loop-head') for (const place of iteratorCursorsAt(node, walk.fn.info)) updates.push(place);
  const effects = { assignments, updates };
  cache.set(node, effects);
  return effects;
}

function assignmentEffect(a: SyntaxNode, resources: readonly Resource[]): AssignmentEffect | null {
  const declaration = a.type === 'init_declarator';
  const left = declaration ? a.childForFieldName('declarator') : a.childForFieldName('left');
  const right = a.childForFieldName(declaration ? 'value' : 'right');
  if (!left || !right) return null;
  const name =
    left.type === 'identifier' ? left.text : unwrap(left).type === 'field_expression' ? canonical(left) : null;
  if (!name) return null;
  const rightCall = unwrap(right);
  const boundByAcquire = rightCall.type === 'call_expression' && resources.some((r) => r.op.node.id === rightCall.id);
  return { name, right, op: declaration ? '=' : a.childForFieldName('operator')?.type, boundByAcquire };
}

/** Assignments in a statement that are not GUP results (those were bound by the acquire). */
function applyAssignments(walk: FunctionWalk, node: CfgNode, input: State): State {
  let state = input;
  const { assignments, updates } = effectsOf(walk, node);
  for (const a of assignments) {
    state = movePointer(walk, state, a.name, a.right, a.op);
    state = forget(state, a.name);
    state = detachKeysOf(walk, state, a.name, node, a.op !== '=');
    if (a.boundByAcquire) continue;
    const ctx = walk.valueContext(state);
    if (a.op === '=') {
      state = bind(state, a.name, evaluate(a.right, ctx));
    } else if (a.op === '+=') {
      const before = state.env.get(a.name);
      const added = evaluate(a.right, ctx);
      // `pinned = 0; pinned += ret;` is ret.
      state = bind(state, a.name, before?.kind === 'const' && before.value === 0 ? added : ctx.fresh());
    } else {
      state = bind(state, a.name, ctx.fresh());
    }
  }
  // `i++`, `nr--`: the variable changes.
  for (const name of updates) {
    if (state.env.has(name)) state = bind(state, name, walk.fresh());
    state = forget(state, name);
    state = detachKeysOf(walk, state, name, node);
  }
  return state;
}

/**
 * `name` was assigned at `node`: a DMA key that goes through it (`slot->dma` after `slot = …`,
 * `ring[i].dma` after `i++`, `h` after `h = …`) names something else now. Keys made by this
 * statement's own map are kept; a field store (`p->next = 0`) leaves `p->dma` alone. A compound
 * assignment of the handle itself (`mapping |= RX_LARGE_PG_BUF;`, `paddr |= MACB_BIT(RX_WRAP)`,
 * `dma += off`) marks or offsets the same mapping: it is still the one to unmap or hand on.
 */
function detachKeysOf(walk: FunctionWalk, state: State, name: string, node: CfgNode, compound = false): State {
  const throughIndex = indexMention(name);
  const goesThrough = (key: string | null): boolean =>
    key !== null &&
    ((key === name && !compound) ||
      key.startsWith(`${name}->`) ||
      key.startsWith(`${name}.`) ||
      key.startsWith(`${name}[`) ||
      (throughIndex?.test(key) ?? false));
  let out = state;
  for (const r of walk.resources) {
    const rs = out.res[r.id];
    if (r.op.kind !== 'dma' || !rs || rs.detached || r.nodeId === node.id) continue;
    if (goesThrough(r.key) || goesThrough(r.op.handleOut)) out = setRes(out, r.id, { detached: true });
  }
  return out;
}

/**
 * The patterns `forget` and `detachKeysOf` test keys with, made once per name: both run for every
 * assignment on every path through it, and compiling the expression each time was most of their
 * cost (~4% of a whole-tree lint). The cache is emptied when it grows past a bound, so a long run
 * over many files does not keep every name it has seen.
 */
const MAX_PATTERNS = 4096;
const mentionPatterns = new Map<string, RegExp>();
const indexPatterns = new Map<string, RegExp | null>();

function cached<T>(cache: Map<string, T>, name: string, make: () => T): T {
  if (cache.has(name)) return cache.get(name) as T;
  if (cache.size >= MAX_PATTERNS) cache.clear();
  const made = make();
  cache.set(name, made);
  return made;
}

/** `x` (or `x->…`) as a whole word; a field path such as `obj->a.b` not preceded by `>`, `.` or a word character. */
function mentionOf(name: string): RegExp {
  return cached(mentionPatterns, name, () => {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return /^[A-Za-z_]\w*$/.test(name) ? new RegExp(`\\b${escaped}\\b`) : new RegExp(`(^|[^\\w>.])${escaped}(?![\\w])`);
  });
}

/** A plain variable inside an index (`ring[i].dma` for `i`); null for anything else. */
function indexMention(name: string): RegExp | null {
  return cached(indexPatterns, name, () =>
    /^[A-Za-z_]\w*$/.test(name) ? new RegExp(`\\[[^\\]]*\\b${name}\\b[^\\]]*\\]`) : null,
  );
}

/** Drops remembered conditions that mention `name` (it was just assigned). */
function forget(state: State, name: string): State {
  if (state.facts.size === 0) return state;
  // `x = …` forgets every fact about x (and x->…); `obj->a.b = …` only those that read
  // obj->a.b (or something inside it): `obj->count = 0` says nothing new about `obj->type`.
  const mentions = mentionOf(name);
  let facts: Map<string, boolean> | null = null;
  for (const key of state.facts.keys()) {
    // (The substring test first: most keys do not name it at all, and it is far cheaper.)
    if (key.includes(name) && mentions.test(key)) {
      facts ??= new Map(state.facts);
      facts.delete(key);
    }
  }
  return facts ? { ...state, facts } : state;
}

/** `page = wpage;` between two page variables: later operations on `page` touch wpage's pages. */
function movePointer(walk: FunctionWalk, state: State, name: string, right: SyntaxNode, op: string | undefined): State {
  const local = walk.fn.info.locals.get(name);
  if (!local || local.pointerDepth !== 1 || !/\b(page|folio)\b/.test(local.typeText)) return state;
  const source = identifierName(right);
  const sourceKey = source ? (state.moved.get(source) ?? source) : null;
  const holds =
    op === '=' &&
    sourceKey !== null &&
    walk.resources.some((r) => r.key === sourceKey && state.res[r.id] !== undefined);
  if (!holds && !state.moved.has(name)) return state;
  const moved = new Map(state.moved);
  if (holds) moved.set(name, sourceKey);
  else moved.delete(name);
  return { ...state, moved };
}

export const assignmentTransfer: TransferModule = {
  name: 'assignments',
  afterOps: (walk, node, state) =>
    node.syntax && (node.kind === 'stmt' || node.kind === 'cond' || node.kind === 'loop-head')
      ? applyAssignments(walk, node, state)
      : state,
};
