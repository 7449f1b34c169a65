/**
 * The page transfer (pin_user_pages.rst, kernel-semantics.md §1): an acquire creates a resource
 * whose outcomes (neg/zero/partial/full) later branches narrow; a release gives it back and is
 * checked against what the path holds (double release, count mismatch, negative count); a use of
 * the data after the release is reported; a hand-off to a scatterlist, bio or skb, a store into an
 * object or a call to an unknown function lets the pages escape.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { callArguments, canonical, identifierName } from '../../analysis/expr';
import type { CfgNode } from '../../analysis/cfg';
import { publishedBefore } from '../../analysis/published';
import type { DirtyOp, ExtraRefOp, ReleaseOp, UseOp } from '../../analysis/ops';
import { initialOutcomes, mayHold } from '../outcomes';
import { bind, FRESH, oneLine, setRes, spanOf, type ResState, type State } from '../state';
import type { Resource } from '../types';
import { evaluate, symKey } from '../values';
import type { FunctionWalk } from '../walk';
import type { OpTransfer, TransferModule } from './module';

const acquire: OpTransfer<'acquire'> = (walk, node, op, input) => {
  let state = input;
  const span = spanOf(op.node);
  if (op.prefault || !op.pages) {
    // get_user_pages(…, NULL): faults the range in, takes nothing.
    const bound = op.result.variable ? bind(state, op.result.variable, walk.fresh()) : state;
    return walk.event(bound, 'acquire', node, span, `${op.name}(…) — no pages argument, nothing taken`, { op }).state;
  }
  const pages = op.pages;
  const r = walk.resourceFor(op, node.id, () => ({
    key: pages.key,
    // A local array already published in a global or a struct belongs there (published.ts).
    // So do pages a helper named through an out-parameter (`*pfn_base`): the caller has them.
    nonLocal:
      pages.baseKind !== 'local' ||
      publishedBefore(walk.fn.ctx, pages.key, op.node.startIndex) ||
      (op.identityKey?.startsWith('*') ?? false),
    nrSym: op.nr ? evaluate(op.nr, walk.valueContext(state)) : null,
  }));
  const previous = state.res[r.id];
  if (previous) {
    // A second run of the same call (the next loop iteration): values computed from the
    // first result are not this result any more.
    const env = new Map(state.env);
    for (const [k, v] of env)
      if ((v.kind === 'result' || v.kind === 'held') && v.res === r.id) env.set(k, walk.fresh());
    state = { ...state, env };
  }
  const carried =
    previous !== undefined && previous.status !== 'released' && (previous.carried || mayHold(r, previous.outcomes));
  // Another acquire into the very same storage: the pages tracked there before were
  // released (or are this path's leak, reported at the exit of that earlier path).
  const res = [...state.res];
  for (const other of walk.resources)
    if (other !== r && other.key === r.key && res[other.id]?.status === 'released')
      res[other.id] = undefined as unknown as ResState;
  state = { ...state, res };
  state = setRes(state, r.id, { outcomes: initialOutcomes(op), ...FRESH, carried });
  state = walk.event(
    state,
    'acquire',
    node,
    span,
    `${op.name}(${op.nr ? oneLine(op.nr.text, 30) : ''}${op.flagsArg ? `, ${oneLine(op.flagsArg.text, 40)}` : ''})`,
    { op, res: [r.id] },
  ).state;
  // `vaddr_get_pfns(…, pfn_base, pages)` wrote the pages' pfn to *pfn_base: `put_pfn(*pfn_base)` releases them.
  if (op.identityKey) state = { ...state, moved: new Map(state.moved).set(op.identityKey, pages.key) };
  if (op.result.variable) state = bind(state, op.result.variable, { kind: 'result', res: r.id });
  if (op.heldCount) state = bind(state, op.heldCount, { kind: 'held', res: r.id });
  // `&page`: the page variable is non-NULL exactly when the acquire succeeded.
  if (pages.baseKind === 'local' && /^[A-Za-z_]\w*$/.test(pages.key) && op.api.returns !== 'page') {
    if (pages.node.type === 'pointer_expression') state = bind(state, pages.key, { kind: 'pageof', res: r.id });
  }
  return state;
};

const release: OpTransfer<'release'> = (walk, node, op, input) => {
  const targets = walk.resourcesCovered(input, op.pages?.key);
  const args = callArguments(op.node)
    .map((a) => a.text)
    .join(', ');
  const { state: s1, index } = walk.event(
    input,
    'release',
    node,
    spanOf(op.node),
    `${op.name}(${oneLine(args || (op.bulk ? op.bulk.base.node.text : ''), 50)})${op.bulk ? ' (loop)' : ''}`,
    { op, res: targets.map((t) => t.id) },
  );
  let state = s1;
  const elementwise = op.pages?.element === true && op.count.kind === 'one';
  for (const r of targets) {
    const rs = state.res[r.id] as ResState;
    const exact = r.key === (op.pages ? (state.moved.get(op.pages.key) ?? op.pages.key) : undefined);
    if (!exact && rs.status === 'released') continue; // a whole-array release after a sub-range one
    if (rs.status === 'released' && !elementwise && !rs.elementwise) {
      const earlier = rs.changedAt !== null ? (state.events[rs.changedAt] ?? null) : null;
      state = walk.issue(state, 'double-release', r, index, { earlier });
    } else if (rs.status !== 'released' || !elementwise) {
      state = checkCount(walk, state, r, op, index);
    }
    state = setRes(state, r.id, { status: 'released', changedAt: index, elementwise });
  }
  return state;
};

/** use, dirty and extra-ref: a use after release is reported; a hand-off to I/O lets the pages go. */
function touch(walk: FunctionWalk, node: CfgNode, op: UseOp | DirtyOp | ExtraRefOp, input: State): State {
  const targets = walk.resourcesCovered(input, op.pages.key);
  const label =
    op.kind === 'use'
      ? `${op.use.name}(…) — ${op.use.kind === 'data' ? 'CPU access to the data' : op.use.kind === 'dma' ? 'handed to DMA' : 'handed to the block layer'}`
      : `${op.kind === 'dirty' ? op.dirty.name : op.name}(${oneLine(op.pages.node.text, 40)})`;
  const { state: s1, index } = walk.event(input, op.kind, node, spanOf(op.node), label, {
    op,
    res: targets.map((t) => t.id),
  });
  let state = s1;
  for (const r of targets) {
    const rs = state.res[r.id] as ResState;
    if (rs.status === 'released' && !rs.elementwise && op.kind !== 'extra-ref') {
      const earlier = rs.changedAt !== null ? (state.events[rs.changedAt] ?? null) : null;
      state = walk.issue(state, 'use-after-release', r, index, { earlier });
    } else if (rs.status === 'held' && op.kind === 'use' && op.use.kind !== 'data') {
      // sg_set_page(), bio_add_page(), skb_fill_page_desc(): the scatterlist, bio or skb
      // now holds the pages and releases them when the I/O completes.
      state = setRes(state, r.id, { status: 'escaped', changedAt: index, escapeHow: 'handed-off' });
    }
  }
  return state;
}

const escape: OpTransfer<'escape'> = (walk, node, op, input) => {
  const targets = walk.resourcesCovered(input, op.pages.key);
  if (targets.length === 0) return input;
  const how =
    op.how === 'call'
      ? `passed to ${op.callee ?? 'a function'}()`
      : op.how === 'return'
        ? 'returned'
        : `stored in ${op.target ? oneLine(op.target.node.text, 40) : op.how}`;
  const { state: s1, index } = walk.event(input, 'escape', node, spanOf(op.node), how, {
    op,
    res: targets.map((t) => t.id),
  });
  let state = s1;
  for (const r of targets) {
    const rs = state.res[r.id] as ResState;
    if (rs.status === 'held') state = setRes(state, r.id, { status: 'escaped', changedAt: index, escapeHow: op.how });
  }
  return state;
};

/** Compares a release's count with what the path holds. */
function checkCount(walk: FunctionWalk, state: State, r: Resource, op: ReleaseOp, index: number): State {
  if (op.count.kind !== 'expr') return state;
  const rs = state.res[r.id] as ResState;
  const count = evaluate(op.count.node, walk.valueContext(state));
  const countText = oneLine(op.count.node.text, 40);
  if (r.op.kind !== 'acquire') return state;
  if (r.op.heldCount) {
    // An in-file helper reported its count through a variable: release exactly that.
    if (count.kind === 'held' && count.res === r.id) return state;
    if (countCorrectedElsewhere(walk, op.count.node, r.op.heldCount)) {
      return walk.issue(state, 'count-mismatch', r, index, { countText });
    }
    return state;
  }
  if (count.kind === 'result' && count.res === r.id) {
    if (rs.outcomes.length > 0 && rs.outcomes.every((o) => o === 'neg'))
      return walk.issue(state, 'negative-count', r, index, { countText });
    return state;
  }
  const isNr =
    r.nrSym !== null &&
    (symKey(count) === symKey(r.nrSym) ||
      (op.count.node &&
        r.op.nr &&
        canonical(op.count.node) === canonical(r.op.nr) &&
        !state.env.has(canonical(r.op.nr))));
  if (isNr && !rs.outcomes.includes('full') && !r.op.single)
    return walk.issue(state, 'count-mismatch', r, index, { countText });
  return state;
}

/** `count = held;` somewhere in the function: the code knows the two differ. */
function countCorrectedElsewhere(walk: FunctionWalk, countNode: SyntaxNode, heldVar: string): boolean {
  const name = identifierName(countNode);
  if (!name) return false;
  return new RegExp(`\\b${name}\\s*=\\s*${heldVar}\\s*;`).test(walk.fn.info.body.text);
}

export const pageTransfer: TransferModule = {
  name: 'pages',
  ops: { acquire, release, use: touch, dirty: touch, 'extra-ref': touch, escape },
};
