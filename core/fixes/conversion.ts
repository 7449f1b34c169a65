/**
 * The get→pin conversion: one fix that turns a get_user_pages*() call into its pin_user_pages*()
 * counterpart, drops the flags pin_* rejects (FOLL_GET, FOLL_PIN, FOLL_TOUCH), and rewrites every
 * release of those pages in the file to the matching unpin — the shape of the tree-wide
 * "convert get_user_pages() --> pin_user_pages()" series of 2020.
 *
 * It is complete when every release was rewritten; an incomplete conversion says so in its title.
 *
 * It is never a safe fix (issue 11, "Safe means safe"): turning references into pins changes what
 * the code does by design — pins count 1024 per page, make folio_maybe_dma_pinned() true (fork
 * then copies the page, writeback waits), and pin_user_pages*() refuse what get_user_pages*() took
 * (the zero page, FOLL_LONGTERM on file-backed memory). Code the finding misjudged (a read-only
 * access, pages linked to the wrong releases) would change behaviour, so the conversion is only
 * offered, never applied by --fix or fix-all.
 */
import { FOLL_FLAGS } from '../catalog/flags';
import { pinCounterpartAt, type AcquireApi } from '../catalog/gup';
import { unwrap } from '../analysis/expr';
import type { FileAnalysis } from '../fileAnalysis/types';
import type { FunctionInfo } from '../analysis/functions';
import type { AcquireSite, Linkage } from '../fileAnalysis/linkage';
import type { Fix, TextEdit } from '../findings';
import { editsOverlap } from './edits';
import { flagRemovalEdits } from './flagEdits';
import { toPinRelease, unusedIndexEdits } from './releaseEdits';

/** Flags that must go when a call becomes pin_*: pin_* sets FOLL_PIN and rejects FOLL_GET. */
const DROPPED_ON_CONVERSION: ReadonlySet<string> = new Set(
  FOLL_FLAGS.filter((f) => f.droppedOnPinConversion).map((f) => f.name),
);

export interface Conversion {
  readonly fix: Fix;
  readonly complete: boolean;
  readonly pinName: string;
  /** Releases the conversion rewrites (for related locations and the eval). */
  readonly rewrittenReleases: readonly { readonly start: number; readonly end: number }[];
}

function pinCounterpart(api: AcquireApi, file: FileAnalysis): AcquireApi | null {
  return pinCounterpartAt(api, file.version) ?? null;
}

/**
 * Builds the conversion for the get_* acquire at `site`; null when the call has no pin
 * counterpart in the configured kernel version (get_user_pages_fast_only() on ≥6.3, get_dump_page()).
 */
export function getToPinConversion(file: FileAnalysis, linkage: Linkage, site: AcquireSite): Conversion | null {
  const { op } = site;
  if (op.family !== 'get' || op.helper) return null;
  // FOLL_GET/FOLL_PIN in another file's macro would stay there and break the converted call.
  if (op.flags.occurrences.some((o) => o.origin && DROPPED_ON_CONVERSION.has(o.name))) return null;
  const pin = pinCounterpart(op.api, file);
  if (!pin) return null;
  const text = file.parsed.text;
  const edits: TextEdit[] = [];
  const fnNode = op.node.childForFieldName('function');
  if (!fnNode) return null;
  const callee = unwrap(fnNode);
  edits.push({ span: { start: callee.startIndex, end: callee.endIndex }, newText: pin.name });
  edits.push(
    ...flagRemovalEdits(
      op.flags.occurrences.filter((o) => DROPPED_ON_CONVERSION.has(o.name)),
      file.parsed.root,
      text,
      file.macros,
    ),
  );

  let complete = true;
  const rewritten: { start: number; end: number }[] = [];
  const freed = new Map<FunctionInfo, Set<string>>();
  for (const r of linkage.releasesOf(site)) {
    if (r.op.family === 'pin') continue;
    if (r.op.via === 'in-file') continue; // the helper's own release is rewritten where it is
    if (r.op.via === 'cross-file') {
      complete = false; // another file's helper is not this document's to rewrite
      continue;
    }
    const rewrite = toPinRelease(r.op, text, r.fn.info);
    if (!rewrite || editsOverlap(edits, rewrite.edits)) {
      if (!rewrite) complete = false;
      continue;
    }
    edits.push(...rewrite.edits);
    rewritten.push({ start: r.op.node.startIndex, end: r.op.node.endIndex });
    if (rewrite.freedIndex) {
      const set = freed.get(rewrite.freedIndex.fn) ?? new Set<string>();
      set.add(rewrite.freedIndex.index);
      freed.set(rewrite.freedIndex.fn, set);
    }
  }
  for (const [fn, indices] of freed) {
    for (const index of indices) {
      const more = unusedIndexEdits(fn, index, text, edits);
      if (!editsOverlap(edits, more)) edits.push(...more);
    }
  }
  const releases = rewritten.length;
  const title = `Convert ${op.name}() to ${pin.name}()${releases > 0 ? ` and unpin the pages at ${releases} release${releases === 1 ? '' : 's'}` : ''}`;
  return {
    fix: {
      title: complete ? title : `${title} (some releases need a manual change)`,
      edits,
      safe: false,
    },
    complete,
    pinName: pin.name,
    rewrittenReleases: rewritten,
  };
}
