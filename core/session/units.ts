/**
 * Which functions of a file can change each other's findings, so that an edit re-analyses only
 * the functions it can reach. Everything the analysis passes from one function to another goes
 * through one of these channels, and each is an edge here:
 *  - a call to an in-file helper that does something (fileAnalysis/helperSummaries.ts): the
 *    caller's operations at the call come from the helper's summary, and linkage.ts follows a
 *    helper's acquire into its callers and a release through the helper it calls;
 *  - a struct field or global both keep pages or mappings in (linkage.ts, by file-wide key), and
 *    a store into that field anywhere (linkage.ts reads every store of a field it links through);
 *  - a paired name (`lock_pages`/`unlock_pages`, linkage.ts) and a repeated name (a function
 *    defined once per `#ifdef` branch).
 * The connected parts of that graph are *units*: the rules see one unit at a time, and a unit's
 * findings depend on its own functions and on the file's declarations alone. A function that
 * does nothing the analysis records (no operation, and calls only such functions) is *inert*: it
 * has no summary, so calling it links nothing. Most functions of a big file are inert or alone.
 *
 * The facts are plain data about the text and the analysis, so they outlive the syntax tree.
 */
import { calledNamesIn } from '../analysis/relevance';
import type { FunctionInfo } from '../analysis/functions';
import { MMU_NOTIFIER_TEXT } from '../catalog/pageUse';
import type { FileAnalysis } from '../fileAnalysis/types';
import { pairedNames } from '../fileAnalysis/linkage';

/** What one function definition is to the analysis of the others. */
export interface FunctionFacts {
  readonly name: string;
  /** The definition's `[start, end)` and its body's (`{` … `}`), in the text it was read from. */
  readonly start: number;
  readonly end: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  /** Identifiers followed by `(` in the body (what decides which functions are analysed). */
  readonly calls: ReadonlySet<string>;
  /** Fields assigned in the body (`->x =`, `.x =`): linkage.ts reads every store of a field it links through. */
  readonly stores: ReadonlySet<string>;
  /**
   * Text the analysis reads from every function, analysed or not: MMU notifier use (a file-wide
   * flag) and `dma_mapping_error(…, param)` (in-file mapping checkers, analyzeFile.ts).
   */
  readonly fileWide: string;
  /** The function was analysed (relevance.ts decided it is worth a graph). */
  readonly analysed: boolean;
  /** No operation in its graph: only meaningful with `analysed` (see `inertFacts`). */
  readonly noOps: boolean;
  /** File-wide keys of the places its operations keep pages or mappings (`st_buffer::mapped_pages`). */
  readonly keys: ReadonlySet<string>;
}

const FIELD_STORE = /(?:->|\.)\s*([A-Za-z_]\w*)\s*=(?!=)/g;
const MAPPING_CHECK = /\bdma_mapping_error\s*\([^;]*\)/g;
const MMU_TEXT = new RegExp(MMU_NOTIFIER_TEXT.source, 'g');

function storedFields(body: string): Set<string> {
  const out = new Set<string>();
  FIELD_STORE.lastIndex = 0;
  for (let m = FIELD_STORE.exec(body); m !== null; m = FIELD_STORE.exec(body)) out.add(m[1] as string);
  return out;
}

/** The field a file-wide key names, as linkage.ts matches stores to it. */
export function fieldOfKey(key: string): string {
  return (key.split('::').pop() ?? key).replace(/[^\w]/g, '');
}

/**
 * The `fileKey` strings anywhere in an operation (its storage references, the storage inside a
 * helper's operation). Walks plain objects and arrays only: syntax nodes are not plain.
 */
function collectKeys(value: unknown, into: Set<string>, depth: number): void {
  if (depth > 5 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) collectKeys(v, into, depth + 1);
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'fileKey' && typeof v === 'string') into.add(v);
    else collectKeys(v, into, depth + 1);
  }
}

/** The lexical facts of a definition (no analysis needed). */
export function lexicalFacts(info: FunctionInfo): Omit<FunctionFacts, 'analysed' | 'noOps' | 'keys'> {
  const body = info.body.text;
  return {
    name: info.name,
    start: info.node.startIndex,
    end: info.node.endIndex,
    bodyStart: info.body.startIndex,
    bodyEnd: info.body.endIndex,
    calls: calledNamesIn(body),
    stores: storedFields(body),
    fileWide: [...(body.match(MMU_TEXT) ?? []), ...(body.match(MAPPING_CHECK) ?? [])].join('\n'),
  };
}

/**
 * The facts of every definition in `definitions` (functionsIn of the analysed tree), with what
 * `file` analysed of them. Definitions `file` did not analyse get `analysed: false`.
 */
export function factsOf(definitions: readonly FunctionInfo[], file: FileAnalysis): FunctionFacts[] {
  const analysed = new Map(file.functions.map((f) => [f.info.node.startIndex, f]));
  return definitions.map((info) => {
    const fa = analysed.get(info.node.startIndex);
    const keys = new Set<string>();
    let noOps = true;
    if (fa)
      for (const node of fa.cfg.nodes)
        for (const op of node.ops) {
          noOps = false;
          collectKeys(op, keys, 0);
        }
    return { ...lexicalFacts(info), analysed: fa !== undefined, noOps, keys };
  });
}

/** Indices of the definitions named `name`. */
function byName(facts: readonly FunctionFacts[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  facts.forEach((f, i) => map.set(f.name, [...(map.get(f.name) ?? []), i]));
  return map;
}

/**
 * Which analysed definitions are inert: no operation of their own, and no call to an analysed
 * function that is not inert (whose summary could give the call operations). A fixed point.
 */
export function inertFacts(facts: readonly FunctionFacts[]): boolean[] {
  const named = byName(facts);
  const inert = facts.map((f) => f.analysed && f.noOps);
  for (let changed = true; changed;) {
    changed = false;
    facts.forEach((f, i) => {
      if (!inert[i]) return;
      for (const c of f.calls)
        for (const j of named.get(c) ?? [])
          if (j !== i && facts[j]?.analysed && !inert[j]) {
            inert[i] = false;
            changed = true;
            return;
          }
    });
  }
  return inert;
}

/**
 * The edges between analysed definitions (indices into `facts`), each once per direction it was
 * found in. `inert` from `inertFacts`.
 */
export function linksOf(facts: readonly FunctionFacts[], inert: readonly boolean[]): [number, number][] {
  const named = byName(facts);
  const edges: [number, number][] = [];
  const byField = new Map<string, number[]>();
  const byKey = new Map<string, number[]>();
  facts.forEach((f, i) => {
    if (!f.analysed) return;
    for (const k of f.keys) {
      byKey.set(k, [...(byKey.get(k) ?? []), i]);
      byField.set(fieldOfKey(k), [...(byField.get(fieldOfKey(k)) ?? []), i]);
    }
  });
  facts.forEach((f, i) => {
    if (!f.analysed) return;
    const link = (j: number): void => {
      if (j !== i && facts[j]?.analysed) edges.push([i, j]);
    };
    for (const c of f.calls) for (const j of named.get(c) ?? []) if (!inert[j]) link(j);
    for (const j of named.get(f.name) ?? []) link(j);
    for (const p of pairedNames(f.name)) for (const j of named.get(p) ?? []) link(j);
    for (const k of f.keys) for (const j of byKey.get(k) ?? []) link(j);
    for (const s of f.stores) for (const j of byField.get(s) ?? []) link(j);
  });
  return edges;
}

/** The units: connected parts of the analysed definitions under `linksOf`, each in file order. */
export function unitsOf(facts: readonly FunctionFacts[], inert: readonly boolean[]): number[][] {
  const parent = facts.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      const p = parent[i] as number;
      parent[i] = parent[p] as number;
      i = p;
    }
    return i;
  };
  for (const [a, b] of linksOf(facts, inert)) parent[find(a)] = find(b);
  const units = new Map<number, number[]>();
  facts.forEach((f, i) => {
    if (!f.analysed) return;
    const r = find(i);
    units.set(r, [...(units.get(r) ?? []), i]);
  });
  return [...units.values()];
}
