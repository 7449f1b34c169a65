/**
 * Building findings: spans from syntax nodes, 1-based ranges from spans, the rule's default
 * severity and documentation link from its meta. Rules reach `buildFinding` through
 * `ctx.finding(...)`, which fills in the rule.
 */
import type { SyntaxNode } from '../../parse/syntax';
import type { FileAnalysis } from '../../fileAnalysis/types';
import { KERNEL_DOCS } from '../../catalog/docs';
import type { Finding, Fix, PathStep, RelatedLocation, Span } from '../../findings';
import type { RuleId } from '../index';
import type { RuleMeta } from './rule';

export function spanOf(node: SyntaxNode): Span {
  return { start: node.startIndex, end: node.endIndex };
}

export interface FindingInput {
  readonly span: Span;
  readonly message: string;
  readonly related?: readonly { readonly span: Span; readonly message: string }[];
  readonly fixes?: readonly Fix[];
  readonly function?: string;
  readonly path?: readonly { readonly span: Span; readonly label: string }[];
}

export function buildFinding(file: FileAnalysis, rule: string, meta: RuleMeta, input: FindingInput): Finding {
  const related: RelatedLocation[] = (input.related ?? []).map((r) => ({
    span: r.span,
    range: file.lines.range(r.span),
    message: r.message,
  }));
  const path: PathStep[] | undefined = input.path?.map((p) => ({
    span: p.span,
    range: file.lines.range(p.span),
    label: p.label,
  }));
  return {
    // Only rules in RULES run, and RuleId is the union of their ids.
    rule: rule as RuleId,
    severity: meta.severity,
    message: input.message,
    span: input.span,
    range: file.lines.range(input.span),
    related,
    docsUrl: KERNEL_DOCS[meta.doc].url,
    fixes: input.fixes ?? [],
    ...(input.function !== undefined ? { function: input.function } : {}),
    ...(path ? { path } : {}),
  };
}

/** "line 30" for a node, for messages that point at another place in the file. */
export function lineOf(file: FileAnalysis, node: SyntaxNode | Span): number {
  const start = 'startIndex' in node ? node.startIndex : node.start;
  return file.lines.position(start).line + 1;
}

/** `name()` as messages write function names. */
export function fnName(name: string): string {
  return `${name}()`;
}
