/**
 * Path enumeration over a function's CFG with an abstract state: which acquires happened, what
 * their results may be (outcome sets, refined at each branch on the result), whether their pages
 * were released or handed off, and a small environment of symbolic values for result and count
 * variables.
 *
 * Loops run zero or one time (`for`/`while`/iterator macros: after coming back around, the path
 * must leave); states that reach a node identical to one seen before are merged (the first path
 * stands for both); and the whole enumeration runs under an explicit budget, after which the
 * function is reported as partially analysed — never silently.
 */
import type { SyntaxNode } from '../parse/syntax';
import { callArguments, canonical, identifierName, isNullPointer, unwrap } from '../analysis/expr';
import type { Cfg, CfgEdge, CfgNode } from '../analysis/cfg';
import type { FunctionAnalysis } from '../analysis/types';
import type { Variable } from '../analysis/functions';
import { isMappingChecker, sgTableKey, type AcquireOp, type DmaOp, type Op } from '../analysis/ops';
import { baseKey } from '../analysis/storage';
import type { Span } from '../findings';
import { isWrongFreeForCoherent, startsWithOwnedAllocation } from '../catalog/memory';
import { ExprCache, FACT_WRAPPERS, type Expr } from './exprs';
import {
  ALL_OUTCOMES,
  evaluate,
  resourcesIn,
  symKey,
  truth,
  type Outcome,
  type Sym,
  type ValueContext,
} from './values';

export interface Resource {
  readonly id: number;
  /** The acquire (pages) or the DMA map/allocation that created the resource. */
  readonly op: AcquireOp | DmaOp;
  readonly nodeId: number;
  /** Storage key of the pages (null when the call has no pages argument). */
  readonly key: string | null;
  /** The pages live in a field, global or parameter: they leave the function on success. */
  readonly nonLocal: boolean;
  readonly nrSym: Sym | null;
}

export type ResourceStatus = 'held' | 'released' | 'escaped';

interface ResState {
  readonly outcomes: readonly Outcome[];
  readonly status: ResourceStatus;
  /** Event index of the release or escape that changed the status. */
  readonly changedAt: number | null;
  readonly escapeHow: string | null;
  /** Released one element at a time (put_page(pages[i]) outside a recognised loop). */
  readonly elementwise: boolean;
  /** Event index of the last branch that narrowed the outcomes. */
  readonly decisive: number | null;
  /** Pages from an earlier run of the same acquire (a loop's previous iteration) are still held. */
  readonly carried: boolean;
  /** DMA handles: dma_mapping_error() was called on this path. */
  readonly checked: boolean;
  /** DMA handles: an unchecked use was already reported on this path. */
  readonly uncheckedReported: boolean;
  /**
   * The path stepped around a release of these pages on a branch pinscope cannot decide
   * (`if (pvec) unpin_user_pages(...)`, `if (!req->page_list) ...`): a leak here is not certain,
   * so none is reported.
   */
  readonly maybeReleased: boolean;
  /**
   * DMA: the key no longer names this mapping on this path — the variable was mapped again by
   * another call, or a variable in the key (`slot` in `slot->dma`, `i` in `ring[i].dma`) was
   * assigned. Unmaps and uses of the key are not about this mapping any more.
   */
  readonly detached?: boolean;
}

export type PathEventKind =
  'acquire' | 'branch' | 'release' | 'use' | 'dirty' | 'escape' | 'extra-ref' | 'return' | 'assign';

export interface PathEvent {
  readonly kind: PathEventKind;
  readonly nodeId: number;
  readonly span: Span;
  readonly label: string;
  readonly op?: Op;
  /** Resources the event touched. */
  readonly res?: readonly number[];
  readonly branch?: { readonly text: string; readonly value: boolean };
  readonly returnStatus?: ReturnStatus;
  readonly returnText?: string;
  /** An `unknown` return of an int the path tested non-zero (`if (ret) return ret;`). */
  readonly errorByConvention?: boolean;
}

export type ReturnStatus = 'error' | 'success' | 'unknown' | 'void';

export type IssueKind =
  | 'leak'
  | 'double-release'
  | 'count-mismatch'
  | 'negative-count'
  | 'use-after-release'
  | 'dma-unchecked'
  | 'pool-leak'
  | 'wrong-free';

export interface PathIssue {
  readonly kind: IssueKind;
  readonly res: Resource;
  /** Outcomes of the resource on this path when the issue happened. */
  readonly outcomes: readonly Outcome[];
  /** The event that exposes the issue (release, use, return). */
  readonly at: PathEvent;
  /** The branch that narrowed the outcome, if any (where the decision was made). */
  readonly decisive: PathEvent | null;
  /** The earlier release, for double releases. */
  readonly earlier: PathEvent | null;
  readonly events: readonly PathEvent[];
  readonly returnStatus?: ReturnStatus;
  readonly countText?: string;
}

export interface CompletePath {
  readonly events: readonly PathEvent[];
  readonly resources: readonly {
    readonly res: Resource;
    readonly outcomes: readonly Outcome[];
    readonly status: ResourceStatus;
  }[];
  readonly returnStatus: ReturnStatus;
  readonly issues: readonly PathIssue[];
}

export interface PathBudget {
  /** Node expansions over the whole function. */
  readonly maxSteps: number;
  /** Complete paths kept for extraction and simulation. */
  readonly maxPaths: number;
}

export const DEFAULT_BUDGET: PathBudget = { maxSteps: 40_000, maxPaths: 256 };

export interface FunctionPaths {
  readonly fn: FunctionAnalysis;
  readonly resources: readonly Resource[];
  readonly paths: readonly CompletePath[];
  readonly issues: readonly PathIssue[];
  /** The budget cut the enumeration short. */
  readonly partial: boolean;
  readonly steps: number;
  /**
   * For each DMA unmap, free or sync, the maps and allocations it met on some path: what the
   * unmap-mismatch and sync-direction rules compare, so a map and an unmap in exclusive branches
   * are never paired.
   */
  readonly dmaPairs: ReadonlyMap<DmaOp, ReadonlySet<DmaOp>>;
}

interface State {
  readonly node: number;
  readonly res: readonly ResState[];
  readonly env: ReadonlyMap<string, Sym>;
  readonly events: readonly PathEvent[];
  /** Back edges taken (from→to). */
  readonly back: ReadonlySet<string>;
  /** Loop heads this path came back to: it must leave them now. */
  readonly exitOnly: ReadonlySet<number>;
  /**
   * Page variables re-pointed on this path (`page = wpage;`): operations on the variable now
   * act on the storage it was pointed at.
   */
  readonly moved: ReadonlyMap<string, string>;
  /**
   * Conditions decided earlier on this path (canonical text → value), so that testing the same
   * condition twice (`if (sum == 1) { pin } ... if (sum == 1) { store }`) takes the same side.
   * Forgotten when a variable in them is assigned.
   */
  readonly facts: ReadonlyMap<string, boolean>;
  readonly issues: readonly PathIssue[];
  /** Loops this path left without running their body once (the bound was 0 or unknown). */
  readonly skippedLoops: ReadonlySet<number>;
}

function spanOf(node: SyntaxNode): Span {
  return { start: node.startIndex, end: node.endIndex };
}

function oneLine(text: string, max = 70): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Outcomes an acquire can have before any branch looks at it. */
function initialOutcomes(op: AcquireOp | DmaOp): Outcome[] {
  // A DMA mapping or allocation either failed (DMA_MAPPING_ERROR, 0 segments, NULL) or holds.
  if (op.kind === 'dma') return op.api.returns === 'status' ? ['neg', 'full'] : ['zero', 'full'];
  // get_dump_page() returns NULL or the page; get_user_page_fast_only() false or true.
  if (op.api.returns === 'page' || op.api.returns === 'bool') return ['zero', 'full'];
  if (op.heldCount) return ['neg', 'full'];
  if (op.single) return ['neg', 'full'];
  if (op.api.returns === 'bytes') return ['neg', 'full'];
  return [...ALL_OUTCOMES];
}

/** Whether pages may be held under these outcomes. */
export function mayHold(res: Resource, outcomes: readonly Outcome[]): boolean {
  if (res.op.kind === 'dma') return outcomes.includes('full');
  if (res.op.heldCount) return true; // the helper reports what it holds, success or not
  return outcomes.includes('partial') || outcomes.includes('full');
}

class Enumerator {
  private readonly resources: Resource[] = [];
  private readonly resourceByOp = new Map<AcquireOp | DmaOp, Resource>();
  private readonly seen = new Map<number, Set<string>>();
  private readonly paths: CompletePath[] = [];
  private readonly issues: PathIssue[] = [];
  private steps = 0;
  private partial = false;
  private opaque = 0;
  private readonly effects = new Map<CfgNode, StatementEffects>();
  private readonly exprs = new ExprCache();
  private readonly dmaPairs = new Map<DmaOp, Set<DmaOp>>();
  private readonly cfg: Cfg;
  private readonly returnsPointer: boolean;

  constructor(
    private readonly fn: FunctionAnalysis,
    private readonly budget: PathBudget,
  ) {
    this.cfg = fn.cfg;
    this.returnsPointer = /\*/.test(fn.info.node.childForFieldName('declarator')?.text.split('(')[0] ?? '');
  }

  run(): FunctionPaths {
    const stack: State[] = [
      {
        node: this.cfg.entry,
        res: [],
        env: new Map(),
        events: [],
        back: new Set(),
        exitOnly: new Set(),
        moved: new Map(),
        facts: new Map(),
        issues: [],
        skippedLoops: new Set(),
      },
    ];
    while (stack.length > 0) {
      if (this.steps >= this.budget.maxSteps) {
        this.partial = true;
        break;
      }
      const state = stack.pop() as State;
      this.steps++;
      const node = this.cfg.nodes[state.node] as CfgNode;
      const seenHere = this.seen.get(node.id) ?? new Set<string>();
      // Widening: past WIDEN_AT distinct states at one node, states that differ only in variables
      // (not in what they hold, nor in the loops they are in) are merged. Without it, a long probe
      // function's unrelated `if (x) y = 1;` choices multiply states until the budget runs out.
      const fingerprint = seenHere.size >= WIDEN_AT ? this.fingerprint(state, false) : this.fingerprint(state);
      if (seenHere.has(fingerprint)) continue;
      seenHere.add(fingerprint);
      this.seen.set(node.id, seenHere);

      let s = this.applyNode(node, state);
      if (node.kind === 'exit') {
        this.finishPath(s);
        continue;
      }
      if (node.kind === 'return') s = this.applyReturn(node, s);
      const successors = this.successors(node, s);
      // Depth-first: push in reverse so the first successor (the `true` branch) runs first.
      for (let i = successors.length - 1; i >= 0; i--) stack.push(successors[i] as State);
    }
    if (this.paths.length >= this.budget.maxPaths) this.partial = true;
    return {
      fn: this.fn,
      resources: this.resources,
      paths: this.paths,
      issues: this.issues,
      partial: this.partial,
      steps: this.steps,
      dmaPairs: this.dmaPairs,
    };
  }

  /**
   * The state's identity for merging. Resource states and environments are immutable and shared
   * between the states that did not change them, so their parts are cached per object: with 20
   * resources and a long environment, building the string each step was most of a big function.
   */
  private fingerprint(state: State, withEnv = true): string {
    const res = state.res.map((r, i) => (r ? this.resPart(r, i) : '-')).join(',');
    const env = withEnv ? this.envPart(state.env, state.node) : '*';
    const live = this.liveNames()[state.node];
    // Loops already left for good (not reachable from here) no longer constrain the path.
    const exitOnly =
      state.exitOnly.size === 0
        ? ''
        : [...state.exitOnly]
            .filter((id) => !live || live.has(`#${id}`))
            .sort()
            .join(',');
    const moved = state.moved.size === 0 ? '' : [...state.moved].map(([a, b]) => `${a}>${b}`).join(',');
    return `${res}|${env}|${exitOnly}|${moved}`;
  }

  private readonly resParts = new WeakMap<ResState, string>();

  private resPart(r: ResState, i: number): string {
    let part = this.resParts.get(r);
    if (part === undefined) {
      part = `${this.resources[i]?.nodeId}:${r.outcomes.join('')}:${r.status}${r.carried ? '+' : ''}${r.maybeReleased ? '?' : ''}${r.checked ? 'c' : ''}${r.uncheckedReported ? 'u' : ''}${r.detached ? 'd' : ''}`;
      this.resParts.set(r, part);
    }
    return part;
  }

  private readonly keyHashes = new Map<
    string,
    { readonly root: string | undefined; readonly h1: number; readonly h2: number }
  >();

  /**
   * The environment's part: an order-independent pair of 32-bit hashes over the live bindings
   * (so no sorting and no string per binding at every step), plus their count.
   */
  private envPart(envMap: ReadonlyMap<string, Sym>, node: number): string {
    const live = this.liveNames()[node];
    let sum = 0;
    let xor = 0;
    let n = 0;
    for (const [k, v] of envMap) {
      if (v.kind === 'opaque' || v.kind === 'var') continue;
      let kh = this.keyHashes.get(k);
      if (!kh) {
        kh = { root: ROOT_NAME.exec(k)?.[0], h1: fnv(k, 0x811c9dc5), h2: fnv(k, 0x01000193) };
        this.keyHashes.set(k, kh);
      }
      // A value no statement ahead can read cannot change what happens next: two states that
      // differ only there are the same state (this keeps sequential loops from multiplying).
      if (kh.root !== undefined && live && !live.has(kh.root)) continue;
      const vk = symKey(v);
      sum = (sum + Math.imul(kh.h1 ^ fnv(vk, 0x9e3779b9), 0x85ebca6b)) | 0;
      xor ^= Math.imul(kh.h2 + fnv(vk, 0xc2b2ae35), 0x27d4eb2f);
      n++;
    }
    return `${n}:${sum >>> 0}:${xor >>> 0}`;
  }

  private live: ReadonlyArray<ReadonlySet<string>> | null = null;

  /** For each CFG node, the names mentioned at it or at any node reachable from it. */
  private liveNames(): ReadonlyArray<ReadonlySet<string>> {
    this.live ??= reachableMentions(this.cfg, this.namesAt());
    return this.live;
  }

  private valueContext(state: State): ValueContext {
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
      fresh: () => ({ kind: 'opaque', id: this.opaque++ }),
    };
  }

  private resourceFor(op: AcquireOp | DmaOp, nodeId: number, state: State): Resource {
    const existing = this.resourceByOp.get(op);
    // One resource per acquire site; a second execution on the same path (a loop's second
    // iteration) re-uses it: the storage is the same and a whole-array release covers both.
    if (existing) return existing;
    const ctx = this.valueContext(state);
    const r: Resource =
      op.kind === 'dma'
        ? {
            id: this.resources.length,
            op,
            nodeId,
            key: op.key,
            nonLocal: op.key !== null && dmaKeyIsNonLocal(op.key, this.fn.info.locals, this.fn.info.body.text),
            nrSym: null,
          }
        : {
            id: this.resources.length,
            op,
            nodeId,
            key: op.pages?.key ?? null,
            nonLocal: op.pages !== null && op.pages.baseKind !== 'local',
            nrSym: op.nr ? evaluate(op.nr, ctx) : null,
          };
    this.resources.push(r);
    this.resourceByOp.set(op, r);
    return r;
  }

  private event(
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

  private setRes(state: State, id: number, update: Partial<ResState>): State {
    const res = [...state.res];
    const current = res[id] ?? {
      outcomes: [],
      status: 'held' as const,
      changedAt: null,
      escapeHow: null,
      elementwise: false,
      decisive: null,
      carried: false,
      maybeReleased: false,
      checked: false,
      uncheckedReported: false,
      detached: false,
    };
    res[id] = { ...current, ...update };
    return { ...state, res };
  }

  private issue(state: State, kind: IssueKind, res: Resource, atIndex: number, extra: Partial<PathIssue> = {}): State {
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
    // Recorded now, not at the end of the path: a later merge may prune this path's state.
    this.issues.push(issue);
    return { ...state, issues: [...state.issues, issue] };
  }

  /** Resources an operation on `key` touches: that storage, and sub-ranges of it for a whole array. */
  private resourcesCovered(state: State, written: string | null | undefined): Resource[] {
    if (!written) return [];
    const key = state.moved.get(written) ?? written;
    const whole = baseKey(key) === key;
    return this.resources.filter(
      (r) => state.res[r.id] !== undefined && r.key !== null && (r.key === key || (whole && baseKey(r.key) === key)),
    );
  }

  private applyNode(node: CfgNode, input: State): State {
    let state = input;
    for (const op of node.ops) state = this.applyOp(node, op, state);
    if (node.syntax && (node.kind === 'stmt' || node.kind === 'cond' || node.kind === 'loop-head'))
      state = this.applyAssignments(node, state);
    return state;
  }

  private applyOp(node: CfgNode, op: Op, input: State): State {
    let state = input;
    const span = spanOf(op.node);
    switch (op.kind) {
      case 'acquire': {
        if (op.prefault || !op.pages) {
          // get_user_pages(…, NULL): faults the range in, takes nothing.
          const bound = op.result.variable
            ? this.bind(state, op.result.variable, { kind: 'opaque', id: this.opaque++ })
            : state;
          return this.event(bound, 'acquire', node, span, `${op.name}(…) — no pages argument, nothing taken`, { op })
            .state;
        }
        const r = this.resourceFor(op, node.id, state);
        const outcomes = initialOutcomes(op);
        const previous = state.res[r.id];
        if (previous) {
          // A second run of the same call (the next loop iteration): values computed from the
          // first result are not this result any more.
          const env = new Map(state.env);
          for (const [k, v] of env)
            if ((v.kind === 'result' || v.kind === 'held') && v.res === r.id)
              env.set(k, { kind: 'opaque', id: this.opaque++ });
          state = { ...state, env };
        }
        const carried =
          previous !== undefined &&
          previous.status !== 'released' &&
          (previous.carried || mayHold(r, previous.outcomes));
        // Another acquire into the very same storage: the pages tracked there before were
        // released (or are this path's leak, reported at the exit of that earlier path).
        const res = [...state.res];
        for (const other of this.resources)
          if (other !== r && other.key === r.key && res[other.id]?.status === 'released')
            res[other.id] = undefined as unknown as ResState;
        state = { ...state, res };
        state = this.setRes(state, r.id, {
          outcomes,
          status: 'held',
          changedAt: null,
          escapeHow: null,
          elementwise: false,
          decisive: null,
          carried,
          maybeReleased: false,
          checked: false,
          uncheckedReported: false,
        });
        state = this.event(
          state,
          'acquire',
          node,
          span,
          `${op.name}(${op.nr ? oneLine(op.nr.text, 30) : ''}${op.flagsArg ? `, ${oneLine(op.flagsArg.text, 40)}` : ''})`,
          { op, res: [r.id] },
        ).state;
        if (op.result.variable) state = this.bind(state, op.result.variable, { kind: 'result', res: r.id });
        if (op.heldCount) state = this.bind(state, op.heldCount, { kind: 'held', res: r.id });
        // `&page`: the page variable is non-NULL exactly when the acquire succeeded.
        if (op.pages.baseKind === 'local' && /^[A-Za-z_]\w*$/.test(op.pages.key) && op.api.returns !== 'page') {
          const pagesNode = op.pages.node;
          if (pagesNode.type === 'pointer_expression')
            state = this.bind(state, op.pages.key, { kind: 'pageof', res: r.id });
        }
        return state;
      }
      case 'release': {
        const targets = this.resourcesCovered(state, op.pages?.key);
        const { state: s1, index } = this.event(
          state,
          'release',
          node,
          span,
          `${op.name}(${oneLine(
            callArguments(op.node)
              .map((a) => a.text)
              .join(', ') || (op.bulk ? op.bulk.base.node.text : ''),
            50,
          )})${op.bulk ? ' (loop)' : ''}`,
          { op, res: targets.map((t) => t.id) },
        );
        state = s1;
        const elementwise = op.pages?.element === true && op.count.kind === 'one';
        for (const r of targets) {
          const rs = state.res[r.id] as ResState;
          const exact = r.key === (op.pages ? (state.moved.get(op.pages.key) ?? op.pages.key) : undefined);
          if (!exact && rs.status === 'released') continue; // a whole-array release after a sub-range one
          if (rs.status === 'released' && !elementwise && !rs.elementwise) {
            const earlier = rs.changedAt !== null ? (state.events[rs.changedAt] ?? null) : null;
            state = this.issue(state, 'double-release', r, index, { earlier });
          } else if (rs.status !== 'released' || !elementwise) {
            state = this.checkCount(state, r, op, index);
          }
          state = this.setRes(state, r.id, { status: 'released', changedAt: index, elementwise });
        }
        return state;
      }
      case 'use':
      case 'dirty':
      case 'extra-ref': {
        const targets = this.resourcesCovered(state, op.pages.key);
        const label =
          op.kind === 'use'
            ? `${op.use.name}(…) — ${op.use.kind === 'data' ? 'CPU access to the data' : op.use.kind === 'dma' ? 'handed to DMA' : 'handed to the block layer'}`
            : `${op.kind === 'dirty' ? op.dirty.name : op.name}(${oneLine(op.pages.node.text, 40)})`;
        const { state: s1, index } = this.event(state, op.kind, node, span, label, {
          op,
          res: targets.map((t) => t.id),
        });
        state = s1;
        for (const r of targets) {
          const rs = state.res[r.id] as ResState;
          if (rs.status === 'released' && !rs.elementwise && op.kind !== 'extra-ref') {
            const earlier = rs.changedAt !== null ? (state.events[rs.changedAt] ?? null) : null;
            state = this.issue(state, 'use-after-release', r, index, { earlier });
          } else if (rs.status === 'held' && op.kind === 'use' && op.use.kind !== 'data') {
            // sg_set_page(), bio_add_page(), skb_fill_page_desc(): the scatterlist, bio or skb
            // now holds the pages and releases them when the I/O completes.
            state = this.setRes(state, r.id, { status: 'escaped', changedAt: index, escapeHow: 'handed-off' });
          }
        }
        return state;
      }
      case 'dma':
        return this.applyDma(node, op, state, span);
      case 'dma-use': {
        const targets = this.dmaResources(state, op.key);
        if (targets.length === 0) return state;
        // A helper that checks the mapping is also a function it is passed to: it may keep it
        // (iwlwifi's set_tb_with_wa() checks and stores into the TFD).
        if (op.how === 'check') for (const r of targets) state = this.setRes(state, r.id, { checked: true });
        const how = op.how === 'check' ? 'call' : op.how;
        const label =
          op.how === 'check'
            ? `DMA handle checked by ${op.callee ?? 'a helper'}()`
            : how === 'call'
              ? `DMA handle passed to ${op.callee ?? 'a function'}()`
              : how === 'store'
                ? 'DMA handle stored'
                : how === 'return'
                  ? 'DMA handle returned'
                  : 'DMA handle used';
        // Stored, returned or passed on: ownership may have left (a call's is settled at the
        // return — see finishPath).
        const leaves = (): boolean => how !== 'use';
        // An `escape` event when ownership leaves here (the simulation hands the mapping over), a `use` otherwise.
        const kind = leaves() && targets.some((r) => state.res[r.id]?.status === 'held') ? 'escape' : 'use';
        const { state: s1, index } = this.event(state, kind, node, span, label, { op, res: targets.map((t) => t.id) });
        state = s1;
        for (const r of targets) {
          const rs = state.res[r.id] as ResState;
          if (rs.status !== 'held' && rs.status !== 'escaped') continue;
          // kfree() of coherent memory, on a path where it is coherent memory (`if (hl) buf =
          // kmalloc(...); else buf = dma_alloc_coherent(...);` frees each its own way).
          if (
            op.how === 'call' &&
            isWrongFreeForCoherent(op.callee ?? '') &&
            r.op.kind === 'dma' &&
            r.op.api.role === 'alloc' &&
            r.op.api.type !== 'pool' &&
            r.key === op.key &&
            mayHold(r, rs.outcomes)
          ) {
            state = this.issue(state, 'wrong-free', r, index);
            state = this.setRes(state, r.id, { status: 'released', changedAt: index });
            continue;
          }
          // Returned: the caller checks it (or not — its own finding).
          if (
            how !== 'return' &&
            !rs.checked &&
            !rs.uncheckedReported &&
            r.op.kind === 'dma' &&
            r.op.api.returns === 'handle' &&
            rs.outcomes.includes('zero')
          ) {
            state = this.issue(state, 'dma-unchecked', r, index);
            state = this.setRes(state, r.id, { uncheckedReported: true });
          }
          if (leaves() && (state.res[r.id] as ResState).status === 'held')
            state = this.setRes(state, r.id, { status: 'escaped', changedAt: index, escapeHow: how });
        }
        return state;
      }
      case 'escape': {
        const targets = this.resourcesCovered(state, op.pages.key);
        if (targets.length === 0) return state;
        const how =
          op.how === 'call'
            ? `passed to ${op.callee ?? 'a function'}()`
            : op.how === 'return'
              ? 'returned'
              : `stored in ${op.target ? oneLine(op.target.node.text, 40) : op.how}`;
        const { state: s1, index } = this.event(state, 'escape', node, span, how, {
          op,
          res: targets.map((t) => t.id),
        });
        state = s1;
        for (const r of targets) {
          const rs = state.res[r.id] as ResState;
          if (rs.status === 'held')
            state = this.setRes(state, r.id, { status: 'escaped', changedAt: index, escapeHow: op.how });
        }
        return state;
      }
    }
  }

  private dmaResources(state: State, key: string | null): Resource[] {
    if (!key) return [];
    // A coherent or pool allocation is known by its CPU address and by its `&dma` handle; a
    // table by `sgt` and by `sgt->sgl`.
    const sg = sgTableKey(key);
    return this.resources.filter(
      (r) =>
        r.op.kind === 'dma' &&
        (r.key === key || r.op.handleOut === key || (r.key !== null && sgTableKey(r.key) === sg)) &&
        state.res[r.id] !== undefined &&
        state.res[r.id]?.detached !== true,
    );
  }

  /** Remembers that `op` (an unmap, free or sync) met these maps (maybe none) on a path. */
  private pair(op: DmaOp, targets: readonly Resource[]): void {
    // Reached with nothing to pair is recorded too: the rules then know no map reaches it.
    let set = this.dmaPairs.get(op);
    if (!set) this.dmaPairs.set(op, (set = new Set()));
    for (const t of targets) if (t.op.kind === 'dma') set.add(t.op);
  }

  /** A DMA API call: maps and allocations create resources, unmaps and frees release them. */
  private applyDma(node: CfgNode, op: DmaOp, input: State, span: Span): State {
    let state = input;
    const api = op.api;
    const label = `${op.name}(${oneLine(op.args.map((a) => a.text).join(', '), 60)})`;
    if ((api.role === 'map' || api.role === 'alloc' || api.role === 'pool-create') && !api.managed) {
      if (op.key === null) return this.event(state, 'acquire', node, span, `${label} — result not kept`, { op }).state;
      const r = this.resourceFor(op, node.id, state);
      // `mapping = dma_map_single(...)` again (another call site): the old mapping is no longer `mapping`.
      for (const other of this.dmaResources(state, op.key))
        if (other !== r) state = this.setRes(state, other.id, { detached: true });
      state = this.setRes(state, r.id, {
        outcomes: initialOutcomes(op),
        status: 'held',
        changedAt: null,
        escapeHow: null,
        elementwise: false,
        decisive: null,
        carried: false,
        maybeReleased: false,
        checked: false,
        uncheckedReported: false,
        detached: false,
      });
      state = this.event(state, 'acquire', node, span, label, { op, res: [r.id] }).state;
      // `n = dma_map_sg(...)`, `obj->dma = dma_map_single(...)`, `*out = ...`: later tests of
      // that place decide the outcome.
      if (op.resultKey) state = this.bind(state, op.resultKey, { kind: 'result', res: r.id });
      return state;
    }
    if (api.role === 'sync') {
      const targets = this.dmaResources(state, op.key);
      this.pair(
        op,
        targets.filter((r) => state.res[r.id]?.status !== 'released'),
      );
      return this.event(state, 'use', node, span, label, { op, res: targets.map((t) => t.id) }).state;
    }
    if (api.role === 'unmap' || api.role === 'free' || api.role === 'pool-destroy') {
      const targets = this.dmaResources(state, op.key);
      this.pair(
        op,
        targets.filter((r) => state.res[r.id]?.status !== 'released'),
      );
      const { state: s1, index } = this.event(state, 'release', node, span, label, {
        op,
        res: targets.map((t) => t.id),
      });
      state = s1;
      for (const r of targets) {
        const rs = state.res[r.id] as ResState;
        if (rs.status === 'released') {
          const earlier = rs.changedAt !== null ? (state.events[rs.changedAt] ?? null) : null;
          state = this.issue(state, 'double-release', r, index, { earlier });
        } else if (
          api.role === 'unmap' &&
          r.op.kind === 'dma' &&
          r.op.api.returns === 'handle' &&
          !rs.checked &&
          !rs.uncheckedReported &&
          rs.outcomes.includes('zero')
        ) {
          // dma-debug: "device driver failed to check map error" at unmap time.
          state = this.issue(state, 'dma-unchecked', r, index);
          state = this.setRes(state, r.id, { uncheckedReported: true });
        }
        state = this.setRes(state, r.id, { status: 'released', changedAt: index });
      }
      if (api.role === 'pool-destroy') {
        for (const r of this.resources) {
          const rs = state.res[r.id];
          if (!rs || r.op.kind !== 'dma' || r.op.pool !== op.key || !mayHold(r, rs.outcomes)) continue;
          // Still allocated: held, or only lent to a function while this one frees it itself later.
          const lent =
            rs.status === 'escaped' &&
            rs.escapeHow === 'call' &&
            rs.changedAt !== null &&
            this.dmaReleasedAfter(r, state.events[rs.changedAt]?.span.start ?? Infinity);
          if (rs.status !== 'held' && !lent) continue;
          // Kept in a struct or a list (freed through it), or freed by a loop this path skipped.
          if (r.nonLocal || this.skippedConsumer(r, state)) continue;
          state = this.issue(state, 'pool-leak', r, index);
          // Reported once, here: the busy pool page goes with the destroyed pool.
          state = this.setRes(state, r.id, { status: 'escaped', changedAt: index, escapeHow: 'pool-destroyed' });
        }
      }
      return state;
    }
    if (api.role === 'check') {
      const targets = this.dmaResources(state, op.key);
      for (const r of targets) state = this.setRes(state, r.id, { checked: true });
      return this.event(state, 'use', node, span, label, { op, res: targets.map((t) => t.id) }).state;
    }
    return state;
  }

  /** Compares a release's count with what the path holds. */
  private checkCount(state: State, r: Resource, op: Extract<Op, { kind: 'release' }>, index: number): State {
    if (op.count.kind !== 'expr') return state;
    const rs = state.res[r.id] as ResState;
    const ctx = this.valueContext(state);
    const count = evaluate(op.count.node, ctx);
    const countText = oneLine(op.count.node.text, 40);
    if (r.op.kind !== 'acquire') return state;
    if (r.op.heldCount) {
      // An in-file helper reported its count through a variable: release exactly that.
      if (count.kind === 'held' && count.res === r.id) return state;
      if (this.countCorrectedElsewhere(op.count.node, r.op.heldCount)) {
        return this.issue(state, 'count-mismatch', r, index, { countText });
      }
      return state;
    }
    if (count.kind === 'result' && count.res === r.id) {
      if (rs.outcomes.length > 0 && rs.outcomes.every((o) => o === 'neg'))
        return this.issue(state, 'negative-count', r, index, { countText });
      return state;
    }
    const isNr =
      r.nrSym !== null &&
      (symKey(count) === symKey(r.nrSym) ||
        (op.count.node &&
          r.op.nr &&
          canonical(op.count.node) === canonical(r.op.nr) &&
          !state.env.has(canonical(r.op.nr))));
    if (isNr && !rs.outcomes.includes('full') && !r.op.single)
      return this.issue(state, 'count-mismatch', r, index, { countText });
    return state;
  }

  /** `count = held;` somewhere in the function: the code knows the two differ. */
  private countCorrectedElsewhere(countNode: SyntaxNode, heldVar: string): boolean {
    const name = identifierName(countNode);
    if (!name) return false;
    const body = this.fn.info.body.text;
    return new RegExp(`\\b${name}\\s*=\\s*${heldVar}\\s*;`).test(body);
  }

  private bind(state: State, name: string, value: Sym): State {
    const env = new Map(state.env);
    env.set(name, value);
    return { ...state, env };
  }

  /**
   * The assignments and `i++`-style updates of a statement, found once per CFG node: a node is
   * visited on every path through it, and walking its syntax each time dominated DMA-heavy files.
   */
  private effectsOf(node: CfgNode): StatementEffects {
    const cached = this.effects.get(node);
    if (cached) return cached;
    const syntax = node.syntax as SyntaxNode;
    const assignments: AssignmentEffect[] = [];
    const updates: string[] = [];
    const visit = (n: SyntaxNode): void => {
      if (n.type === 'assignment_expression' || n.type === 'init_declarator') {
        const effect = assignmentEffect(n, this.resources);
        if (effect) assignments.push(effect);
      } else if (n.type === 'update_expression') {
        const name = identifierName(n.childForFieldName('argument'));
        if (name) updates.push(name);
      }
      for (const c of n.namedChildren) {
        if (c.type === 'compound_statement' && n.type !== 'parenthesized_expression') continue;
        visit(c);
      }
    };
    visit(syntax);
    const effects = { assignments, updates };
    this.effects.set(node, effects);
    return effects;
  }

  /** Assignments in a statement that are not GUP results (those were bound by the acquire). */
  private applyAssignments(node: CfgNode, input: State): State {
    let state = input;
    const { assignments, updates } = this.effectsOf(node);
    for (const a of assignments) {
      state = this.movePointer(state, a.name, a.right, a.op);
      state = this.forget(state, a.name);
      state = this.detachKeysOf(state, a.name, node);
      if (a.boundByAcquire) continue;
      const ctx = this.valueContext(state);
      if (a.op === '=') {
        state = this.bind(state, a.name, evaluate(a.right, ctx));
      } else if (a.op === '+=') {
        const before = state.env.get(a.name);
        const added = evaluate(a.right, ctx);
        // `pinned = 0; pinned += ret;` is ret.
        state = this.bind(state, a.name, before?.kind === 'const' && before.value === 0 ? added : ctx.fresh());
      } else {
        state = this.bind(state, a.name, ctx.fresh());
      }
    }
    // `i++`, `nr--`: the variable changes.
    for (const name of updates) {
      if (state.env.has(name)) state = this.bind(state, name, { kind: 'opaque', id: this.opaque++ });
      state = this.forget(state, name);
      state = this.detachKeysOf(state, name, node);
    }
    return state;
  }

  /**
   * `name` was assigned at `node`: a DMA key that goes through it (`slot->dma` after `slot = …`,
   * `ring[i].dma` after `i++`, `h` after `h = …`) names something else now. Keys made by this
   * statement's own map are kept; a field store (`p->next = 0`) leaves `p->dma` alone.
   */
  private detachKeysOf(state: State, name: string, node: CfgNode): State {
    const throughIndex = /^[A-Za-z_]\w*$/.test(name) ? new RegExp(`\\[[^\\]]*\\b${name}\\b[^\\]]*\\]`) : null;
    const goesThrough = (key: string | null): boolean =>
      key !== null &&
      (key === name ||
        key.startsWith(`${name}->`) ||
        key.startsWith(`${name}.`) ||
        key.startsWith(`${name}[`) ||
        (throughIndex?.test(key) ?? false));
    let out = state;
    for (const r of this.resources) {
      const rs = out.res[r.id];
      if (r.op.kind !== 'dma' || !rs || rs.detached || r.nodeId === node.id) continue;
      if (goesThrough(r.key) || goesThrough(r.op.handleOut)) out = this.setRes(out, r.id, { detached: true });
    }
    return out;
  }

  /** Drops remembered conditions that mention `name` (it was just assigned). */
  private forget(state: State, name: string): State {
    if (state.facts.size === 0) return state;
    // `x = …` forgets every fact about x (and x->…); `obj->a.b = …` only those that read
    // obj->a.b (or something inside it): `obj->count = 0` says nothing new about `obj->type`.
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const mentions = /^[A-Za-z_]\w*$/.test(name)
      ? new RegExp(`\\b${escaped}\\b`)
      : new RegExp(`(^|[^\\w>.])${escaped}(?![\\w])`);
    let facts: Map<string, boolean> | null = null;
    for (const key of state.facts.keys()) {
      if (mentions.test(key)) {
        facts ??= new Map(state.facts);
        facts.delete(key);
      }
    }
    return facts ? { ...state, facts } : state;
  }

  /** `page = wpage;` between two page variables: later operations on `page` touch wpage's pages. */
  private movePointer(state: State, name: string, right: SyntaxNode, op: string | undefined): State {
    const local = this.fn.info.locals.get(name);
    if (!local || local.pointerDepth !== 1 || !/\b(page|folio)\b/.test(local.typeText)) return state;
    const source = identifierName(right);
    const sourceKey = source ? (state.moved.get(source) ?? source) : null;
    const holds =
      op === '=' &&
      sourceKey !== null &&
      this.resources.some((r) => r.key === sourceKey && state.res[r.id] !== undefined);
    if (!holds && !state.moved.has(name)) return state;
    const moved = new Map(state.moved);
    if (holds) moved.set(name, sourceKey as string);
    else moved.delete(name);
    return { ...state, moved };
  }

  private inLocalObject(r: Resource, rs: ResState, state: State): boolean {
    const targets: string[] = [];
    if (r.op.kind === 'acquire' && r.op.pages?.baseKind === 'field') targets.push(r.op.pages.key);
    if (r.op.kind === 'dma' && r.nonLocal && r.key) targets.push(r.key);
    if (rs.status === 'escaped' && rs.changedAt !== null) {
      const e = state.events[rs.changedAt];
      if (e?.op?.kind === 'escape' && e.op.target) targets.push(e.op.target.key);
      if (rs.escapeHow === 'handed-off') return true; // a bio/sg/skb built here owns them now
    }
    return (
      targets.length > 0 &&
      targets.every((key) => {
        const base = /^([A-Za-z_]\w*)/.exec(key)?.[1];
        return base !== undefined && this.fn.info.locals.has(base);
      })
    );
  }

  private returnStatus(value: SyntaxNode | null | undefined, state: State): ReturnStatus {
    if (!value) return 'void';
    const u = unwrap(value);
    if (u.type === 'conditional_expression') return this.conditionalStatus(u, state);
    const v = evaluate(value, this.valueContext(state));
    switch (v.kind) {
      case 'neg':
        return 'error';
      case 'const':
        if (v.value < 0) return 'error';
        if (v.value === 0 && this.returnsPointer) return 'error';
        return 'success';
      case 'result': {
        const outcomes = state.res[v.res]?.outcomes ?? [];
        if (outcomes.length > 0 && outcomes.every((o) => o === 'neg')) return 'error';
        if (outcomes.length > 0 && outcomes.every((o) => o === 'partial' || o === 'full')) return 'success';
        return 'unknown';
      }
      default:
        return 'unknown';
    }
  }

  /**
   * `if (ret) return ret;`, `if (ret < 0) … return ret;`: an int the path tested non-zero or
   * negative, which by the kernel's convention is an error even though its value is unknown.
   */
  private testedAsError(value: SyntaxNode | null | undefined, state: State): boolean {
    const name = value ? identifierName(value) : null;
    return (
      name !== null &&
      !this.returnsPointer &&
      (state.facts.get(name) === true ||
        state.facts.get(`${name}<0`) === true ||
        state.facts.get(`${name}!=0`) === true)
    );
  }

  /**
   * `return pinned < 0 ? pinned : -EFAULT;` and `return ret ? : -EFAULT;`: the status under each
   * outcome the path still allows; one status when they all agree.
   */
  private conditionalStatus(node: SyntaxNode, state: State): ReturnStatus {
    const condition = node.childForFieldName('condition');
    const consequence = node.childForFieldName('consequence');
    const alternative = node.childForFieldName('alternative');
    if (!condition || !alternative) return 'unknown';
    const ctx = this.valueContext(state);
    const ids = [...resourcesIn(condition, ctx)].filter((id) => (state.res[id]?.outcomes.length ?? 0) > 0);
    const armStatus = (arm: SyntaxNode, outcome: Map<number, Outcome>): ReturnStatus => {
      const v = evaluate(arm, ctx);
      if (v.kind === 'neg' || (v.kind === 'const' && v.value < 0)) return 'error';
      if (v.kind === 'result') {
        const o = outcome.get(v.res);
        if (o === 'neg') return 'error';
        if (o === 'partial' || o === 'full') return 'success';
      }
      if (v.kind === 'const') return v.value === 0 && this.returnsPointer ? 'error' : 'success';
      return 'unknown';
    };
    const statuses = new Set<ReturnStatus>();
    const outcomes =
      ids.length === 1
        ? (state.res[ids[0] as number] as ResState).outcomes.map((o) => new Map([[ids[0] as number, o]]))
        : [new Map<number, Outcome>()];
    for (const o of outcomes) {
      const t = truth(condition, ctx, o);
      // `a ? : b` yields the condition itself when it is true.
      const whenTrue = consequence ?? condition;
      if (t === true || t === 'unknown') statuses.add(armStatus(whenTrue, o));
      if (t === false || t === 'unknown') statuses.add(armStatus(alternative, o));
    }
    return statuses.size === 1 ? ([...statuses][0] as ReturnStatus) : 'unknown';
  }

  private applyReturn(node: CfgNode, input: State): State {
    const status = this.returnStatus(node.returnValue, input);
    const text = node.returnValue ? oneLine(node.returnValue.text, 40) : '';
    const errorLike = status === 'unknown' && this.testedAsError(node.returnValue, input);
    return this.event(input, 'return', node, spanOf(node.syntax as SyntaxNode), `return${text ? ` ${text}` : ''}`, {
      returnStatus: status,
      returnText: text,
      ...(errorLike ? { errorByConvention: true } : {}),
    }).state;
  }

  private finishPath(input: State): void {
    let state = input;
    const last = state.events[state.events.length - 1];
    let status: ReturnStatus = last?.kind === 'return' ? (last.returnStatus ?? 'unknown') : 'void';
    if (last?.kind !== 'return') {
      // Fell off the end of the function.
      const body = this.fn.info.body;
      const end = { start: Math.max(body.endIndex - 1, body.startIndex), end: body.endIndex };
      state = {
        ...state,
        events: [
          ...state.events,
          { kind: 'return', nodeId: this.cfg.exit, span: end, label: 'end of function', returnStatus: 'void' },
        ],
      };
      status = 'void';
    }
    const exitIndex = state.events.length - 1;
    for (const r of this.resources) {
      const rs = state.res[r.id];
      if (!rs || rs.status === 'released' || rs.maybeReleased) continue;
      if (!rs.carried && !mayHold(r, rs.outcomes)) continue;
      // iov_iter_extract_pages() pins only user-backed iterators: without a release anywhere in
      // the function the code is not handling pins at all (kernel iterators), so say nothing.
      if (r.op.kind === 'acquire' && r.op.api.conditionalPin && !this.releasesKey(r.key)) continue;
      const ownedElsewhere = rs.status === 'escaped' || r.nonLocal;
      if (ownedElsewhere && status !== 'error' && r.op.kind !== 'dma') continue;
      // A DMA mapping or allocation whose handle left the function (a struct, a descriptor, a
      // helper, the caller) is freed by whoever owns it now — often the remove or completion
      // path — on error returns too: the rule stays silent (issue 6, "Bad input").
      if (
        ownedElsewhere &&
        r.op.kind === 'dma' &&
        !this.dmaCallKept(r, rs, state, status === 'error' || last?.errorByConvention === true)
      )
        continue;
      // The mapping leaks only because a loop that would have handed it on ran zero times
      // (`for (i = 0; i < n; i++) ring[i].dma = dma + i * sz;` with n unknown): not a finding.
      if (r.op.kind === 'dma' && this.skippedConsumer(r, state)) continue;
      // On an error return, pages stored in (or pinned straight into) an object this function
      // created itself go with that object: its own release path (kref_put(), a destroy
      // helper) drops them. The convention binds objects the caller owns.
      if (status === 'error' && this.inLocalObject(r, rs, state)) continue;
      state = this.issue(state, 'leak', r, exitIndex, { returnStatus: status });
    }
    if (this.paths.length < this.budget.maxPaths) {
      this.paths.push({
        events: state.events,
        resources: this.resources
          .filter((r) => state.res[r.id])
          .map((r) => ({
            res: r,
            outcomes: (state.res[r.id] as ResState).outcomes,
            status: (state.res[r.id] as ResState).status,
          })),
        returnStatus: status,
        issues: state.issues,
      });
    }
  }

  private loopBodies: Map<number, ReadonlySet<string>> | null = null;
  private nodeNames: readonly ReadonlySet<string>[] | null = null;

  /** The words of each CFG node's syntax, read once for liveness and for skipped loops. */
  private namesAt(): readonly ReadonlySet<string>[] {
    this.nodeNames ??= this.cfg.nodes.map(
      (node) => new Set(node.syntax ? Array.from(node.syntax.text.matchAll(NAME), (m) => m[0]) : []),
    );
    return this.nodeNames;
  }

  /** Whether a loop this path skipped mentions the resource's key in its body. */
  private skippedConsumer(r: Resource, state: State): boolean {
    if (state.skippedLoops.size === 0 || r.op.kind !== 'dma') return false;
    this.loopBodies ??= loopBodyNames(this.cfg, this.namesAt());
    const names = [r.key, r.op.handleOut]
      .map((k) => (k ? ROOT_NAME.exec(k)?.[0] : undefined))
      .filter((n): n is string => n !== undefined);
    for (const id of state.skippedLoops) {
      const body = this.loopBodies.get(id);
      if (body && names.some((n) => body.has(n))) return true;
    }
    return false;
  }

  private successors(node: CfgNode, state: State): State[] {
    const out: State[] = [];
    for (const edge of node.succs) {
      if (edge.enter && state.exitOnly.has(node.id)) continue;
      let next: State = state;
      if (edge.back) {
        const key = `${node.id}>${edge.to}`;
        if (state.back.has(key)) continue;
        const back = new Set(state.back);
        back.add(key);
        const exitOnly = new Set(state.exitOnly);
        const target = this.cfg.nodes[edge.to] as CfgNode;
        if (target.kind === 'loop-head') exitOnly.add(target.id);
        next = { ...next, back, exitOnly };
      }
      if (
        node.kind === 'loop-head' &&
        !edge.enter &&
        !edge.back &&
        !state.exitOnly.has(node.id) &&
        !next.skippedLoops.has(node.id)
      ) {
        next = { ...next, skippedLoops: new Set([...next.skippedLoops, node.id]) };
      }
      if (edge.cond) {
        const split = this.branch(edge, next);
        for (const s of split) out.push({ ...s, node: edge.to });
        continue;
      }
      out.push({ ...next, node: edge.to });
    }
    return out;
  }

  /** Follows a conditional edge: infeasible → nothing; otherwise the state with outcomes narrowed. */
  /**
   * Follows a conditional edge and remembers what it decided: the condition, and through `!`,
   * `&&` taken true and `||` taken false, each of its parts. A part the path already decided the
   * other way makes the edge infeasible. Facts are added after the edge is evaluated, so the
   * outcome narrowing below still sees the condition as open.
   */
  private branch(edge: CfgEdge, input: State): State[] {
    const cond = edge.cond as { expr: SyntaxNode; value: boolean };
    const learned = new Map<string, boolean>();
    if (!learnFacts(this.exprs.of(cond.expr), cond.value, input.facts, learned)) return [];
    const out = this.branchOn(edge, input);
    if (learned.size === 0) return out;
    return out.map((s) => ({ ...s, facts: new Map([...s.facts, ...learned]) }));
  }

  private branchOn(edge: CfgEdge, input: State): State[] {
    const cond = edge.cond as { expr: SyntaxNode; value: boolean };
    const state = input;
    const ctx = this.valueContext(state);
    const involved = [...resourcesIn(cond.expr, ctx)].filter((id) => (state.res[id]?.outcomes.length ?? 0) > 0);
    const label = `${oneLine(cond.expr.text, 60)}: ${cond.value}`;
    const node = this.cfg.nodes[this.nodeOfEdge(edge)] as CfgNode;
    if (involved.length !== 1) {
      const t = truth(cond.expr, ctx, new Map());
      if (t !== 'unknown' && t !== cond.value) return [];
      let { state: s } = this.event(state, 'branch', node, spanOf(cond.expr), label, {
        branch: { text: oneLine(cond.expr.text, 60), value: cond.value },
      });
      s = this.refineNulls(s, cond.expr, cond.value);
      if (t === 'unknown') s = this.skippedReleases(s, edge);
      if (!cond.value && /\biov_iter_extract_will_pin\s*\(/.test(cond.expr.text)) {
        // Not a user-backed iterator: iov_iter_extract_pages() took no pins.
        for (const r of this.resources)
          if (r.op.kind === 'acquire' && r.op.api.conditionalPin && s.res[r.id])
            s = this.setRes(s, r.id, { outcomes: ['zero'] });
      }
      return [s];
    }
    const id = involved[0] as number;
    const rs = state.res[id] as ResState;
    let uncertain = false;
    // `if (a && gup(...))` taken false: either `a` was false and the call never ran, or the call
    // failed — in both cases no pages. Decide on the call's operand alone.
    const decider = shortCircuitOperand(cond.expr, cond.value, (e) => resourcesIn(e, ctx).has(id));
    let kept: Outcome[];
    if (decider) {
      // Outcomes under which the call's operand is true did not happen on this edge: `a` was
      // false and the call never ran, which holds no pages either.
      kept = rs.outcomes.filter((o) => truth(decider, ctx, new Map([[id, o]])) !== true);
      if (kept.length === 0) kept = ['zero'];
    } else {
      kept = rs.outcomes.filter((o) => {
        const t = truth(cond.expr, ctx, new Map([[id, o]]));
        if (t === 'unknown') uncertain = true;
        return t === 'unknown' || t === cond.value;
      });
    }
    if (kept.length === 0) return [];
    const { state: s, index } = this.event(state, 'branch', node, spanOf(cond.expr), label, {
      branch: { text: oneLine(cond.expr.text, 60), value: cond.value },
      res: [id],
    });
    const narrowed = kept.length < rs.outcomes.length;
    let out = this.setRes(s, id, { outcomes: kept, ...(narrowed ? { decisive: index } : {}) });
    if (uncertain) out = this.skippedReleases(out, edge);
    return [out];
  }

  /** `if (x)`, `if (!x)`, `x == NULL`: what the branch says about the pointer x. */
  private refineNulls(state: State, expr: SyntaxNode, value: boolean): State {
    let e = unwrap(expr);
    let positive = value;
    while (e.type === 'unary_expression' && e.child(0)?.type === '!') {
      positive = !positive;
      const arg = e.childForFieldName('argument');
      if (!arg) return state;
      e = unwrap(arg);
    }
    if (e.type === 'binary_expression') {
      const op = e.childForFieldName('operator')?.type;
      const right = e.childForFieldName('right');
      const left = e.childForFieldName('left');
      if ((op === '==' || op === '!=') && right && left && (right.text === 'NULL' || right.text === '0')) {
        positive = op === '!=' ? positive : !positive;
        e = unwrap(left);
      } else return state;
    }
    if (e.type !== 'identifier' && e.type !== 'field_expression') return state;
    const name = e.type === 'identifier' ? e.text : canonical(e);
    const current = state.env.get(name);
    if (current && current.kind !== 'opaque' && current.kind !== 'var' && current.kind !== 'nonnull') return state;
    return this.bind(state, name, positive ? { kind: 'nonnull' } : { kind: 'const', value: 0 });
  }

  private readonly armReleases = new Map<CfgEdge, Set<string>>();

  /** Keys released inside the arm of an `if` the path did not take. */
  private skippedReleases(state: State, edge: CfgEdge): State {
    let keys = this.armReleases.get(edge);
    if (!keys) {
      keys = new Set<string>();
      const cond = edge.cond as { expr: SyntaxNode; value: boolean };
      let stmt: SyntaxNode | null = cond.expr;
      while (
        stmt &&
        stmt.type !== 'if_statement' &&
        stmt.type !== 'while_statement' &&
        stmt.type !== 'for_statement' &&
        stmt.type !== 'do_statement'
      )
        stmt = stmt.parent;
      // The part of the code this edge steps around: the other arm of an `if`, or the body of a
      // loop it leaves (a loop releasing `pages[i]` for i < n, left when n is 0).
      const arm =
        stmt?.type === 'if_statement'
          ? cond.value
            ? stmt.childForFieldName('alternative')
            : stmt.childForFieldName('consequence')
          : stmt && !cond.value
            ? stmt.childForFieldName('body')
            : null;
      if (arm) {
        for (const n of this.cfg.nodes) {
          if (!n.syntax || n.syntax.startIndex < arm.startIndex || n.syntax.endIndex > arm.endIndex) continue;
          for (const op of n.ops) {
            if (op.kind === 'release' && op.pages) keys.add(op.pages.key);
            if (op.kind === 'escape' && op.how !== 'call') keys.add(op.pages.key);
            if (op.kind === 'use' && op.use.kind !== 'data') keys.add(op.pages.key);
          }
        }
      }
      this.armReleases.set(edge, keys);
    }
    let out = state;
    for (const key of keys) {
      for (const r of this.resourcesCovered(out, key)) {
        if ((out.res[r.id] as ResState).status === 'held') out = this.setRes(out, r.id, { maybeReleased: true });
      }
    }
    return out;
  }

  private releaseKeys: Set<string> | null = null;

  /** Whether the function releases `key` anywhere. */
  /**
   * A mapping passed to a function (not stored, not returned) on a path that ends in an error:
   * still this function's to undo when it unmaps it itself further on — the callee only used it
   * (`if (start(dev, addr)) return -EIO; … dma_unmap_single(dev, addr, …)`). On a success return
   * the callee is taken to own it (a descriptor, a request).
   */
  private dmaCallKept(r: Resource, rs: ResState, state: State, failing: boolean): boolean {
    if (!failing || r.nonLocal || rs.status !== 'escaped' || rs.escapeHow !== 'call' || rs.changedAt === null)
      return false;
    const at = state.events[rs.changedAt];
    return at !== undefined && this.dmaReleasedAfter(r, at.span.start);
  }

  /** Whether the function unmaps or frees `r` (by its key or `&dma` handle) somewhere after `offset`. */
  private dmaReleasedAfter(r: Resource, offset: number): boolean {
    if (r.op.kind !== 'dma') return false;
    let last = this.lastDmaRelease.get(r.id);
    if (last === undefined) {
      // The last unmap or free of this resource's key or handle in the function (once per resource).
      const keys = [r.key, r.op.handleOut].filter((k): k is string => k !== null);
      last = -1;
      for (const n of this.cfg.nodes) {
        for (const op of n.ops) {
          if (
            op.kind === 'dma' &&
            (op.api.role === 'unmap' || op.api.role === 'free') &&
            op.key !== null &&
            keys.includes(op.key)
          )
            last = Math.max(last, op.node.startIndex);
        }
      }
      this.lastDmaRelease.set(r.id, last);
    }
    return last > offset;
  }

  private readonly lastDmaRelease = new Map<number, number>();

  private releasesKey(key: string | null): boolean {
    if (!key) return false;
    if (!this.releaseKeys) {
      this.releaseKeys = new Set();
      for (const n of this.cfg.nodes)
        for (const op of n.ops) if (op.kind === 'release' && op.pages) this.releaseKeys.add(baseKey(op.pages.key));
    }
    return this.releaseKeys.has(baseKey(key));
  }

  private readonly edgeSource = new Map<CfgEdge, number>();

  private nodeOfEdge(edge: CfgEdge): number {
    if (this.edgeSource.size === 0)
      for (const n of this.cfg.nodes) for (const e of n.succs) this.edgeSource.set(e, n.id);
    return this.edgeSource.get(edge) ?? this.cfg.entry;
  }
}

/** A condition worth remembering: no calls (other than likely/unlikely), leading `!`s folded. */
/** Adds what taking `e` as `value` decides to `into`; false when it contradicts `known`. */
function learnFacts(e: Expr, value: boolean, known: ReadonlyMap<string, boolean>, into: Map<string, boolean>): boolean {
  if (e.k === 'not') return learnFacts(e.arg, !value, known, into) && record();
  if (e.k === 'call' && FACT_WRAPPERS.has(e.fn) && e.args[0])
    return learnFacts(e.args[0], value, known, into) && record();
  if (e.k === 'binary' && ((e.op === '&&' && value) || (e.op === '||' && !value))) {
    if (!learnFacts(e.left, value, known, into) || !learnFacts(e.right, value, known, into)) return false;
  }
  return record();

  function record(): boolean {
    if (e.fact === null) return true;
    const before = known.get(e.fact) ?? into.get(e.fact);
    if (before !== undefined) return before === value;
    into.set(e.fact, value);
    return true;
  }
}

/**
 * For `A && C` on its false edge (and `A || C` on its true edge) where only C mentions the
 * resource: the operand that decides whether the resource's call ran and succeeded.
 */
function shortCircuitOperand(
  expr: SyntaxNode,
  value: boolean,
  mentions: (e: SyntaxNode) => boolean,
): SyntaxNode | null {
  const e = unwrap(expr);
  if (e.type !== 'binary_expression') return null;
  const op = e.childForFieldName('operator')?.type;
  const left = e.childForFieldName('left');
  const right = e.childForFieldName('right');
  if (!left || !right || mentions(left) || !mentions(right)) return null;
  if (op === '&&' && value === false) return right;
  return null;
}

export function enumeratePaths(fn: FunctionAnalysis, budget: PathBudget = DEFAULT_BUDGET): FunctionPaths {
  return new Enumerator(fn, budget).run();
}

interface AssignmentEffect {
  /** The variable or canonical field assigned. */
  readonly name: string;
  readonly right: SyntaxNode;
  /** `=`, `+=`, … (`=` for an initializer). */
  readonly op: string | undefined;
  /** The right side is an acquire or DMA call the engine tracks: its value was bound there. */
  readonly boundByAcquire: boolean;
}

interface StatementEffects {
  readonly assignments: readonly AssignmentEffect[];
  /** Variables changed by `++`/`--`. */
  readonly updates: readonly string[];
}

function assignmentEffect(a: SyntaxNode, resources: readonly Resource[]): AssignmentEffect | null {
  const declaration = a.type === 'init_declarator';
  const left = declaration ? a.childForFieldName('declarator') : a.childForFieldName('left');
  const right = a.childForFieldName(declaration ? 'value' : 'right');
  if (!left || !right) return null;
  const name =
    left.type === 'identifier' ? left.text : unwrap(left).type === 'field_expression' ? canonical(left) : null;
  if (!name) return null;
  const rightCall = unwrap(right);
  const boundByAcquire = rightCall.type === 'call_expression' && resources.some((r) => r.op.node.id === rightCall.id);
  return { name, right, op: declaration ? '=' : a.childForFieldName('operator')?.type, boundByAcquire };
}

const ROOT_NAME = /[A-Za-z_]\w*/;

/** Distinct states at one CFG node before states differing only in variables are merged. */
const WIDEN_AT = 16;
const NAME = /[A-Za-z_]\w*/g;

/**
 * Names (identifiers, as words of the source; `#id` for loop heads) mentioned at each node or anywhere after it, by a
 * backward fixed point over the CFG. Over-approximates liveness (no kills), which is safe: a
 * name kept alive only keeps states apart.
 */
function reachableMentions(cfg: Cfg, namesAt: readonly ReadonlySet<string>[]): ReadonlySet<string>[] {
  const live = cfg.nodes.map((node) => {
    const names = new Set(namesAt[node.id]);
    for (const e of node.succs) if (e.cond) for (const m of e.cond.expr.text.matchAll(NAME)) names.add(m[0]);
    // A loop head "mentions" itself, so the heads a path can still reach are known too.
    if (node.kind === 'loop-head') names.add(`#${node.id}`);
    return names;
  });
  const preds: number[][] = cfg.nodes.map(() => []);
  for (const node of cfg.nodes) for (const e of node.succs) preds[e.to]?.push(node.id);
  const work = cfg.nodes.map((n) => n.id);
  const queued = new Set(work);
  while (work.length > 0) {
    const id = work.pop() as number;
    queued.delete(id);
    const mine = live[id] as Set<string>;
    for (const p of preds[id] ?? []) {
      const theirs = live[p] as Set<string>;
      const before = theirs.size;
      for (const name of mine) theirs.add(name);
      if (theirs.size !== before && !queued.has(p)) {
        queued.add(p);
        work.push(p);
      }
    }
  }
  return live;
}

/**
 * Whether a DMA resource's key names something the function does not own: a field, a global, a
 * parameter, or a local pointer that starts out pointing at someone else's object
 * (`struct sg_table *sgt = obj->sgt;`). Such a mapping or allocation belongs to that object.
 */
function dmaKeyIsNonLocal(key: string, locals: ReadonlyMap<string, Variable>, body: string): boolean {
  if (!/^[A-Za-z_]\w*$/.test(key)) return true;
  const local = locals.get(key);
  if (!local || local.isStatic) return true;
  if (local.pointerDepth === 0) return false;
  if (local.init !== null && !isNullPointer(local.init) && !startsWithOwnedAllocation(local.init.text)) return true;
  // `st = &obj->table;` later in the body: the same, assigned after the declaration.
  const assigned = new RegExp(`(?:^|[^\\w.>])${key}\\s*=(?!=)\\s*([^;]+);`, 'g');
  for (const m of body.matchAll(assigned)) {
    const right = (m[1] ?? '').trim();
    // Not NULL, not an allocation, not the DMA call that makes the resource itself.
    if (
      right !== 'NULL' &&
      right !== '0' &&
      !startsWithOwnedAllocation(right) &&
      !/^(?:\([^()]*\)\s*)?dma\w*\s*\(/.test(right)
    )
      return true;
  }
  return false;
}

/** For each loop head, the names its body mentions (nodes reached by entering, until back at the head). */
function loopBodyNames(cfg: Cfg, namesAt: readonly ReadonlySet<string>[]): Map<number, ReadonlySet<string>> {
  const out = new Map<number, ReadonlySet<string>>();
  for (const head of cfg.nodes) {
    if (head.kind !== 'loop-head') continue;
    const names = new Set<string>();
    const span = loopSpan(head);
    if (!span) continue;
    const seen = new Set<number>([head.id]);
    const stack = head.succs.filter((e) => e.enter).map((e) => e.to);
    while (stack.length > 0) {
      const id = stack.pop() as number;
      if (seen.has(id)) continue;
      seen.add(id);
      const node = cfg.nodes[id];
      // A `break` or `goto` leads out of the loop: stop at the loop's own text.
      if (!node || !node.syntax || node.syntax.startIndex < span.start || node.syntax.endIndex > span.end) continue;
      for (const name of namesAt[id] ?? []) names.add(name);
      for (const e of node.succs) if (!e.back || e.to !== head.id) stack.push(e.to);
    }
    out.set(head.id, names);
  }
  return out;
}

const LOOP_STATEMENTS = new Set(['for_statement', 'while_statement', 'do_statement']);

/** The text a loop head's loop covers: its for/while/do statement, or a macro loop's header and body. */
function loopSpan(head: CfgNode): { start: number; end: number } | null {
  const syntax = head.syntax;
  if (!syntax) return null;
  for (let n: SyntaxNode | null = syntax; n; n = n.parent) {
    if (LOOP_STATEMENTS.has(n.type)) return { start: n.startIndex, end: n.endIndex };
    if (n.type === 'compound_statement' || n.type === 'function_definition') break;
  }
  const body = syntax.nextNamedSibling;
  return { start: syntax.startIndex, end: body ? body.endIndex : syntax.endIndex };
}

/** FNV-1a over a string's UTF-16 units, from a seed. */
function fnv(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
