/**
 * The page table's rows for one step: one row per folio (a 2 MB THP or hugetlb folio is one row,
 * not 512; the shared zero page is one row for every page mapping it), and long runs of identical
 * base pages folded into one row. Each row knows what changed since the previous step.
 */
import { pageRangeLabel, type PageKind, type PageState } from './protocol';

export interface PageRow {
  readonly key: string;
  /** `p0`, `p0–511`, `p1, p3–4`. */
  readonly pages: string;
  /** `folio 3`, or `4 folios` for a folded run of base pages. */
  readonly folio: string;
  readonly kind: PageKind;
  readonly count: number;
  /** The first page of the row (what the chart draws when the row is picked). */
  readonly firstPage: number;
  /** Per folio: every folio in a folded run has these same values. */
  readonly refcount: number;
  readonly pincount: number | null;
  readonly maybeDmaPinned: boolean;
  readonly dirty: boolean;
  /** Summed over the row's pages. */
  readonly heldPins: number;
  readonly heldRefs: number;
  /** Since the previous step: refcount and pincount differences (null: none), other changes. */
  readonly refDelta: number | null;
  readonly pinDelta: number | null;
  readonly maybeChanged: boolean;
  readonly dirtyChanged: boolean;
  readonly heldChanged: boolean;
  readonly folioChanged: boolean;
}

/** Above this many rows, runs of identical base pages are folded. */
const MAX_ROWS = 64;

interface Group {
  readonly folio: number;
  readonly pages: PageState[];
}

function changedPage(now: PageState, before: PageState | undefined): boolean {
  return (
    before === undefined ||
    now.refcount !== before.refcount ||
    now.pincount !== before.pincount ||
    now.maybeDmaPinned !== before.maybeDmaPinned ||
    now.dirty !== before.dirty ||
    now.heldPins !== before.heldPins ||
    now.heldRefs !== before.heldRefs ||
    now.folio !== before.folio
  );
}

function rowOf(
  key: string,
  pages: readonly PageState[],
  folioText: string,
  previous: readonly PageState[] | null,
): PageRow {
  const first = pages[0] as PageState;
  const before = previous ? previous[first.index] : undefined;
  let heldPins = 0;
  let heldRefs = 0;
  let heldChanged = false;
  let folioChanged = false;
  for (const p of pages) {
    heldPins += p.heldPins;
    heldRefs += p.heldRefs;
    const b = previous ? previous[p.index] : undefined;
    if (b && (b.heldPins !== p.heldPins || b.heldRefs !== p.heldRefs)) heldChanged = true;
    if (b && b.folio !== p.folio) folioChanged = true;
  }
  return {
    key,
    pages: pageRangeLabel(pages.map((p) => p.index)),
    folio: folioText,
    kind: first.kind,
    count: pages.length,
    firstPage: first.index,
    refcount: first.refcount,
    pincount: first.pincount,
    maybeDmaPinned: first.maybeDmaPinned,
    dirty: first.dirty,
    heldPins,
    heldRefs,
    refDelta: before && before.refcount !== first.refcount ? first.refcount - before.refcount : null,
    pinDelta:
      before && before.pincount !== null && first.pincount !== null && before.pincount !== first.pincount
        ? first.pincount - before.pincount
        : null,
    maybeChanged: before !== undefined && before.maybeDmaPinned !== first.maybeDmaPinned,
    dirtyChanged: before !== undefined && before.dirty !== first.dirty,
    heldChanged,
    folioChanged,
  };
}

/** The rows for `pages` (one step's state), compared with `previous` (null: the start). */
export function pageRows(pages: readonly PageState[], previous: readonly PageState[] | null): PageRow[] {
  const groups: Group[] = [];
  const byFolio = new Map<number, Group>();
  for (const p of pages) {
    let g = byFolio.get(p.folio);
    if (!g) {
      g = { folio: p.folio, pages: [] };
      byFolio.set(p.folio, g);
      groups.push(g);
    }
    g.pages.push(p);
  }
  if (groups.length <= MAX_ROWS) return groups.map((g) => rowOf(`f${g.folio}`, g.pages, `folio ${g.folio}`, previous));

  // Fold runs of single-page base folios that are in the same state and changed the same way.
  const rows: PageRow[] = [];
  let run: Group[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const pagesOfRun = run.flatMap((g) => g.pages);
    rows.push(
      run.length === 1
        ? rowOf(`f${(run[0] as Group).folio}`, pagesOfRun, `folio ${(run[0] as Group).folio}`, previous)
        : rowOf(`r${(pagesOfRun[0] as PageState).index}`, pagesOfRun, `${run.length} folios`, previous),
    );
    run = [];
  };
  const signature = (g: Group): string | null => {
    if (g.pages.length !== 1) return null;
    const p = g.pages[0] as PageState;
    if (p.kind !== 'base') return null;
    const b = previous ? previous[p.index] : undefined;
    return `${p.refcount}|${p.pincount}|${p.maybeDmaPinned}|${p.dirty}|${p.heldPins}|${p.heldRefs}|${changedPage(p, b) && previous !== null ? `${b?.refcount}|${b?.heldPins}|${b?.heldRefs}|${b?.folio === p.folio}` : '='}`;
  };
  let runSignature: string | null = null;
  for (const g of groups) {
    const sig = signature(g);
    const last = run[run.length - 1];
    const contiguous = last !== undefined && (g.pages[0] as PageState).index === (last.pages[0] as PageState).index + 1;
    if (sig !== null && sig === runSignature && contiguous) {
      run.push(g);
      continue;
    }
    flush();
    if (sig === null) {
      rows.push(rowOf(`f${g.folio}`, g.pages, `folio ${g.folio}`, previous));
      runSignature = null;
    } else {
      run = [g];
      runSignature = sig;
    }
  }
  flush();
  return rows;
}
