/**
 * analyzeFile's whole-file walks (the function definitions and what each calls, the file-scope
 * variables, the `#define`s) kept from one edit of a document to the next, without syntax nodes.
 *
 * An edit inside one function body usually leaves the rest of the tree as it was: the parser says
 * so (ParsedSource.reused: only one top-level item was parsed again, and tree-sitter reports no
 * change outside it). When that item is a function definition before and after, nothing these walks
 * read outside it changed, and none of them reads inside a definition but for that definition's
 * own facts (functionsIn, globalsIn and macrosIn do not descend into definitions). So the walks'
 * results are the old ones moved by the edit, with that one definition read again from the new
 * tree. The records hold places, not nodes (a node of the old tree describes the old text): a
 * kept function or variable finds its nodes in the new tree by type and place when first asked.
 * test/unit/incremental.test.ts compares every edit's result with a fresh lint's.
 */
import {
  functionInfo,
  functionsIn,
  globalsIn,
  unparsedFunction,
  type FunctionInfo,
  type Variable,
} from '../analysis/functions';
import { macrosIn, type MacroDef } from '../analysis/flags';
import { calledNamesIn } from '../analysis/relevance';
import type { ParsedSource, PrepareMode } from '../parse/parser';
import { walk, type SyntaxNode } from '../parse/syntax';

/** A node as a place: its type and `[start, end)`. */
interface NodePlace {
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

interface FunctionRecord {
  readonly name: string;
  readonly node: NodePlace;
  /** The body's `[start, end)` (the `{` … `}`, or the ERROR itself). */
  readonly body: { readonly start: number; readonly end: number };
  /** A top-level ERROR analysed as a function with no name (functions.ts, unparsedFunction). */
  readonly unparsed: boolean;
  readonly calls: ReadonlySet<string>;
  /** The parameter a `dma_mapping_error(…, param)` in the body checks (the last one), or null. */
  readonly checks: number | null;
}

interface VariableRecord {
  readonly variable: Omit<Variable, 'declaration' | 'nameNode' | 'init'>;
  readonly declaration: NodePlace;
  readonly nameNode: NodePlace;
  readonly init: NodePlace | null;
}

/** What the walks found in one text, for the next edit of it. */
export interface FileWalks {
  /** Read from the previous text's walks (the parse re-used its tree), not walked again. */
  readonly kept: boolean;
  readonly text: string;
  readonly mode: PrepareMode;
  readonly functions: readonly FunctionRecord[];
  readonly globals: readonly VariableRecord[];
  readonly macros: readonly MacroDef[];
}

/** The walks' results as analyzeFile uses them. */
export interface Walked {
  /** Every definition functionsIn finds, in its order (before dead code is dropped). */
  readonly functions: readonly FunctionInfo[];
  readonly calls: ReadonlyMap<FunctionInfo, ReadonlySet<string>>;
  readonly checks: ReadonlyMap<FunctionInfo, number | null>;
  readonly globals: Map<string, Variable>;
  readonly macros: Map<string, MacroDef>;
  /** For the next edit (made on the first call, from the tree as it is now). */
  readonly walks: () => FileWalks;
}

/** Where a function's definition and body are (`[start, end)` each). */
export interface DefinitionPlace {
  readonly start: number;
  readonly end: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
}

/** Where each kept function is, without asking it for a node. */
const places = new WeakMap<FunctionInfo, DefinitionPlace>();

/** Where a function's definition and body are; a kept function answers without finding its nodes. */
export function definitionPlace(info: FunctionInfo): DefinitionPlace {
  return (
    places.get(info) ?? {
      start: info.node.startIndex,
      end: info.node.endIndex,
      bodyStart: info.body.startIndex,
      bodyEnd: info.body.endIndex,
    }
  );
}

const placeOf = (node: SyntaxNode): NodePlace => ({ type: node.type, start: node.startIndex, end: node.endIndex });

const MAPPING_ERROR_CALL = /\bdma_mapping_error\s*\(([^;]*?),\s*([A-Za-z_]\w*)\s*\)/g;

/** The parameter the last `dma_mapping_error(…, param)` of the body checks (enic_dma_map_check()), or null. */
function checkedParam(f: FunctionInfo): number | null {
  const text = f.body.text;
  if (!text.includes('dma_mapping_error')) return null;
  let found: number | null = null;
  MAPPING_ERROR_CALL.lastIndex = 0;
  for (let m = MAPPING_ERROR_CALL.exec(text); m !== null; m = MAPPING_ERROR_CALL.exec(text)) {
    const param = f.params.find((p) => p.name === m?.[2]);
    if (param) found = param.index;
  }
  return found;
}

function recordOf(info: FunctionInfo, calls: ReadonlySet<string>, checks: number | null): FunctionRecord {
  return {
    name: info.name,
    node: placeOf(info.node),
    body: { start: info.body.startIndex, end: info.body.endIndex },
    unparsed: info.name === '(unparsed code)' && info.node.type === 'ERROR',
    calls,
    checks,
  };
}

/** The walks over the whole tree. */
function walkAll(parsed: ParsedSource): Walked {
  const root = parsed.root;
  const functions = functionsIn(root);
  const calls = new Map(functions.map((f) => [f, calledNamesIn(f.body.text)]));
  const checks = new Map(functions.map((f) => [f, checkedParam(f)]));
  const globals = globalsIn(root);
  const macros = macrosIn(root);
  // Made when asked (the editor session asks, before the next edit; batch lint never does).
  let records: FileWalks | null = null;
  const walks = (): FileWalks =>
    (records ??= {
      kept: false,
      text: parsed.text,
      mode: parsed.mode,
      functions: functions.map((f) => recordOf(f, calls.get(f) as ReadonlySet<string>, checks.get(f) ?? null)),
      // Every variable in the order globalsIn met them (a later one of the same name wins).
      globals: [...globals.values()].map(({ declaration, nameNode, init, ...variable }) => ({
        variable,
        declaration: placeOf(declaration),
        nameNode: placeOf(nameNode),
        init: init ? placeOf(init) : null,
      })),
      macros: [...macros.values()],
    });
  return { functions, calls, checks, globals, macros, walks };
}

/**
 * The node of `type` at exactly `[start, end)` under `root`: the innermost such node, or with
 * `outermost` the outermost. Throws when there is none (the tree is not the one the place was read from).
 */
function nodeAt(root: SyntaxNode, place: NodePlace, outermost = false): SyntaxNode {
  const matches = (n: SyntaxNode): boolean =>
    n.startIndex === place.start && n.endIndex === place.end && n.type === place.type;
  const holds = (n: SyntaxNode): boolean => n.startIndex <= place.start && n.endIndex >= place.end;
  let found: SyntaxNode | null = null;
  // Up from the token at `start`: the node is one of its ancestors, unless it is empty (a MISSING token).
  for (let n: SyntaxNode | null = root.descendantForIndex(place.start); n; n = n.parent) {
    if (matches(n)) {
      found = n;
      if (!outermost) break;
    } else if (holds(n) && (n.startIndex < place.start || n.endIndex > place.end)) break;
  }
  if (found) return found;
  // Else down from the root, into the nodes that hold the place (outermost first).
  const all: SyntaxNode[] = [];
  walk(root, (n) => {
    if (!holds(n)) return false;
    if (matches(n)) all.push(n);
    return true;
  });
  const pick = outermost ? all[0] : all[all.length - 1];
  if (!pick) throw new Error(`no ${place.type} at ${place.start}-${place.end} in the edited tree`);
  return pick;
}

/** A kept function: its name and place now, its nodes (and what is read from them) when first asked. */
function keptFunction(root: SyntaxNode, r: FunctionRecord): FunctionInfo {
  const place = r.node;
  let real: FunctionInfo | null = null;
  const get = (): FunctionInfo => {
    if (real) return real;
    const node = nodeAt(root, place, r.unparsed);
    real = r.unparsed ? unparsedFunction(node) : functionInfo(node);
    if (!real || real.name !== r.name) throw new Error(`the definition at ${place.start} is not ${r.name} any more`);
    return real;
  };
  const info: FunctionInfo = {
    name: r.name,
    get nameNode() {
      return get().nameNode;
    },
    get node() {
      return get().node;
    },
    get body() {
      return get().body;
    },
    get params() {
      return get().params;
    },
    get locals() {
      return get().locals;
    },
    get returnType() {
      return get().returnType;
    },
  };
  places.set(info, { start: place.start, end: place.end, bodyStart: r.body.start, bodyEnd: r.body.end });
  return info;
}

/** A kept file-scope variable: its facts now, its nodes when first asked. */
function keptVariable(root: SyntaxNode, r: VariableRecord): Variable {
  const memo = new Map<NodePlace, SyntaxNode>();
  const node = (p: NodePlace): SyntaxNode => {
    let n = memo.get(p);
    if (!n) {
      n = nodeAt(root, p);
      memo.set(p, n);
    }
    return n;
  };
  const init = r.init;
  return {
    ...r.variable,
    get declaration() {
      return node(r.declaration);
    },
    get nameNode() {
      return node(r.nameNode);
    },
    get init() {
      return init ? node(init) : null;
    },
  };
}

/**
 * The walks of `parsed`, from `previous` when the parse re-used the tree those were read from
 * and re-parsed only one function definition (see the file comment); else walked in full.
 */
export function fileWalks(parsed: ParsedSource, previous: FileWalks | undefined): Walked {
  const reused = parsed.reused;
  if (!previous || !reused || reused.from !== previous.text || parsed.mode !== previous.mode) return walkAll(parsed);
  const changed = previous.functions.findIndex(
    (r) =>
      !r.unparsed &&
      r.node.type === 'function_definition' &&
      r.node.start === reused.start &&
      r.node.end === reused.oldEnd,
  );
  if (changed < 0) return walkAll(parsed);
  const root = parsed.root;
  const delta = reused.newEnd - reused.oldEnd;
  // Outside the re-parsed item: before it, or after it (moved by the edit).
  const at = (p: NodePlace): NodePlace =>
    p.start >= reused.oldEnd ? { ...p, start: p.start + delta, end: p.end + delta } : p;
  const outside = (p: NodePlace): boolean => p.end <= reused.start || p.start >= reused.oldEnd;
  const edited = root.descendantForIndex(reused.start);
  let definition: SyntaxNode | null = edited;
  while (definition && !(definition.type === 'function_definition' && definition.startIndex === reused.start))
    definition = definition.parent;
  const info = definition && definition.endIndex === reused.newEnd ? functionInfo(definition) : null;
  const before = previous.functions[changed] as FunctionRecord;
  if (!info || info.name !== before.name) return walkAll(parsed);
  if (
    !previous.functions.every((r, i) => i === changed || outside(r.node)) ||
    !previous.globals.every((g) => outside(g.declaration)) ||
    !previous.macros.every((m) => m.valueStart < reused.start || m.valueStart >= reused.oldEnd)
  )
    return walkAll(parsed);

  const calls = new Map<FunctionInfo, ReadonlySet<string>>();
  const checks = new Map<FunctionInfo, number | null>();
  const records: FunctionRecord[] = [];
  const functions = previous.functions.map((r, i) => {
    if (i === changed) {
      const fresh = calledNamesIn(info.body.text);
      const checked = checkedParam(info);
      calls.set(info, fresh);
      checks.set(info, checked);
      records.push(recordOf(info, fresh, checked));
      return info;
    }
    const moved =
      r.node.start >= reused.oldEnd
        ? { ...r, node: at(r.node), body: { start: r.body.start + delta, end: r.body.end + delta } }
        : r;
    const kept = keptFunction(root, moved);
    calls.set(kept, r.calls);
    checks.set(kept, r.checks);
    records.push(moved);
    return kept;
  });
  const globalRecords = previous.globals.map((g) =>
    g.declaration.start >= reused.oldEnd
      ? { ...g, declaration: at(g.declaration), nameNode: at(g.nameNode), init: g.init ? at(g.init) : null }
      : g,
  );
  const globals = new Map(globalRecords.map((g) => [g.variable.name, keptVariable(root, g)] as const));
  const macroList = previous.macros.map((m) =>
    m.valueStart >= reused.oldEnd ? { ...m, valueStart: m.valueStart + delta } : m,
  );
  const macros = new Map(macroList.map((m) => [m.name, m]));
  return {
    functions,
    calls,
    checks,
    globals,
    macros,
    walks: () => ({
      kept: true,
      text: parsed.text,
      mode: parsed.mode,
      functions: records,
      globals: globalRecords,
      macros: macroList,
    }),
  };
}
