/**
 * Comparing the size a mapping was made with and the size it is unmapped or freed with, as
 * dma-debug does ("frees DMA memory with different size"), without false alarms from spelling:
 * `sizeof(*desc)` and `sizeof(struct cdma_desc)`, `4` and `sizeof(u32)`, are the same size.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { canonicalText, unwrap } from '../../analysis/expr';
import type { FunctionInfo, Variable } from '../../analysis/functions';

const FIXED_SIZES: Readonly<Record<string, number>> = {
  u8: 1,
  s8: 1,
  __u8: 1,
  char: 1,
  'unsigned char': 1,
  u16: 2,
  s16: 2,
  __u16: 2,
  __le16: 2,
  __be16: 2,
  short: 2,
  u32: 4,
  s32: 4,
  __u32: 4,
  __le32: 4,
  __be32: 4,
  int: 4,
  'unsigned int': 4,
  u64: 8,
  s64: 8,
  __u64: 8,
  __le64: 8,
  __be64: 8,
  'long long': 8,
  'unsigned long long': 8,
};

function normalType(text: string): string {
  return text
    .replace(/\b(const|volatile)\b/g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*\*/g, '*')
    .trim();
}

/** `sizeof(T)` or `sizeof expr` as a size token: bytes for fixed types, `T` for others, null when unknown. */
function sizeofToken(node: SyntaxNode, lookup: (name: string) => Variable | undefined): string | null {
  const type = node.childForFieldName('type');
  if (type) {
    const t = normalType(type.text);
    return FIXED_SIZES[t] !== undefined ? String(FIXED_SIZES[t]) : t;
  }
  const value = node.childForFieldName('value');
  if (!value) return null;
  let e = unwrap(value);
  let derefs = 0;
  while (e.type === 'pointer_expression' && e.child(0)?.type === '*') {
    derefs++;
    const arg = e.childForFieldName('argument');
    if (!arg) return null;
    e = unwrap(arg);
  }
  if (e.type !== 'identifier') return null;
  const v = lookup(e.text);
  // `sizeof(u32)`, `sizeof(dma_addr_t)`: tree-sitter cannot tell a typedef name in parentheses from
  // a variable, so a name that is no variable in sight is taken as the type it most likely is.
  if (!v) return derefs === 0 ? (FIXED_SIZES[e.text] !== undefined ? String(FIXED_SIZES[e.text]) : e.text) : null;
  const depth = v.pointerDepth + (v.isArray ? 1 : 0) - derefs;
  if (depth < 0 || (v.isArray && derefs === 0)) return null;
  const t = normalType(v.typeText) + '*'.repeat(depth);
  return FIXED_SIZES[t] !== undefined ? String(FIXED_SIZES[t]) : t;
}

/**
 * A size expression with every `sizeof` replaced by what it measures; null when some `sizeof`
 * cannot be resolved (a field's type, a macro) — then sizes are not compared.
 */
export function normalSize(node: SyntaxNode, fn: FunctionInfo, globals: ReadonlyMap<string, Variable>): string | null {
  const lookup = (name: string): Variable | undefined =>
    fn.locals.get(name) ?? fn.params.find((p) => p.name === name) ?? globals.get(name);
  const root = unwrap(node);
  if (root.type === 'sizeof_expression') return sizeofToken(root, lookup);
  const rootText = root.text;
  const parts: string[] = [];
  let at = root.startIndex;
  let ok = true;
  const visit = (n: SyntaxNode): void => {
    if (!ok) return;
    if (n.type === 'sizeof_expression') {
      const token = sizeofToken(n, lookup);
      if (token === null) {
        ok = false;
        return;
      }
      parts.push(slice(at, n.startIndex), /^\d+$/.test(token) ? token : `sizeof(${token})`);
      at = n.endIndex;
      return;
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(root);
  if (!ok) return null;
  parts.push(slice(at, root.endIndex));
  return parts.join('');

  function slice(start: number, end: number): string {
    return canonicalText(rootText.slice(start - root.startIndex, end - root.startIndex));
  }
}
