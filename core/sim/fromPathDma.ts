/**
 * DMA calls on a path as trace steps. Maps of user pages (dma_map_page/sg after a pin on the same
 * path) cover the pages that pin took — a dma_map_page() the one page it is given, an sg map the
 * whole pinned range; a map the device writes into (DMA_FROM_DEVICE or BIDIRECTIONAL) gets a
 * `device_write` before the CPU takes it back — the write the code exists for, which makes the
 * release's dirty handling matter in the simulation.
 */
import { canonical } from '../analysis/expr';
import type { DmaOp, DmaUseOp } from '../analysis/ops';
import type { SyntaxNode } from '../parse/syntax';
import type { Resource } from '../paths/engine';
import type { Outcome } from '../paths/values';
import type { TraceStep } from '../trace/types';
import { DEFAULT_PAGES, type Layout } from './fromPathLayout';
import type { SimOptions } from './types';

const PAGE_SIZE = 4096;

/**
 * C text as one trace word: no whitespace, no characters the trace language gives a meaning to
 * (`#`, `"`), nothing invisible. Empty when nothing is left.
 */
export function word(text: string): string {
  return text.replace(/[\s#"\p{Cc}\p{Cf}\p{Z}]/gu, '');
}

/**
 * A size in bytes the code writes as a number: `4096`, `PAGE_SIZE`, `SZ_4K`, and products and
 * shifts of those (`2 * PAGE_SIZE`, `PAGE_SIZE << 2`); else null.
 */
function literalSize(node: SyntaxNode | null): number | null {
  return sizeOf(node?.text ?? '');
}

function sizeOf(text: string): number | null {
  const t = text
    .trim()
    .replace(/^\((.*)\)$/s, '$1')
    .trim();
  if (/^\d+[uUlL]*$/.test(t)) return parseInt(t, 10);
  if (t === 'PAGE_SIZE') return PAGE_SIZE;
  const sz = /^SZ_(\d+)([KMG])?$/.exec(t);
  if (sz) return Number(sz[1]) * ({ K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[sz[2] ?? ''] ?? 1);
  const op = /^([^*<]+?)\s*(\*|<<)\s*([^*<]+)$/.exec(t);
  if (!op) return null;
  const [a, b] = [sizeOf(op[1] as string), sizeOf(op[3] as string)];
  if (a === null || b === null) return null;
  const n = op[2] === '*' ? a * b : b < 32 ? a * 2 ** b : null;
  return n !== null && Number.isSafeInteger(n) ? n : null;
}

/** `pages[3]` → 3: the element a page expression names, when the index is a number. */
export function literalIndex(node: SyntaxNode | null): number | null {
  const m = /\[\s*(\d+)\s*\]\s*$/.exec(node?.text ?? '');
  return m ? Number(m[1]) : null;
}

/** Where a stored handle went: the left side of the assignment (or the variable declared) it is the value of. */
function storeTarget(node: SyntaxNode): string | null {
  for (let n: SyntaxNode | null = node.parent; n; n = n.parent) {
    if (n.type === 'assignment_expression') return n.childForFieldName('left')?.text ?? null;
    if (n.type === 'init_declarator') return n.childForFieldName('declarator')?.text ?? null;
    if (n.type === 'expression_statement' || n.type === 'compound_statement') return null;
  }
  return null;
}

interface Mapped {
  readonly op: DmaOp;
  /** The size was written as a number (a release that writes another number is a real mismatch). */
  readonly literal?: boolean;
  readonly nents: number;
  readonly returned: number;
  readonly size: number;
}

export class DmaSteps {
  private readonly written = new Set<string>();
  private readonly ids = new Map<number, string>();
  /** Each mapping as the trace made it: what its unmap must repeat (nents, size) or may get wrong. */
  private readonly mapped = new Map<string, Mapped>();
  /** dma_map_page() calls so far that named no element: the next one maps the next page. */
  private pageMaps = 0;

  constructor(private readonly pinned: Layout | undefined) {}

  private idOf(r: Resource | undefined, fallback: string | null): string {
    if (r) {
      const known = this.ids.get(r.id);
      if (known) return known;
      const id = word(r.key ?? fallback ?? `dma${r.id}`) || `dma${r.id}`;
      this.ids.set(r.id, id);
      return id;
    }
    return word(fallback ?? 'dma') || 'dma';
  }

  acquire(op: DmaOp, r: Resource, outcomes: readonly Outcome[], options: SimOptions): TraceStep {
    const id = this.idOf(r, op.key);
    const api = op.api;
    const failed = !outcomes.includes('full') || (options.acquireOutcome === 'error' && outcomes.includes('zero'));
    const args: Record<string, string | number> = { id };
    if (api.role === 'map') return api.type === 'sg' ? this.mapSg(op, id, failed) : this.mapSingle(op, id, failed);
    if (api.role === 'alloc') {
      const literal = literalSize(op.size);
      const size = literal ?? PAGE_SIZE;
      args.size = size;
      if (op.pool) args.pool = word(op.pool);
      this.mapped.set(id, { op, nents: 0, returned: 0, size, literal: literal !== null });
      return failed ? { call: op.name, args, result: 'NULL' } : { call: op.name, args };
    }
    args.size = literalSize(op.size) ?? 64;
    return failed ? { call: op.name, args, result: 'NULL' } : { call: op.name, args };
  }

  private mapSg(op: DmaOp, id: string, failed: boolean): TraceStep {
    const pinned = this.pinned && this.pinned.taken > 0 ? this.pinned : undefined;
    const nents = pinned ? pinned.taken : (literalSize(op.nents) ?? DEFAULT_PAGES);
    const args: Record<string, string | number> = { id };
    if (pinned) args.first = pinned.first;
    args.nents = nents;
    args.dir = op.dir ?? 'DMA_BIDIRECTIONAL';
    // dma_map_sg() may merge segments; when the code reuses the returned count, show it differ.
    const returned = op.resultKey && nents > 1 ? nents - 1 : nents;
    this.mapped.set(id, { op, nents, returned, size: 0 });
    const status = op.api.returns === 'status';
    // scsi_dma_map() fails with -ENOMEM, like a status; it succeeds with the count, like dma_map_sg().
    const errno = status || op.api.returns === 'count-or-errno';
    return { call: op.name, args, result: failed ? (errno ? '-ENOMEM' : 0) : status ? 0 : returned };
  }

  /**
   * dma_map_single/page/resource: a page of pinned memory maps that page (and as many more as a
   * literal size covers), the one its argument names (`pages[2]`) or the next one.
   */
  private mapSingle(op: DmaOp, id: string, failed: boolean): TraceStep {
    const literal = literalSize(op.size);
    let size = literal ?? PAGE_SIZE;
    const args: Record<string, string | number> = { id };
    const pinned = this.pinned;
    if (op.name.startsWith('dma_map_page') && pinned && pinned.taken > 0) {
      const index = literalIndex(op.buffer) ?? this.pageMaps++;
      const offset = Math.min(index, pinned.taken - 1);
      const nr = Math.max(1, Math.min(Math.ceil(size / PAGE_SIZE), pinned.taken - offset));
      args.first = pinned.first + offset;
      args.nr = nr;
      size = Math.min(size, nr * PAGE_SIZE);
    }
    args.size = size;
    args.dir = op.dir ?? 'DMA_BIDIRECTIONAL';
    this.mapped.set(id, { op, nents: 0, returned: 0, size, literal: literal !== null });
    return failed ? { call: op.name, args, result: 'DMA_MAPPING_ERROR' } : { call: op.name, args };
  }

  /** The device's write, once per mapping, before the CPU takes the memory back. */
  private deviceWrite(id: string): TraceStep[] {
    const m = this.mapped.get(id);
    if (!m || m.op.api.role !== 'map' || this.written.has(id)) return [];
    if (m.op.dir === 'DMA_TO_DEVICE' || m.op.dir === 'DMA_NONE') return [];
    this.written.add(id);
    return [{ call: 'device_write', args: { id }, comment: 'the device writes (what the mapping is for)' }];
  }

  release(op: DmaOp, r: Resource | undefined): TraceStep[] {
    const id = this.idOf(r, op.key);
    const args: Record<string, string | number> = { id };
    if (op.api.role === 'unmap') {
      const m = this.mapped.get(id);
      if (op.api.type === 'sg') {
        if (op.nents && m) {
          // The count dma_map_sg() returned, or the nents it was given.
          const returnedCount = m.op.resultKey !== null && canonical(op.nents) === m.op.resultKey;
          args.nents = returnedCount ? m.returned : m.nents;
        }
      } else args.size = this.releaseSize(op, m);
      if (op.dir) args.dir = op.dir;
      return [...this.deviceWrite(id), { call: op.name, args }];
    }
    if (op.api.role === 'free') {
      args.size = this.releaseSize(op, this.mapped.get(id));
      if (op.pool) args.pool = word(op.pool);
    }
    return [{ call: op.name, args }];
  }

  /**
   * The size an unmap or free passes: the number it writes when the map wrote one too (two
   * numbers that differ are the mismatch dma-debug reports), else the size the map was given.
   */
  private releaseSize(op: DmaOp, m: Mapped | undefined): number {
    const literal = literalSize(op.size);
    if (m && !m.literal) return m.size;
    return literal ?? m?.size ?? PAGE_SIZE;
  }

  use(op: DmaOp, r: Resource | undefined): TraceStep[] {
    const id = this.idOf(r, op.key);
    if (op.api.role === 'check') return [{ call: op.name, args: { id } }];
    if (op.api.role !== 'sync') return [];
    const args: Record<string, string | number> = { id };
    if (op.api.type !== 'sg') args.size = literalSize(op.size) ?? PAGE_SIZE;
    else if (op.nents) args.nents = this.mapped.get(id)?.nents ?? DEFAULT_PAGES;
    if (op.dir) args.dir = op.dir;
    return [...(op.api.sync === 'cpu' ? this.deviceWrite(id) : []), { call: op.name, args }];
  }

  /** A helper that calls dma_mapping_error() on the handle for this function. */
  checkedBy(op: DmaUseOp, r: Resource | undefined): TraceStep[] {
    if (op.how !== 'check' || !r) return [];
    return [
      { call: 'dma_mapping_error', args: { id: this.idOf(r, op.key) }, comment: `in ${op.callee ?? 'a helper'}()` },
    ];
  }

  /** The handle passed to a function, stored (where, in the code's own words), or returned to the caller. */
  handoff(op: DmaUseOp, r: Resource | undefined): TraceStep[] {
    if (op.how === 'use' || !r) return [];
    const call = op.how === 'call' || op.how === 'check';
    const to = call ? `${op.callee ?? 'call'}()` : op.how === 'return' ? 'caller' : (storeTarget(op.node) ?? op.key);
    return [
      ...this.checkedBy(op, r),
      { call: call ? 'handoff' : 'escape', args: { id: this.idOf(r, op.key), to: word(to) || op.how } },
    ];
  }
}
