/**
 * Hover content for catalogued names: a GUP acquire or release function, a FOLL_* flag, a DMA API
 * call. Pure: a name and a kernel version in, Markdown out. The language server decides where the
 * name is; this module decides what to say about it, from the catalog alone (no duplicated facts).
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

/** The signature to show: the configured version's, else the newest one (labelled with its range). */
function shownSignature(
  api: { readonly exists: VersionRange; readonly signatures: readonly Signature[] },
  v: KernelVersion,
): string[] {
  const at = signatureAt(api, v);
  if (at) return [fence(at.prototype), `*Signature in Linux ${formatVersion(v)}.*`];
  const newest = api.signatures[api.signatures.length - 1];
  if (!newest) return [];
  return [fence(newest.prototype), `*Signature ${describeRange(newest.range)}.*`];
}

function absentWarning(exists: VersionRange, v: KernelVersion, extra = ''): string[] {
  if (inRange(v, exists)) return [];
  return [`**Not in Linux ${formatVersion(v)}**: it exists ${describeRange(exists)}.${extra ? ` ${extra}` : ''}`];
}

function acquireHover(api: AcquireApi, v: KernelVersion): string {
  const familyText = api.family === 'pin' ? 'FOLL_PIN pin' : 'FOLL_GET reference';
  const lines: string[] = [
    `**${api.name}()** · takes a ${familyText} · ${describeRange(api.exists)} · ${api.exported}`,
    ...absentWarning(api.exists, v),
    ...shownSignature(api, v),
    api.summary,
  ];
  if (api.conditionalPin) lines.push(`**Pins conditionally:** ${api.conditionalPin}.`);
  lines.push(`**Returns** ${RETURNS[api.returns]}.`);
  const right = correctReleases(api.family).map(code).join(', ');
  const wrong = wrongReleases(api.family).slice(0, 3).map(code).join(', ');
  lines.push(
    api.name === 'memfd_pin_folios'
      ? '**Release with** `unpin_folios()` (or `unpin_folio()` per folio) — never `folio_put()`.'
      : `**Release with** ${right} — never ${wrong}.`,
  );
  if (api.implicitFlags.length > 0)
    lines.push(
      `**Sets itself:** ${api.implicitFlags.join(', ')} (do not pass ${api.implicitFlags.length === 1 ? 'it' : 'them'}).`,
    );
  if (api.family === 'get') {
    const pin = api.pinCounterpart ? acquireApi(api.pinCounterpart) : undefined;
    const pinText =
      pin && inRange(v, pin.exists)
        ? ` use ${code(pin.name)} and unpin the pages`
        : ' use a pin_user_pages*() function';
    lines.push(
      `**pin_user_pages.rst:** a FOLL_GET reference fits ${docSection('case4')} only; to read or write the data (cases 1, 2 and 5)${pinText}.`,
    );
  } else {
    lines.push(`**pin_user_pages.rst:** ${docSection(api.doc)}.`);
  }
  if (api.invalidArgsReturn && isAtLeast(v, '6.3')) {
    lines.push(
      `**Invalid flags** (is_valid_gup_args(), since v6.3): WARN_ON_ONCE() and ${api.invalidArgsReturn === '0' ? 'a return of 0, not -EINVAL' : '-EINVAL'}.`,
    );
  }
  return lines.join('\n\n');
}

function releaseHover(api: ReleaseApi, v: KernelVersion): string {
  const what = api.family === 'pin' ? 'releases FOLL_PIN pins' : 'drops FOLL_GET references';
  const renamed = api.renamedTo ? `Renamed to ${code(api.renamedTo.name)} in v${api.renamedTo.since}.` : '';
  const lines: string[] = [
    `**${api.name}()** · ${what} · ${describeRange(api.exists)}`,
    ...absentWarning(api.exists, v, renamed),
    ...shownSignature(api, v),
    api.summary,
  ];
  if (api.renamedTo && inRange(v, api.exists)) lines.push(renamed);
  lines.push(
    api.family === 'pin'
      ? '**For pages from** pin_user_pages*() (and iov_iter_extract_pages() when it pinned). Pages from get_user_pages*() must be released with `put_page()` instead: unpinning them subtracts 1024 from a page that got +1.'
      : '**For pages from** get_user_pages*() (FOLL_GET). Pages from pin_user_pages*() must go through `unpin_user_page*()`: put_page() on a pin leaves the page 1023 references high.',
  );
  if (api.dirty === 'arg')
    lines.push('With `make_dirty`, each folio is marked dirty under the folio lock first (pin_user_pages.rst case 5).');
  lines.push(`Docs: ${docLink(api.family === 'pin' ? 'pinBasics' : 'case4')}`);
  return lines.join('\n\n');
}

function flagHover(flag: FollFlag, v: KernelVersion): string {
  const lines: string[] = [
    `**${flag.name}** · ${describeRange(flag.exists)}${flag.fastPath ? ' · allowed on the fast path' : ' · not allowed on the lockless fast path'}`,
    ...absentWarning(flag.exists, v),
    `${flag.summary.charAt(0).toUpperCase()}${flag.summary.slice(1)}`,
    `**Who passes it:** ${FLAG_USE[flag.use]}.`,
  ];
  lines.push(
    flag.name === 'FOLL_LONGTERM'
      ? `**pin_user_pages.rst:** ${docSection('case2')}.`
      : `Docs: ${docLink('pinWhichFlags')}`,
  );
  return lines.join('\n\n');
}

const DMA_RETURNS: Record<DmaApi['returns'], string> = {
  handle: 'a dma_addr_t handle; check it with `dma_mapping_error()` (never against 0)',
  count: 'the number of DMA segments mapped (possibly fewer than nents), or 0 on failure',
  status: '0 or -errno',
  'cpu-addr': 'the CPU address, or NULL on failure',
  page: 'the page, or NULL on failure',
  sgt: 'an sg_table, or NULL on failure',
  pool: 'the pool, or NULL on failure',
  bool: '`true` on success',
  void: 'nothing',
};

function dmaHover(api: DmaApi, v: KernelVersion): string {
  const lines: string[] = [
    `**${api.name}()** · DMA API, ${api.role}${api.managed ? ' (device-managed)' : ''} · ${describeRange(api.exists)}`,
    ...absentWarning(api.exists, v),
    fence(`${api.name}(${api.params.join(', ')})`),
    api.summary,
  ];
  if (api.returns !== 'void') lines.push(`**Returns** ${DMA_RETURNS[api.returns]}.`);
  if (api.release)
    lines.push(
      `**Release with** ${code(api.release)}${api.managed ? ' (or let the driver core do it at detach)' : ''}.`,
    );
  lines.push(`Docs: ${docLink(api.doc)}`);
  return lines.join('\n\n');
}

/** Hover content for `name` in kernel `version`, or null when the catalog does not know the name. */
export function hoverFor(name: string, version: KernelVersion): HoverContent | null {
  const acquire = acquireApi(name);
  if (acquire) return { name, kind: 'acquire', markdown: acquireHover(acquire, version) };
  const release = releaseApi(name);
  if (release) return { name, kind: 'release', markdown: releaseHover(release, version) };
  const flag = follFlag(name);
  if (flag) return { name, kind: 'flag', markdown: flagHover(flag, version) };
  const dma = dmaApi(name);
  if (dma) return { name, kind: 'dma', markdown: dmaHover(dma, version) };
  return null;
}
