/**
 * Which simulated pages each acquire on a path takes. Two acquires of the same user address take
 * the same pages (pinning a buffer twice puts two pins on each of its pages: refcount 1 + 2 × 1024),
 * so acquires are grouped by the address they name, when that address cannot have changed between
 * them; every other acquire gets pages of its own. The memory stays within MAX_PAGES.
 */
import { canonical } from '../analysis/expr';
import type { FunctionInfo } from '../analysis/functions';
import type { AcquireOp } from '../analysis/ops';
import { paramIndex } from '../catalog/gup';
import type { SyntaxNode } from '../parse/syntax';
import { forEachOfType } from '../parse/syntax';
import type { CompletePath, FunctionPaths, Resource } from '../paths/engine';
import type { Outcome } from '../paths/values';
import { MAX_PAGES } from '../trace/limits';
import type { PageKind } from '../trace/types';
import { PAGES_PER_FOLIO } from '../trace/vocabulary';
import type { SimOptions } from './types';

export interface Layout {
  readonly first: number;
  readonly requested: number;
  readonly taken: number;
  readonly outcome: Outcome;
  readonly result: number | string;
}

export const DEFAULT_PAGES = 4;

function literal(op: AcquireOp): number | null {
  const text = op.nr?.text.trim();
  if (!text || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= MAX_PAGES ? n : null;
}

function chooseOutcome(outcomes: readonly Outcome[], options: SimOptions): Outcome {
  const wanted = options.acquireOutcome;
  if (wanted === 'error' && outcomes.includes('neg')) return 'neg';
  if (typeof wanted === 'object' && outcomes.includes('partial')) return 'partial';
  if (wanted === 'full' && outcomes.includes('full')) return 'full';
  for (const o of ['full', 'partial', 'neg', 'zero'] as const) if (outcomes.includes(o)) return o;
  return 'full';
}

const ASSIGNMENTS = new Set(['assignment_expression', 'update_expression']);

/** The variable an lvalue writes through: `a` of `a`, `a->b.c`, `*a`, `a[i]`. */
function rootName(node: SyntaxNode | null): string | null {
  let n = node;
  while (n && n.type !== 'identifier') {
    if (n.type === 'parenthesized_expression') n = n.namedChildren[0] ?? null;
    else if (n.type === 'field_expression') n = n.childForFieldName('argument');
    else if (n.type === 'pointer_expression' || n.type === 'subscript_expression') n = n.childForFieldName('argument');
    else return null;
  }
  return n?.text ?? null;
}

const assignedCache = new WeakMap<FunctionInfo, ReadonlySet<string>>();

/** Variables the function assigns (or increments) anywhere in its body, through any lvalue. */
function assignedNames(fn: FunctionInfo): ReadonlySet<string> {
  const cached = assignedCache.get(fn);
  if (cached) return cached;
  const names = new Set<string>();
  forEachOfType(fn.body, [...ASSIGNMENTS], (node) => {
    const target =
      node.type === 'update_expression' ? node.childForFieldName('argument') : node.childForFieldName('left');
    const name = rootName(target);
    if (name) names.add(name);
  });
  assignedCache.set(fn, names);
  return names;
}

function identifiersIn(node: SyntaxNode): string[] {
  const names: string[] = [];
  forEachOfType(node, ['identifier'], (n) => names.push(n.text));
  return names;
}

/**
 * What names the user memory an acquire takes (the address, with the mm or memfd it is in), when
 * it is the same wherever the function calls it: none of its variables is ever assigned. Null
 * otherwise (an iov_iter, an address that moves).
 */
function addressKey(op: AcquireOp, fn: FunctionInfo): string | null {
  const signature = op.signature;
  if (!signature) return null;
  const start = [paramIndex(signature, 'start'), paramIndex(signature, 'addr')].find((i) => i >= 0);
  const node = start !== undefined ? op.args[start] : undefined;
  if (!node) return null;
  const parts = [node, op.args[paramIndex(signature, 'mm')], op.args[paramIndex(signature, 'memfd')]].filter(
    (n): n is SyntaxNode => n !== undefined,
  );
  const assigned = assignedNames(fn);
  if (parts.some((p) => identifiersIn(p).some((name) => assigned.has(name)))) return null;
  return parts.map((p) => canonical(p)).join(' @ ');
}

interface Region {
  readonly resources: Resource[];
  requested: number;
}

/**
 * The pages of each acquire on the path (by resource id), the memory they need, and the most
 * pages one acquire was given when MAX_PAGES made it ask for fewer (null when none had to).
 */
export function layoutFor(
  paths: FunctionPaths,
  path: CompletePath,
  options: SimOptions,
  kind: PageKind,
): { layouts: Map<number, Layout>; pages: number; capped: number | null } {
  const per = PAGES_PER_FOLIO[kind];
  const regions: Region[] = [];
  const byAddress = new Map<string, Region>();
  const wanted = new Map<number, number>();
  for (const r of paths.resources) {
    if (r.op.kind !== 'acquire' || !path.resources.some((x) => x.res === r)) continue;
    const single = r.op.single || r.op.api.returns === 'bool' || r.op.api.returns === 'page';
    let requested = single ? 1 : (options.pages ?? literal(r.op) ?? DEFAULT_PAGES);
    if (per > 1 && !single) requested = Math.ceil(requested / per) * per;
    wanted.set(r.id, requested);
    // A single page of a large folio still takes a whole folio of memory.
    const size = per > 1 && single ? per : requested;
    const key = addressKey(r.op, paths.fn.info);
    const shared = key !== null ? byAddress.get(key) : undefined;
    if (shared) {
      shared.resources.push(r);
      shared.requested = Math.max(shared.requested, size);
      continue;
    }
    const region: Region = { resources: [r], requested: size };
    regions.push(region);
    if (key !== null) byAddress.set(key, region);
  }
  // Several regions share MAX_PAGES; each gets at most its share (whole folios).
  const share = regions.length > 0 ? Math.max(per, Math.floor(MAX_PAGES / regions.length / per) * per) : MAX_PAGES;
  let capped: number | null = null;
  const layouts = new Map<number, Layout>();
  let next = 0;
  for (const region of regions) {
    const size = Math.min(region.requested, share);
    if (size < region.requested) capped = size;
    for (const r of region.resources) {
      const requested = Math.min(wanted.get(r.id) ?? size, size);
      const outcomes = path.resources.find((x) => x.res === r)?.outcomes ?? [];
      layouts.set(r.id, place(next, requested, chooseOutcome(outcomes, options), options));
    }
    next += size;
  }
  return { layouts, pages: Math.max(per, Math.ceil(Math.max(1, next) / per) * per), capped };
}

/** An acquire at `first` asking for `requested` pages, with the outcome this path gives it. */
function place(first: number, requested: number, outcome: Outcome, options: SimOptions): Layout {
  if (outcome === 'partial') {
    const k =
      typeof options.acquireOutcome === 'object'
        ? options.acquireOutcome.partial
        : Math.max(1, Math.floor(requested / 2));
    const taken = Math.min(Math.max(1, k), Math.max(1, requested - 1));
    return { first, requested, taken, outcome, result: taken };
  }
  if (outcome === 'neg') return { first, requested, taken: 0, outcome, result: '-EFAULT' };
  if (outcome === 'zero') return { first, requested, taken: 0, outcome, result: 0 };
  return { first, requested, taken: requested, outcome, result: requested };
}
