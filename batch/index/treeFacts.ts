/**
 * The tree's facts, as one file sees them (issue 12): the summaries of the functions it calls but
 * does not define and the macros of the headers it includes, gathered from the tree index.
 *
 * Visibility follows C: a header's functions and macros are seen by the files that include it
 * (directly, or through up to MAX_DEPTH levels of headers); a non-`static` function of a `.c`
 * file is seen by every file, but only when the tree defines that name once (or every definition
 * has the same summary) — a name defined differently in two drivers is left unknown, as it was.
 * `static` functions of `.c` files are never seen elsewhere.
 */
import path from 'node:path';
import {
  calledNamesIn,
  externalFactsHash,
  type ExportedFunction,
  type ExternalFacts,
  type FactOrigin,
  type FileFacts,
  type HelperSummary,
  type MacroDef,
  type WrapperMacro,
} from '../../core/index';
import { resolvedIncludes } from './includes';

/** How many levels of headers included by headers are followed. */
const MAX_DEPTH = 3;
/** At most this many headers are looked at for one file (the kernel's include graph is dense). */
const MAX_HEADERS = 600;

/** What the index keeps for one file: its facts, and for a header the headers it includes. */
export interface IndexedFile {
  readonly facts: FileFacts;
  readonly includes?: readonly string[];
}

function stableText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

export class TreeFacts {
  private readonly files: ReadonlyMap<string, IndexedFile>;
  private readonly headers: ReadonlySet<string>;
  /** Non-static functions by name, when the tree's definitions agree; null when they do not. */
  private readonly globals = new Map<string, HelperSummary | null>();

  /**
   * `files`: the indexed files by tree-relative path (origins in their facts are relative too);
   * `headers`: every header of the tree, for resolving includes; `root`: the tree's folder, to
   * make origins absolute for the findings. The facts are kept as given, origins relative: they
   * are made absolute for what a file is given, not up front for the whole tree (which had each
   * thread that loads facts.json hold a second copy of every fact; issue 12's peak RSS).
   */
  constructor(
    readonly root: string,
    files: ReadonlyMap<string, IndexedFile>,
    headers: ReadonlySet<string>,
  ) {
    this.files = files;
    this.headers = headers;
    const seen = new Map<string, string>();
    for (const entry of this.files.values())
      for (const f of entry.facts.functions) {
        if (f.isStatic) continue;
        const name = f.summary.name;
        const text = stableText({ ...f.summary, origin: null });
        const before = seen.get(name);
        if (before === undefined) {
          seen.set(name, text);
          this.globals.set(name, f.summary);
        } else if (before !== text) this.globals.set(name, null);
      }
  }

  private absolute(origin: FactOrigin): FactOrigin {
    return { ...origin, file: path.join(this.root, origin.file) };
  }

  private summary(s: HelperSummary): HelperSummary {
    return s.origin ? { ...s, origin: this.absolute(s.origin) } : s;
  }

  private macro(m: MacroDef): MacroDef {
    return m.origin ? { ...m, origin: this.absolute(m.origin) } : m;
  }

  private wrapper(w: WrapperMacro): WrapperMacro {
    return { ...w, origin: this.absolute(w.origin) };
  }

  /** The headers `rel` (with text `text`) sees, nearest first. */
  private visibleHeaders(rel: string, text: string): string[] {
    const exists = (h: string): boolean => this.headers.has(h);
    const out: string[] = [];
    const seen = new Set<string>([rel]);
    let level = resolvedIncludes(rel, text, exists);
    for (let depth = 0; depth <= MAX_DEPTH && level.length > 0 && out.length < MAX_HEADERS; depth++) {
      const next: string[] = [];
      for (const h of level) {
        if (seen.has(h)) continue;
        seen.add(h);
        out.push(h);
        for (const inc of this.files.get(h)?.includes ?? []) if (!seen.has(inc)) next.push(inc);
      }
      level = next;
    }
    return out;
  }

  /** What the tree says to file `rel` (tree-relative) with text `text`. */
  externalFor(rel: string, text: string): ExternalFacts {
    const called = calledNamesIn(text);
    const headers = this.visibleHeaders(rel, text);
    const helpers = new Map<string, HelperSummary>();
    const macros = new Map<string, MacroDef>();
    const wrappers = new Map<string, WrapperMacro>();
    const headerMacros = new Map<string, MacroDef>();
    for (const h of headers) {
      const facts = this.files.get(h)?.facts;
      if (!facts) continue;
      for (const f of facts.functions)
        if (called.has(f.summary.name) && !helpers.has(f.summary.name))
          helpers.set(f.summary.name, this.summary(f.summary));
      for (const w of facts.wrappers)
        if (called.has(w.name) && !wrappers.has(w.name)) wrappers.set(w.name, this.wrapper(w));
      for (const m of facts.macros) if (!headerMacros.has(m.name)) headerMacros.set(m.name, m);
    }
    for (const name of called) {
      if (helpers.has(name)) continue;
      const g = this.globals.get(name);
      // The file's own definition of the name (the global is then its own) wins in core anyway.
      if (g && (g.origin ? path.join(this.root, g.origin.file) : undefined) !== path.join(this.root, rel))
        helpers.set(name, this.summary(g));
    }
    // Macros the text names, and the macros those are built from.
    const pending = [...headerMacros.keys()].filter((name) => text.includes(name));
    while (pending.length > 0) {
      const name = pending.pop() as string;
      const m = headerMacros.get(name);
      if (!m || macros.has(name)) continue;
      macros.set(name, this.macro(m));
      for (const word of m.value.match(/\b[A-Za-z_]\w*\b/g) ?? []) if (headerMacros.has(word)) pending.push(word);
    }
    return { helpers, macros, wrappers };
  }

  /**
   * A stable hash of the cross-file facts file `rel` uses (what `externalFor` gives it): the
   * per-file result cache keys on it, so that a change to a header's helper re-lints its callers.
   */
  factsHash(rel: string, text: string): string {
    return externalFactsHash(this.externalFor(rel, text));
  }

  /** Every fact of one file (origins absolute), for the index's own bookkeeping. */
  factsOf(rel: string): FileFacts | undefined {
    const facts = this.files.get(rel)?.facts;
    if (!facts) return undefined;
    return {
      functions: facts.functions.map((f): ExportedFunction => ({ ...f, summary: this.summary(f.summary) })),
      macros: facts.macros.map((m) => this.macro(m)),
      wrappers: facts.wrappers.map((w) => this.wrapper(w)),
    };
  }
}
