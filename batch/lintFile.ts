/**
 * Linting one file from disk: read, size and binary checks, prefilter, decode, parse, lint. Shared
 * by the worker threads and the in-process path; never throws for a bad file, it says why instead.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { lintText, type AnalysisNote, type Finding, type LintOptions } from '../core/index';
import { fileMayContainCatalogued, mayContainCatalogued } from './prefilter';
import { decodeSource, DEFAULT_MAX_BYTES, tooLargeMessage, type Encoding } from './source';

export interface FileLintRequest {
  readonly lint: LintOptions;
  readonly maxBytes?: number;
}

export interface FileLintResult {
  readonly file: string;
  /** 'linted': parsed and checked; 'skipped-prefilter': no catalogued name; 'skipped': see problem. */
  readonly status: 'linted' | 'skipped-prefilter' | 'skipped' | 'error';
  readonly findings: readonly Finding[];
  readonly notes: readonly AnalysisNote[];
  /** One line for stderr when the file could not be (fully) read. */
  readonly problem?: string;
  readonly encoding?: Encoding;
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = String((error as { code: unknown }).code);
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
    if (code === 'ENOENT') return 'no such file';
    if (code === 'EISDIR') return 'is a directory';
    return code;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * One read buffer per thread, re-used for every file: a tree-wide run reads 1.3 GB, and a fresh
 * Buffer per file would leave the garbage collector (and RSS) to catch up with it.
 */
let scratch = Buffer.allocUnsafe(1 << 20);

/** Reads up to `max + 1` bytes of `file` into the scratch buffer; returns the length read. */
function readInto(file: string, max: number): number {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > max) return size; // the caller reports it as too large without reading it
    if (scratch.length < size + 1) scratch = Buffer.allocUnsafe(Math.max(size + 1, scratch.length * 2));
    let length = 0;
    for (;;) {
      const n = readSync(fd, scratch, length, scratch.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === scratch.length) scratch = Buffer.concat([scratch, Buffer.allocUnsafe(scratch.length)]);
    }
    return length;
  } finally {
    closeSync(fd);
  }
}

/** The prefilter on a file too large to read whole; a file that cannot be read is reported as too large. */
function mayContainCataloguedOnDisk(file: string): boolean {
  try {
    return fileMayContainCatalogued(file);
  } catch {
    return true;
  }
}

export function lintFileFromDisk(file: string, request: FileLintRequest): FileLintResult {
  const maxBytes = request.maxBytes ?? DEFAULT_MAX_BYTES;
  let length: number;
  try {
    length = readInto(file, maxBytes);
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
  const bytes = Buffer.from(scratch.subarray(0, length));
  const decoded = decodeSource(bytes, maxBytes);
  if (!decoded.ok) return { file, status: 'skipped', findings: [], notes: [], problem: decoded.message };
  try {
    // A file from disk is linted once and its tree thrown away: parse only what the rules read.
    const result = lintText(decoded.text, { focus: true, ...request.lint });
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
