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
    if (callersPassOnlyCases(walk, sc.subject, siblingsOf(walk, edge))) return [];
    return [state];
  }
  const equal = symsEqual(subject, evaluate(sc.value, ctx), ctx);
  if (equal === false) return [];
  const name = placeOf(sc.subject);
  if (equal === 'unknown' && name && isConstantOperand(sc.value) && replaceable(state.env.get(name)))
    return [bind(state, name, evaluate(sc.value, ctx))];
  return [state];
}

const CALLER_CONSTANTS = memoKey<Map<number, readonly string[] | null>>(
  'the constants the file passes for each parameter, when every call passes one',
);

/**
 * `switch (which)` on a parameter for which every call in the file passes a constant that one of
 * the cases names (3w-9xxx's `twa_allocate_memory(tw_dev, size, 0)` and `…, 1)`): its `default:`
 * (or its fall-through when there is none) is code no caller reaches. Needs at least one call, and
 * a function that is not stored or passed (its name appears only in calls and declarations).
 */
function callersPassOnlyCases(walk: FunctionWalk, subject: SyntaxNode, edges: readonly CfgEdge[]): boolean {
  const u = unwrap(subject);
  if (u.type !== 'identifier') return false;
  const param = walk.fn.info.params.find((p) => p.name === u.text);
  if (!param || walk.fn.info.locals.has(u.text) || assignedIn(walk.fn.info.body, u.text)) return false;
  const passed = walk.memo(CALLER_CONSTANTS, () => new Map<number, readonly string[] | null>());
  let constants = passed.get(param.index);
  if (constants === undefined) {
    constants = constantsPassed(walk.fn.ctx.text, walk.fn.info.name, walk.fn.info.nameNode.startIndex, param.index);
    passed.set(param.index, constants);
  }
  if (!constants || constants.length === 0) return false;
  const cases = new Set(edges.flatMap((e) => (e.switchCase?.value ? [canonical(e.switchCase.value)] : [])));
  return constants.every((c) => cases.has(c));
}

/** Whether `body` assigns `name` (`which = …`, `which++`). */
function assignedIn(body: SyntaxNode, name: string): boolean {
  return new RegExp(
    `(?:^|[^\\w.>])${name}\\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)|\\b${name}\\s*(?:\\+\\+|--)|(?:\\+\\+|--)\\s*${name}\\b`,
  ).test(body.text);
}

const COMMENT_OR_STRING = /\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g;

/**
 * The constant operands every call of the function in the file passes at `index`, or null when
 * some call passes something else or the name is used other than in a call or a declaration.
 * Read from the file's text: a focused parse has no bodies for the functions no rule looks at.
 */
function constantsPassed(text: string, name: string, definedAt: number, index: number): readonly string[] | null {
  const code = text.replace(COMMENT_OR_STRING, (m) => ' '.repeat(m.length));
  const out: string[] = [];
  for (const m of code.matchAll(new RegExp(`\\b${name}\\b`, 'g'))) {
    const at = m.index;
    if (at === definedAt) continue;
    const open = /^\s*\(/.exec(code.slice(at + name.length));
    if (!open) return null; // stored, passed or taken by address
    const before = /([\w*])\s*$/.exec(code.slice(Math.max(0, at - 40), at));
    const word = /(\w+)\s*$/.exec(code.slice(Math.max(0, at - 40), at))?.[1];
    if (before && word !== 'return' && word !== 'else') continue; // a prototype: `static int name(…);`
    const args = topLevelArguments(code, at + name.length + open[0].length);
    const arg = args?.[index]?.trim();
    if (!arg || !/^(?:\d+|[A-Z][A-Z0-9_]*)$/.test(arg) || arg === 'NULL') return null;
    out.push(arg);
  }
  return out;
}

/** The comma-separated arguments of a call whose `(` ends just before `from`, or null when unbalanced. */
function topLevelArguments(code: string, from: number): string[] | null {
  const args: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < code.length && i < from + 2000; i++) {
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    else if (c === ')') {
      args.push(code.slice(start, i));
      return args;
    } else if (c === ',' && depth === 0) {
      args.push(code.slice(start, i));
      start = i + 1;
    }
  }
  return null;
}

export const constantTransfer: TransferModule = {
  name: 'constants',
  alongCondition: (walk, edge, state) =>
    edge.switchCase ? alongCase(walk, edge, state) : [alongTest(walk, edge, state)],
};
