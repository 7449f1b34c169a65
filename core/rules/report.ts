/**
 * Building findings: spans from syntax nodes, 1-based ranges from spans, the rule's default
 * severity and documentation link from the rule table.
 */
import type { SyntaxNode } from '../parse/syntax';
import type { FileAnalysis } from '../analysis/file';
import type { Finding, Fix, PathStep, RelatedLocation, Span } from '../findings';
import type { RuleId } from './ids';
import { ruleDocsUrl, ruleMeta } from './table';

export function spanOf(node: SyntaxNode): Span {
  return { start: node.startIndex, end: node.endIndex };
}

export interface FindingInput {
  readonly rule: RuleId;
  readonly span: Span;
  readonly message: string;
  readonly related?: readonly { readonly span: Span; readonly message: string }[];
  readonly fixes?: readonly Fix[];
  readonly function?: string;
  readonly path?: readonly { readonly span: Span; readonly label: string }[];
}

export function finding(file: FileAnalysis, input: FindingInput): Finding {
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
    rule: input.rule,
    severity: ruleMeta(input.rule).severity,
    message: input.message,
    span: input.span,
    range: file.lines.range(input.span),
    related,
    docsUrl: ruleDocsUrl(input.rule),
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

/** A short quotation of source for messages: one line, at most `max` characters. */
export function quote(node: SyntaxNode, max = 60): string {
  const text = node.text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `name()` as messages write function names. */
export function fnName(name: string): string {
  return `${name}()`;
}
