/**
 * The DMA side of a helper's summary (issue 11, class 2): what a function defined in the file
 * maps and unmaps of what its parameters name (`req->src`, `buf->dma`), in the order its code
 * does it, as plain data (summaryTypes.ts). `iaa_remap_for_verify(dev, wq, req, …)` unmaps
 * req->dst and req->src and maps them again the other way: the caller's later unmaps meet the
 * new directions, not the ones it mapped with.
 *
 * Only what the helper does on its straight-line code is summarised: an unmap or map under a
 * branch, in a loop or after a label is not something every call does. A map is summarised only
 * when the helper reports its failure through its status (it tests the map and returns or jumps
 * with an errno) or by returning 0 (and a non-zero constant at its end), so that the caller's test of that status decides whether the mapping is held;
 * a helper with any other map keeps no DMA summary at all (what it does is then unknown, as
 * before). An unmap guarded only by a test of its own handle (`if (buf->dma) dma_unmap_…`) is
 * an unmap of whatever is mapped.
 */
import type { SyntaxNode } from '../parse/syntax';
import type { Cfg } from './cfg';
import type { FunctionInfo } from './functions';
import type { DmaOp } from './ops';
import type { HelperDmaEffect } from './summaryTypes';

/** A parameter or a field of one (`req`, `req->src`, `buf->desc.dma`): its place. */
function placeOf(fn: FunctionInfo, key: string): { paramIndex: number; fieldSuffix: string | null } | null {
  const m = /^([A-Za-z_]\w*)((?:->|\.)[A-Za-z_][\w.>-]*)?$/.exec(key);
  if (!m) return null;
  const param = fn.params.find((p) => p.name === m[1]);
  if (!param) return null;
  return { paramIndex: param.index, fieldSuffix: m[2] ?? null };
}

/** Statements that make what is under them conditional. */
const CONDITIONAL = new Set([
  'if_statement',
  'for_statement',
  'while_statement',
  'do_statement',
  'switch_statement',
  'case_statement',
  'conditional_expression',
  'labeled_statement',
]);

/** Where `node` sits: 'straight' on the function's straight-line code, or the `if` guarding it. */
export function position(node: SyntaxNode, body: SyntaxNode): 'straight' | 'conditional' | SyntaxNode {
  let guard: SyntaxNode | null = null;
  for (let p = node.parent; p && p.id !== body.id; p = p.parent) {
    if (!CONDITIONAL.has(p.type)) continue;
    if (guard || p.type !== 'if_statement') return 'conditional';
    guard = p;
  }
  if (guard) return guard;
  // After a label, the code is an epilogue other paths jump into.
  let top: SyntaxNode | null = node;
  while (top && top.parent && top.parent.id !== body.id) top = top.parent;
  for (let s = top?.previousNamedSibling ?? null; s; s = s.previousNamedSibling)
    if (s.type === 'labeled_statement') return 'conditional';
  return 'straight';
}

/** `if (buf->dma)` / `if (buf->dma != 0)` around an unmap of buf->dma with no else. */
function guardedByItsHandle(guard: SyntaxNode, key: string): boolean {
  if (guard.childForFieldName('alternative')) return false;
  const cond = (guard.childForFieldName('condition')?.text ?? '').replace(/\s+/g, '');
  const k = key.replace(/\s+/g, '');
  return cond === `(${k})` || cond === `(${k}!=0)` || cond === `(${k}!=NULL)`;
}

/** The statement after the one holding `node`, when it is an `if`. */
function nextIf(node: SyntaxNode): SyntaxNode | null {
  let stmt: SyntaxNode | null = node;
  while (stmt && !stmt.type.endsWith('_statement') && stmt.type !== 'declaration') stmt = stmt.parent;
  const next = stmt?.nextNamedSibling ?? null;
  return next?.type === 'if_statement' ? next : null;
}

const ERROR_EXIT = /\breturn\s+-|=\s*-E[A-Z]+\b|\bgoto\s+\w+/;

/** `if (dma_mapping_error(…)) return 0;`: the failure leaves with 0 (or false). */
const ZERO_EXIT = /^\{?\s*return\s+(?:0|false)\s*;\s*\}?$/;
/** The function's last statement returns a non-zero constant (`return 1;`, `return true;`). */
const NONZERO_LAST = /\breturn\s+(?:[1-9]\d*|true)\s*;\s*\}\s*$/;

/**
 * How the helper reports that the map failed, when it tests the map right after making it:
 * 'status' when the failure leaves with an errno (`nr = dma_map_sg(…); if (nr <= 0 …) { ret =
 * -EIO; goto out; }`), 'zero' when it returns 0 there and a non-zero constant at its end (a
 * "returns 0 on failure" helper); null for anything else.
 */
function failureConvention(fn: FunctionInfo, op: DmaOp): 'status' | 'zero' | null {
  const type = fn.returnType.trim();
  if (!/^(?:int|long|s32|ssize_t|bool)$/.test(type)) return null;
  if (fn.node.childForFieldName('declarator')?.type !== 'function_declarator') return null; // `int *f(…)`
  const test = nextIf(op.node);
  const tested = op.api.returns === 'handle' ? op.key : (op.result.variable ?? op.resultKey);
  if (!test || !tested) return null;
  const cond = test.childForFieldName('condition')?.text ?? '';
  if (!new RegExp(`(?:^|[^\\w>.])${tested.replace(/[.*+?^${}()|[\]\\>-]/g, '\\$&')}(?![\\w])`).test(cond)) return null;
  const consequence = test.childForFieldName('consequence')?.text ?? '';
  if (type !== 'bool' && ERROR_EXIT.test(consequence)) return 'status';
  if (ZERO_EXIT.test(consequence.trim()) && NONZERO_LAST.test(fn.body.text)) return 'zero';
  return null;
}

/** A parameter that the function re-points (`req = req->next`) names something else after that. */
function reassigned(fn: FunctionInfo, paramIndex: number): boolean {
  const name = fn.params.find((p) => p.index === paramIndex)?.name;
  return name !== undefined && new RegExp(`(?:^|[^\\w>.])${name}\\s*=[^=]`).test(fn.body.text);
}

/**
 * The DMA effects of one function on what its parameters name, from its graph (whose operations
 * already include its own callees' summaries); an empty list when it has none or when they
 * cannot be told (see the header).
 */
export function dmaEffects(fn: FunctionInfo, cfg: Cfg): HelperDmaEffect[] {
  const ops: DmaOp[] = [];
  for (const n of cfg.nodes)
    for (const op of n.ops)
      if (op.kind === 'dma' && (op.api.role === 'map' || op.api.role === 'unmap') && op.key !== null) ops.push(op);
  ops.sort((a, b) => a.node.startIndex - b.node.startIndex);
  const effects: HelperDmaEffect[] = [];
  for (const op of ops) {
    const key = op.key as string;
    const place = placeOf(fn, key);
    const where = position(op.node, fn.body);
    if (op.api.role === 'map') {
      // A map of a local, or one the callers cannot follow: the helper's DMA side is unknown.
      const failure = place && where === 'straight' ? failureConvention(fn, op) : null;
      if (!place || !failure || reassigned(fn, place.paramIndex)) return [];
      effects.push({ ...place, kind: 'map', api: op.api.name, dir: op.dir, failure });
      continue;
    }
    if (!place) continue; // the helper's own mapping
    if (where === 'conditional' || reassigned(fn, place.paramIndex)) return [];
    // Cleanup of its own failed map (`if (nr <= 0) { dma_unmap_sg(other); goto out; }`) is not
    // an effect of a call that succeeded; any other guard makes the unmap a maybe.
    if (where !== 'straight' && !guardedByItsHandle(where, key)) {
      if (ERROR_EXIT.test(where.childForFieldName('consequence')?.text ?? '')) continue;
      return [];
    }
    effects.push({ ...place, kind: 'unmap', api: op.api.name, dir: op.dir, failure: null });
  }
  return effects;
}
