/**
 * Removing FOLL_* flags where they are written: in the call's argument, in the local variable's
 * assignments, or in a `#define` of the same file. Several flags removed from one `|` chain are
 * merged into one edit so the edits never overlap.
 */
import type { SyntaxNode } from '../parse/syntax';
import type { FlagOccurrence } from '../analysis/flags';
import type { TextEdit } from '../findings';
import { statementDeletionSpan } from './edits';

function isFlagChainOp(node: SyntaxNode): boolean {
  if (node.type !== 'binary_expression') return false;
  const op = node.childForFieldName('operator')?.type;
  return op === '|' || op === '+';
}

/** The outermost `|` expression (through parentheses) that `leaf` is a term of. */
function chainRoot(leaf: SyntaxNode): SyntaxNode {
  let root = leaf;
  for (let p = leaf.parent; p; p = p.parent) {
    if (isFlagChainOp(p)) root = p;
    else if (p.type !== 'parenthesized_expression') break;
  }
  return root;
}

function chainTerms(node: SyntaxNode, out: SyntaxNode[]): void {
  if (isFlagChainOp(node)) {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (left) chainTerms(left, out);
    if (right) chainTerms(right, out);
    return;
  }
  if (node.type === 'parenthesized_expression') {
    const inner = node.namedChildren[0];
    if (inner && isFlagChainOp(inner)) {
      chainTerms(inner, out);
      return;
    }
  }
  out.push(node);
}

function removeFromMacroBody(body: string, names: readonly string[]): string {
  let out = body;
  for (const name of names) {
    const right = new RegExp(`\\b${name}\\b\\s*\\|(?!\\|)\\s*`);
    const left = new RegExp(`\\s*(?<!\\|)\\|\\s*\\b${name}\\b`);
    if (right.test(out)) out = out.replace(right, '');
    else if (left.test(out)) out = out.replace(left, '');
    else out = out.replace(new RegExp(`\\b${name}\\b`), '0');
  }
  return out;
}

/**
 * Edits that remove `occurrences` from the text. `root` is the parsed tree (to find the chains),
 * `text` the document.
 */
export function flagRemovalEdits(
  occurrences: readonly FlagOccurrence[],
  root: SyntaxNode,
  text: string,
  macros: ReadonlyMap<string, { value: string; valueStart: number }>,
): TextEdit[] {
  const edits: TextEdit[] = [];
  const seen = new Set<string>();
  // A flag written in another file's macro (a header's) is not this document's to edit.
  const unique = occurrences.filter((o) => {
    if (o.origin) return false;
    const k = `${o.span.start}:${o.span.end}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });

  // Macro bodies: one edit per macro.
  const byMacro = new Map<string, string[]>();
  for (const o of unique) {
    if (o.via !== 'macro' || !o.viaName) continue;
    const list = byMacro.get(o.viaName) ?? [];
    list.push(o.name);
    byMacro.set(o.viaName, list);
  }
  for (const [name, flags] of byMacro) {
    const macro = macros.get(name);
    if (!macro) continue;
    edits.push({
      span: { start: macro.valueStart, end: macro.valueStart + macro.value.length },
      newText: removeFromMacroBody(text.slice(macro.valueStart, macro.valueStart + macro.value.length), flags),
    });
  }

  // Expressions: group by chain root.
  const byChain = new Map<number, { root: SyntaxNode; leaves: SyntaxNode[]; occurrences: FlagOccurrence[] }>();
  for (const o of unique) {
    if (o.via === 'macro') continue;
    const leaf = root.namedDescendantForIndex(o.span.start, o.span.end);
    if (!leaf || leaf.startIndex !== o.span.start || leaf.endIndex !== o.span.end) continue;
    const chain = chainRoot(leaf);
    const entry = byChain.get(chain.id) ?? { root: chain, leaves: [], occurrences: [] };
    entry.leaves.push(leaf);
    entry.occurrences.push(o);
    byChain.set(chain.id, entry);
  }
  for (const { root: chain, leaves, occurrences: occ } of byChain.values()) {
    if (leaves.length === 1) {
      const o = occ[0] as FlagOccurrence;
      const leaf = leaves[0] as SyntaxNode;
      // `flags |= FOLL_PIN;` on its own: the statement goes.
      let top = chain;
      while (top.parent?.type === 'parenthesized_expression') top = top.parent;
      const assignment = top.parent;
      if (
        chain.id === leaf.id &&
        assignment?.type === 'assignment_expression' &&
        assignment.childForFieldName('operator')?.type === '|=' &&
        assignment.parent?.type === 'expression_statement'
      ) {
        edits.push({ span: statementDeletionSpan(text, assignment.parent), newText: '' });
        continue;
      }
      if (o.removal) edits.push({ span: o.removal.span, newText: o.removal.newText });
      continue;
    }
    const terms: SyntaxNode[] = [];
    chainTerms(chain, terms);
    const removed = new Set(leaves.map((l) => l.id));
    const kept = terms.filter((t) => !removed.has(t.id)).map((t) => text.slice(t.startIndex, t.endIndex));
    edits.push({
      span: { start: chain.startIndex, end: chain.endIndex },
      newText: kept.length > 0 ? kept.join(' | ') : '0',
    });
  }
  return edits;
}
