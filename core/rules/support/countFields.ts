/**
 * The count dma_map_sg() returned, kept in a struct field and given to dma_unmap_sg() (or an sg
 * sync) in another function: "The nents argument to dma_unmap_sg must be the same one you passed
 * into dma_map_sg, it should NOT be the value returned from dma_map_sg" (dma-api.rst). A driver's
 * map and unmap are seldom one function (pch_uart's dma_handle_tx() keeps `priv->nent`, and
 * pch_dma_tx_complete() unmapped with it until "serial: pch_uart: Pass correct sg to
 * dma_unmap_sg()", 2023).
 *
 * A field counts only when every store to it in the file is such a count or 0 (a field also given
 * the original nents, or written any other way, is left alone), and an unmap is judged here only
 * in a function that maps into no field of that name itself (the path pairing judges those).
 */
import type { SyntaxNode } from '../../parse/syntax';
import { forEachOfType } from '../../parse/syntax';
import { callArguments, calleeName, canonical, unwrap } from '../../analysis/expr';
import type { FunctionInfo } from '../../analysis/functions';
import type { FileAnalysis } from '../../fileAnalysis/types';
import type { FunctionAnalysis } from '../../analysis/types';
import type { DmaOp } from '../../analysis/ops';
import { dmaApi, dmaParam } from '../../catalog/dma';
import { dmaFunctions, dmaOps } from './dmaOps';

export interface CountFieldUnmap {
  /** The function that unmaps or syncs, the call and its nents argument. */
  readonly fnInfo: FunctionInfo;
  readonly call: SyntaxNode;
  readonly name: string;
  readonly nents: SyntaxNode;
  /** A map whose count the field keeps (the first in the file), its function and the store. */
  readonly map: DmaOp;
  readonly mapFn: FunctionAnalysis;
  readonly store: SyntaxNode;
}

/** `nent` for `priv->nent` or `req.nent`; null for anything else. */
function fieldName(node: SyntaxNode | null | undefined): string | null {
  return fieldNode(node)?.text ?? null;
}

/** The field's name node of `priv->nent` or `req.nent`. */
function fieldNode(node: SyntaxNode | null | undefined): SyntaxNode | null {
  if (!node) return null;
  const n = unwrap(node);
  return n.type === 'field_expression' ? n.childForFieldName('field') : null;
}

export interface CountStore {
  readonly field: string;
  readonly map: DmaOp;
  readonly fn: FunctionAnalysis;
  /** The assignment that writes the field, and where the field's name is in it. */
  readonly store: SyntaxNode;
  readonly fieldAt: number;
}

/** Whether `place` is written (`=`, `+=`, `++`) in `body` between `from` and `to` (source offsets). */
function writtenBetween(body: SyntaxNode, place: string, from: number, to: number): boolean {
  let written = false;
  forEachOfType(body, ['assignment_expression', 'update_expression'], (n) => {
    if (n.startIndex < from || n.startIndex > to) return;
    const target = n.childForFieldName(n.type === 'assignment_expression' ? 'left' : 'argument');
    if (target && canonical(target) === place) written = true;
  });
  return written;
}

/**
 * Fields given a segment count in `fn`: `x->f = dma_map_sg(...)`, or `n = dma_map_sg(...); … x->f
 * = n;` with `n` not written in between. Also what the editor session links by
 * (session/units.ts): a store to such a field anywhere can change the finding.
 */
export function countStoresOf(fn: FunctionAnalysis): CountStore[] {
  const out: CountStore[] = [];
  for (const map of dmaOps(fn)) {
    if (map.api.role !== 'map' || map.api.type !== 'sg' || map.api.returns !== 'count' || map.viaHelper) continue;
    const direct = map.node.parent;
    // (Node objects are made afresh on each access: compare positions, not identities.)
    if (
      direct?.type === 'assignment_expression' &&
      direct.childForFieldName('right')?.startIndex === map.node.startIndex
    ) {
      const field = fieldNode(direct.childForFieldName('left'));
      if (field) {
        out.push({ field: field.text, map, fn, store: direct, fieldAt: field.startIndex });
        continue;
      }
    }
    const held = map.result.variable;
    if (!held || !/^[A-Za-z_]\w*$/.test(held)) continue;
    forEachOfType(fn.info.body, ['assignment_expression'], (a) => {
      if (a.startIndex <= map.node.endIndex || a.child(1)?.type !== '=') return;
      const right = a.childForFieldName('right');
      const field = fieldNode(a.childForFieldName('left'));
      if (!field || !right || canonical(right) !== held) return;
      if (!writtenBetween(fn.info.body, held, map.node.endIndex, a.startIndex))
        out.push({ field: field.text, map, fn, store: a, fieldAt: field.startIndex });
    });
  }
  return out;
}

/**
 * The fields of the file that only ever hold a segment count or 0: every store to a field of that
 * name is one of `stores` or `= 0`; none is written by `+=`, `++` or through `&x->f`, or set in an
 * initializer. Read from the text as written, not the tree: batch lint blanks the bodies no rule
 * reads before parsing (focus.ts), and a store there counts as much as any. Comments, strings and
 * inactive `#if` branches can only make more fields spoiled, never fewer.
 */
function countOnlyFields(text: string, stores: readonly CountStore[]): Set<string> {
  const allowed = new Set(stores.map((s) => s.fieldAt));
  const out = new Set<string>();
  for (const field of new Set(stores.map((s) => s.field))) {
    const mention = new RegExp(
      `(?:->|\\.)\\s*(${field})\\b\\s*(\\+\\+|--|<<=|>>=|[-+*/%&|^]?=(?!=))?(\\s*0\\s*;)?`,
      'g',
    );
    let spoiled = false;
    for (const m of text.matchAll(mention)) {
      const start = m.index ?? 0;
      const [whole, , op, zero] = m;
      if (op === '=') spoiled = zero === undefined && !allowed.has(start + whole.indexOf(field, 1));
      else if (op !== undefined)
        spoiled = true; // `x->f += n`, `x->f++`
      else spoiled = TAKEN_OR_STEPPED.test(text.slice(Math.max(0, start - 80), start)); // `&x->f`, `++x->f`
      if (spoiled) break;
    }
    if (!spoiled) out.add(field);
  }
  return out;
}

/** The text before `->f` ends in `&x` or `++x` (x a chain of fields and subscripts): `&x->f`, `++x->f`. */
const TAKEN_OR_STEPPED =
  /(?:(?<!&)&|\+\+|--)\s*\(?\s*[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*|\s*\[[^\]]*\])*\s*\)?\s*$/;

export function countFieldUnmaps(file: FileAnalysis): CountFieldUnmap[] {
  const stores = dmaFunctions(file).flatMap(({ fn }) => countStoresOf(fn));
  if (stores.length === 0) return [];
  const fields = countOnlyFields(file.parsed.text, stores);
  if (fields.size === 0) return [];
  const out: CountFieldUnmap[] = [];
  for (const { info } of file.definitions) {
    forEachOfType(info.body, ['call_expression'], (call) => {
      const name = calleeName(call) ?? '';
      const api = dmaApi(name);
      if (!api || api.type !== 'sg' || (api.role !== 'unmap' && api.role !== 'sync')) return;
      const nents = callArguments(call)[dmaParam(api, 'nents')];
      const field = fieldName(nents);
      if (!nents || !field || !fields.has(field)) return;
      // A function that maps into this field itself: the path pairing (dma-unmap-sg-nents) judges it.
      if (stores.some((s) => s.field === field && s.fn.info === info)) return;
      const first = stores.find((s) => s.field === field);
      if (first) out.push({ fnInfo: info, call, name, nents, map: first.map, mapFn: first.fn, store: first.store });
    });
  }
  return out;
}
