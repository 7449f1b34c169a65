/**
 * The path rules: missing-release, partial-pin and double-release, from the issues the path engine
 * found on each function's paths. Each finding carries the path it was found on, step by step.
 *
 * Where a finding is placed: at the branch that decided the outcome when there is one (the
 * `goto` ladder's decision is where the logic went wrong), otherwise at the release or return that
 * shows the problem; the other places are related locations.
 */
import { walk } from '../parse/syntax';
import type { SyntaxNode } from '../parse/syntax';
import { canonical, identifierName, unwrap } from '../analysis/expr';
import type { FileAnalysis, FunctionAnalysis } from '../analysis/file';
import type { Linkage } from '../analysis/linkage';
import type { AcquireOp } from '../analysis/pageOps';
import type { Finding, Span } from '../findings';
import { hasAcquires, pathsOf } from '../paths/cache';
import { underNegativeCheck } from '../analysis/summaries';
import type { PathEvent, PathIssue } from '../paths/engine';
import { finding, fnName, lineOf, spanOf } from './report';

function pathSteps(events: readonly PathEvent[]): { span: Span; label: string }[] {
  return events.filter((e) => e.kind !== 'assign').map((e) => ({ span: e.span, label: e.label }));
}

function countName(op: AcquireOp): string {
  return op.result.variable ? `\`${op.result.variable}\`` : 'the returned count';
}

function nrText(op: AcquireOp): string {
  return op.nr ? `\`${op.nr.text.replace(/\s+/g, ' ')}\`` : 'the requested count';
}

function branchText(e: PathEvent | null): string {
  return e?.branch ? ` (\`${e.branch.text}\` is ${e.branch.value})` : '';
}

function issueFinding(file: FileAnalysis, fn: FunctionAnalysis, issue: PathIssue): Finding | null {
  const op = issue.res.op;
  if (op.kind !== 'acquire') return null; // DMA resources: dmaRules.ts
  const acquireLine = lineOf(file, op.node);
  const acquired = `${fnName(op.name)} (line ${acquireLine})`;
  const verb = op.family === 'pin' ? 'pinned' : 'referenced';
  const related: { span: Span; message: string }[] = [{ span: spanOf(op.node), message: `pages ${verb} here` }];
  if (issue.decisive)
    related.push({ span: issue.decisive.span, message: `on this path ${branchText(issue.decisive).slice(2, -1)}` });
  const path = pathSteps(issue.events);
  const base = { function: fn.info.name, path };

  switch (issue.kind) {
    case 'leak': {
      const ret = issue.at;
      const partialOnly =
        !op.heldCount &&
        issue.outcomes.includes('partial') &&
        issue.outcomes.every((o) => o === 'partial' || o === 'zero' || o === 'neg');
      related.push({ span: ret.span, message: `${ret.label} without releasing them` });
      const escaped = issue.events.find((e) => e.kind === 'escape' && e.res?.includes(issue.res.id));
      if (partialOnly) {
        return finding(file, {
          rule: 'partial-pin',
          span: issue.decisive?.span ?? ret.span,
          related,
          ...base,
          message: `When ${fnName(op.name)} takes only some of the ${nrText(op)} pages (0 < ${countName(op).replace(/`/g, '')} < ${nrText(op).replace(/`/g, '')}), this path${branchText(issue.decisive)} ends in \`${ret.label}\` (line ${lineOf(file, ret.span)}) without releasing them: the ${verb} prefix leaks. Release ${countName(op)} pages first.`,
        });
      }
      const why =
        escaped && issue.returnStatus === 'error'
          ? `They were ${escaped.label} (line ${lineOf(file, escaped.span)}), but the function returns an error, and by kernel convention a function that fails has released what it took.`
          : issue.res.nonLocal && issue.returnStatus === 'error'
            ? `They sit in ${op.pages ? `\`${op.pages.node.text.replace(/\s+/g, ' ')}\`` : 'an object'}, but the function returns an error, and by kernel convention a function that fails has released what it took.`
            : 'They are neither released nor stored anywhere before the function returns.';
      return finding(file, {
        rule: 'missing-release',
        span: ret.span,
        related,
        ...base,
        message: `Pages ${verb} by ${acquired} leak on this path${branchText(issue.decisive)}: \`${ret.label}\` (line ${lineOf(file, ret.span)}). ${why}`,
      });
    }
    case 'double-release': {
      if (issue.earlier) related.push({ span: issue.earlier.span, message: `first released here` });
      return finding(file, {
        rule: 'double-release',
        span: issue.at.span,
        related,
        ...base,
        message: `The pages from ${acquired} are released a second time here${issue.earlier ? ` (first at line ${lineOf(file, issue.earlier.span)})` : ''}: each ${op.family === 'pin' ? 'unpin takes 1024 (or one pin of a large folio)' : 'put_page() takes a reference'} the path no longer holds.`,
      });
    }
    case 'negative-count': {
      return finding(file, {
        rule: 'partial-pin',
        span: issue.at.span,
        related,
        ...base,
        message: `On this path${branchText(issue.decisive)} ${countName(op)} is a -errno and nothing was ${verb}, but it is passed as the count to ${issue.at.label.split('(')[0]}(): unpin_user_pages() WARNs on a negative count (IS_ERR_VALUE) and a put_page() loop runs zero times. Skip the release when ${fnName(op.name)} failed.`,
      });
    }
    case 'count-mismatch': {
      if (op.heldCount) {
        const assignment = findAssignment(fn, issue.countText ?? '', op.heldCount);
        if (assignment)
          related.push({ span: assignment, message: `the count is made \`${op.heldCount}\` only on this path` });
        return finding(file, {
          rule: 'partial-pin',
          span: issue.at.span,
          related,
          ...base,
          message: `${issue.at.label.split('(')[0]}() releases \`${issue.countText}\` pages, but ${acquired} reports \`${op.heldCount}\` pages taken; on this path${branchText(issue.decisive)} nothing makes them equal${assignment ? ` (\`${issue.countText} = ${op.heldCount}\` happens only on the path through line ${lineOf(file, assignment)})` : ''}. Pages past \`${op.heldCount}\` were never ${verb} (NULL or stale entries). Release exactly \`${op.heldCount}\`.`,
        });
      }
      return finding(file, {
        rule: 'partial-pin',
        span: issue.at.span,
        related,
        ...base,
        message: `This release uses the requested count \`${issue.countText}\`, but on this path${branchText(issue.decisive)} ${fnName(op.name)} took fewer pages (${countName(op).replace(/`/g, '')} < ${nrText(op).replace(/`/g, '')}). Release exactly ${countName(op)} pages: the entries past it were never ${verb}.`,
      });
    }
    case 'use-after-release':
    case 'dma-unchecked':
    case 'pool-leak':
    case 'wrong-free':
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
 * partial-pin, "treated as complete": the result is only ever compared with 0 (or not at all), and
 * neither it nor an accumulator of it is compared with anything else or handed on as a count — so
 * a short positive result flows on as if every page had been taken.
 */
function treatedAsComplete(file: FileAnalysis, fn: FunctionAnalysis): Finding[] {
  const findings: Finding[] = [];
  // Every comparison in the body counts, not only branch conditions: `off = (requested ==
  // page_count) ? 0 : off + page_count;` handles the short count as surely as an `if`.
  const conditions: SyntaxNode[] = [fn.info.body];
  for (const node of fn.cfg.nodes) {
    for (const op of node.ops) {
      if (op.kind !== 'acquire' || op.single || op.helper || op.api.returns !== 'count') continue;
      const result = op.result.variable;
      if (!result) continue;
      const tracked = new Set([result]);
      // Values computed from the result (`maxsize = min(maxsize, res * PAGE_SIZE - off)`): if one
      // of them is returned or stored for the caller, the caller learns the short count.
      const derived = new Set([result]);
      const mentions = (n: SyntaxNode, names: ReadonlySet<string>): boolean => {
        let hit = false;
        walk(n, (x) => {
          if (hit) return false;
          if (x.type === 'identifier' && names.has(x.text)) hit = true;
          return !hit;
        });
        return hit;
      };
      for (let pass = 0; pass < 3; pass++) {
        walk(fn.info.body, (n) => {
          if (n.type !== 'assignment_expression' && n.type !== 'init_declarator') return true;
          const left = n.childForFieldName(n.type === 'init_declarator' ? 'declarator' : 'left');
          const right = n.childForFieldName(n.type === 'init_declarator' ? 'value' : 'right');
          const name = left ? identifierName(left) : null;
          if (name && right && mentions(right, derived)) derived.add(name);
          return true;
        });
      }
      let handedOn = false;
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
            handedOn = true;
        }
        // `return ret;` (or a value computed from it) hands the count to the caller — unless it
        // is the error return `if (ret < 0) return ret;`, which hands on an errno.
        if (
          n.type === 'return_statement' &&
          n.namedChildren[0] &&
          mentions(n.namedChildren[0], derived) &&
          !underNegativeCheck(n, result)
        )
          handedOn = true;
        return true;
      });
      if (handedOn) continue;
      // Used as a count argument (a release, an sg table) or a loop bound: the code copes with a short count.
      for (const node2 of fn.cfg.nodes) {
        for (const other of node2.ops) {
          if (other.kind === 'release' && other.count.kind === 'expr' && tracked.has(canonical(other.count.node)))
            handedOn = true;
        }
      }
      if (handedOn) continue;
      let comparedToNonZero = false;
      let firstCheck: SyntaxNode | null = null;
      for (const c of conditions) {
        walk(c, (n) => {
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
      }
      if (comparedToNonZero) continue;
      const at = firstCheck ?? op.node;
      findings.push(
        finding(file, {
          rule: 'partial-pin',
          span: spanOf(at),
          function: fn.info.name,
          related: [
            {
              span: spanOf(op.node),
              message: `${fnName(op.name)} may return fewer than ${op.nr?.text.replace(/\s+/g, ' ') ?? 'the requested'} pages`,
            },
          ],
          message: `A short result from ${fnName(op.name)} is treated as complete: \`${result}\` is only checked against 0, never against the ${op.nr ? `requested \`${op.nr.text.replace(/\s+/g, ' ')}\`` : 'requested count'}, so when only some pages are ${op.family === 'pin' ? 'pinned' : 'taken'} (0 < ${result} < ${op.nr?.text.replace(/\s+/g, ' ') ?? 'nr'}) the code goes on as if all were. Handle the short count: retry the rest, or release ${result} pages and fail.`,
        }),
      );
    }
  }
  return findings;
}

export function pathRules(file: FileAnalysis, linkage: Linkage): Finding[] {
  void linkage;
  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const fn of file.functions) {
    if (!hasAcquires(fn)) continue;
    const paths = pathsOf(file, fn);
    for (const issue of paths.issues) {
      const f = issueFinding(file, fn, issue);
      if (!f) continue;
      const key = `${f.rule}:${f.span.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(f);
    }
    findings.push(...treatedAsComplete(file, fn));
  }
  return findings;
}
