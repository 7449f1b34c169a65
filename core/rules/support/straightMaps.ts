/**
 * Mappings whose handle never reaches a place the path engine follows: written straight into a
 * descriptor or struct field (`desc->buf = dma_map_single(…)`, also converted on the way:
 * `ring->addr = cpu_to_le32(dma_map_single(…))`), or passed straight into another call
 * (`writel(dma_map_single(…), reg)`). The commonest form of the unchecked-mapping bug in old NIC
 * drivers (issue 11); dma-api-howto.rst, "Handling Errors": "drivers must check the result with
 * dma_mapping_error()".
 *
 * A handle stored into a field and named again later in the function is the path engine's (it
 * follows the field); here only stores that nothing in the function reads again count, and only
 * when nothing in the file checks that field (a caller may check `obj->dma` after the store).
 */
import type { SyntaxNode } from '../../parse/syntax';
import { forEachOfType } from '../../parse/syntax';
import { calleeName, canonical } from '../../analysis/expr';
import type { FunctionAnalysis } from '../../analysis/types';
import { isMappingChecker, type DmaOp } from '../../analysis/ops';
import { dmaApi } from '../../catalog/dma';
import { convertsValue, keepsNoDmaHandle, printsOnly } from '../../catalog/helpers';
import { dmaOps } from './dmaOps';

export interface StraightMap {
  readonly op: DmaOp;
  /**
   * `field`: stored as it is; `converted`: stored through a conversion or an offset; `call`:
   * passed on; `discarded`: the map's result is not used at all.
   */
  readonly how: 'field' | 'converted' | 'call' | 'discarded';
  /** Where it goes: the assignment or the receiving call. */
  readonly at: SyntaxNode;
  /** The field written (`desc->buf`), or the receiving call's name. */
  readonly target: string;
}

/** The handle maps of a function whose handle goes straight into a field or a call, unchecked. */
export function straightMaps(fn: FunctionAnalysis, fileText: string): StraightMap[] {
  const found: StraightMap[] = [];
  for (const op of dmaOps(fn)) {
    if (op.api.role !== 'map' || op.api.returns !== 'handle' || op.api.managed) continue;
    const s = straightMap(fn, op, fileText);
    if (s) found.push(s);
  }
  return found;
}

function straightMap(fn: FunctionAnalysis, op: DmaOp, fileText: string): StraightMap | null {
  // Climb out of parentheses, casts and conversions.
  let n: SyntaxNode = op.node;
  let converted = false;
  for (;;) {
    const p = n.parent;
    if (!p) return null;
    // A cast keeps the handle where the path engine follows it (`*rbuf = (u64)dma_map_page(…)`).
    if (p.type === 'parenthesized_expression' || p.type === 'cast_expression') n = p;
    else if (p.type === 'argument_list' && p.namedChildCount === 1 && p.parent?.type === 'call_expression') {
      if (!convertsValue(calleeName(p.parent) ?? '')) break;
      n = p.parent;
      converted = true;
    } else if (
      p.type === 'binary_expression' &&
      /^[-+]$/.test(p.childForFieldName('operator')?.type ?? '') &&
      p.childForFieldName('left')?.id === n.id
    ) {
      // An offset taken off on the way (`desc->addr = (u32)dma_map_single(…) - byte_offset`).
      n = p;
      converted = true;
    } else break;
  }
  const p = n.parent;
  if (!p) return null;
  // The result thrown away: never checked, and nothing left to unmap it with.
  if (p.type === 'expression_statement') return { op, how: 'discarded', at: p, target: '' };
  if (p.type === 'argument_list' && p.parent?.type === 'call_expression') {
    const call = p.parent;
    const name = calleeName(call) ?? '';
    // The DMA API's own calls, prints, and helpers that check the mapping for the caller.
    if (!name || dmaApi(name) || keepsNoDmaHandle(name) || isMappingChecker(name, fn.ctx)) return null;
    return { op, how: 'call', at: call, target: name };
  }
  if (p.type !== 'assignment_expression' || p.childForFieldName('operator')?.text !== '=') return null;
  if (p.childForFieldName('right')?.id !== n.id) return null;
  // Every place of a chained store (`rxd->buf = *tmp = dma_map_single(…)`): a check of any of
  // them checks the mapping. A plain local as the first place is the path engine's; further out
  // (`mapping = ring[i].mapping = dma_map_single(…)`) the engine follows the field, not the local.
  const lefts: SyntaxNode[] = [];
  const locals: SyntaxNode[] = [];
  let outer: SyntaxNode = p;
  for (let a: SyntaxNode | null = p; a?.type === 'assignment_expression'; a = a.parent) {
    if (a !== p && a.childForFieldName('right')?.id !== outer.id) break;
    if (a.childForFieldName('operator')?.text !== '=') return null;
    const left = a.childForFieldName('left');
    if (!left) return null;
    if (left.type === 'identifier' && a !== p) locals.push(left);
    else if (isPlace(left)) lefts.push(left);
    else return null;
    outer = a;
  }
  for (const left of lefts) {
    const field = lastFieldName(left);
    if (field && fileChecksField(fileText, field)) return null;
    // Named again later: the path engine follows a plain store; a converted one counts as checked
    // when a later test reads the field (`dma_mapping_error(dev, le32_to_cpu(d->addr))`).
    if (namedAfter(fn, outer, canonical(left), converted)) return null;
  }
  for (const local of locals) if (namedAfter(fn, outer, local.text, true)) return null;
  const target = canonical(lefts[lefts.length - 1] as SyntaxNode);
  return { op, how: converted ? 'converted' : 'field', at: outer, target };
}

/** A struct field, array element, `*out` or `sg_dma_address(sg)`: not a plain local. */
function isPlace(node: SyntaxNode): boolean {
  if (node.type === 'field_expression' || node.type === 'subscript_expression') return true;
  if (node.type === 'pointer_expression') return node.child(0)?.type === '*';
  return node.type === 'call_expression' && calleeName(node) === 'sg_dma_address';
}

/** `addr` for `desc->addr`, `ring[i].addr`, `sg_dma_address(sg)`; null for `*out`. */
function lastFieldName(node: SyntaxNode): string | null {
  if (node.type === 'field_expression') return node.childForFieldName('field')?.text ?? null;
  if (node.type === 'subscript_expression') {
    const base = node.childForFieldName('argument');
    return base ? lastFieldName(base) : null;
  }
  if (node.type === 'call_expression') return 'sg_dma_address';
  return null;
}

const fieldCheckCache = new Map<string, RegExp>();

/**
 * Whether some code in the file checks a field of this name: `dma_mapping_error(dev, x->addr)`,
 * a checker helper given it, or `x->addr == DMA_MAPPING_ERROR` (whatever function it is in).
 */
function fileChecksField(fileText: string, field: string): boolean {
  if (!fileText.includes('dma_mapping_error') && !fileText.includes('DMA_MAPPING_ERROR')) return false;
  let re = fieldCheckCache.get(field);
  if (!re) {
    const f = field === 'sg_dma_address' ? 'sg_dma_address\\s*\\([^()]*\\)' : `(?:->|\\.)\\s*${field}\\b[^,;()]*`;
    re = new RegExp(
      `dma_mapping_error\\s*\\([^;]*?${f}|${f}\\s*[!=]=\\s*DMA_MAPPING_ERROR|DMA_MAPPING_ERROR\\s*[!=]=\\s*[^;)]*${f}`,
    );
    fieldCheckCache.set(field, re);
  }
  return re.test(fileText);
}

/** Whether the function names `target` again after `node` (only inside a test, when `inTest`). */
function namedAfter(fn: FunctionAnalysis, node: SyntaxNode, target: string, inTest: boolean): boolean {
  let seen = false;
  forEachOfType(
    fn.info.body,
    ['identifier', 'field_expression', 'subscript_expression', 'pointer_expression', 'call_expression'],
    (n) => {
      if (!seen && n.startIndex >= node.endIndex && canonical(n) === target && (inTest ? isTested(n) : !inPrint(n)))
        seen = true;
    },
  );
  return seen;
}

/** `n` sits in a comparison, a `!`, or the arguments of dma_mapping_error() (within its statement). */
function isTested(n: SyntaxNode): boolean {
  for (let p = n.parent; p && !p.type.endsWith('statement'); p = p.parent) {
    if (p.type === 'binary_expression' && /^[!=]=$/.test(p.childForFieldName('operator')?.type ?? '')) return true;
    if (p.type === 'unary_expression' && p.child(0)?.type === '!') return true;
    if (p.type === 'call_expression' && calleeName(p) === 'dma_mapping_error') return true;
  }
  return false;
}

/** `n` is an argument of a print or a debug macro (`dprintkdbg(…, srb->sg_bus_addr)`): not a use. */
function inPrint(n: SyntaxNode): boolean {
  for (let p = n.parent; p && !p.type.endsWith('statement'); p = p.parent)
    if (p.type === 'call_expression' && printsOnly(calleeName(p) ?? '')) return true;
  return false;
}
