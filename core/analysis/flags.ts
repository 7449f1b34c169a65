/**
 * Which FOLL_* flags can reach a GUP call's `gup_flags` argument. Flags arrive three ways, and the
 * rules treat them alike: written at the call (`FOLL_WRITE | FOLL_PIN`), built up in a local
 * variable (`flags |= FOLL_PIN;`), or through an object-like macro defined in the same file
 * (`#define MY_GUP_FLAGS (FOLL_WRITE | FOLL_PIN)`).
 *
 * Each occurrence keeps its exact span, because the fix for an internal flag edits that token
 * where it is written, even when that is a macro body or an assignment far from the call.
 */
import type { SyntaxNode } from '../parse/syntax';
import { walk, walkTypes } from '../parse/syntax';
import { isFollFlagName } from '../catalog/flags';
import { unwrap } from './expr';
import type { FunctionInfo } from './functions';
import type { Span } from '../findings';
import type { FactOrigin } from './summaryTypes';

export type FlagVia = 'direct' | 'variable' | 'macro';

export interface FlagOccurrence {
  readonly name: string;
  readonly span: Span;
  readonly via: FlagVia;
  /** The variable or macro the flag came through. */
  readonly viaName?: string;
  /** Present only on some paths (`?:`, an assignment under `if`). */
  readonly conditional: boolean;
  /**
   * How to delete this flag cleanly: the span to delete and the text to put instead, computed
   * from the `|` chain it sits in (`A | FOLL_PIN | B` → `A | B`, `FOLL_PIN` alone → `0`).
   */
  readonly removal: { readonly span: Span; readonly newText: string } | null;
  /**
   * The flag is written in a macro of another file (a header's `#define XDRV_FLAGS (FOLL_WRITE |
   * FOLL_PIN)`, from the tree index): `span` is then where the macro is used in this file, and
   * nothing here can remove it.
   */
  readonly origin?: FactOrigin;
}

export interface FlagSet {
  readonly occurrences: readonly FlagOccurrence[];
  /** Some part of the flags could not be resolved (a parameter, a field, a function call). */
  readonly unknown: boolean;
}

export function hasFlag(set: FlagSet, name: string): boolean {
  return set.occurrences.some((o) => o.name === name);
}

export interface MacroDef {
  readonly name: string;
  /** The replacement text and where it sits in the file (meaningless when `origin` is set). */
  readonly value: string;
  readonly valueStart: number;
  /** Set for a macro defined in another file (a header, from the tree index). */
  readonly origin?: FactOrigin;
}

/** Object-like `#define`s in the file, by name (the last definition wins, as for the preprocessor). */
export function macrosIn(root: SyntaxNode): Map<string, MacroDef> {
  const macros = new Map<string, MacroDef>();
  const containers = new Set([
    'translation_unit',
    'preproc_if',
    'preproc_ifdef',
    'preproc_else',
    'preproc_elif',
    'preproc_elifdef',
    'ERROR',
  ]);
  walkTypes(
    root,
    (type) => (type === 'preproc_def' ? 'visit' : containers.has(type) ? 'descend' : 'skip'),
    (node) => {
      const name = node.childForFieldName('name');
      const value = node.childForFieldName('value');
      if (name && value) macros.set(name.text, { name: name.text, value: value.text, valueStart: value.startIndex });
    },
  );
  return macros;
}

export interface FlagContext {
  readonly fn: FunctionInfo;
  readonly macros: ReadonlyMap<string, MacroDef>;
  /** The document text, for computing removals in macro bodies. */
  readonly text: string;
}

/** `|`-chain removal for a flag node inside an expression tree. */
function removalInExpression(flag: SyntaxNode): { span: Span; newText: string } | null {
  // Climb through parentheses to the nearest `|` (or `+`) binary expression.
  let child = flag;
  let parent = flag.parent;
  while (parent && parent.type === 'parenthesized_expression') {
    child = parent;
    parent = parent.parent;
  }
  if (parent && parent.type === 'binary_expression') {
    const op = parent.childForFieldName('operator')?.type;
    if (op === '|' || op === '+') {
      const left = parent.childForFieldName('left');
      const right = parent.childForFieldName('right');
      if (left && right) {
        // Keep the other operand: replace the whole binary expression's span from the removed
        // side through the operator.
        if (left.id === child.id) return { span: { start: left.startIndex, end: right.startIndex }, newText: '' };
        if (right.id === child.id) return { span: { start: left.endIndex, end: right.endIndex }, newText: '' };
      }
    }
  }
  return { span: { start: child.startIndex, end: child.endIndex }, newText: '0' };
}

/** `|`-chain removal inside a macro body, done on the text since the body is not parsed. */
function removalInText(
  text: string,
  start: number,
  end: number,
  bodyStart: number,
  bodyEnd: number,
): { span: Span; newText: string } {
  // Look right for `| ...` first: `(FOLL_PIN | FOLL_WRITE)` → `(FOLL_WRITE)`.
  let right = end;
  while (right < bodyEnd && /[ \t]/.test(text[right] ?? '')) right++;
  if (text[right] === '|' && text[right + 1] !== '|') {
    right++;
    while (right < bodyEnd && /[ \t]/.test(text[right] ?? '')) right++;
    return { span: { start, end: right }, newText: '' };
  }
  let left = start - 1;
  while (left >= bodyStart && /[ \t]/.test(text[left] ?? '')) left--;
  if (text[left] === '|' && text[left - 1] !== '|') {
    left--;
    while (left >= bodyStart && /[ \t]/.test(text[left] ?? '')) left--;
    return { span: { start: left + 1, end }, newText: '' };
  }
  return { span: { start, end }, newText: '0' };
}

/** Whether `node` sits under a conditional construct inside the function body. */
function isConditionalIn(node: SyntaxNode, body: SyntaxNode): boolean {
  for (let p = node.parent; p && p.id !== body.id; p = p.parent) {
    switch (p.type) {
      case 'if_statement':
      case 'conditional_expression':
      case 'switch_statement':
      case 'case_statement':
      case 'while_statement':
      case 'for_statement':
      case 'do_statement':
        return true;
      default:
        break;
    }
  }
  return false;
}

interface Resolver {
  readonly ctx: FlagContext;
  readonly occurrences: FlagOccurrence[];
  unknown: boolean;
  readonly seenVariables: Set<string>;
  readonly seenMacros: Set<string>;
}

function resolveMacro(r: Resolver, name: string, conditional: boolean, usage: Span): boolean {
  const macro = r.ctx.macros.get(name);
  if (!macro) return false;
  if (r.seenMacros.has(name)) return true;
  r.seenMacros.add(name);
  const bodyEnd = macro.valueStart + macro.value.length;
  const token = /\b[A-Za-z_][A-Za-z0-9_]*\b/g;
  for (let m = token.exec(macro.value); m !== null; m = token.exec(macro.value)) {
    const word = m[0];
    const start = macro.valueStart + m.index;
    const end = start + word.length;
    if (isFollFlagName(word)) {
      // Another file's macro: the flag is reported where the macro is used, with no removal.
      r.occurrences.push(
        macro.origin
          ? { name: word, span: usage, via: 'macro', viaName: name, conditional, removal: null, origin: macro.origin }
          : {
              name: word,
              span: { start, end },
              via: 'macro',
              viaName: name,
              conditional,
              removal: removalInText(r.ctx.text, start, end, macro.valueStart, bodyEnd),
            },
      );
    } else if (r.ctx.macros.has(word)) {
      resolveMacro(r, word, conditional, macro.origin ? usage : { start, end });
    }
  }
  return true;
}

/** Every assignment to local `name` in the function: initialiser, `=`, `|=`. */
function assignmentsTo(fn: FunctionInfo, name: string): { value: SyntaxNode; conditional: boolean }[] {
  const found: { value: SyntaxNode; conditional: boolean }[] = [];
  const local = fn.locals.get(name);
  if (local?.init) found.push({ value: local.init, conditional: false });
  walk(fn.body, (node) => {
    if (node.type === 'assignment_expression') {
      const left = node.childForFieldName('left');
      const op = node.childForFieldName('operator')?.type;
      const right = node.childForFieldName('right');
      if (
        left &&
        right &&
        unwrap(left).type === 'identifier' &&
        unwrap(left).text === name &&
        (op === '=' || op === '|=' || op === '+=')
      ) {
        found.push({ value: right, conditional: isConditionalIn(node, fn.body) });
      }
    }
    return true;
  });
  return found;
}

/** How deep a flags expression is followed. */
const MAX_FLAG_DEPTH = 200;

function resolveExpression(
  r: Resolver,
  expr: SyntaxNode,
  conditional: boolean,
  via: FlagVia,
  viaName: string | undefined,
  depth = 0,
): void {
  // Flags are a short `|` chain; a generated chain of thousands overflowed the stack. Past the
  // limit the rest is unknown, which the rules treat as "may hold any flag".
  if (depth > MAX_FLAG_DEPTH) {
    r.unknown = true;
    return;
  }
  const node = unwrap(expr);
  switch (node.type) {
    case 'identifier': {
      const name = node.text;
      if (isFollFlagName(name)) {
        const occurrence: FlagOccurrence = {
          name,
          span: { start: node.startIndex, end: node.endIndex },
          via,
          conditional,
          removal: removalInExpression(node),
        };
        r.occurrences.push(viaName === undefined ? occurrence : { ...occurrence, viaName });
        return;
      }
      if (resolveMacro(r, name, conditional, { start: node.startIndex, end: node.endIndex })) return;
      if (r.ctx.fn.locals.has(name)) {
        if (r.seenVariables.has(name)) return;
        r.seenVariables.add(name);
        for (const a of assignmentsTo(r.ctx.fn, name))
          resolveExpression(r, a.value, conditional || a.conditional, 'variable', name, depth + 1);
        return;
      }
      r.unknown = true;
      return;
    }
    case 'binary_expression': {
      const op = node.childForFieldName('operator')?.type;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if ((op === '|' || op === '+') && left && right) {
        resolveExpression(r, left, conditional, via, viaName, depth + 1);
        resolveExpression(r, right, conditional, via, viaName, depth + 1);
        return;
      }
      if (op === '&' && left) {
        // `flags & ~FOLL_WRITE` keeps at most what `flags` has.
        resolveExpression(r, left, true, via, viaName, depth + 1);
        return;
      }
      r.unknown = true;
      return;
    }
    case 'conditional_expression': {
      const consequence = node.childForFieldName('consequence');
      const alternative = node.childForFieldName('alternative');
      if (consequence) resolveExpression(r, consequence, true, via, viaName, depth + 1);
      if (alternative) resolveExpression(r, alternative, true, via, viaName, depth + 1);
      return;
    }
    case 'number_literal':
      return;
    default:
      r.unknown = true;
  }
}

/** The flags that may reach a call through `expr` (its `gup_flags` argument). */
export function resolveFlags(expr: SyntaxNode, ctx: FlagContext): FlagSet {
  const r: Resolver = { ctx, occurrences: [], unknown: false, seenVariables: new Set(), seenMacros: new Set() };
  resolveExpression(r, expr, false, 'direct', undefined);
  return { occurrences: r.occurrences, unknown: r.unknown };
}
