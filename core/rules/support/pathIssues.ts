/**
 * From the path engine's issues to findings. The engine walks each function's paths once per file
 * analysis (core/paths/cache.ts) and records every issue it meets; each path rule picks the kinds
 * it reports. A finding carries the path it was found on, step by step.
 *
 * Where a finding is placed: at the branch that decided the outcome when there is one (the `goto`
 * ladder's decision is where the logic went wrong), otherwise at the release or return that shows
 * the problem; the other places are related locations.
 */
import type { FileAnalysis } from '../../fileAnalysis/types';
import type { FunctionAnalysis } from '../../analysis/types';
import type { AcquireOp, DmaOp } from '../../analysis/ops';
import type { Finding, Span } from '../../findings';
import { holdsResources, pathsOf } from '../../fileAnalysis/paths';
import type { IssueKind, PathEvent, PathIssue } from '../../paths/engine';
import { fnName, lineOf, spanOf } from './finding';

/**
 * One finding per place: `build` turns an issue of a function into this rule's finding (or null
 * when the issue is not this rule's); a second finding at the same start is dropped.
 */
function pathIssueFindings(
  file: FileAnalysis,
  build: (fn: FunctionAnalysis, issue: PathIssue) => Finding | null,
): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<number>();
  for (const fn of file.functions) {
    if (!holdsResources(fn)) continue;
    for (const issue of pathsOf(file, fn).issues) {
      const f = build(fn, issue);
      if (!f || seen.has(f.span.start)) continue;
      seen.add(f.span.start);
      findings.push(f);
    }
  }
  return findings;
}

/** Findings from the issues of kinds `kinds` about pages from GUP. */
export function pageIssueFindings(
  file: FileAnalysis,
  kinds: readonly IssueKind[],
  build: (issue: PathIssue, page: PageIssue, fn: FunctionAnalysis) => Finding | null,
): Finding[] {
  return pathIssueFindings(file, (fn, issue) => {
    const page = kinds.includes(issue.kind) ? pageIssue(file, fn, issue) : null;
    return page ? build(issue, page, fn) : null;
  });
}

/** Findings from the issues of kind `kind` about DMA mappings, allocations and pools. */
export function dmaIssueFindings(
  file: FileAnalysis,
  kind: IssueKind,
  build: (issue: PathIssue, dma: DmaIssue, fn: FunctionAnalysis) => Finding | null,
): Finding[] {
  return pathIssueFindings(file, (fn, issue) => {
    const dma = issue.kind === kind ? dmaIssue(fn, issue) : null;
    return dma ? build(issue, dma, fn) : null;
  });
}

type Related = { span: Span; message: string }[];
type Steps = { span: Span; label: string }[];

/** What a finding about pages from GUP says about where they came from and the path. */
export interface PageIssue {
  readonly op: AcquireOp;
  /** `pin_user_pages_fast() (line 12)` */
  readonly acquired: string;
  /** `pinned` or `referenced` */
  readonly verb: string;
  /** The acquire, and the deciding branch when there is one; rules add their own places. */
  readonly related: Related;
  readonly base: { readonly function: string; readonly path: Steps };
}

/** The pages side of an issue, or null when the issue is about a DMA resource. */
function pageIssue(file: FileAnalysis, fn: FunctionAnalysis, issue: PathIssue): PageIssue | null {
  const op = issue.res.op;
  if (op.kind !== 'acquire') return null;
  const verb = op.family === 'pin' ? 'pinned' : 'referenced';
  const related: Related = [{ span: spanOf(op.node), message: `pages ${verb} here` }];
  if (issue.decisive)
    related.push({ span: issue.decisive.span, message: `on this path ${branchText(issue.decisive).slice(2, -1)}` });
  // Assignments are part of the path the engine walked, not of the story the finding tells.
  const path = issue.events.filter((e) => e.kind !== 'assign').map((e) => ({ span: e.span, label: e.label }));
  return {
    op,
    acquired: `${fnName(op.name)} (line ${lineOf(file, op.node)})`,
    verb,
    related,
    base: { function: fn.info.name, path },
  };
}

/** What a finding about a DMA mapping, allocation or pool says about it and the path. */
export interface DmaIssue {
  readonly op: DmaOp;
  readonly related: Related;
  readonly base: { readonly function: string; readonly path: Steps };
}

/** The DMA side of an issue, or null when the issue is about pages from GUP. */
function dmaIssue(fn: FunctionAnalysis, issue: PathIssue): DmaIssue | null {
  const op = issue.res.op;
  if (op.kind !== 'dma') return null;
  const related: Related = [{ span: spanOf(op.node), message: `${fnName(op.name)} here` }];
  if (issue.decisive) related.push({ span: issue.decisive.span, message: 'the branch this path takes' });
  const path = issue.events.map((e) => ({ span: e.span, label: e.label }));
  return { op, related, base: { function: fn.info.name, path } };
}

/** ` (`ret < 0` is false)` for a deciding branch, empty without one. */
export function branchText(e: PathEvent | null): string {
  return e?.branch ? ` (\`${e.branch.text}\` is ${e.branch.value})` : '';
}

export function countName(op: AcquireOp): string {
  return op.result.variable ? `\`${op.result.variable}\`` : 'the returned count';
}

export function nrText(op: AcquireOp): string {
  return op.nr ? `\`${op.nr.text.replace(/\s+/g, ' ')}\`` : 'the requested count';
}

/**
 * A leak that happens only when GUP took some but not all of the pages: partial-pin's to report
 * ("the pinned prefix leaks"), not missing-release's.
 */
export function isPartialOnlyLeak(issue: PathIssue, op: AcquireOp): boolean {
  return (
    !op.heldCount &&
    issue.outcomes.includes('partial') &&
    issue.outcomes.every((o) => o === 'partial' || o === 'zero' || o === 'neg')
  );
}
