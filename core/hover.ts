/**
 * Hover content for catalogued names: a GUP acquire or release function, a FOLL_* flag, a DMA API
 * call. Pure: a name and a kernel version in, Markdown out. The language server decides where the
 * name is; this module decides what to say about it, from the catalog alone (no duplicated facts).
 *
 * The DMA catalog is still growing, so DMA entries are read structurally: any exported array of
 * objects with a `name` is searched, and `summary`, `prototype`/`signatures` and `doc` are used
 * when they are there. A name only listed in DMA_CALL_NAMES still gets a hover with the DMA docs.
 */
import * as dmaCatalog from './catalog/dma';
import { KERNEL_DOCS, type KernelDocKey } from './catalog/docs';
import { follFlag, type FlagUse, type FollFlag } from './catalog/flags';
import {
  acquireApi, correctReleases, releaseApi, signatureAt, wrongReleases,
  type AcquireApi, type ReleaseApi, type ReturnKind, type Signature,
} from './catalog/gup';
import { describeRange, formatVersion, inRange, isAtLeast, type KernelVersion, type VersionRange } from './catalog/version';

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
  internal: 'internal to GUP — callers must not pass it (since v6.3 is_valid_gup_args() rejects it and the name lives in mm/internal.h)',
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
function shownSignature(api: { readonly exists: VersionRange; readonly signatures: readonly Signature[] }, v: KernelVersion): string[] {
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
  lines.push(api.name === 'memfd_pin_folios'
    ? '**Release with** `unpin_folios()` (or `unpin_folio()` per folio) — never `folio_put()`.'
    : `**Release with** ${right} — never ${wrong}.`);
  if (api.implicitFlags.length > 0) lines.push(`**Sets itself:** ${api.implicitFlags.join(', ')} (do not pass ${api.implicitFlags.length === 1 ? 'it' : 'them'}).`);
  if (api.family === 'get') {
    const pin = api.pinCounterpart ? acquireApi(api.pinCounterpart) : undefined;
    const pinText = pin && inRange(v, pin.exists) ? ` use ${code(pin.name)} and unpin the pages` : ' use a pin_user_pages*() function';
    lines.push(`**pin_user_pages.rst:** a FOLL_GET reference fits ${docSection('case4')} only; to read or write the data (cases 1, 2 and 5)${pinText}.`);
  } else {
    lines.push(`**pin_user_pages.rst:** ${docSection(api.doc)}.`);
  }
  if (api.invalidArgsReturn && isAtLeast(v, '6.3')) {
    lines.push(`**Invalid flags** (is_valid_gup_args(), since v6.3): WARN_ON_ONCE() and ${api.invalidArgsReturn === '0' ? 'a return of 0, not -EINVAL' : '-EINVAL'}.`);
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
  lines.push(api.family === 'pin'
    ? '**For pages from** pin_user_pages*() (and iov_iter_extract_pages() when it pinned). Pages from get_user_pages*() must be released with `put_page()` instead: unpinning them subtracts 1024 from a page that got +1.'
    : '**For pages from** get_user_pages*() (FOLL_GET). Pages from pin_user_pages*() must go through `unpin_user_page*()`: put_page() on a pin leaves the page 1023 references high.');
  if (api.dirty === 'arg') lines.push('With `make_dirty`, each folio is marked dirty under the folio lock first (pin_user_pages.rst case 5).');
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
  lines.push(flag.name === 'FOLL_LONGTERM' ? `**pin_user_pages.rst:** ${docSection('case2')}.` : `Docs: ${docLink('pinWhichFlags')}`);
  return lines.join('\n\n');
}

/** What a DMA catalog entry may carry; everything but `name` is optional and checked at run time. */
interface DmaEntryShape {
  readonly name: string;
  readonly summary?: string;
  readonly prototype?: string;
  readonly doc?: KernelDocKey;
}

function isKernelDocKey(value: unknown): value is KernelDocKey {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(KERNEL_DOCS, value);
}

function readDmaEntry(value: unknown, name: string): DmaEntryShape | null {
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (record.name !== name) return null;
  const entry: { name: string; summary?: string; prototype?: string; doc?: KernelDocKey } = { name };
  if (typeof record.summary === 'string') entry.summary = record.summary;
  if (typeof record.prototype === 'string') entry.prototype = record.prototype;
  else if (Array.isArray(record.signatures)) {
    const last: unknown = record.signatures[record.signatures.length - 1];
    if (typeof last === 'object' && last !== null && typeof (last as Record<string, unknown>).prototype === 'string') {
      entry.prototype = (last as Record<string, unknown>).prototype as string;
    }
  }
  if (isKernelDocKey(record.doc)) entry.doc = record.doc;
  return entry;
}

function dmaEntry(name: string): DmaEntryShape | null {
  let listed = false;
  for (const exported of Object.values(dmaCatalog as Record<string, unknown>)) {
    if (!Array.isArray(exported)) continue;
    for (const item of exported as unknown[]) {
      if (item === name) listed = true;
      const entry = readDmaEntry(item, name);
      if (entry) return entry;
    }
  }
  return listed ? { name } : null;
}

function dmaHover(entry: DmaEntryShape): string {
  const lines: string[] = [`**${entry.name}()** · DMA API`];
  if (entry.prototype) lines.push(fence(entry.prototype));
  if (entry.summary) lines.push(entry.summary);
  lines.push(`Docs: ${docLink(entry.doc ?? 'dmaStreaming')}`);
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
  const dma = dmaEntry(name);
  if (dma) return { name, kind: 'dma', markdown: dmaHover(dma) };
  return null;
}
