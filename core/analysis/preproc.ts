/**
 * Which arms of a `#if`/`#ifdef` chain a file can compile (issue 11, class 6). pinscope runs no
 * preprocessor, so it knows only what the file itself says: a name it `#undef`s and never
 * `#define`s is not defined; a debug switch it never defines (catalog/debugSwitches.ts) is not
 * either; a name it `#define`s (and never `#undef`s) is; `#if 0` and `#if 1` are what they say.
 * Everything else is unknown, and every arm is walked as before.
 */
import type { SyntaxNode } from '../parse/syntax';
import { isDebugSwitch } from '../catalog/debugSwitches';

export type SwitchState = 'defined' | 'undefined' | 'unknown';

export interface PreprocSwitches {
  /** What the file says about `name` at offset `at` (the directives before it count, as in C). */
  state(name: string, at: number): SwitchState;
  /** The number a `#define NAME <n>` in force at `at` gives the name, when it is one. */
  value(name: string, at: number): number | null;
}

const DIRECTIVE = /^[ \t]*#[ \t]*(define|undef)[ \t]+([A-Za-z_]\w*)(\([^)]*\))?[ \t]*([^\n]*)$/gm;

interface Directive {
  readonly at: number;
  readonly define: boolean;
  readonly value: number | null;
}

/**
 * The `#define`s and `#undef`s of a file, read from its text, and its `#if` blocks from its tree.
 * A directive counts where it stands: `#ifndef GUARD` is not decided by the `#define GUARD` inside
 * it, and a directive inside another `#if` block than the one being decided is a maybe.
 */
export function preprocSwitches(text: string, root?: SyntaxNode): PreprocSwitches {
  const byName = new Map<string, Directive[]>();
  if (text.includes('#')) {
    DIRECTIVE.lastIndex = 0;
    for (let m = DIRECTIVE.exec(text); m !== null; m = DIRECTIVE.exec(text)) {
      const name = m[2] as string;
      const body = (m[4] ?? '').replace(/\/\*.*?\*\/|\/\/.*$/g, '').trim();
      const list = byName.get(name) ?? [];
      list.push({
        at: m.index,
        define: m[1] === 'define',
        value: m[1] === 'define' && m[3] === undefined && /^\d+$/.test(body) ? Number(body) : null,
      });
      byName.set(name, list);
    }
  }
  const blocks: [number, number][] =
    root && byName.size > 0 && /#\s*if/.test(text)
      ? conditionalBlocks(root).map((n) => [n.startIndex, n.endIndex])
      : [];
  /** The directive in force at `at`; 'maybe' when it sits in an #if block `at` is not in. */
  const inForce = (name: string, at: number): Directive | 'maybe' | null => {
    const before = (byName.get(name) ?? []).filter((d) => d.at < at);
    const last = before[before.length - 1];
    if (!last) return null;
    const conditional = blocks.some(([s, e]) => s < last.at && last.at < e && !(s < at && at < e));
    return conditional ? 'maybe' : last;
  };
  return {
    state(name, at) {
      const d = inForce(name, at);
      if (d === 'maybe') return 'unknown';
      if (d) return d.define ? 'defined' : 'undefined';
      return isDebugSwitch(name) ? 'undefined' : 'unknown';
    },
    value(name, at) {
      const d = inForce(name, at);
      return d && d !== 'maybe' && d.define ? d.value : null;
    },
  };
}

/**
 * Whether the condition of one link of a chain (`#if`, `#ifdef`, `#ifndef`, `#elif`, `#elifdef`)
 * holds: true or false when the file decides it, null when it does not.
 */
function preprocCondition(node: SyntaxNode, switches: PreprocSwitches): boolean | null {
  if (node.type === 'preproc_ifdef' || node.type === 'preproc_elifdef') {
    const name = node.childForFieldName('name')?.text;
    if (!name) return null;
    const state = switches.state(name, node.startIndex);
    if (state === 'unknown') return null;
    const negated = /^#\s*(?:ifndef|elifndef)/.test(node.text);
    return (state === 'defined') !== negated;
  }
  const condition = node.childForFieldName('condition');
  return condition ? evaluate(condition, switches, node.startIndex) : null;
}

/** A preprocessor expression's truth under what the file says; null when unknown. */
function evaluate(e: SyntaxNode, switches: PreprocSwitches, at: number): boolean | null {
  switch (e.type) {
    case 'number_literal':
      return /^0+[uUlL]*$/.test(e.text) ? false : /^\d+[uUlL]*$/.test(e.text) ? true : null;
    case 'identifier': {
      const state = switches.state(e.text, at);
      if (state === 'undefined') return false; // an undefined name is 0 in #if
      const v = switches.value(e.text, at);
      return state === 'defined' && v !== null ? v !== 0 : null;
    }
    case 'preproc_defined': {
      const name = e.namedChildren.find((c) => c.type === 'identifier')?.text;
      const state = name ? switches.state(name, at) : 'unknown';
      return state === 'unknown' ? null : state === 'defined';
    }
    case 'parenthesized_expression': {
      const inner = e.namedChildren[0];
      return inner ? evaluate(inner, switches, at) : null;
    }
    case 'unary_expression': {
      const arg = e.childForFieldName('argument');
      if (e.child(0)?.type !== '!' || !arg) return null;
      const v = evaluate(arg, switches, at);
      return v === null ? null : !v;
    }
    case 'binary_expression': {
      const op = e.childForFieldName('operator')?.type;
      const l = e.childForFieldName('left');
      const r = e.childForFieldName('right');
      if (!l || !r || (op !== '&&' && op !== '||')) return null;
      const a = evaluate(l, switches, at);
      const b = evaluate(r, switches, at);
      if (op === '&&') return a === false || b === false ? false : a === true && b === true ? true : null;
      return a === true || b === true ? true : a === false && b === false ? false : null;
    }
    default:
      return null;
  }
}

/**
 * The arms of a chain that can be compiled, in order: `#if A … #elif B … #else …` gives each arm's
 * node (the chain link, or the `#else`) unless an earlier arm is known to be taken or its own
 * condition is known false.
 */
export function liveArms(first: SyntaxNode, switches: PreprocSwitches): SyntaxNode[] {
  const arms: SyntaxNode[] = [];
  for (let node: SyntaxNode | null = first; node;) {
    const truth = preprocCondition(node, switches);
    if (truth !== false) arms.push(node);
    if (truth === true) return arms;
    const alternative: SyntaxNode | null = node.childForFieldName('alternative');
    if (alternative?.type === 'preproc_elif' || alternative?.type === 'preproc_elifdef') node = alternative;
    else {
      if (alternative) arms.push(alternative);
      node = null;
    }
  }
  return arms;
}

/** Where a `#if`, `#ifdef` or `#ifndef` token can start (tree-sitter-c's token is `#[ \t]*if…`). */
const IF_TOKEN = /#[ \t]*if/g;

/**
 * The `#if`/`#ifdef`/`#ifndef` blocks of a tree (preproc_if and preproc_ifdef nodes, nested ones
 * too, in document order), found from the text instead of by walking the tree: each starts with a
 * `#if…` token, so the nodes that start where the text has one are all of them. Walking every node
 * of drivers/scsi/st.c twice cost 40 ms of each edit in the editor; this costs well under one.
 */
export function conditionalBlocks(root: SyntaxNode): SyntaxNode[] {
  const text = root.text;
  const blocks: SyntaxNode[] = [];
  IF_TOKEN.lastIndex = 0;
  for (let m = IF_TOKEN.exec(text); m !== null; m = IF_TOKEN.exec(text)) {
    const at = m.index;
    // The deepest node at the `#` is the token itself when a block starts there; its ancestors
    // that start at the same place are the block (and nothing else of these types).
    const found: SyntaxNode[] = [];
    for (let n: SyntaxNode | null = root.descendantForIndex(at); n && n.startIndex === at; n = n.parent)
      if (n.type === 'preproc_if' || n.type === 'preproc_ifdef') found.push(n);
    blocks.push(...found.reverse());
  }
  return blocks;
}

/** The text ranges of a file that no configuration the file decides can compile. */
export function deadRanges(root: SyntaxNode, switches: PreprocSwitches): [number, number][] {
  const ranges: [number, number][] = [];
  if (!/#\s*if/.test(root.text)) return ranges;
  for (const node of conditionalBlocks(root)) {
    const live = new Set(liveArms(node, switches).map((n) => n.id));
    for (let arm: SyntaxNode | null = node; arm;) {
      const alternative: SyntaxNode | null = arm.type === 'preproc_else' ? null : arm.childForFieldName('alternative');
      if (!live.has(arm.id)) ranges.push([arm.startIndex, alternative ? alternative.startIndex : arm.endIndex]);
      arm = alternative;
    }
  }
  return ranges;
}
