/**
 * Rewriting a release into the other family's release, as the kernel's own conversions did
 * (scsi/st, xen/privcmd, fpga/dfl-afu in 2020):
 *
 *   for (j = 0; j < res; j++) put_page(pages[j]);     → unpin_user_pages(pages, res);
 *   loop { if (d) SetPageDirty(p); put_page(p); }       → unpin_user_pages_dirty_lock(base, n, d);
 *   loop { set_page_dirty_lock(p); put_page(p); }       → unpin_user_pages_dirty_lock(base, n, true);
 *   release_pages(pages, n);                            → unpin_user_pages(pages, n);
 *   put_page(page);                                     → unpin_user_page(page);
 *   put_all_pages(region->pages, n);  (helper by name)  → unpin_user_pages(region->pages, n);
 *
 * and back, for pinned pages released as references.
 */
import type { SyntaxNode } from '../parse/syntax';
import { pinReleaseFor } from '../catalog/gup';
import { calleeName, callArguments, canonical, identifierName, unwrap } from '../analysis/expr';
import type { FunctionInfo } from '../analysis/functions';
import { walk } from '../parse/syntax';
import type { ReleaseOp } from '../analysis/ops';
import type { TextEdit } from '../findings';
import { sourceOf, statementDeletionSpan } from './edits';

/** The call's function-name identifier, for renames. */
function calleeNode(call: SyntaxNode): SyntaxNode | null {
  const fn = call.childForFieldName('function');
  return fn ? unwrap(fn) : null;
}

function statementOf(call: SyntaxNode): SyntaxNode | null {
  const parent = call.parent;
  return parent?.type === 'expression_statement' ? parent : null;
}

/** `set_page_dirty_lock(x);` (or SetPageDirty/set_page_dirty) right before `put_page(x);`. */
function dirtyStatementBefore(call: SyntaxNode): { statement: SyntaxNode; locked: boolean } | null {
  const statement = statementOf(call);
  let previous = statement?.previousNamedSibling ?? null;
  while (previous?.type === 'comment') previous = previous.previousNamedSibling;
  if (!statement || !previous || previous.type !== 'expression_statement') return null;
  const dirtyCall = previous.namedChildren[0];
  if (!dirtyCall || dirtyCall.type !== 'call_expression') return null;
  const name = calleeName(dirtyCall);
  if (name !== 'set_page_dirty_lock' && name !== 'set_page_dirty' && name !== 'SetPageDirty') return null;
  const a = callArguments(dirtyCall)[0];
  const b = callArguments(call)[0];
  if (!a || !b || canonical(a) !== canonical(b)) return null;
  return { statement: previous, locked: name === 'set_page_dirty_lock' };
}

function addressOf(text: string, node: SyntaxNode): string {
  const expr = unwrap(node);
  const src = sourceOf(text, node);
  if (expr.type === 'pointer_expression' && expr.child(0)?.type === '*')
    return sourceOf(text, expr.childForFieldName('argument') as SyntaxNode);
  return expr.type === 'identifier' || expr.type === 'subscript_expression' || expr.type === 'field_expression'
    ? `&${src}`
    : `&(${src})`;
}

export interface ReleaseRewrite {
  readonly edits: TextEdit[];
  /** Loop index variables the rewrite made unused, per function body. */
  readonly freedIndex: { readonly fn: FunctionInfo; readonly index: string } | null;
}

/**
 * Edits that turn a FOLL_GET release into the FOLL_PIN release for the same pages; null when the
 * release has a shape we do not rewrite (the caller then reports the conversion as incomplete).
 */
export function toPinRelease(op: ReleaseOp, text: string, fn: FunctionInfo): ReleaseRewrite | null {
  if (op.bulk) {
    const { bulk } = op;
    const base = sourceOf(text, bulk.base.node);
    const count = sourceOf(text, bulk.count);
    let call: string;
    if (!bulk.dirty) call = `unpin_user_pages(${base}, ${count});`;
    else
      call = `unpin_user_pages_dirty_lock(${base}, ${count}, ${bulk.dirty.condition ? sourceOf(text, bulk.dirty.condition) : 'true'});`;
    return {
      edits: [{ span: { start: bulk.loop.startIndex, end: bulk.loop.endIndex }, newText: call }],
      freedIndex: { fn, index: bulk.index },
    };
  }
  const callee = op.node.type === 'call_expression' ? calleeNode(op.node) : null;
  if (!callee) return null;
  const args = callArguments(op.node);
  switch (op.via === 'by-name' ? 'by-name' : op.name) {
    case 'release_pages':
      return {
        edits: [{ span: { start: callee.startIndex, end: callee.endIndex }, newText: 'unpin_user_pages' }],
        freedIndex: null,
      };
    case 'put_page': {
      const dirty = dirtyStatementBefore(op.node);
      const statement = statementOf(op.node);
      const arg = args[0];
      if (dirty && statement && arg) {
        return {
          edits: [
            { span: statementDeletionSpan(text, dirty.statement), newText: '' },
            {
              span: { start: op.node.startIndex, end: op.node.endIndex },
              newText: `unpin_user_pages_dirty_lock(${addressOf(text, arg)}, 1, true)`,
            },
          ],
          freedIndex: null,
        };
      }
      return {
        edits: [{ span: { start: callee.startIndex, end: callee.endIndex }, newText: pinReleaseFor('page', false) }],
        freedIndex: null,
      };
    }
    case 'folio_put':
      return {
        edits: [{ span: { start: callee.startIndex, end: callee.endIndex }, newText: 'unpin_folio' }],
        freedIndex: null,
      };
    // The page allocator's frees on GUP pages (release-mismatch): one page becomes one unpin.
    case '__free_page':
      return {
        edits: [{ span: { start: callee.startIndex, end: callee.endIndex }, newText: pinReleaseFor('page', false) }],
        freedIndex: null,
      };
    case '__free_pages': {
      const [page, order] = args;
      if (!page || !order || order.text.trim() !== '0') return null;
      return {
        edits: [
          {
            span: { start: op.node.startIndex, end: op.node.endIndex },
            newText: `${pinReleaseFor('page', false)}(${sourceOf(text, page)})`,
          },
        ],
        freedIndex: null,
      };
    }
    case 'by-name': {
      // A helper we cannot see: `put_all_pages(pages, n)` becomes the catalogued release with
      // the same two arguments, as the fpga/dfl-afu conversion did.
      if (args.length !== 2 || op.count.kind !== 'expr') return null;
      const [pagesArg, countArg] = args as [SyntaxNode, SyntaxNode];
      return {
        edits: [
          {
            span: { start: op.node.startIndex, end: op.node.endIndex },
            newText: `unpin_user_pages(${sourceOf(text, pagesArg)}, ${sourceOf(text, countArg)})`,
          },
        ],
        freedIndex: null,
      };
    }
    default:
      return null;
  }
}

/** Edits that turn a FOLL_PIN release into the FOLL_GET release (pages from get_user_pages*). */
export function toGetRelease(op: ReleaseOp, text: string): TextEdit[] | null {
  if (op.node.type !== 'call_expression') return null;
  const callee = calleeNode(op.node);
  const args = callArguments(op.node);
  if (!callee) return null;
  if (op.name === 'unpin_user_page')
    return [{ span: { start: callee.startIndex, end: callee.endIndex }, newText: 'put_page' }];
  if (op.name === 'unpin_user_pages' && args.length === 2)
    return [{ span: { start: callee.startIndex, end: callee.endIndex }, newText: 'release_pages' }];
  if (op.name === 'unpin_folio')
    return [{ span: { start: callee.startIndex, end: callee.endIndex }, newText: 'folio_put' }];
  void text;
  return null;
}

/**
 * After a loop was replaced by one call, its index variable may be unused: drop it from its
 * declaration (`int res, i, j;` → `int res, i;`), as the upstream conversions did.
 */
export function unusedIndexEdits(
  fn: FunctionInfo,
  index: string,
  text: string,
  replaced: readonly TextEdit[],
): TextEdit[] {
  const local = fn.locals.get(index);
  if (!local || local.init) return [];
  let uses = 0;
  walk(fn.body, (node) => {
    if (node.type === 'identifier' && node.text === index && node.id !== local.nameNode.id) {
      const inside = replaced.some((e) => node.startIndex >= e.span.start && node.endIndex <= e.span.end);
      if (!inside) uses++;
    }
    return true;
  });
  if (uses > 0) return [];
  const declaration = local.declaration;
  const declarators = declaration.childrenForFieldName('declarator');
  if (declarators.length === 1) return [{ span: statementDeletionSpan(text, declaration), newText: '' }];
  const i = declarators.findIndex((d) => identifierName(d) === index);
  if (i < 0) return [];
  const d = declarators[i] as SyntaxNode;
  // Remove ", i" (or "i, " when it is first).
  if (i > 0) {
    const previous = declarators[i - 1] as SyntaxNode;
    return [{ span: { start: previous.endIndex, end: d.endIndex }, newText: '' }];
  }
  const next = declarators[1] as SyntaxNode;
  return [{ span: { start: d.startIndex, end: next.startIndex }, newText: '' }];
}
