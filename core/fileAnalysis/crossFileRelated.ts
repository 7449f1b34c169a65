/**
 * A finding whose reasoning used another file's fact says so (issue 12): when the finding, one of
 * its related places or a step of its path covers a call of another file's summarised function
 * (or wrapper macro), or a use of another file's macro, the finding gets a related location in
 * that file — where the function or macro is defined — so that a reader (and an editor's
 * relatedInformation) can check what pinscope assumed it does.
 */
import type { Finding, RelatedLocation, Span } from '../findings';
import { forEachOfType } from '../parse/syntax';
import { calleeName } from '../analysis/expr';
import type { FactOrigin } from '../analysis/summaryTypes';
import type { FileAnalysis } from './types';
import { isCatalogued, type ExternalFacts } from './external';

interface ForeignUse {
  readonly span: Span;
  readonly name: string;
  readonly what: 'function' | 'macro';
  readonly origin: FactOrigin;
}

/** Calls of other files' functions and uses of their macros in the analysed functions. */
function foreignUses(file: FileAnalysis, external: ExternalFacts): ForeignUse[] {
  const uses: ForeignUse[] = [];
  for (const fn of file.functions) {
    forEachOfType(fn.info.body, ['call_expression', 'identifier'], (node) => {
      const span = { start: node.startIndex, end: node.endIndex };
      if (node.type === 'call_expression') {
        const name = calleeName(node) ?? '';
        if (file.defined.has(name) || isCatalogued(name)) return;
        const origin = external.helpers.get(name)?.origin ?? external.wrappers.get(name)?.origin;
        if (origin) uses.push({ span, name, what: 'function', origin });
        return;
      }
      // Flag macros only: a size constant is not what a finding's reasoning rests on.
      const macro = external.macros.get(node.text);
      if (macro?.origin && file.macros.get(node.text) === macro && macro.value.includes('FOLL_'))
        uses.push({ span, name: node.text, what: 'macro', origin: macro.origin });
    });
  }
  return uses;
}

const overlaps = (a: Span, b: Span): boolean => a.start < b.end && b.start < a.end;

function relatedFor(use: ForeignUse): RelatedLocation {
  const where = `${use.origin.file}:${use.origin.line}`;
  return {
    span: { start: 0, end: 0 },
    range: {
      line: use.origin.line,
      column: use.origin.column,
      endLine: use.origin.endLine,
      endColumn: use.origin.endColumn,
    },
    file: use.origin.file,
    message:
      use.what === 'function'
        ? `${use.name}() is defined here (${where}); pinscope used its summary`
        : `${use.name} is defined here (${where})`,
  };
}

/** `findings` with a related location for each other file's fact they cover. */
export function withCrossFileRelated(
  findings: readonly Finding[],
  file: FileAnalysis,
  external: ExternalFacts | undefined,
): Finding[] {
  if (!external || (external.helpers.size === 0 && external.macros.size === 0 && external.wrappers.size === 0))
    return [...findings];
  const uses = foreignUses(file, external);
  if (uses.length === 0) return [...findings];
  return findings.map((f) => {
    const spans = [
      f.span,
      ...f.related.filter((r) => r.file === undefined).map((r) => r.span),
      ...(f.path ?? []).map((s) => s.span),
    ];
    const names = new Set<string>();
    const extra: RelatedLocation[] = [];
    for (const use of uses) {
      if (names.has(use.name) || !spans.some((s) => overlaps(s, use.span))) continue;
      names.add(use.name);
      extra.push(relatedFor(use));
    }
    return extra.length > 0 ? { ...f, related: [...f.related, ...extra] } : f;
  });
}
