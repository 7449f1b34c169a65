/**
 * api-version — calls that do not fit the configured kernel: the function is not there, or its
 * signature there takes a different number of arguments (tsk went away in v5.9, vmas in v6.5).
 * Signatures per version: kernel-semantics.md §1.1–1.2.
 */
import type { SyntaxNode } from '../parse/syntax';
import { acquireApi, releaseApi, signatureAt, type AcquireApi, type ReleaseApi, type Signature } from '../catalog/gup';
import { describeRange, formatVersion, inRange } from '../catalog/version';
import { callArguments, identifierName, isNullPointer, unwrap } from '../analysis/expr';
import type { Finding, Fix, TextEdit } from '../findings';
import { fnName, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

type Api = AcquireApi | ReleaseApi;

/** Removes argument `index` with its comma. */
function dropArgument(args: readonly SyntaxNode[], index: number): TextEdit | null {
  const arg = args[index];
  if (!arg) return null;
  if (index > 0) {
    const previous = args[index - 1] as SyntaxNode;
    return { span: { start: previous.endIndex, end: arg.endIndex }, newText: '' };
  }
  const next = args[index + 1];
  return next
    ? { span: { start: arg.startIndex, end: next.startIndex }, newText: '' }
    : { span: spanOf(arg), newText: '' };
}

/** The signature (of any version) that has `argc` parameters, newest first. */
function signatureWithArity(api: Api, argc: number): Signature | undefined {
  return [...api.signatures].reverse().find((s) => s.params.length === argc);
}

/**
 * A safe fix when the extra argument is the one that went away and carries nothing:
 * `vmas` passed as NULL (gone in v6.5), `tsk` passed as NULL or `current` (gone in v5.9).
 */
function arityFix(api: Api, args: readonly SyntaxNode[], target: Signature): Fix | null {
  const written = signatureWithArity(api, args.length);
  if (!written || written.params.length !== target.params.length + 1) return null;
  const extra = written.params.findIndex((p, i) => target.params[i] !== p);
  const index = extra < 0 ? written.params.length - 1 : extra;
  const role = written.params[index];
  const arg = args[index];
  if (!arg) return null;
  const droppable =
    (role === 'vmas' && isNullPointer(arg)) ||
    (role === 'tsk' && (isNullPointer(arg) || identifierName(unwrap(arg)) === 'current'));
  if (!droppable) return null;
  const edit = dropArgument(args, index);
  return edit ? { title: `Remove the \`${role}\` argument (${arg.text})`, edits: [edit], safe: true } : null;
}

export const apiVersion = defineRule({
  id: 'api-version',
  meta: {
    title: 'GUP/DMA call does not fit the kernel version',
    severity: 'error',
    group: 'gup',
    doc: 'gupKernelDoc',
    fixable: 'safe',
    description:
      'The function does not exist in the configured kernel version, or is called with an argument count its signature there does not have.',
    catches:
      'Calls to catalogued functions that are absent in the configured version (pin_user_pages_fast_only() on ≥6.3, put_user_pages() on ≥5.6, memfd_pin_folios() before 6.11 …) or whose argument count does not match (a `vmas` argument on ≥6.5, a `tsk` argument on ≥5.9).',
    why: 'GUP signatures changed several times (tsk removed in v5.9, vmas removed in v6.5, pages-before-flags in *_unlocked). A driver carried across versions with a stale call either does not build or, worse, has its arguments shifted by one.',
    wrong: '/* Linux 6.5+ */\nret = pin_user_pages(start, n, FOLL_WRITE, pages, NULL);',
    right: '/* Linux 6.5+ */\nret = pin_user_pages(start, n, FOLL_WRITE, pages);',
    fix: 'Drops a NULL `vmas` argument (≥6.5) or a `current`/NULL `tsk` argument (≥5.9); renames put_user_page*() to unpin_user_page*() (≥5.6). These are safe (applied by --fix): the call as written does not build in that kernel, and the dropped argument carried nothing (a NULL vmas; tsk only fed fault accounting) or the new name is the same function renamed. Other cases need a human.',
  },
  check,
});

function check({ file, finding }: RuleContext): Finding[] {
  const findings: Finding[] = [];
  const v = file.version;
  const seen = new Set<number>();
  for (const fn of file.functions) {
    for (const node of fn.cfg.nodes) {
      for (const op of node.ops) {
        if ((op.kind !== 'acquire' && op.kind !== 'release') || op.node.type !== 'call_expression') continue;
        if (op.kind === 'acquire' && op.helper) continue;
        if (op.kind === 'release' && op.via !== 'catalog') continue;
        if (seen.has(op.node.id)) continue;
        seen.add(op.node.id);
        const api: Api | undefined = acquireApi(op.name) ?? releaseApi(op.name);
        if (!api) continue;
        const calleeNode = op.node.childForFieldName('function') ?? op.node;
        const args = callArguments(op.node);
        if (!inRange(v, api.exists)) {
          const renamed = 'renamedTo' in api ? api.renamedTo : undefined;
          const fixes: Fix[] = [];
          let message = `${fnName(api.name)} does not exist in Linux ${formatVersion(v)} (it exists ${describeRange(api.exists)}).`;
          if (renamed && inRange(v, { since: renamed.since })) {
            message += ` It was renamed to ${fnName(renamed.name)} in v${renamed.since} ("mm, tree-wide: rename put_user_page*() to unpin_user_page*()").`;
            fixes.push({
              title: `Rename to ${renamed.name}()`,
              edits: [{ span: spanOf(calleeNode), newText: renamed.name }],
              safe: true,
            });
          } else if (api.name === 'pin_user_pages_fast_only') {
            message +=
              ' It was removed in v6.3 (no users were left); pin_user_pages_fast() may sleep, so a caller in atomic context needs a different design.';
          } else if (api.name === 'get_user_pages_locked' || api.name === 'pin_user_pages_locked') {
            message += ` Use ${api.name.replace('_locked', '_remote')}() with the \`locked\` argument, or ${api.name.replace('_locked', '_unlocked')}().`;
          } else if (api.name === 'get_user_pages_longterm') {
            message += ' Use pin_user_pages(…, gup_flags | FOLL_LONGTERM, …).';
          } else if (api.name === '__get_user_pages_fast') {
            message += ' It was renamed get_user_pages_fast_only() in v5.8.';
          }
          findings.push(finding({ span: spanOf(calleeNode), function: fn.info.name, message, fixes }));
          continue;
        }
        const signature = signatureAt(api, v);
        if (!signature || signature.params.length === args.length) continue;
        const written = signatureWithArity(api, args.length);
        let message = `${fnName(api.name)} takes ${signature.params.length} arguments in Linux ${formatVersion(v)} (${signature.params.join(', ')}); this call passes ${args.length}.`;
        if (written) message += ` That is the ${describeRange(written.range)} form (${written.params.join(', ')}).`;
        if (written && written.params.includes('vmas') && !signature.params.includes('vmas'))
          message +=
            ' The vmas argument was removed in v6.5 ("mm/gup: remove vmas parameter from pin_user_pages()"); use get_user_page_vma_remote() if the VMA is needed.';
        if (written && written.params.includes('tsk') && !signature.params.includes('tsk'))
          message +=
            ' The task_struct argument was removed in v5.9 ("mm/gup: remove task_struct pointer for all gup code").';
        const fix = arityFix(api, args, signature);
        findings.push(
          finding({
            span: spanOf(op.node),
            function: fn.info.name,
            message,
            fixes: fix ? [fix] : [],
          }),
        );
      }
    }
  }
  return findings;
}
