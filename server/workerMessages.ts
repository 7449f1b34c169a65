/**
 * Messages between the server and its analysis process (server/analysisWorker.ts). Plain data
 * only: findings, notes and simulation targets are structured-cloned across the IPC channel.
 */
import type {
  FunctionSimulation,
  RuleId,
  RuleSetting,
  SessionUpdate,
  TraceDocumentSimulation,
  TraceError,
} from '../core/index';
import type { SimulationParameters } from './protocol';
import type { IndexRequest } from '../batch/index/forLint';

export interface AnalyzeJob {
  readonly type: 'analyze';
  readonly id: number;
  readonly uri: string;
  readonly version: number;
  readonly text: string;
  /** "6.12": the version already resolved (auto is resolved on the main thread). */
  readonly kernelVersion: string;
  readonly rules: Readonly<Partial<Record<RuleId, RuleSetting>>>;
  /** pinscope.analysisTimeout: past it the server stops the analysis process. */
  readonly budgetMs: number;
  /** The tree index the document is analysed with (server/treeIndex.ts), when its tree has one. */
  readonly index?: IndexRequest;
}

export interface SimulateJob {
  readonly type: 'simulate';
  readonly id: number;
  readonly uri: string;
  readonly text: string;
  readonly kernelVersion: string;
  /** The function; without it, the one around `offset`. */
  readonly function?: string;
  readonly offset?: number;
  readonly path?: number;
  readonly parameters?: SimulationParameters;
}

export interface SimulateTraceJob {
  readonly type: 'simulateTrace';
  readonly id: number;
  readonly uri: string;
  readonly text: string;
  /** The panel's choice; else the trace's `kernel` line; else `fallbackVersion`. */
  readonly kernelVersion?: string;
  readonly fallbackVersion: string;
}

/** Parse a `.pinsim` text: its errors, and the line of each step (for hovers). */
export interface CheckTraceJob {
  readonly type: 'checkTrace';
  readonly id: number;
  readonly uri: string;
  readonly text: string;
}

export interface ForgetMessage {
  readonly type: 'forget';
  readonly uri: string;
}

export type ToWorker = AnalyzeJob | SimulateJob | SimulateTraceJob | CheckTraceJob | ForgetMessage;

/** The session's answer to an edit (whether it came from the memo is the worker's business). */
export interface AnalyzedReply extends Omit<SessionUpdate, 'memoised' | 'unitsRecalled' | 'walksKept' | 'tokensKept'> {
  readonly type: 'analyzed';
  readonly id: number;
}

export interface SimulatedReply {
  readonly type: 'simulated';
  readonly id: number;
  readonly result: FunctionSimulation;
  /** The report as the CLI prints it. */
  readonly text: string;
}

export interface TraceSimulatedReply {
  readonly type: 'traceSimulated';
  readonly id: number;
  readonly result: TraceDocumentSimulation;
}

export interface TraceCheckedReply {
  readonly type: 'traceChecked';
  readonly id: number;
  readonly errors: readonly TraceError[];
  /** 1-based trace line of each step (empty when the trace has errors). */
  readonly stepLines: readonly number[];
}

/** The analysis process's first message: it has loaded and listens. */
export interface ReadyMessage {
  readonly type: 'ready';
}

export interface FailedReply {
  readonly type: 'failed';
  readonly id: number;
  readonly message: string;
  readonly stack: string;
}

export type FromWorker = AnalyzedReply | SimulatedReply | TraceSimulatedReply | TraceCheckedReply | FailedReply;

/** Test hooks (only with PINSCOPE_TEST_HOOKS=1): a line `pinscope-test-hook: sleep=300|throw|hang|exit`. */
export const TEST_HOOK = /pinscope-test-hook:\s*(sleep=(\d+)|throw|hang|exit)/;
