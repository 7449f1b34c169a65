/**
 * `lint --fix` and `lint --diff` for one file. The file is read once; the safe fixes are computed
 * on exactly those bytes and applied as text edits; every byte outside the edits is kept (a UTF-8
 * byte-order mark, CRLF line ends, Latin-1 text, a missing final newline). Two checks make that
 * a fact rather than a hope: the bytes must decode and encode back to themselves before we edit,
 * and the new bytes must decode to exactly the fixed text before we write. The write is atomic
 * and refused when the file changed on disk meanwhile (./atomicWrite.ts).
 */
import { externalForFile, type IndexRequest } from '../batch/index/forLint';
import {
  applyEdits,
  type Finding,
  type LintOptions,
  lintText,
  selectSafeFixes,
  type TextEdit,
  unifiedDiff,
} from '../core/index';
import { encodeSource } from '../batch/source';
import { writeFileAtomically, WriteError } from './atomicWrite';
import { diffHeaderName } from './filePaths';
import { ReadError, readSource } from './readFile';

export interface FixRequest {
  readonly lint: LintOptions;
  readonly maxBytes: number;
  /** The tree index the run lints with (issue 12): fixes are planned on the same findings. */
  readonly index?: IndexRequest;
}

/** The lint options for `file`'s text: the request's, with the facts the file sees in the tree index. */
function lintOptionsFor(request: FixRequest, file: string, text: string): LintOptions {
  const external = request.index ? externalForFile(request.index, file, text) : undefined;
  return external ? { ...request.lint, external } : request.lint;
}

/** Test hooks: the moment between analysing a file and writing it, where a concurrent edit can land. */
export interface FixHooks {
  readonly beforeWrite?: (file: string) => void;
}

/** What happened to one file; `text` and `findings` are what to report for it afterwards. */
export type FixOutcome =
  | { readonly kind: 'fixed'; readonly text: string; readonly findings: readonly Finding[]; readonly applied: number }
  | { readonly kind: 'diff'; readonly text: string; readonly findings: readonly Finding[]; readonly diff: string }
  | { readonly kind: 'no-safe-fix'; readonly text: string; readonly findings: readonly Finding[] }
  /** A fix was due and was not written; `message` says why; the file is as it was. */
  | {
      readonly kind: 'not-fixed';
      readonly text: string;
      readonly findings: readonly Finding[];
      readonly message: string;
    }
  | { readonly kind: 'unreadable'; readonly message: string };

/**
 * New lines a fix inserts take the file's line ends: a fix written with `\n` into a CRLF file
 * would otherwise leave it with mixed line ends. (Editors normalise inserted text the same way.)
 */
function withLineEnds(edits: readonly TextEdit[], text: string): readonly TextEdit[] {
  const firstNewline = text.indexOf('\n');
  if (firstNewline <= 0 || text[firstNewline - 1] !== '\r') return edits;
  return edits.map((e) => ({ ...e, newText: e.newText.replace(/\r?\n/g, '\r\n') }));
}

interface Plan {
  readonly bytes: Buffer;
  readonly text: string;
  readonly findings: readonly Finding[];
  readonly applied: number;
  readonly fixedText: string;
  readonly fixedBytes: Buffer;
}

type Planned = { readonly plan: Plan } | { readonly done: FixOutcome };

function plan(file: string, request: FixRequest): Planned {
  let source: ReturnType<typeof readSource>;
  try {
    source = readSource(file, request.maxBytes);
  } catch (e) {
    if (e instanceof ReadError) return { done: { kind: 'unreadable', message: e.message } };
    throw e;
  }
  const { bytes, decoded } = source;
  const { text } = decoded;
  const findings = lintText(text, lintOptionsFor(request, file, text)).findings;
  const selection = selectSafeFixes(findings);
  if (selection.edits.length === 0) return { done: { kind: 'no-safe-fix', text, findings } };
  const notFixed = (message: string): Planned => ({ done: { kind: 'not-fixed', text, findings, message } });
  if (!encodeSource(text, decoded.encoding, decoded.bom).equals(bytes))
    return notFixed('not fixed: its bytes do not survive decoding and encoding unchanged');
  const fixedText = applyEdits(text, withLineEnds(selection.edits, text));
  const fixedBytes = encodeSource(fixedText, decoded.encoding, decoded.bom);
  const body = decoded.bom ? fixedBytes.subarray(3) : fixedBytes;
  if (body.toString(decoded.encoding === 'utf-8' ? 'utf8' : 'latin1') !== fixedText)
    return notFixed(`not fixed: the fixed text cannot be written as ${decoded.encoding}`);
  return { plan: { bytes, text, findings, applied: selection.applied.length, fixedText, fixedBytes } };
}

/** The safe fixes of `file` as a unified diff; nothing is written. */
export function diffFile(file: string, request: FixRequest): FixOutcome {
  const planned = plan(file, request);
  if ('done' in planned) return planned.done;
  const { text, findings, fixedText } = planned.plan;
  const diff = unifiedDiff(text, fixedText, diffHeaderName(file, 'a'), diffHeaderName(file, 'b'));
  return { kind: 'diff', text, findings, diff };
}

/** Applies the safe fixes of `file` in place, atomically, unless the file changed since it was read. */
export function fixFile(file: string, request: FixRequest, hooks: FixHooks = {}): FixOutcome {
  const planned = plan(file, request);
  if ('done' in planned) return planned.done;
  const { bytes, text, findings, applied, fixedText, fixedBytes } = planned.plan;
  hooks.beforeWrite?.(file);
  try {
    writeFileAtomically(file, fixedBytes, { expected: bytes });
  } catch (e) {
    if (!(e instanceof WriteError)) throw e;
    return { kind: 'not-fixed', text, findings, message: `not fixed: ${e.message}; the file is unchanged` };
  }
  return {
    kind: 'fixed',
    text: fixedText,
    findings: lintText(fixedText, lintOptionsFor(request, file, fixedText)).findings,
    applied,
  };
}
