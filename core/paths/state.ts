/**
 * The abstract state a path carries from node to node: per resource, its possible outcomes and
 * what happened to it; a small environment of symbolic values; the events so far; the loops it
 * is in; what it decided. States are immutable and share what they did not change — the engine
 * keeps thousands of them, and merging compares their parts by identity (merge.ts).
 */
import type { SyntaxNode } from '../parse/syntax';
import type { Span } from '../findings';
import type { PathEvent, PathIssue, ResourceStatus } from './types';
import type { Outcome, Sym } from './values';

export interface ResState {
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

/** A resource just acquired (or acquired again): held, nothing decided yet. */
export const FRESH: Omit<ResState, 'outcomes'> = {
  status: 'held',
  changedAt: null,
  escapeHow: null,
  elementwise: false,
  decisive: null,
  carried: false,
  maybeReleased: false,
  checked: false,
  uncheckedReported: false,
};

export interface State {
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
  /**
   * Loops this path left without running their body once (the bound was 0 or unknown), or left by
   * a `break` in their first round.
   */
  readonly skippedLoops: ReadonlySet<number>;
}

export function initialState(entry: number): State {
  return {
    node: entry,
    res: [],
    env: new Map(),
    events: [],
    back: new Set(),
    exitOnly: new Set(),
    moved: new Map(),
    facts: new Map(),
    issues: [],
    skippedLoops: new Set(),
  };
}

/** The state with resource `id` updated (created held, with no outcomes, when it was not there). */
export function setRes(state: State, id: number, update: Partial<ResState>): State {
  const res = [...state.res];
  const current = res[id] ?? { outcomes: [], ...FRESH, detached: false };
  res[id] = { ...current, ...update };
  return { ...state, res };
}

export function bind(state: State, name: string, value: Sym): State {
  const env = new Map(state.env);
  env.set(name, value);
  return { ...state, env };
}

export function spanOf(node: SyntaxNode): Span {
  return { start: node.startIndex, end: node.endIndex };
}

/** Source text on one line, cut to `max` characters, for event labels. */
export function oneLine(text: string, max = 70): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}
