/**
 * GUP calls as operations: acquires (get_user_pages*, pin_user_pages* and friends, read with the
 * signature of the configured kernel version), releases (put_page, unpin_user_page*), and
 * releases by helpers the file does not define but whose name says they release pages.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { paramIndex, signatureAt, type AcquireApi, type ReleaseApi, type Signature } from '../../catalog/gup';
import { isReleaseHelperName, releaseHelperFamily } from '../../catalog/helpers';
import { callArguments, isNullPointer, unwrap } from '../expr';
import { resolveFlags } from '../flags';
import { holdsPages, storageOf, writtenAsPages } from '../storage';
import { resultBinding } from './results';
import type { AcquireOp, CountSpec, OpContext, ReleaseOp } from './types';

function argFor(
  args: readonly SyntaxNode[],
  signature: Signature | undefined,
  role: Parameters<typeof paramIndex>[1],
  fallback: number,
): SyntaxNode | null {
  const index = signature ? paramIndex(signature, role) : fallback;
  return index >= 0 ? (args[index] ?? null) : null;
}

export function classifyAcquire(call: SyntaxNode, name: string, api: AcquireApi, ctx: OpContext): AcquireOp {
  const args = callArguments(call);
  // Arguments are read with the signature of the configured version; when the call does not fit
  // that version (api-version reports it), the newest signature is the best guess.
  const signature = signatureAt(api, ctx.version) ?? api.signatures[api.signatures.length - 1];
  const fitting =
    signature && signature.params.length === args.length
      ? signature
      : (bestSignatureFor(api, args.length) ?? signature);
  const pagesArg = argFor(
    args,
    fitting,
    api.returns === 'bool' ? 'pagep' : api.name === 'memfd_pin_folios' ? 'folios' : 'pages',
    -1,
  );
  const nrArg =
    api.returns === 'bool' || api.returns === 'page'
      ? null
      : argFor(
          args,
          fitting,
          api.name === 'memfd_pin_folios' ? 'max_folios' : api.returns === 'bytes' ? 'maxpages' : 'nr_pages',
          -1,
        );
  const flagsArg = argFor(args, fitting, 'gup_flags', -1);
  const flags = flagsArg
    ? resolveFlags(flagsArg, { fn: ctx.fn, macros: ctx.macros, text: ctx.text })
    : { occurrences: [], unknown: false };
  let pages = pagesArg ? storageOf(pagesArg, ctx) : null;
  if (pages && api.returns === 'bytes' && pages.node.type === 'pointer_expression') {
    // iov_iter_extract_pages(i, &pages, ...) allocates or fills *pages: the storage is `pages`.
    pages = { ...pages, element: false };
  }
  const result = resultBinding(call, ctx);
  if (api.returns === 'page' && result.variable) {
    // get_dump_page() returns the page: the variable it lands in is the storage.
    const ref = storageOf(
      call.parent?.type === 'assignment_expression' ? (call.parent.childForFieldName('left') as SyntaxNode) : call,
      ctx,
    );
    pages = ref ?? {
      key: result.variable,
      fileKey: null,
      node: call,
      element: false,
      baseKind: 'local',
      paramIndex: -1,
      structName: null,
    };
  }
  const prefault = pagesArg !== null && isNullPointer(pagesArg);
  const single =
    api.returns === 'bool' ||
    api.returns === 'page' ||
    (nrArg !== null && unwrap(nrArg).type === 'number_literal' && Number(unwrap(nrArg).text) === 1);
  return {
    kind: 'acquire',
    node: call,
    name,
    api,
    signature: fitting,
    args,
    family: api.family,
    pages: prefault ? null : pages,
    nr: nrArg,
    single,
    prefault,
    flagsArg,
    flags,
    result,
  };
}

function bestSignatureFor(api: { readonly signatures: readonly Signature[] }, argc: number): Signature | undefined {
  return [...api.signatures].reverse().find((s) => s.params.length === argc);
}

export function classifyRelease(call: SyntaxNode, name: string, api: ReleaseApi, ctx: OpContext): ReleaseOp {
  const args = callArguments(call);
  const signature = signatureAt(api, ctx.version) ?? api.signatures[api.signatures.length - 1];
  const target = args[0] ?? null;
  const pages = target ? storageOf(target, ctx) : null;
  let count: CountSpec = { kind: 'unknown' };
  if (api.target === 'page' || (api.target === 'folio' && api.name !== 'unpin_user_folio')) count = { kind: 'one' };
  else {
    const countArg = argFor(
      args,
      signature,
      api.target === 'folios' ? 'nfolios' : api.name === 'release_pages' ? 'nr' : 'npages',
      1,
    );
    if (countArg) count = { kind: 'expr', node: countArg };
  }
  const dirtyArg = api.dirty === 'arg' ? argFor(args, signature, 'make_dirty', 2) : null;
  return {
    kind: 'release',
    node: call,
    name,
    api,
    family: api.family,
    pages,
    count,
    dirty: api.dirty,
    dirtyArg,
    via: 'catalog',
  };
}

/**
 * A call to a helper not defined in the file whose name says it releases pages
 * (`foo_unpin_pages(pvec, n)`): a release of its first page-holding argument, counted by the next.
 */
export function classifyReleaseByName(
  call: SyntaxNode,
  name: string,
  args: readonly SyntaxNode[],
  ctx: OpContext,
): ReleaseOp | null {
  if (ctx.definedFunctions.has(name) || !isReleaseHelperName(name)) return null;
  const pagesIndex = args.findIndex((a) => {
    const ref = storageOf(a, ctx);
    return ref !== null && (holdsPages(ref, ctx) || writtenAsPages(a, ctx));
  });
  const pagesArg = pagesIndex >= 0 ? args[pagesIndex] : undefined;
  if (!pagesArg) return null;
  // `bio_release_page(bio, pages[i])`: one element, one page.
  const element = unwrap(pagesArg).type === 'subscript_expression';
  const countArg = element ? undefined : args[pagesIndex + 1];
  return {
    kind: 'release',
    node: call,
    name,
    api: null,
    family: releaseHelperFamily(name),
    pages: storageOf(pagesArg, ctx),
    count: element ? { kind: 'one' } : countArg ? { kind: 'expr', node: countArg } : { kind: 'unknown' },
    dirty: 'no',
    dirtyArg: null,
    via: 'by-name',
  };
}
