/**
 * Linting a file's bytes that are not on disk — the same file at an older git revision, or a file
 * as a patch leaves it — exactly as `lintFileFromDisk` lints a file that is: the size and binary
 * checks, the prefilter, the decoding and a focused lint. Findings of the two versions are then
 * comparable finding for finding (`lint --since`, `lint --patch`).
 */
import { textMayContainCatalogued, type AnalysisNote, type Finding } from '../core/index';
import { DEFAULT_FILE_BUDGET, lintWithinBudget, timeBudgetMessage, type FileLintRequest } from './lintFile';
import { mayContainCatalogued } from './prefilter';
import { decodeSource, DEFAULT_MAX_BYTES, tooLargeMessage } from './source';

export interface BytesLintResult {
  readonly status: 'linted' | 'skipped-prefilter' | 'skipped';
  /** The decoded text the findings' ranges refer to ('' when not decoded). */
  readonly text: string;
  readonly findings: readonly Finding[];
  readonly notes: readonly AnalysisNote[];
  /** Why the file was skipped, or a decoding warning. */
  readonly problem?: string;
}

export function lintBytes(bytes: Uint8Array, request: FileLintRequest): BytesLintResult {
  const maxBytes = request.maxBytes ?? DEFAULT_MAX_BYTES;
  // Prefilter first: a file that cannot hold a catalogued call is skipped whatever its size.
  if (!mayContainCatalogued(bytes)) return { status: 'skipped-prefilter', text: '', findings: [], notes: [] };
  const decoded = decodeSource(bytes, maxBytes);
  if (!decoded.ok) return { status: 'skipped', text: '', findings: [], notes: [], problem: decoded.message };
  const result = linted(decoded.text, request);
  const notes = decoded.warning
    ? [{ kind: 'encoding' as const, message: decoded.warning }, ...result.notes]
    : result.notes;
  return {
    status: 'linted',
    text: decoded.text,
    findings: result.findings,
    notes,
    ...(decoded.warning ? { problem: decoded.warning } : {}),
  };
}

/** `lintBytes` for a text already decoded (a file as a patch leaves it). */
export function lintSourceText(text: string, request: FileLintRequest): BytesLintResult {
  const maxBytes = request.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!textMayContainCatalogued(text)) return { status: 'skipped-prefilter', text: '', findings: [], notes: [] };
  if (text.length > maxBytes)
    return { status: 'skipped', text: '', findings: [], notes: [], problem: tooLargeMessage(text.length, maxBytes) };
  const result = linted(text, request);
  return { status: 'linted', text, findings: result.findings, notes: result.notes };
}

/** Within the file's time budget; past it, no findings and the budget note (as lintFileFromDisk says it). */
function linted(
  text: string,
  request: FileLintRequest,
): { findings: readonly Finding[]; notes: readonly AnalysisNote[] } {
  const result = lintWithinBudget(text, request);
  if (result) return result;
  return {
    findings: [],
    notes: [{ kind: 'budget', message: timeBudgetMessage((request.budget ?? DEFAULT_FILE_BUDGET).timeMs) }],
  };
}
