/**
 * partial-pin — a short GUP result mishandled ("this may be less than nr_pages", mm/gup.c): the
 * pinned prefix leaked on an error path, a -errno or the requested count passed to the release
 * (from the path engine), or a result only ever compared with 0, so a short count flows on as if
 * every page had been taken.
 */
import type { SyntaxNode } from '../parse/syntax';
import { walk } from '../parse/syntax';
import { canonical, identifierName, unwrap } from '../analysis/expr';
import type { FunctionAnalysis } from '../analysis/types';
import { underNegativeCheck } from '../analysis/summaries';
import type { Finding, Span } from '../findings';
import { holdsResources } from '../fileAnalysis/paths';
import type { PathIssue } from '../paths/engine';
import { fnName, lineOf, spanOf } from './support/finding';
import {
  branchText,
  countName,
  isPartialOnlyLeak,
  nrText,
  pageIssueFindings,
  type PageIssue,
} from './support/pathIssues';
import { defineRule, type RuleContext } from './support/rule';

export const partialPin = defineRule({
  id: 'partial-pin',
  meta: {
    title: 'Short GUP result mishandled',
    severity: 'warning',
    group: 'path',
    doc: 'gupKernelDoc',
    fixable: 'none',
    description:
      'A short positive result (fewer pages than asked) is treated as failure without releasing the pages taken, treated as complete, or released with the requested count instead of the returned one.',
    catches:
      'After `ret = pin_user_pages*(…, nr, …)`: a path where 0 < ret < nr returns an error without releasing the ret pages; a result checked only for `< 0` and then used as if all nr pages were there; a release that passes nr (or a negative ret) instead of the number actually taken.',
    why: '"If nr_pages is >0, and some pages were pinned, returns the number of pages pinned. Again, this may be less than nr_pages." The pages before the failure stay pinned and only the caller can release them. unpin_user_pages() with a -errno count WARNs and does nothing; with the requested count it unpins entries that were never pinned (NULL or stale pointers).',
    wrong:
      'pinned = pin_user_pages_fast(addr, npages, FOLL_WRITE, pages);\nif (pinned != npages)\n\treturn -EFAULT;\t/* leaks 0 < pinned < npages pages */',
    right:
      'pinned = pin_user_pages_fast(addr, npages, FOLL_WRITE, pages);\nif (pinned != npages) {\n\tif (pinned > 0)\n\t\tunpin_user_pages(pages, pinned);\n\treturn -EFAULT;\n}',
    fix: 'No automatic fix; the message names the count to use.',
  },
  check,
});

function check(ctx: RuleContext): Finding[] {
  const findings = pageIssueFindings(ctx.file, ['leak', 'negative-count', 'count-mismatch'], (issue, page, fn) =>
    issueFinding(ctx, fn, issue, page),
  );
  for (const fn of ctx.file.functions) if (holdsResources(fn)) findings.push(...treatedAsComplete(ctx, fn));
  return findings;
}

function issueFinding(
  { file, finding }: RuleContext,
  fn: FunctionAnalysis,
  issue: PathIssue,
  page: PageIssue,
): Finding | null {
  const { op, verb, related, base } = page;
  switch (issue.kind) {
    case 'leak': {
      if (!isPartialOnlyLeak(issue, op)) return null; // missing-release
      const ret = issue.at;
      related.push({ span: ret.span, message: `${ret.label} without releasing them` });
      return finding({
        span: issue.decisive?.span ?? ret.span,
        related,
        ...base,
        message: `When ${fnName(op.name)} takes only some of the ${nrText(op)} pages (0 < ${countName(op).replace(/`/g, '')} < ${nrText(op).replace(/`/g, '')}), this path${branchText(issue.decisive)} ends in \`${ret.label}\` (line ${lineOf(file, ret.span)}) without releasing them: the ${verb} prefix leaks. Release ${countName(op)} pages first.`,
      });
    }
    case 'negative-count':
      return finding({
        span: issue.at.span,
        related,
        ...base,
        message: `On this path${branchText(issue.decisive)} ${countName(op)} is a -errno and nothing was ${verb}, but it is passed as the count to ${issue.at.label.split('(')[0]}(): unpin_user_pages() WARNs on a negative count (IS_ERR_VALUE) and a put_page() loop runs zero times. Skip the release when ${fnName(op.name)} failed.`,
      });
    case 'count-mismatch': {
      if (op.heldCount) {
        const assignment = findAssignment(fn, issue.countText ?? '', op.heldCount);
        if (assignment)
          related.push({ span: assignment, message: `the count is made \`${op.heldCount}\` only on this path` });
        return finding({
          span: issue.at.span,
          related,
          ...base,
          message: `${issue.at.label.split('(')[0]}() releases \`${issue.countText}\` pages, but ${page.acquired} reports \`${op.heldCount}\` pages taken; on this path${branchText(issue.decisive)} nothing makes them equal${assignment ? ` (\`${issue.countText} = ${op.heldCount}\` happens only on the path through line ${lineOf(file, assignment)})` : ''}. Pages past \`${op.heldCount}\` were never ${verb} (NULL or stale entries). Release exactly \`${op.heldCount}\`.`,
        });
      }
      return finding({
        span: issue.at.span,
        related,
        ...base,
        message: `This release uses the requested count \`${issue.countText}\`, but on this path${branchText(issue.decisive)} ${fnName(op.name)} took fewer pages (${countName(op).replace(/`/g, '')} < ${nrText(op).replace(/`/g, '')}). Release exactly ${countName(op)} pages: the entries past it were never ${verb}.`,
      });
    }
    default:
      return null;
  }
}

/** `count = held;` in the function, for the related location of a count fix-up on one path. */
function findAssignment(fn: FunctionAnalysis, countText: string, held: string): Span | null {
  let found: Span | null = null;
  walk(fn.info.body, (node) => {
    if (found) return false;
    if (
      node.type === 'assignment_expression' &&
      identifierName(node.childForFieldName('left')) === countText &&
      identifierName(node.childForFieldName('right')) === held
    ) {
      found = spanOf(node);
      return false;
    }
    return true;
  });
  return found;
}

/**
 * "Treated as complete": the result is only ever compared with 0 (or not at all), and neither it
 * nor an accumulator of it is compared with anything else or handed on as a count — so a short
 * positive result flows on as if every page had been taken.
 */
function treatedAsComplete({ finding }: RuleContext, fn: FunctionAnalysis): Finding[] {
  const findings: Finding[] = [];
  for (const node of fn.cfg.nodes) {
    for (const op of node.ops) {
      if (op.kind !== 'acquire' || op.single || op.helper || op.api.returns !== 'count') continue;
      const result = op.result.variable;
      if (!result) continue;
      // The result and the counters it is added to (`total += ret`).
      const tracked = new Set([result]);
      if (handedOn(fn, result, tracked)) continue;
      const { comparedToNonZero, firstCheck } = comparisons(fn, result, tracked);
      if (comparedToNonZero) continue;
      const nr = op.nr?.text.replace(/\s+/g, ' ');
      findings.push(
        finding({
          span: spanOf(firstCheck ?? op.node),
          function: fn.info.name,
          related: [
            {
              span: spanOf(op.node),
              message: `${fnName(op.name)} may return fewer than ${nr ?? 'the requested'} pages`,
            },
          ],
          message: `A short result from ${fnName(op.name)} is treated as complete: \`${result}\` is only checked against 0, never against the ${nr !== undefined ? `requested \`${nr}\`` : 'requested count'}, so when only some pages are ${op.family === 'pin' ? 'pinned' : 'taken'} (0 < ${result} < ${nr ?? 'nr'}) the code goes on as if all were. Handle the short count: retry the rest, or release ${result} pages and fail.`,
        }),
      );
    }
  }
  return findings;
}

function mentions(n: SyntaxNode, names: ReadonlySet<string>): boolean {
  let hit = false;
  walk(n, (x) => {
    if (hit) return false;
    if (x.type === 'identifier' && names.has(x.text)) hit = true;
    return !hit;
  });
  return hit;
}

/**
 * Whether the count reaches someone who copes with a short one: stored for or returned to the
 * caller (itself or a value computed from it), or passed as the count of a release. Adds the
 * variables the result is accumulated into to `tracked`.
 */
function handedOn(fn: FunctionAnalysis, result: string, tracked: Set<string>): boolean {
  // Values computed from the result (`maxsize = min(maxsize, res * PAGE_SIZE - off)`): if one
  // of them is returned or stored for the caller, the caller learns the short count.
  // The body's assignments are collected once, in walk order, and the three passes go over them
  // (walking the body three times was a good part of an editor's update of drivers/scsi/st.c).
  const derived = new Set([result]);
  const assignments: { name: string; right: SyntaxNode }[] = [];
  walk(fn.info.body, (n) => {
    if (n.type !== 'assignment_expression' && n.type !== 'init_declarator') return true;
    const left = n.childForFieldName(n.type === 'init_declarator' ? 'declarator' : 'left');
    const right = n.childForFieldName(n.type === 'init_declarator' ? 'value' : 'right');
    const name = left ? identifierName(left) : null;
    if (name && right) assignments.push({ name, right });
    return true;
  });
  for (let pass = 0; pass < 3; pass++)
    for (const { name, right } of assignments) if (mentions(right, derived)) derived.add(name);
  let handed = false;
  walk(fn.info.body, (n) => {
    if (n.type === 'assignment_expression' && identifierName(n.childForFieldName('right')) === result) {
      const left = n.childForFieldName('left');
      const opType = n.childForFieldName('operator')?.type;
      const l = left ? unwrap(left) : null;
      if (l && l.type === 'identifier' && (opType === '+=' || opType === '=')) tracked.add(l.text);
    }
    if (n.type === 'assignment_expression' && n.childForFieldName('operator')?.type === '=') {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      const lu = l ? unwrap(l) : null;
      if (lu && r && (lu.type === 'pointer_expression' || lu.type === 'field_expression') && mentions(r, derived))
        handed = true;
    }
    // `return ret;` (or a value computed from it) hands the count to the caller — unless it
    // is the error return `if (ret < 0) return ret;`, which hands on an errno.
    if (
      n.type === 'return_statement' &&
      n.namedChildren[0] &&
      mentions(n.namedChildren[0], derived) &&
      !underNegativeCheck(n, result)
    )
      handed = true;
    return true;
  });
  if (handed) return true;
  // Used as a count argument (a release, an sg table) or a loop bound: the code copes with a short count.
  for (const node of fn.cfg.nodes)
    for (const other of node.ops)
      if (other.kind === 'release' && other.count.kind === 'expr' && tracked.has(canonical(other.count.node)))
        return true;
  return false;
}

/**
 * How the result (or a counter of it) is compared anywhere in the body — not only in branch
 * conditions: `off = (requested == page_count) ? 0 : off + page_count;` handles the short count as
 * surely as an `if`. `firstCheck` is the first comparison of the result itself.
 */
function comparisons(
  fn: FunctionAnalysis,
  result: string,
  tracked: ReadonlySet<string>,
): { comparedToNonZero: boolean; firstCheck: SyntaxNode | null } {
  let comparedToNonZero = false;
  let firstCheck: SyntaxNode | null = null;
  walk(fn.info.body, (n) => {
    if (n.type !== 'binary_expression') return true;
    const operator = n.childForFieldName('operator')?.type ?? '';
    if (!['<', '<=', '>', '>=', '==', '!='].includes(operator)) return true;
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    const l = left ? identifierName(left) : null;
    const r = right ? identifierName(right) : null;
    const other = l && tracked.has(l) ? right : r && tracked.has(r) ? left : null;
    if (!other) return true;
    if (l === result || r === result) firstCheck ??= n;
    const o = unwrap(other);
    const zero = o.type === 'number_literal' && Number(o.text) === 0;
    if (!zero) comparedToNonZero = true;
    return true;
  });
  return { comparedToNonZero, firstCheck };
}
