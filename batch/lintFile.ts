/**
 * Linting one file from disk: read, size and binary checks, prefilter, decode, parse, lint. Shared
 * by the worker threads and the in-process path; never throws for a bad file, it says why instead.
 */
import {
  defaultParser,
  lintText,
  ParseStopped,
  type AnalysisNote,
  type CParser,
  type FileFacts,
  type Finding,
  type LintOptions,
} from '../core/index';
import { lookup, store, type CacheSpec, type CachedResult } from './cache/store';
import { fileMayContainCatalogued, mayContainCatalogued } from './prefilter';
import { decodeSource, DEFAULT_MAX_BYTES, tooLargeMessage, type Decoded, type Encoding } from './source';
import { readInto, scratchBuffer } from './scratchRead';
import { crossFileFactsHash, externalForFile, type IndexRequest } from './index/forLint';
import { summariseFileFromDisk, type SummariseRequest } from './index/summariseFile';

/**
 * What one file may cost. Time: the parse stops at the deadline (core's shouldStop hook), the
 * analysis ends there with what it found and a budget note (core's AnalysisBudget), and in a
 * worker pool a file that overruns it in the analysis gets its worker replaced (pool.ts). Memory:
 * the JavaScript heap of the worker a file that exhausted a pool worker is retried in; the
 * in-process path (small runs) shares the caller's heap.
 */
export interface FileBudget {
  readonly timeMs: number;
  readonly heapMb: number;
}

export const DEFAULT_FILE_BUDGET: FileBudget = { timeMs: 60_000, heapMb: 1536 };

export interface FileLintRequest {
  readonly lint: LintOptions;
  readonly maxBytes?: number;
  readonly budget?: FileBudget;
  /** The result cache (batch/cache/): results are taken from it and written to it. */
  readonly cache?: CacheSpec;
  /** The tree index the files are linted with (issue 12): each file gets the facts it sees. */
  readonly index?: IndexRequest;
  /** Summarise the files for the tree index instead of linting them (batch/index/build.ts). */
  readonly summarise?: SummariseRequest;
}

/** What the cache did for one file: taken from it, linted and written, or linted over a corrupt entry. */
export interface CacheUse {
  readonly outcome: 'hit' | 'miss' | 'corrupt';
  /** Why the fresh result could not be written, when it could not. */
  readonly writeError?: string;
}

export interface FileLintResult {
  readonly file: string;
  /**
   * 'linted': parsed and checked; 'skipped-prefilter': no catalogued name; 'skipped': see problem;
   * 'stopped': read, but its time or memory budget ran out (a 'budget' note says which).
   */
  readonly status: 'linted' | 'skipped-prefilter' | 'skipped' | 'error' | 'stopped';
  readonly findings: readonly Finding[];
  readonly notes: readonly AnalysisNote[];
  /** One line for stderr when the file could not be (fully) read. */
  readonly problem?: string;
  readonly encoding?: Encoding;
  /** Set when the file was looked up in the result cache. */
  readonly cache?: CacheUse;
  /** When summarising: the file's facts for the tree index, if it has any. */
  readonly facts?: FileFacts;
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = String(error.code);
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EISDIR') return 'is a directory';
    return code;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The prefilter on a file too large to read whole; a file that cannot be read is reported as too large. */
function mayContainCataloguedOnDisk(file: string): boolean {
  try {
    return fileMayContainCatalogued(file);
  } catch {
    return true;
  }
}

const budgetOf = (request: FileLintRequest): FileBudget => request.budget ?? DEFAULT_FILE_BUDGET;

/**
 * A file's text linted within its time budget, as batch lints it (focused: a file is linted once
 * and its tree thrown away, so only what the rules read is parsed). The parse stops at the
 * deadline (null comes back); the analysis keeps what it found by then and says so in a note.
 */
export function lintWithinBudget(
  text: string,
  request: FileLintRequest,
  parser: CParser = defaultParser(),
  file?: string,
): ReturnType<typeof lintText> | null {
  const deadline = performance.now() + budgetOf(request).timeMs;
  const external = request.index && file !== undefined ? externalForFile(request.index, file, text) : undefined;
  try {
    return lintText(
      text,
      {
        focus: true,
        ...request.lint,
        ...(external ? { external } : {}),
        shouldStop: () => performance.now() > deadline,
        budget: { ...request.lint.budget, deadline, now: () => performance.now() },
      },
      parser,
    );
  } catch (e) {
    if (e instanceof ParseStopped) return null;
    throw e;
  }
}

/** A file whose budget ran out: no findings, one note that says which budget. */
export function stoppedResult(file: string, message: string): FileLintResult {
  return { file, status: 'stopped', findings: [], notes: [{ kind: 'budget', message }] };
}

export function timeBudgetMessage(timeMs: number): string {
  return `pinscope stopped analysing this file after ${formatSeconds(timeMs)} (its time budget); no findings are shown for it`;
}

export function memoryBudgetMessage(heapMb: number): string {
  return `pinscope stopped analysing this file: it needed more than its ${heapMb} MB memory budget; no findings are shown for it`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * `deferAbove`: a file over this many bytes that would be parsed is not, and null comes back (a
 * pool worker hands such files to a worker of their own; see pool.ts).
 */
export function lintFileFromDisk(file: string, request: FileLintRequest, parser?: CParser): FileLintResult;
export function lintFileFromDisk(
  file: string,
  request: FileLintRequest,
  parser: CParser | undefined,
  deferAbove: number,
): FileLintResult | null;
export function lintFileFromDisk(
  file: string,
  request: FileLintRequest,
  parser: CParser = defaultParser(),
  deferAbove?: number,
): FileLintResult | null {
  if (request.summarise) return summarised(file, request, request.summarise, parser);
  const maxBytes = request.maxBytes ?? DEFAULT_MAX_BYTES;
  let length: number;
  let scratch: Buffer;
  try {
    length = readInto(file, maxBytes);
    scratch = scratchBuffer();
  } catch (e) {
    return { file, status: 'error', findings: [], notes: [], problem: `cannot read: ${describe(e)}` };
  }
  if (length > maxBytes) {
    // The prefilter goes first: a file that cannot contain a catalogued call is not worth a note.
    if (!mayContainCataloguedOnDisk(file)) return { file, status: 'skipped-prefilter', findings: [], notes: [] };
    return { file, status: 'skipped', findings: [], notes: [], problem: tooLargeMessage(length, maxBytes) };
  }
  // Binary data is reported even when it holds no catalogued name: a `.c` file that is not text
  // is worth a line on stderr.
  const nul = scratch.subarray(0, Math.min(length, 8192)).indexOf(0);
  if (nul >= 0)
    return {
      file,
      status: 'skipped',
      findings: [],
      notes: [],
      problem: `skipped: binary data (NUL byte at offset ${nul})`,
    };
  if (!mayContainCatalogued(scratch, length)) {
    return { file, status: 'skipped-prefilter', findings: [], notes: [] };
  }
  if (deferAbove !== undefined && length > deferAbove && !request.cache) return null;
  const bytes = Buffer.from(scratch.subarray(0, length));
  const decoded = decodeSource(bytes, maxBytes);
  if (!decoded.ok) return { file, status: 'skipped', findings: [], notes: [], problem: decoded.message };
  if (!request.cache) return lintDecoded(file, decoded, request, parser);
  // A hit costs a hash and one small read: a large file that is cached is not worth a worker of its own.
  // The hash of the cross-file facts (other files' summaries and macros) the file's analysis sees:
  // its result depends on them as much as on its bytes ('' without a tree index, batch/index/).
  const facts = crossFileFactsHash(request.index, file, decoded.text);
  const found = lookup(request.cache, file, bytes, facts);
  if (found.kind === 'hit') return { file, status: 'linted', ...found.result, cache: { outcome: 'hit' } };
  if (deferAbove !== undefined && length > deferAbove) return null;
  const result = lintDecoded(file, decoded, request, parser);
  return { ...result, cache: cacheFresh(request.cache, file, { content: found.content, facts }, result, found.kind) };
}

/** Summarising `file` for the tree index (batch/index/build.ts) instead of linting it. */
function summarised(
  file: string,
  request: FileLintRequest,
  summarise: SummariseRequest,
  parser: CParser,
): FileLintResult {
  try {
    const facts = summariseFileFromDisk(file, request.lint.kernelVersion, summarise, request.index, parser);
    return { file, status: 'linted', findings: [], notes: [], ...(facts ? { facts } : {}) };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      file,
      status: 'error',
      findings: [],
      notes: [],
      problem: `internal error while summarising (please report): ${message}`,
    };
  }
}

/** A result worth keeping: linted to the end (a budget note depends on the clock and the machine). */
function cacheable(result: FileLintResult): boolean {
  return result.status === 'linted' && !result.notes.some((n) => n.kind === 'budget');
}

function cacheFresh(
  spec: CacheSpec,
  file: string,
  { content, facts }: { readonly content: string; readonly facts: string },
  result: FileLintResult,
  outcome: 'miss' | 'corrupt',
): CacheUse {
  if (!cacheable(result)) return { outcome };
  const kept: CachedResult = {
    findings: result.findings,
    notes: result.notes,
    ...(result.encoding ? { encoding: result.encoding } : {}),
    ...(result.problem !== undefined ? { problem: result.problem } : {}),
  };
  try {
    store(spec, file, content, kept, facts);
    return { outcome };
  } catch (e) {
    return { outcome, writeError: describe(e) };
  }
}

/** Linting the decoded text of `file` (which passed the prefilter). */
function lintDecoded(
  file: string,
  decoded: Decoded & { ok: true },
  request: FileLintRequest,
  parser: CParser,
): FileLintResult {
  try {
    const result = lintWithinBudget(decoded.text, request, parser, file);
    if (result === null) return stoppedResult(file, timeBudgetMessage(budgetOf(request).timeMs));
    const notes = decoded.warning
      ? [{ kind: 'encoding' as const, message: decoded.warning }, ...result.notes]
      : result.notes;
    return {
      file,
      status: 'linted',
      findings: result.findings,
      notes,
      encoding: decoded.encoding,
      ...(decoded.warning ? { problem: decoded.warning } : {}),
    };
  } catch (e) {
    // An analysis bug must not stop a tree-wide run: report it against the file and go on.
    const where = e instanceof Error && e.stack ? (e.stack.split('\n')[1]?.trim() ?? '') : '';
    return {
      file,
      status: 'error',
      findings: [],
      notes: [],
      problem:
        `internal error while analysing (please report): ${e instanceof Error ? e.message : String(e)} ${where}`.trim(),
    };
  }
}
