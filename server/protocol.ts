/**
 * pinscope's own messages on top of LSP, typed once for the server and the client (the role
 * rust-analyzer's lsp_ext.ts plays). Everything here is optional for a generic LSP client: Neovim
 * or Emacs get diagnostics, code actions, hovers and code lenses without any of it.
 */
import {
  NotificationType,
  RequestType,
  type Position,
  type ProgressToken,
  type TextDocumentIdentifier,
} from 'vscode-languageserver-protocol';
import type { ChosenPath, PathSummary, SimulationReport, TraceDocumentSimulation } from '../core/index';
import type { SimulationParameters } from '../shared/simulation';

export type { ChosenPath, PathSummary } from '../core/index';
// What the panel sends back: its schema is in shared/simulation.ts (the extension and the panel
// validate it), and the type is inferred from it.
export type { SimulationParameters } from '../shared/simulation';

/** Command ids the server puts into code lenses and code actions; the VS Code client implements them. */
export const Commands = {
  /** Run Simulation: the function at the cursor (C) or the trace (.pinsim); args `[uri, function?]`. */
  runSimulation: 'pinscope.runSimulation',
  showRuleDocumentation: 'pinscope.showRuleDocumentation',
  lintWorkspace: 'pinscope.lintWorkspace',
  restartServer: 'pinscope.restartServer',
} as const;

/** `initializationOptions` the VS Code client sends. Other clients may send nothing. */
export interface InitializationOptions {
  /** The client implements Commands.* (so the server may put them into code actions). */
  readonly clientCommands?: boolean;
  /** Settings for clients without workspace/configuration (same shape as the `pinscope` section). */
  readonly settings?: unknown;
}

// ─── pinscope/lintWorkspace ─────────────────────────────────────────────────────────────────────────

export interface LintWorkspaceParams {
  /** Client-initiated progress; without it the server creates its own (cancellable) progress. */
  readonly workDoneToken?: ProgressToken;
  /** Folders or files to lint (absolute paths); default: every workspace folder. */
  readonly paths?: readonly string[];
}

export interface LintWorkspaceResult {
  readonly files: number;
  readonly parsed: number;
  readonly prefiltered: number;
  readonly findings: number;
  readonly filesWithFindings: number;
  /** Files that could not be analysed completely (too large, binary, parse errors, internal errors). */
  readonly partial: number;
  readonly cancelled: boolean;
  readonly elapsedMs: number;
  readonly kernelVersions: readonly string[];
}

export const LintWorkspaceRequest = new RequestType<LintWorkspaceParams, LintWorkspaceResult, void>(
  'pinscope/lintWorkspace',
);

// ─── pinscope/simulate ──────────────────────────────────────────────────────────────────────────────

export interface SimulateParams {
  readonly textDocument: TextDocumentIdentifier;
  /** The function to simulate. Without it, `position` says which: the function around it. */
  readonly function?: string;
  readonly position?: Position;
  /** The path to run in full (1-based, engine order); without it, every path is summarised. */
  readonly path?: number;
  readonly parameters?: SimulationParameters;
}

export interface SimulateResult {
  /** The function simulated (resolved from `position`), or null when the cursor is in none. */
  readonly function: string | null;
  readonly report: SimulationReport;
  /** The report as the CLI prints it (a step table). */
  readonly text: string;
  /** Every path, worst first (leaks and mismatches before clean paths). */
  readonly paths: readonly PathSummary[];
  readonly chosen?: ChosenPath;
  /** Why there is nothing to simulate (no function at the cursor, no catalogued call, no such path). */
  readonly nothingToSimulate?: string;
  /** Kernel versions the panel offers. */
  readonly kernelVersions: readonly string[];
}

export const SimulateRequest = new RequestType<SimulateParams, SimulateResult, void>('pinscope/simulate');

// ─── pinscope/simulateTrace ─────────────────────────────────────────────────────────────────────────

export interface SimulateTraceParams {
  /** An open `.pinsim` document. */
  readonly textDocument: TextDocumentIdentifier;
  /** Only `kernelVersion` applies (it overrides the trace's own `kernel` line). */
  readonly parameters?: SimulationParameters;
}

/**
 * The simulated trace (with the line of each step), or, for a malformed trace, every error with
 * its line and column; either way, the kernel versions the panel offers.
 */
export type SimulateTraceResult = { readonly kernelVersions: readonly string[] } & (
  | Extract<TraceDocumentSimulation, { ok: true }>
  | (Extract<TraceDocumentSimulation, { ok: false }> & { readonly kernelVersion: string })
);

export const SimulateTraceRequest = new RequestType<SimulateTraceParams, SimulateTraceResult, void>(
  'pinscope/simulateTrace',
);

// ─── pinscope/status ────────────────────────────────────────────────────────────────────────────────

export type DocumentState = 'analysed' | 'partial' | 'excluded' | 'skipped' | 'failed';

export interface StatusParams {
  readonly uri: string;
  readonly version: number;
  readonly state: DocumentState;
  readonly errors: number;
  readonly warnings: number;
  readonly infos: number;
  /** Why the analysis is partial, skipped or failed (one line each). */
  readonly notes: readonly string[];
  readonly kernelVersion: string;
  readonly elapsedMs: number;
}

/** Sent after every publishDiagnostics for an open document: what the status bar shows. */
export const StatusNotification = new NotificationType<StatusParams>('pinscope/status');

// ─── pinscope/serverInfo ────────────────────────────────────────────────────────────────────────────

export interface ServerInfoResult {
  readonly version: string;
  readonly pid: number;
  readonly rssBytes: number;
  readonly openDocuments: number;
  /** Restarts of the analysis worker (after a timeout or a crash). */
  readonly workerRestarts: number;
  /**
   * The analysis process's pid, or null while there is none: it starts with the first analysis
   * and stops when no open document is left in it (its memory goes back to the system).
   */
  readonly analysisPid: number | null;
}

export const ServerInfoRequest = new RequestType<Record<string, never>, ServerInfoResult, void>('pinscope/serverInfo');
