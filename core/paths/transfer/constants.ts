/**
 * The constants transfer (issue 11, class 4: infeasible witness paths). A path that sets
 * `op = IOAT_OP_XOR_VAL` and then takes `op == IOAT_OP_XOR`, that tests one field against three
 * different constants and finds it equal to two of them, or that enters `case A:` of a switch on a
 * variable it set to B, is not a path: no finding may come from it, and none may show it as a
 * witness.
 *
 * Constant assignments are bound by the assignment transfer; this module, run after the branch
 * transfer, adds what an equality test teaches (`x->type == A` taken true: x->type is A; taken
 * false: the path knows `x->type != A` too) and decides the edges out of a switch.
 */
import type { SyntaxNode } from '../../parse/syntax';
import type { CfgEdge } from '../../analysis/cfg';
import { canonical, canonicalText, unwrap } from '../../analysis/expr';
import { bind, type State } from '../state';
import { evaluate, symsEqual, type Sym } from '../values';
import { memoKey, type FunctionWalk } from '../walk';
import type { TransferModule } from './module';

/** A constant operand: a number, or an ALL_CAPS name (an enumerator or macro constant). */
function isConstantOperand(n: SyntaxNode): boolean {
  const u = unwrap(n);
  if (u.type === 'number_literal') return true;
  return u.type === 'identifier' && /^[A-Z][A-Z0-9_]*$/.test(u.text) && u.text !== 'NULL';
}

/** A place a value can be bound to: a variable or a field. */
function placeOf(n: SyntaxNode): string | null {
  const u = unwrap(n);
  if (u.type === 'identifier' && !/^[A-Z][A-Z0-9_]*$/.test(u.text)) return u.text;
  if (u.type === 'field_expression') return canonical(u);
  return null;
}

/** Whether a place's current value may be replaced by a constant (not a resource's result). */
function replaceable(value: Sym | undefined): boolean {
  return value === undefined || value.kind === 'var' || value.kind === 'opaque' || value.kind === 'const';
}

/** Along `x == C` (or `x != C`): bind x to C where the edge says they are equal, and remember both facts. */
function alongTest(walk: FunctionWalk, edge: CfgEdge, input: State): State {
  const cond = edge.cond;
  if (!cond) return input;
  const e = unwrap(cond.expr);
  if (e.type !== 'binary_expression') return input;
  const op = e.childForFieldName('operator')?.type;
  const left = e.childForFieldName('left');
  const right = e.childForFieldName('right');
  if ((op !== '==' && op !== '!=') || !left || !right) return input;
  const [place, constant] = isConstantOperand(right) ? [left, right] : isConstantOperand(left) ? [right, left] : [];
  if (!place || !constant) return input;
  let state = input;
  const equal = (op === '==') === cond.value;
  // The mirrored forms of the same test, so that `x != A` and then `x == A` agree.
  const l = canonical(left);
  const r = canonical(right);
  const facts = new Map(state.facts);
  for (const [text, value] of [
    [`${l}==${r}`, equal],
    [`${r}==${l}`, equal],
    [`${l}!=${r}`, !equal],
    [`${r}!=${l}`, !equal],
  ] as const)
    if (!facts.has(canonicalText(text))) facts.set(canonicalText(text), value);
  state = { ...state, facts };
  const name = placeOf(place);
  if (equal && name && replaceable(state.env.get(name)))
    state = bind(state, name, evaluate(constant, walk.valueContext(state)));
  return state;
}

const SIBLINGS = memoKey<Map<CfgEdge, readonly CfgEdge[]>>('the edges out of the switch each case edge leaves');

/** The other edges out of the switch an edge leaves (for `default:`). */
function siblingsOf(walk: FunctionWalk, edge: CfgEdge): readonly CfgEdge[] {
  const map = walk.memo(SIBLINGS, () => {
    const m = new Map<CfgEdge, readonly CfgEdge[]>();
    for (const n of walk.cfg.nodes) for (const e of n.succs) if (e.switchCase) m.set(e, n.succs);
    return m;
  });
  return map.get(edge) ?? [];
}

/** Along a `case V:` (or `default:`) edge of `switch (x)`: infeasible when x is known to differ. */
function alongCase(walk: FunctionWalk, edge: CfgEdge, state: State): State[] {
  const sc = edge.switchCase;
  if (!sc) return [state];
  const ctx = walk.valueContext(state);
  const subject = evaluate(sc.subject, ctx);
  if (sc.value === null) {
    // default: not taken when the subject is one of the cases.
    for (const other of siblingsOf(walk, edge))
      if (other.switchCase?.value && symsEqual(subject, evaluate(other.switchCase.value, ctx), ctx) === true) return [];
    return [state];
  }
  const equal = symsEqual(subject, evaluate(sc.value, ctx), ctx);
  if (equal === false) return [];
  const name = placeOf(sc.subject);
  if (equal === 'unknown' && name && isConstantOperand(sc.value) && replaceable(state.env.get(name)))
    return [bind(state, name, evaluate(sc.value, ctx))];
  return [state];
}

export const constantTransfer: TransferModule = {
  name: 'constants',
  alongCondition: (walk, edge, state) =>
    edge.switchCase ? alongCase(walk, edge, state) : [alongTest(walk, edge, state)],
};
