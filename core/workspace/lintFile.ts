/**
 * Linting one file from disk: read, size and binary checks, prefilter, decode, parse, lint. Shared
 * by the worker threads and the in-process path; never throws for a bad file, it says why instead.
 */
import { readFileSync } from 'node:fs';
import type { AnalysisNote, Finding } from '../findings';
import { lintText, type LintOptions } from '../lint';
import { mayContainCatalogued } from './prefilter';
import { decodeSource, DEFAULT_MAX_BYTES, type Encoding } from './source';

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

export function lintFileFromDisk(file: string, request: FileLintRequest): FileLintResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return { file, status: 'error', findings: [], notes: [], problem: `cannot read: ${describe(e)}` };
  }
  const maxBytes = request.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length <= maxBytes && !mayContainCatalogued(bytes)) {
    return { file, status: 'skipped-prefilter', findings: [], notes: [] };
  }
  const decoded = decodeSource(bytes, maxBytes);
  if (!decoded.ok) return { file, status: 'skipped', findings: [], notes: [], problem: decoded.message };
  try {
    const result = lintText(decoded.text, request.lint);
    const notes = decoded.warning ? [{ kind: 'encoding' as const, message: decoded.warning }, ...result.notes] : result.notes;
    return { file, status: 'linted', findings: result.findings, notes, encoding: decoded.encoding, ...(decoded.warning ? { problem: decoded.warning } : {}) };
  } catch (e) {
    // An analysis bug must not stop a tree-wide run: report it against the file and go on.
    const where = e instanceof Error && e.stack ? e.stack.split('\n')[1]?.trim() ?? '' : '';
    return { file, status: 'error', findings: [], notes: [], problem: `internal error while analysing (please report): ${e instanceof Error ? e.message : String(e)} ${where}`.trim() };
  }
}
