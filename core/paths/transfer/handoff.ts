/**
 * Hand-offs the path itself does not show, read from the function's text at a success return
 * (issue 11, dma-mapping-leak dev reading): the mapping went on through a copy of its handle, or
 * its buffer was published into the caller's object, whose owner unmaps it from there. Only on
 * success: an error return still owes what it mapped.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { walk as walkSyntax } from '../../parse/syntax';
import { calleeName, canonical, forEachAssignment, unwrap } from '../../analysis/expr';
import { dmaApi } from '../../catalog/dma';
import { callsDmaRelease, keepsNoDmaHandle } from '../../catalog/helpers';
import type { Resource } from '../types';
import type { FunctionWalk } from '../walk';

/**
 * Whether a mapping still held at a success return was handed on where the path cannot see it:
 * - its handle was copied into another local that is stored or passed on (bcm_vk_dma_alloc():
 *   `sg_addr = addr;` starts the next list entry; a contiguous page is merged into the entry
 *   `sg_addr` already has, `put_unaligned(sg_addr, &sgdata->address)`);
 * - its buffer, a local, was passed to a call together with a parameter (or a field of one):
 *   published into the caller's object (exynos-iommu's alloc_lv2entry(): `exynos_iommu_set_pte(sent,
 *   mk_lv1ent_page(virt_to_phys(pent)))`), where the owner finds it and unmaps it.
 */
export function handedOffUnseen(walk: FunctionWalk, r: Resource): boolean {
  if (r.op.kind !== 'dma' || r.op.api.role !== 'map') return false;
  const body = walk.fn.info.body;
  const isLocal = (name: string): boolean => walk.fn.info.locals.has(name);
  if (r.key && isLocal(r.key)) {
    const copies: string[] = [];
    forEachAssignment(body, (left, right) => {
      const l = unwrap(left);
      if (l.type === 'identifier' && isLocal(l.text) && l.text !== r.key && unwrap(right).text === r.key)
        copies.push(l.text);
    });
    if (copies.some((c) => passedOrStored(body, c))) return true;
  }
  const buffer = r.op.buffer ? unwrap(r.op.buffer) : null;
  return buffer?.type === 'identifier' && isLocal(buffer.text) && publishedWithParam(walk, body, buffer.text);
}

/** Whether `name` goes into a call that may keep it, or into memory that is not a plain local. */
function passedOrStored(body: SyntaxNode, name: string): boolean {
  let found = false;
  walkSyntax(body, (n) => {
    if (found) return false;
    if (n.type === 'call_expression' && keeps(n) && argumentsMention(n, name)) found = true;
    if (n.type === 'assignment_expression') {
      const left = n.childForFieldName('left');
      const right = n.childForFieldName('right');
      if (left && right && unwrap(left).type !== 'identifier' && mentions(right, name)) found = true;
    }
    return !found;
  });
  return found;
}

/** Whether a call that may keep its arguments takes `buffer` and a parameter (or a field of one). */
function publishedWithParam(walk: FunctionWalk, body: SyntaxNode, buffer: string): boolean {
  const params = new Set(walk.fn.info.params.map((p) => p.name));
  let found = false;
  walkSyntax(body, (n) => {
    if (found) return false;
    if (n.type !== 'call_expression' || !keeps(n)) return true;
    const args = n.childForFieldName('arguments')?.namedChildren ?? [];
    const rootedAtParam = (a: SyntaxNode): boolean => params.has(/^&?\s*([A-Za-z_]\w*)/.exec(canonical(a))?.[1] ?? '');
    if (args.some((a) => mentions(a, buffer)) && args.some((a) => !mentions(a, buffer) && rootedAtParam(a)))
      found = true;
    return !found;
  });
  return found;
}

/** Not the DMA API, logging or a list accessor: a call that may keep what it is given. */
function keeps(call: SyntaxNode): boolean {
  const name = calleeName(call);
  return name !== null && dmaApi(name) === undefined && !keepsNoDmaHandle(name);
}

function argumentsMention(call: SyntaxNode, name: string): boolean {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).some((a) => mentions(a, name));
}

/** Whether `node` reads the identifier `name`. */
function mentions(node: SyntaxNode, name: string): boolean {
  return new RegExp(`(?:^|[^\\w.>])${name}\\b`).test(node.text);
}

/**
 * Whether the path ends through a teardown of the object the mapped buffer lives in: a call of a
 * function of this file that unmaps (`at91_twi_dma_cleanup(dev)` after mapping `dev->buf`: it
 * unmaps what `dev` records as mapped), given that object, in the straight-line code just before
 * the exit — every path to the exit passes it (no label, branch or jump between them).
 */
export function tornDownBeforeExit(walk: FunctionWalk, r: Resource, exitAt: number, lastEventAt: number): boolean {
  if (r.op.kind !== 'dma' || r.op.api.role !== 'map' || !r.op.buffer) return false;
  const buffer = unwrap(r.op.buffer);
  if (buffer.type !== 'field_expression') return false;
  const root = /^[A-Za-z_]\w*/.exec(canonical(buffer))?.[0];
  if (!root) return false;
  const body = walk.fn.info.body;
  const statements = body.namedChildren;
  // The top-level statements between the path's last event and the exit, in order.
  for (let i = statements.length - 1; i >= 0; i--) {
    let s = statements[i] as SyntaxNode;
    if (s.startIndex >= exitAt) continue;
    if (s.endIndex <= lastEventAt) return false;
    const labelled = s.type === 'labeled_statement';
    if (labelled) s = s.namedChildren[s.namedChildren.length - 1] ?? s;
    const call = s.type === 'expression_statement' ? s.namedChildren[0] : null;
    if (call?.type === 'call_expression' && tearsDown(walk, call, root)) return true;
    // Code a jump can enter, or that can leave, between the teardown and the exit.
    if (labelled || (s.type !== 'expression_statement' && s.type !== 'declaration')) return false;
  }
  return false;
}

/** A call of a function defined in this file that unmaps, given `root` (or a field of it). */
function tearsDown(walk: FunctionWalk, call: SyntaxNode, root: string): boolean {
  const name = calleeName(call);
  if (!name || !walk.fn.ctx.definedFunctions.has(name)) return false;
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  if (!args.some((a) => new RegExp(`^&?\\s*${root}\\b`).test(canonical(a)))) return false;
  let unit = walk.fn.info.node;
  while (unit.parent) unit = unit.parent;
  return unit.namedChildren.some(
    (d) =>
      d.type === 'function_definition' &&
      /\b([A-Za-z_]\w*)\s*\(/.exec(d.childForFieldName('declarator')?.text ?? '')?.[1] === name &&
      callsDmaRelease(d.childForFieldName('body')?.text ?? ''),
  );
}
