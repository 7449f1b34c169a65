/**
 * Hover content for catalogued names: a GUP acquire or release function, a FOLL_* flag, a DMA API
 * call. Pure: a name and a kernel version in, Markdown out. The language server decides where the
 * name is; this module decides what to say about it, from the catalog alone (no duplicated facts).
 *
 * Two lengths: the full reference, and a brief one for a name inside a finding, where the editor
 * shows the finding (its message, its related places) above the hover and the full reference would
 * bury it: what the name is, its signature, and what releases it.
 */
import { dmaApi, type DmaApi } from './catalog/dma';
import { KERNEL_DOCS, type KernelDocKey } from './catalog/docs';
import { follFlag, type FlagUse, type FollFlag } from './catalog/flags';
import {
  acquireApi,
  correctReleases,
  releaseApi,
  signatureAt,
  wrongReleases,
  type AcquireApi,
  type ReleaseApi,
  type ReturnKind,
  type Signature,
} from './catalog/gup';
import {
  describeRange,
  formatVersion,
  inRange,
  isAtLeast,
  type KernelVersion,
  type VersionRange,
} from './catalog/version';

export type HoverKind = 'acquire' | 'release' | 'flag' | 'dma';

export interface HoverOptions {
  /** Only the name's line, its signature and its release (a finding covers the name). */
  readonly brief?: boolean;
}

export interface HoverContent {
  readonly name: string;
  readonly kind: HoverKind;
  /** Markdown (CommonMark, as LSP's MarkupContent expects). */
  readonly markdown: string;
}

const RETURNS: Record<ReturnKind, string> = {
  count: 'the number of pages taken (possibly fewer than asked: release exactly that many), or -errno',
  'folio-count': 'the number of folios pinned, or -errno (on error nothing stays pinned)',
  bytes: 'the number of bytes the pages cover, or -errno',
  bool: '`true` when the page was taken',
  page: 'the page (with a reference), or NULL',
};

const FLAG_USE: Record<FlagUse, string> = {
  caller: 'any GUP caller may pass it',
  'get-only': 'get_user_pages*() only — pin_user_pages*() rejects it',
  'pin-only': 'pin_user_pages*() only — get_user_pages*() rejects it ("LONGTERM can only be specified when pinning")',
  internal:
    'internal to GUP — callers must not pass it (since v6.3 is_valid_gup_args() rejects it and the name lives in mm/internal.h)',
};

function code(name: string): string {
  return `\`${name}()\``;
}

function docLink(key: KernelDocKey): string {
  const doc = KERNEL_DOCS[key];
  return `[${doc.title}](${doc.url})`;
}

/** "CASE 2: RDMA" out of "pin_user_pages.rst: CASE 2: RDMA". */
function docSection(key: KernelDocKey): string {
  const doc = KERNEL_DOCS[key];
  const title = doc.title.replace(/^[\w.-]+\.rst: /, '');
  return `[${title}](${doc.url})`;
}

function fence(prototype: string): string {
  return ['```c', prototype, '```'].join('\n');
}

/** A hover's paragraphs, each kept in the brief hover or not. */
class Paragraphs {
  private readonly items: { readonly text: string; readonly brief: boolean }[] = [];

  /** A paragraph of the full hover only. */
  add(...texts: string[]): this {
    for (const text of texts) this.items.push({ text, brief: false });
    return this;
  }

  /** A paragraph of both hovers. */
  key(...texts: string[]): this {
    for (const text of texts) this.items.push({ text, brief: true });
    return this;
  }

  markdown(brief: boolean): string {
    return this.items
      .filter((p) => !brief || p.brief)
      .map((p) => p.text)
      .join('\n\n');
  }
}

/** The signature to show (the configured version's, else the newest one), with the versions it is for. */
function signature(
  out: Paragraphs,
  api: { readonly exists: VersionRange; readonly signatures: readonly Signature[] },
  v: KernelVersion,
): void {
  const at = signatureAt(api, v);
  if (at) {
    out.key(fence(at.prototype)).add(`*Signature in Linux ${formatVersion(v)}.*`);
    return;
  }
  const newest = api.signatures[api.signatures.length - 1];
  if (newest) out.key(fence(newest.prototype)).add(`*Signature ${describeRange(newest.range)}.*`);
}

function absentWarning(exists: VersionRange, v: KernelVersion, extra = ''): string[] {
  if (inRange(v, exists)) return [];
  return [`**Not in Linux ${formatVersion(v)}**: it exists ${describeRange(exists)}.${extra ? ` ${extra}` : ''}`];
}

function acquireHover(api: AcquireApi, v: KernelVersion): Paragraphs {
  const familyText = api.family === 'pin' ? 'FOLL_PIN pin' : 'FOLL_GET reference';
  const out = new Paragraphs().key(
    `**${api.name}()** · takes a ${familyText} · ${describeRange(api.exists)} · ${api.exported}`,
    ...absentWarning(api.exists, v),
  );
  signature(out, api, v);
  out.add(api.summary);
  if (api.conditionalPin) out.add(`**Pins conditionally:** ${api.conditionalPin}.`);
  out.add(`**Returns** ${RETURNS[api.returns]}.`);
  const right = correctReleases(api.family).map(code).join(', ');
  const wrong = wrongReleases(api.family).slice(0, 3).map(code).join(', ');
  out.key(
    api.name === 'memfd_pin_folios'
      ? '**Release with** `unpin_folios()` (or `unpin_folio()` per folio) — never `folio_put()`.'
      : `**Release with** ${right} — never ${wrong}.`,
  );
  if (api.implicitFlags.length > 0)
    out.add(
      `**Sets itself:** ${api.implicitFlags.join(', ')} (do not pass ${api.implicitFlags.length === 1 ? 'it' : 'them'}).`,
    );
  if (api.family === 'get') {
    const pin = api.pinCounterpart ? acquireApi(api.pinCounterpart) : undefined;
    const pinText =
      pin && inRange(v, pin.exists)
        ? ` use ${code(pin.name)} and unpin the pages`
        : ' use a pin_user_pages*() function';
    // The section's own title ends in "only": the sentence must not say it again.
    out.add(
      `**pin_user_pages.rst:** a FOLL_GET reference is right for ${docSection('case4')}; to read or write the data (cases 1, 2 and 5)${pinText}.`,
    );
  } else {
    out.add(`**pin_user_pages.rst:** ${docSection(api.doc)}.`);
  }
  if (api.invalidArgsReturn && isAtLeast(v, '6.3')) {
    out.add(
      `**Invalid flags** (is_valid_gup_args(), since v6.3): WARN_ON_ONCE() and ${api.invalidArgsReturn === '0' ? 'a return of 0, not -EINVAL' : '-EINVAL'}.`,
    );
  }
  return out;
}

function releaseHover(api: ReleaseApi, v: KernelVersion): Paragraphs {
  const what = api.family === 'pin' ? 'releases FOLL_PIN pins' : 'drops FOLL_GET references';
  const renamed = api.renamedTo ? `Renamed to ${code(api.renamedTo.name)} in v${api.renamedTo.since}.` : '';
  const out = new Paragraphs().key(
    `**${api.name}()** · ${what} · ${describeRange(api.exists)}`,
    ...absentWarning(api.exists, v, renamed),
  );
  signature(out, api, v);
  out.add(api.summary);
  if (api.renamedTo && inRange(v, api.exists)) out.add(renamed);
  out.key(
    api.family === 'pin'
      ? '**For pages from** pin_user_pages*() (and iov_iter_extract_pages() when it pinned). Pages from get_user_pages*() must be released with `put_page()` instead: unpinning them subtracts 1024 from a page that got +1.'
      : '**For pages from** get_user_pages*() (FOLL_GET). Pages from pin_user_pages*() must go through `unpin_user_page*()`: put_page() on a pin leaves the page 1023 references high.',
  );
  if (api.dirty === 'arg')
    out.add('With `make_dirty`, each folio is marked dirty under the folio lock first (pin_user_pages.rst case 5).');
  return out.add(`Docs: ${docLink(api.family === 'pin' ? 'pinBasics' : 'case4')}`);
}

function flagHover(flag: FollFlag, v: KernelVersion): Paragraphs {
  return new Paragraphs()
    .key(
      `**${flag.name}** · ${describeRange(flag.exists)}${flag.fastPath ? ' · allowed on the fast path' : ' · not allowed on the lockless fast path'}`,
      ...absentWarning(flag.exists, v),
    )
    .add(`${flag.summary.charAt(0).toUpperCase()}${flag.summary.slice(1)}`)
    .key(`**Who passes it:** ${FLAG_USE[flag.use]}.`)
    .add(
      flag.name === 'FOLL_LONGTERM'
        ? `**pin_user_pages.rst:** ${docSection('case2')}.`
        : `Docs: ${docLink('pinWhichFlags')}`,
    );
}

const DMA_RETURNS: Record<DmaApi['returns'], string> = {
  handle: 'a dma_addr_t handle; check it with `dma_mapping_error()` (never against 0)',
  count: 'the number of DMA segments mapped (possibly fewer than nents), or 0 on failure',
  'count-or-errno': 'the number of DMA segments mapped, 0 when there is nothing to map, or -errno on failure',
  status: '0 or -errno',
  'cpu-addr': 'the CPU address, or NULL on failure',
  page: 'the page, or NULL on failure',
  sgt: 'an sg_table, or NULL on failure',
  pool: 'the pool, or NULL on failure',
  bool: '`true` on success',
  void: 'nothing',
};

function dmaHover(api: DmaApi, v: KernelVersion): Paragraphs {
  const out = new Paragraphs()
    .key(
      `**${api.name}()** · DMA API, ${api.role}${api.managed ? ' (device-managed)' : ''} · ${describeRange(api.exists)}`,
      ...absentWarning(api.exists, v),
      fence(`${api.name}(${api.params.join(', ')})`),
    )
    .add(api.summary);
  if (api.returns !== 'void') out.add(`**Returns** ${DMA_RETURNS[api.returns]}.`);
  if (api.release)
    out.key(`**Release with** ${code(api.release)}${api.managed ? ' (or let the driver core do it at detach)' : ''}.`);
  return out.add(`Docs: ${docLink(api.doc)}`);
}

function paragraphsFor(name: string, v: KernelVersion): { kind: HoverKind; paragraphs: Paragraphs } | null {
  const acquire = acquireApi(name);
  if (acquire) return { kind: 'acquire', paragraphs: acquireHover(acquire, v) };
  const release = releaseApi(name);
  if (release) return { kind: 'release', paragraphs: releaseHover(release, v) };
  const flag = follFlag(name);
  if (flag) return { kind: 'flag', paragraphs: flagHover(flag, v) };
  const dma = dmaApi(name);
  if (dma) return { kind: 'dma', paragraphs: dmaHover(dma, v) };
  return null;
}

/** Hover content for `name` in kernel `version`, or null when the catalog does not know the name. */
export function hoverFor(name: string, version: KernelVersion, options: HoverOptions = {}): HoverContent | null {
  const found = paragraphsFor(name, version);
  return found ? { name, kind: found.kind, markdown: found.paragraphs.markdown(options.brief ?? false) } : null;
}
