/**
 * An editor's view of core: documents come and go by URI, each edit is linted with as little work
 * as the edit allows, and a function of an open document can be simulated. The session owns what
 * makes edits cheap, so that no front end rebuilds it:
 *  - the parse tree of the most recently edited documents, which tree-sitter's incremental parse
 *    edits instead of parsing the whole text again;
 *  - each document's results unit by unit (incremental.ts, units.ts): an edit inside a function
 *    re-analyses only the functions it can change, and the rest of the findings are moved.
 * Plain data in and out, no threads and no files: the language server runs a session inside its
 * analysis worker (server/analysisWorker.ts is a message loop around one).
 */
import { externalFactsHash, type ExternalFacts } from '../fileAnalysis/external';
import { analyzeFile } from '../fileAnalysis/analyzeFile';
import { formatVersion, parseKernelVersion, type KernelVersion } from '../catalog/version';
import type { AnalysisNote, Finding } from '../findings';
import type { AnalysisBudget } from '../analysis/budget';
import { defaultParser, type LintOptions } from '../lint';
import type { CParser, KnownEdit, ParsedSource } from '../parse/parser';
import { changeBetween } from '../text/change';
import type { SimTarget } from '../sim/types';
import { lintIncrementally, lintInFull, type DocumentState } from './incremental';
import { simulateInFile, type FunctionRequest, type FunctionSimulation } from './simulate';

/** How many documents keep their parse tree (and per-unit results) between edits; see `Recent`. */
const DEFAULT_MAX_TREES = 8;

export interface SessionOptions {
  /** The kernel version a document is linted for, unless an update says otherwise. */
  readonly kernelVersion: KernelVersion | string;
  /** Rule settings (enable, severity), unless an update says otherwise. */
  readonly rules?: LintOptions['rules'];
  /** Documents whose tree and results are kept; older ones are parsed and analysed in full on their next edit. */
  readonly maxTrees?: number;
  readonly parser?: CParser;
  /** Milliseconds, for the timings in each result (default: performance.now). */
  readonly now?: () => number;
}

export interface UpdateOptions {
  /** The document's own kernel version (the server resolves `auto` per file). */
  readonly kernelVersion?: KernelVersion | string;
  readonly rules?: LintOptions['rules'];
  /**
   * Polled while the text is parsed; true stops the parse (`ParseStopped` is thrown). The hook for
   * a time budget that the native parser survives (see core/parse/parser.ts).
   */
  readonly shouldStop?: () => boolean;
  /**
   * The analysis's time and work budget (core/analysis/budget.ts). A result cut short by it is
   * not kept: the next edit analyses the whole file again.
   */
  readonly budget?: AnalysisBudget;
  /** Called between the parse and the analysis (the server's test hooks slow the analysis here). */
  readonly afterParse?: (text: string) => void;
  /** What the tree index says about the functions and macros the document uses (issue 12). */
  readonly external?: ExternalFacts;
}

export interface SessionUpdate {
  readonly findings: readonly Finding[];
  readonly notes: readonly AnalysisNote[];
  /** Functions that can be simulated (code lenses). */
  readonly targets: readonly SimTarget[];
  readonly parseMs: number;
  readonly lintMs: number;
  /** The parse re-used the previous tree of this document. */
  readonly incremental: boolean;
  /** Only the functions the edit can change were analysed again; the other findings were moved. */
  readonly memoised: boolean;
  /** Functions whose graphs were built for this update (all the file's relevant ones when not memoised). */
  readonly functionsAnalysed: number;
  /** Units whose results were recalled from an older text of the document (core/session/recall.ts). */
  readonly unitsRecalled: number;
  /** The file's definitions, declarations and macros were kept from the previous edit, not read again (fileAnalysis/walks.ts). */
  readonly walksKept: boolean;
  /** The edit changed no token: the previous results were moved, with no analysis (session/whitespace.ts). */
  readonly tokensKept: boolean;
}

export interface SimulationRequest extends FunctionRequest {
  /** The document's text (its tree is re-used when it is the text last updated). */
  readonly text: string;
  readonly kernelVersion?: KernelVersion | string;
  readonly shouldStop?: () => boolean;
}

/** What the session holds right now (tests and the server's memory report read it). */
export interface SessionStats {
  readonly trees: number;
  /** Documents whose per-unit results are kept for their next edit. */
  readonly memos: number;
}

export interface Session {
  update(uri: string, text: string, options?: UpdateOptions): SessionUpdate;
  simulate(uri: string, request: SimulationRequest): FunctionSimulation;
  /** The document closed: drop its tree and results. */
  forget(uri: string): void;
  stats(): SessionStats;
}

function versionOf(v: KernelVersion | string): KernelVersion {
  if (typeof v !== 'string') return v;
  const parsed = parseKernelVersion(v);
  if (!parsed) throw new Error(`bad kernel version "${v}"`);
  return parsed;
}

/**
 * A Map kept in least-recently-used order (a Map iterates in insertion order, and every use
 * re-inserts) and capped: with fifty files open, the trees of files nobody is typing in would hold
 * most of the server's memory.
 */
class Recent<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  /** Takes the entry out: whoever took it puts back what should stay. */
  take(uri: string): V | undefined {
    const value = this.map.get(uri);
    this.map.delete(uri);
    return value;
  }

  peek(uri: string): V | undefined {
    return this.map.get(uri);
  }

  put(uri: string, value: V): void {
    this.map.delete(uri);
    this.map.set(uri, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  delete(uri: string): void {
    this.map.delete(uri);
  }

  get size(): number {
    return this.map.size;
  }
}

export function createSession(options: SessionOptions): Session {
  const parser = options.parser ?? defaultParser();
  const now = options.now ?? ((): number => performance.now());
  const max = options.maxTrees ?? DEFAULT_MAX_TREES;
  const defaultVersion = versionOf(options.kernelVersion);
  /** The last parse of each document: the next parse edits its tree (then it is not used again). */
  const trees = new Recent<ParsedSource>(max);
  /** The last result of each document, unit by unit, for its next edit. */
  const memos = new Recent<DocumentState>(max);

  const parse = (
    uri: string,
    text: string,
    edit: KnownEdit | undefined,
    shouldStop?: () => boolean,
  ): { parsed: ParsedSource; incremental: boolean } => {
    // The previous tree belongs to the parser from here on: it is taken out first, so that a parse
    // that throws (or is stopped) cannot leave a half-edited tree behind for the next edit.
    const previous = trees.take(uri);
    const parsed = parser.parse(text, previous, { ...(shouldStop ? { shouldStop } : {}), ...(edit ? { edit } : {}) });
    trees.put(uri, parsed);
    return { parsed, incremental: previous !== undefined };
  };

  const update = (uri: string, text: string, opts: UpdateOptions = {}): SessionUpdate => {
    try {
      return lint(uri, text, opts);
    } catch (e) {
      // Whatever went wrong, the next edit of this document starts from nothing.
      trees.delete(uri);
      memos.delete(uri);
      throw e;
    }
  };

  const lint = (uri: string, text: string, opts: UpdateOptions): SessionUpdate => {
    const version = opts.kernelVersion !== undefined ? versionOf(opts.kernelVersion) : defaultVersion;
    const rules = opts.rules ?? options.rules;
    const t0 = now();
    // The edit, found once for the parse and the per-unit results (both start from the last text).
    const before = trees.peek(uri)?.text ?? memos.peek(uri)?.text;
    const edit = before === undefined ? undefined : { from: before, change: changeBetween(before, text) };
    const { parsed, incremental } = parse(uri, text, edit, opts.shouldStop);
    const t1 = now();
    opts.afterParse?.(text);
    const request = {
      kernelVersion: version,
      ...(rules ? { rules } : {}),
      ...(opts.budget ? { budget: opts.budget } : {}),
      ...(opts.external ? { external: opts.external } : {}),
      // Other files' facts are part of the context: when they change, nothing is re-used.
      context: `${formatVersion(version)}\u0000${JSON.stringify(rules ?? {})}\u0000${opts.external ? externalFactsHash(opts.external) : ''}`,
    };
    const previous = memos.take(uri);
    const edited = previous ? lintIncrementally(previous, parsed, request, edit) : null;
    const result = edited ?? lintInFull(parsed, request);
    if (result.state) memos.put(uri, result.state);
    return {
      findings: result.findings,
      notes: result.notes,
      targets: result.targets,
      parseMs: t1 - t0,
      lintMs: now() - t1,
      incremental,
      memoised: edited !== null,
      functionsAnalysed: result.analysed,
      unitsRecalled: result.recalled,
      walksKept: result.walksKept,
      tokensKept: result.tokensKept === true,
    };
  };

  const simulate = (uri: string, request: SimulationRequest): FunctionSimulation => {
    const cached = trees.peek(uri);
    const parsed =
      cached && cached.text === request.text
        ? cached
        : parser.parse(request.text, undefined, request.shouldStop ? { shouldStop: request.shouldStop } : {});
    const version = request.kernelVersion !== undefined ? versionOf(request.kernelVersion) : defaultVersion;
    // Simulation needs the analysis, not the findings.
    return simulateInFile(analyzeFile(parsed, version), request);
  };

  return {
    update,
    simulate,
    forget: (uri) => {
      trees.delete(uri);
      memos.delete(uri);
    },
    stats: () => ({ trees: trees.size, memos: memos.size }),
  };
}
