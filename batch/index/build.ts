/**
 * Building and updating the tree index (issue 12): every `.c` and `.h` file of the tree is looked
 * at (its size and mtime; its content hash when those changed), the files that changed are
 * summarised again, and then — bottom-up over the call graph — the files that call a function
 * whose summary changed, with the new summaries known. That last step is a fixed point computed
 * in rounds and bounded (MAX_ROUNDS): a cycle of calls across files, or a chain of wrappers
 * deeper than the bound, stops with the summaries of the last round (a caller past the bound may
 * miss what a deep callee does; it never sees something the code does not do).
 *
 * Only files that mention a catalogued name (batch's prefilter) are parsed in the first round:
 * a function can only summarise to something if it, or a function it calls, touches pages or
 * DMA. In later rounds, files that call a changed name are parsed too, if they were summarised
 * before or mention a catalogued name; a file that mentions none and only calls other files'
 * helpers is not summarised (a known limit, docs/cross-file.md).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { calledNamesIn, parseKernelVersion, type FileFacts, type KernelVersion } from '../../core/index';
import { lintFiles } from '../pool';
import { readInto, scratchBuffer } from '../scratchRead';
import { listCFiles } from '../files';
import { fullCollection } from '../nativeMemory';
import { mayContainCatalogued } from '../prefilter';
import { decodeSource, DEFAULT_MAX_BYTES } from '../source';
import { resolvedIncludes } from './includes';
import {
  indexFolder,
  indexKey,
  loadIndex,
  saveIndex,
  writeJsonWhole,
  type FileState,
  type IndexKey,
  type StoredFacts,
  type WritableFacts,
} from './store';
import { TreeFacts, type IndexedFile } from './treeFacts';

/**
 * What summarising one file may cost. Less memory than linting's budget (a file that exhausts a
 * pool worker is retried alone with this heap): the index is a side job of every run, and a file
 * that needs more is left unsummarised, which only means its callers know nothing of it.
 */
const SUMMARY_BUDGET = { timeMs: 20_000, heapMb: 160 };

/** Rounds of re-summarising callers after their callees' summaries changed (the fixed point's bound). */
const MAX_ROUNDS = 4;

export interface IndexOptions {
  readonly root: string;
  readonly pinscopeVersion: string;
  readonly kernelVersion: string;
  /** Called as files are looked at and summarised: what is done, out of how many. */
  readonly onProgress?: (phase: 'scan' | 'summarise', done: number, total: number) => void;
  /** Write the index to disk (the default); false keeps it in memory only (`--no-cache`). */
  readonly persist?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** At most this many rounds of summarising (MAX_ROUNDS); 0 only scans (a measurement). */
  readonly maxRounds?: number;
  /** The bundled lint worker: summarising runs on worker threads (in-process without it). */
  readonly workerScript?: string;
}

export interface IndexResult {
  /** The tree's facts as a lint sees them, built when first asked for (it is a whole-tree structure). */
  readonly tree: TreeFacts;
  /** How many facts the index has, for the index command's summary line. */
  readonly counts: { readonly functions: number; readonly macros: number; readonly wrappers: number };
  /** Where facts.json is (for lint workers); null when the index was not written. */
  readonly factsFile: string | null;
  readonly files: number;
  readonly hashed: number;
  readonly summarised: number;
  readonly rounds: number;
  /** Files that could not be summarised (budget, unreadable): their callers know nothing of them. */
  readonly unsummarised: readonly { readonly file: string; readonly problem: string }[];
  /** Something a lint reads changed (a summary, a macro, a header's includes). */
  readonly factsChanged: boolean;
  /** The stored index was not usable (none, or another version or kernel version). */
  readonly fresh: boolean;
}

function relative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

const sha1 = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

/** Names of the functions, macros and wrappers whose facts differ between two versions of a file. */
function changedNames(before: FileFacts | undefined, after: FileFacts | undefined): Set<string> {
  const names = new Set<string>();
  const index = (f: FileFacts | undefined): Map<string, string> => {
    const m = new Map<string, string>();
    for (const x of f?.functions ?? []) m.set(x.summary.name, JSON.stringify({ ...x.summary, origin: null }));
    for (const x of f?.macros ?? []) m.set(x.name, `${x.value}`);
    for (const x of f?.wrappers ?? []) m.set(x.name, JSON.stringify({ ...x, origin: null }));
    return m;
  };
  const a = index(before);
  const b = index(after);
  for (const [k, v] of a) if (b.get(k) !== v) names.add(k);
  for (const k of b.keys()) if (!a.has(k)) names.add(k);
  return names;
}

/** The text of a file, or null for a binary or undecodable one. */
function textOf(bytes: Uint8Array): string | null {
  const decoded = decodeSource(bytes, DEFAULT_MAX_BYTES);
  return decoded.ok ? decoded.text : null;
}

/** How many levels of headers a file's facts can come through (treeFacts.ts follows as many). */
const REACH = 4;

/**
 * What lint workers read: the facts, and the includes of only those headers through which a file
 * can reach a header with facts (a kernel has 25,000 headers and few of them lead anywhere).
 */
function storedFactsOf(
  key: IndexKey,
  root: string,
  headers: readonly string[],
  includes: ReadonlyMap<string, readonly string[]>,
  facts: ReadonlyMap<string, FileFacts>,
): WritableFacts {
  const leads = new Set<string>([...facts.keys()].filter((rel) => rel.endsWith('.h')));
  for (let depth = 0; depth < REACH; depth++)
    for (const [rel, inc] of includes) if (!leads.has(rel) && inc.some((h) => leads.has(h))) leads.add(rel);
  const kept: Record<string, readonly string[]> = {};
  for (const [rel, inc] of includes) {
    if (!leads.has(rel)) continue;
    const useful = inc.filter((h) => leads.has(h));
    if (useful.length > 0) kept[rel] = useful;
  }
  return { key, root, headers, includes: kept, facts };
}

/** Builds the index of the tree at `options.root`, or brings the stored one up to date. */
export async function updateIndex(options: IndexOptions): Promise<IndexResult> {
  const root = options.root;
  const version = parseKernelVersion(options.kernelVersion) as KernelVersion;
  const key = indexKey(options.pinscopeVersion, options.kernelVersion);
  const folder = indexFolder(root, options.env);
  const stored = loadIndex(folder, key, root);
  const listing = listCFiles([root]).files.map((f) => relative(root, f));
  const headers = listing.filter((f) => f.endsWith('.h'));
  const headerSet = new Set(headers);
  const oldState = stored?.state.files ?? {};
  const facts = new Map<string, FileFacts>(Object.entries(stored?.facts.facts ?? {}));
  const includes = new Map<string, readonly string[]>();
  for (const [rel, st] of Object.entries(oldState)) if (st.includes) includes.set(rel, st.includes.split(' '));
  const state = new Map<string, FileState>();
  let todo = new Set<string>();
  let changed = new Set<string>();
  // Whether anything a lint reads changed (the server analyses open documents again then), and
  // whether anything of the state did (else nothing is written).
  let factsChanged = false;
  let stateChanged = false;
  const noteChanged = (names: ReadonlySet<string>): void => {
    for (const n of names) changed.add(n);
    if (names.size > 0) factsChanged = true;
  };
  let hashed = 0;

  // Scan: what changed since the stored index.
  for (let i = 0; i < listing.length; i++) {
    const rel = listing[i] as string;
    // A server runs this on its own thread: other messages are answered between files.
    if (i % 500 === 499) await new Promise<void>((resolve) => setImmediate(resolve));
    options.onProgress?.('scan', i, listing.length);
    const file = path.join(root, rel);
    let size: number;
    let mtimeMs: number;
    try {
      const st = statSync(file);
      size = st.size;
      mtimeMs = st.mtimeMs;
    } catch {
      continue;
    }
    const old = oldState[rel];
    if (old && old.size === size && old.mtimeMs === mtimeMs) {
      state.set(rel, old);
      continue;
    }
    stateChanged = true;
    let bytes: Buffer;
    try {
      const length = readInto(file, DEFAULT_MAX_BYTES);
      bytes = length > DEFAULT_MAX_BYTES ? Buffer.alloc(0) : scratchBuffer().subarray(0, length);
    } catch {
      continue;
    }
    hashed++;
    const hash = sha1(bytes);
    if (old && old.hash === hash) {
      state.set(rel, { ...old, size, mtimeMs });
      continue;
    }
    // Headers also export flag macros and size constants, which name nothing catalogued.
    const candidate =
      bytes.length > 0 &&
      (mayContainCatalogued(bytes) ||
        (rel.endsWith('.h') && (bytes.includes('FOLL_') || bytes.includes('SZ_') || bytes.includes('dma_'))));
    const text = candidate ? textOf(bytes) : null;
    let included: string | undefined;
    if (rel.endsWith('.h')) {
      const t = text ?? textOf(bytes) ?? '';
      const inc = resolvedIncludes(rel, t, (h) => headerSet.has(h));
      if (inc.length > 0) included = inc.join(' ');
      if ((old?.includes ?? '') !== (included ?? '')) factsChanged = true;
      if (included !== undefined) includes.set(rel, included.split(' '));
      else includes.delete(rel);
    }
    const withIncludes = included !== undefined ? { includes: included } : {};
    if (text !== null) {
      // Not kept: a tree's texts are a gigabyte; the summarising reads the file again. The names
      // are joined into a string of their own (a regular expression's match is a slice that
      // would keep the whole text alive).
      todo.add(rel);
      state.set(rel, { size, mtimeMs, hash, calls: [...calledNamesIn(text)].join(' '), ...withIncludes });
    } else {
      state.set(rel, { size, mtimeMs, hash, ...withIncludes });
      noteChanged(changedNames(facts.get(rel), undefined));
      facts.delete(rel);
    }
  }

  // Files that are gone: their facts go, and their callers are looked at again.
  for (const rel of Object.keys(oldState))
    if (!state.has(rel)) {
      stateChanged = true;
      if (includes.has(rel)) factsChanged = true;
      noteChanged(changedNames(facts.get(rel), undefined));
      facts.delete(rel);
      includes.delete(rel);
    }

  const treeOf = (): TreeFacts => {
    const files = new Map<string, IndexedFile>();
    for (const [rel, f] of facts)
      files.set(rel, { facts: f, ...(includes.has(rel) ? { includes: includes.get(rel) } : {}) });
    for (const [rel, inc] of includes)
      if (!files.has(rel)) files.set(rel, { facts: { functions: [], macros: [], wrappers: [] }, includes: inc });
    return new TreeFacts(root, files, headerSet);
  };

  let summarised = 0;
  let rounds = 0;
  const unsummarised: { file: string; problem: string }[] = [];
  const callersOf = (names: ReadonlySet<string>): Set<string> => {
    const out = new Set<string>();
    if (names.size === 0) return out;
    for (const [rel, s] of state) if (s.calls?.split(' ').some((c) => names.has(c))) out.add(rel);
    return out;
  };
  for (const rel of callersOf(changed)) todo.add(rel);
  changed = new Set();
  const persist = options.persist ?? true;
  const collect = fullCollection();
  // Each round's workers read the facts of the round before from a file of their own.
  const roundDir = persist ? folder : mkdtempSync(path.join(tmpdir(), 'pinscope-index-'));
  const roundFile = path.join(roundDir, `facts.round-${process.pid}.json`);
  try {
    while (todo.size > 0 && rounds < (options.maxRounds ?? MAX_ROUNDS)) {
      rounds++;
      mkdirSync(roundDir, { recursive: true });
      writeJsonWhole(roundFile, storedFactsOf(key, root, headers, includes, facts));
      // This thread now waits while the workers summarise, and an idle heap is not collected: the
      // scan's garbage (hashing and reading 60,000 files of a kernel, ~50 MB) or the last round's
      // results would be held through the whole round, beside the workers' peaks.
      collect?.();
      const files = [...todo].map((rel) => path.join(root, rel));
      const pool = await lintFiles(files, {
        request: {
          lint: { kernelVersion: version },
          summarise: { root },
          index: { factsFile: roundFile, key },
          budget: SUMMARY_BUDGET,
        },
        ...(options.workerScript ? { workerScript: options.workerScript } : {}),
        ...(options.onProgress ? { onProgress: (done, total) => options.onProgress?.('summarise', done, total) } : {}),
      });
      summarised += files.length;
      const next = new Map<string, FileFacts>();
      for (const r of pool.results) {
        if (r.facts) next.set(relative(root, r.file), r.facts);
        if (r.status !== 'linted')
          unsummarised.push({ file: r.file, problem: r.problem ?? r.notes[0]?.message ?? r.status });
      }
      for (const rel of todo) {
        const f = next.get(rel);
        noteChanged(changedNames(facts.get(rel), f));
        if (f) facts.set(rel, f);
        else facts.delete(rel);
      }
      todo = callersOf(changed);
      changed = new Set();
    }
  } finally {
    rmSync(roundFile, { force: true });
    if (!persist) rmSync(roundDir, { recursive: true, force: true });
  }

  if (persist && (stateChanged || factsChanged || stored === null))
    saveIndex(folder, { key, root, files: state }, storedFactsOf(key, root, headers, includes, facts));
  let tree: TreeFacts | null = null;
  const counts = { functions: 0, macros: 0, wrappers: 0 };
  for (const f of facts.values()) {
    counts.functions += f.functions.length;
    counts.macros += f.macros.length;
    counts.wrappers += f.wrappers.length;
  }
  return {
    // Built when asked for: a lint run only needs the file its workers read.
    get tree(): TreeFacts {
      tree ??= treeOf();
      return tree;
    },
    counts,
    factsFile: persist ? path.join(folder, 'facts.json') : null,
    files: listing.length,
    hashed,
    summarised,
    unsummarised,
    rounds,
    fresh: stored === null,
    factsChanged,
  };
}

/** The tree facts of a stored facts.json (what a lint worker loads). */
export function treeFromStored(stored: StoredFacts): TreeFacts {
  const files = new Map<string, IndexedFile>();
  for (const [rel, f] of Object.entries(stored.facts))
    files.set(rel, { facts: f, ...(stored.includes[rel] ? { includes: stored.includes[rel] } : {}) });
  for (const [rel, inc] of Object.entries(stored.includes))
    if (!files.has(rel)) files.set(rel, { facts: { functions: [], macros: [], wrappers: [] }, includes: inc });
  return new TreeFacts(stored.root, files, new Set(stored.headers));
}
