/**
 * One enumeration of one function's paths: what the engine and its transfer modules share — the
 * function, its graph, the resources found so far, the issues recorded, the DMA pairs, fresh
 * opaque values, compiled expressions, and per-function facts computed once on demand (`memo`).
 * The states themselves stay immutable (state.ts); everything mutable lives here.
 */
import type { Cfg, CfgNode } from '../analysis/cfg';
import { isMappingChecker, type AcquireOp, type DmaOp } from '../analysis/ops';
import { baseKey } from '../analysis/storage';
import type { FunctionAnalysis } from '../analysis/types';
import type { Span } from '../findings';
import { ExprCache, type Expr } from './exprs';
import type { State } from './state';
import type { IssueKind, PathEvent, PathEventKind, PathIssue, Resource } from './types';
import { symKey, type Sym, type ValueContext } from './values';

/** A key for a per-function fact computed once (`walk.memo(KEY, () => ...)`), typed by its value. */
export interface MemoKey<T> {
  readonly name: string;
  /** Never set: carries T. */
  readonly type?: T;
}

export function memoKey<T>(name: string): MemoKey<T> {
  return { name };
}

/** What a new resource is, besides the op and node that make it. */
export type ResourceShape = Pick<Resource, 'key' | 'nonLocal' | 'nrSym'>;

/** The smallest page size the kernel runs with (4 KiB). */
const PAGE_ALIGNMENT = 4096;

export class FunctionWalk {
  readonly cfg: Cfg;
  readonly resources: Resource[] = [];
  readonly issues: PathIssue[] = [];
  readonly dmaPairs = new Map<DmaOp, Set<DmaOp>>();
  readonly exprs = new ExprCache();
  /** The function returns a pointer: `return NULL`/`return 0` is an error. */
  readonly returnsPointer: boolean;
  private readonly resourceByOp = new Map<AcquireOp | DmaOp, Resource>();
  private readonly memos = new Map<MemoKey<unknown>, unknown>();
  private opaque = 0;

  constructor(readonly fn: FunctionAnalysis) {
    this.cfg = fn.cfg;
    this.returnsPointer = /\*/.test(fn.info.node.childForFieldName('declarator')?.text.split('(')[0] ?? '');
  }

  /** A per-function fact, computed the first time it is asked for. */
  memo<T>(key: MemoKey<T>, make: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const value = make();
    this.memos.set(key, value);
    return value;
  }

  /** A value unequal to every other. */
  fresh(): Sym {
    return { kind: 'opaque', id: this.opaque++ };
  }

  /**
   * The resource of an acquire site. One per site: a second execution on the same path (a loop's
   * second iteration) re-uses it — the storage is the same and a whole-array release covers both.
   */
  resourceFor(op: AcquireOp | DmaOp, nodeId: number, shape: () => ResourceShape): Resource {
    const existing = this.resourceByOp.get(op);
    if (existing) return existing;
    const r: Resource = { id: this.resources.length, op, nodeId, ...shape() };
    this.resources.push(r);
    this.resourceByOp.set(op, r);
    return r;
  }

  /** What expressions evaluate to on this path (values.ts), with the resources it holds. */
  valueContext(state: State): ValueContext {
    return {
      lookup: (name) => state.env.get(name),
      resourceOfCall: (callId) => {
        for (const r of this.resources) if (r.op.node.id === callId && state.res[r.id]) return r.id;
        return null;
      },
      exprs: this.exprs,
      isMappingChecker: (name) => isMappingChecker(name, this.fn.ctx),
      fact: (key) => state.facts.get(key),
      // A helper that returns a status (0 or -errno) next to its pages: success is 0.
      nrOf: (res) => {
        const r = this.resources[res];
        if (r?.op.kind === 'acquire' && r.op.helper && !r.op.helper.returnsCount) return { kind: 'const', value: 0 };
        // dma_map_sgtable() returns 0 on success.
        if (r?.op.kind === 'dma' && r.op.api.returns === 'status') return { kind: 'const', value: 0 };
        // One page asked for where the call site does not say so (a helper that pins one page,
        // `return pin_user_pages_fast(uaddr, 1, …)`): success is 1.
        if (r?.op.kind === 'acquire' && r.op.single && !r.nrSym) return { kind: 'const', value: 1 };
        return r?.nrSym ?? null;
      },
      // A failed dma_map_single() returns DMA_MAPPING_ERROR, all ones — not 0.
      failedValue: (res) => {
        const r = this.resources[res];
        return r?.op.kind === 'dma' && r.op.api.returns === 'handle' ? -1 : 0;
      },
      resourceWithNr: (value) => {
        if (value.kind !== 'var' && value.kind !== 'opaque') return null;
        const key = symKey(value);
        for (const r of this.resources) if (r.nrSym && symKey(r.nrSym) === key && state.res[r.id]) return r.id;
        return null;
      },
      fresh: () => this.fresh(),
      constantValue: (name) => this.constantValue(name),
      alignment: (e) => this.alignment(e, state),
    };
  }

  /** A numeric `#define NAME <n>` of the file. */
  private constantValue(name: string): number | null {
    const def = this.fn.ctx.macros.get(name);
    if (!def) return null;
    const text = def.value.trim();
    return /^(?:0x[0-9a-f]+|\d+)[ul]*$/i.test(text) ? Number.parseInt(text, /^0x/i.test(text) ? 16 : 10) : null;
  }

  /**
   * What a value is known to be aligned to: memory from dma_alloc_coherent() and its handle are
   * page aligned (dma-api-howto.rst: "guaranteed to be aligned to the smallest PAGE_SIZE order
   * which is greater than or equal to the requested size").
   */
  private alignment(e: Expr, state: State): number {
    if (e.k !== 'ident' && e.k !== 'field') return 1;
    const bound = state.env.get(e.name);
    for (const r of this.resources) {
      if (r.op.kind !== 'dma' || r.op.api.role !== 'alloc' || r.op.api.type !== 'coherent' || !state.res[r.id])
        continue;
      if ((bound?.kind === 'result' && bound.res === r.id) || r.op.handleOut === e.name) return PAGE_ALIGNMENT;
    }
    return 1;
  }

  /** The state with one more event; `index` is the event's position on the path. */
  event(
    state: State,
    kind: PathEventKind,
    node: CfgNode,
    span: Span,
    label: string,
    extra: Partial<PathEvent> = {},
  ): { state: State; index: number } {
    const e: PathEvent = { kind, nodeId: node.id, span, label, ...extra };
    return { state: { ...state, events: [...state.events, e] }, index: state.events.length };
  }

  /** Records an issue at event `atIndex` of the path, now: a later merge may prune this path's state. */
  issue(state: State, kind: IssueKind, res: Resource, atIndex: number, extra: Partial<PathIssue> = {}): State {
    const r = state.res[res.id];
    const at = state.events[atIndex] as PathEvent;
    const issue: PathIssue = {
      kind,
      res,
      outcomes: r?.outcomes ?? [],
      at,
      decisive: r?.decisive !== null && r?.decisive !== undefined ? (state.events[r.decisive] ?? null) : null,
      earlier: null,
      events: state.events,
      ...extra,
    };
    this.issues.push(issue);
    return { ...state, issues: [...state.issues, issue] };
  }

  /** Resources an operation on `key` touches: that storage, and sub-ranges of it for a whole array. */
  resourcesCovered(state: State, written: string | null | undefined): Resource[] {
    if (!written) return [];
    const key = state.moved.get(written) ?? written;
    const whole = baseKey(key) === key;
    return this.resources.filter(
      (r) => state.res[r.id] !== undefined && r.key !== null && (r.key === key || (whole && baseKey(r.key) === key)),
    );
  }
}
