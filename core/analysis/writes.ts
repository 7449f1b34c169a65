/**
 * What one CFG node writes: the places its assignments, `++`/`--` updates and declarations give a
 * new value, the places it passes by address (`foo(&h)` may set h), and the cursors of an iterator
 * macro at a loop head (`list_for_each_entry_safe(pos, n, …)` gives pos and n a new object every
 * round). The path engine's transfers and the DMA rules ask this of every node they visit, so it
 * is computed once per node.
 */
import type { SyntaxNode } from '../parse/syntax';
import { iteratorCursors } from '../catalog/controlMacros';
import type { CfgNode } from './cfg';
import { callArguments, calleeName, canonical, forEachInExpression, unwrap } from './expr';
import type { FunctionInfo } from './functions';

export interface Write {
  /** The place written, canonical (`h`, `obj->dma`, `ring[i].dma`, `*out`). */
  readonly place: string;
  /** The node that writes it: an assignment, update, declarator, `&x` argument or macro argument. */
  readonly node: SyntaxNode;
  /** The value written when there is one (`right` of `=`, a declarator's initialiser). */
  readonly value: SyntaxNode | null;
  /** `=` or an initialiser (a whole new value), otherwise a compound or partial change. */
  readonly whole: boolean;
}

const cache = new WeakMap<CfgNode, readonly Write[]>();

/** Node kinds whose syntax holds only their own statement (a label's holds what follows it). */
const OWN_SYNTAX = new Set(['stmt', 'cond', 'return', 'loop-head']);

export function writesOf(node: CfgNode, fn: FunctionInfo): readonly Write[] {
  let writes = cache.get(node);
  if (writes) return writes;
  const found: Write[] = [];
  writes = found;
  cache.set(node, writes);
  const syntax = node.syntax;
  if (!syntax || !OWN_SYNTAX.has(node.kind)) return writes;
  if (node.kind === 'loop-head') found.push(...cursorWrites(syntax, fn));
  forEachInExpression(syntax, (n) => {
    switch (n.type) {
      case 'assignment_expression': {
        const left = n.childForFieldName('left');
        const op = n.childForFieldName('operator')?.type;
        if (left)
          found.push({ place: canonical(left), node: n, value: n.childForFieldName('right'), whole: op === '=' });
        break;
      }
      case 'init_declarator': {
        const d = n.childForFieldName('declarator');
        if (d) found.push({ place: declaredName(d), node: n, value: n.childForFieldName('value'), whole: true });
        break;
      }
      case 'update_expression': {
        const arg = n.childForFieldName('argument');
        if (arg) found.push({ place: canonical(arg), node: n, value: null, whole: false });
        break;
      }
      case 'argument_list':
        // `&h` handed to a call may be written through (`&h` in a comparison is not a write).
        for (const a of n.namedChildren) {
          const u = unwrap(a);
          const target =
            u.type === 'pointer_expression' && u.child(0)?.type === '&' ? u.childForFieldName('argument') : null;
          if (target) found.push({ place: canonical(target), node: u, value: null, whole: false });
        }
        break;
      default:
        break;
    }
  });
  return writes;
}

function declaredName(d: SyntaxNode): string {
  let n = d;
  while (n.type === 'pointer_declarator' || n.type === 'array_declarator') {
    const inner = n.childForFieldName('declarator');
    if (!inner) break;
    n = inner;
  }
  return n.text;
}

/** The cursors an iterator macro's header assigns (its catalogued arguments, or every plain local). */
function cursorWrites(header: SyntaxNode, fn: FunctionInfo): Write[] {
  const call = header.type === 'expression_statement' ? header.namedChildren[0] : header;
  if (!call || call.type !== 'call_expression') return [];
  const name = calleeName(call);
  if (!name) return [];
  const args = callArguments(call);
  const known = iteratorCursors(name);
  const picked = known
    ? known.map((i) => args[i]).filter((a): a is SyntaxNode => a !== undefined)
    : args.filter((a) => {
        const u = unwrap(a);
        return u.type === 'identifier' && fn.locals.has(u.text);
      });
  return picked.map((a) => ({ place: canonical(a), node: a, value: null, whole: true }));
}

/**
 * Whether a write to `place` changes what `key` names: the key itself, an object it goes through
 * (`slot` for `slot->dma`, `ring` for `ring[i].dma`), or a variable in one of its indexes (`i`).
 */
export function writeChanges(place: string, key: string): boolean {
  if (place === key) return true;
  if (key.startsWith(`${place}->`) || key.startsWith(`${place}.`) || key.startsWith(`${place}[`)) return true;
  if (/^[A-Za-z_]\w*$/.test(place)) {
    for (const m of key.matchAll(/\[([^\]]*)\]/g)) if (new RegExp(`\\b${place}\\b`).test(m[1] ?? '')) return true;
  }
  return false;
}

/** The cursors an iterator macro at a loop head assigns each round (`pos`, `n`); none elsewhere. */
export function iteratorCursorsAt(node: CfgNode, fn: FunctionInfo): string[] {
  if (node.kind !== 'loop-head' || !node.syntax) return [];
  return cursorWrites(node.syntax, fn).map((w) => w.place);
}
