/**
 * What path enumeration produces: the resources a function acquires (GUP pages, DMA mappings,
 * allocations, pools), the events of each complete path, and the issues found on them. Rules,
 * the simulation and the code lenses read these; the engine's own state is in state.ts.
 */
import type { BudgetLimit } from '../analysis/budget';
import type { AcquireOp, DmaOp, Op } from '../analysis/ops';
import type { FunctionAnalysis } from '../analysis/types';
import type { Span } from '../findings';
import type { Outcome, Sym } from './values';

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
  /** A return of SCSI_MLQUEUE_*_BUSY: the SCSI mid-layer takes the command back to requeue it. */
  readonly midlayerBusy?: boolean;
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
  /** The file's analysis budget (not the function's own step and path caps) stopped it. */
  readonly budgetLimit: BudgetLimit | null;
  readonly steps: number;
  /**
   * For each DMA unmap, free or sync, the maps and allocations it met on some path: what the
   * unmap-mismatch and sync-direction rules compare, so a map and an unmap in exclusive branches
   * are never paired.
   */
  readonly dmaPairs: ReadonlyMap<DmaOp, ReadonlySet<DmaOp>>;
}
