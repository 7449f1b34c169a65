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
 * findings depend on its own functions and on the file's declarations alone. A call links only
 * when the callee had a summary in some round of the analysis (FileAnalysis.summarised): a call
 * to a helper without one gives the caller the same operations whatever the helper's body says.
 *
 * The facts are plain data about the text and the analysis, so they outlive the syntax tree.
 */
import { calledNamesIn } from '../analysis/relevance';
import type { FunctionInfo } from '../analysis/functions';
import { MMU_NOTIFIER_TEXT } from '../catalog/pageUse';
import type { FileAnalysis } from '../fileAnalysis/types';
import { definitionPlace } from '../fileAnalysis/walks';
import { pairedNames } from '../fileAnalysis/linkage';
import { COHERENT_FREE_NAMES, SG_COUNT_TAKER_NAMES, SINGLE_DEVICE_SYNC_NAMES } from '../catalog/dma';
import { countStoresOf } from '../rules/support/countFields';

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
   * flag), `dma_mapping_error(…, param)` (in-file mapping checkers, analyzeFile.ts) and
   * preprocessor lines (which code is compiled).
   */
  readonly fileWide: string;
  /** The function was analysed (relevance.ts decided it is worth a graph). */
  readonly analysed: boolean;
  /** It had a helper summary in some round: its callers' operations depend on its body. */
  readonly summarised: boolean;
  /** File-wide keys of the places its operations keep pages or mappings (`st_buffer::mapped_pages`). */
  readonly keys: ReadonlySet<string>;
}

const FIELD_STORE = /(?:->|\.)\s*([A-Za-z_]\w*)\s*(?:[-+*/%&|^]|<<|>>)?=(?!=)/g;
/** `x->f++`, `++x->f`, `&x->f`: the field changes (or may, through the pointer) without `=`. */
const FIELD_STEP = /(?:->|\.)\s*([A-Za-z_]\w*)\s*(?:\+\+|--)/g;
const FIELD_TAKEN =
  /(?:(?<!&)&|\+\+|--)\s*\(?\s*[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*|\s*\[[^\]]*\])*?\s*(?:->|\.)\s*([A-Za-z_]\w*)\b(?!\s*(?:->|\.|\[))/g;
const MAPPING_CHECK = /\bdma_mapping_error\s*\([^;]*\)/g;
/**
 * Calls the DMA rules pair with another function's by a field or global, read in functions that
 * get no graph too: coherent frees (coherentPairs.ts), sg unmaps and syncs (countFields.ts), and
 * single syncs for the device (dma-sync-direction reads the CPU reads after them).
 */
const CROSS_FUNCTION_CALL = new RegExp(
  `\\b(?:${[...COHERENT_FREE_NAMES, ...SG_COUNT_TAKER_NAMES, ...SINGLE_DEVICE_SYNC_NAMES].join('|')})\\s*\\([^;]*\\)`,
  'g',
);
/** The file-wide key a field that keeps a dma_map_sg() count is linked by (fieldOfKey gives the field back). */
const sgCountKey = (field: string): string => `sg-count::${field}`;
const MMU_TEXT = new RegExp(MMU_NOTIFIER_TEXT.source, 'g');
const DIRECTIVE = /^[ \t]*#.*$/gm;

function storedFields(body: string): Set<string> {
  const out = new Set<string>();
  for (const pattern of [FIELD_STORE, FIELD_STEP, FIELD_TAKEN])
    for (const m of body.matchAll(pattern)) out.add(m[1] as string);
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

export type LexicalFacts = Omit<FunctionFacts, 'analysed' | 'summarised' | 'keys'>;

/** What a body's text says (no analysis needed): `at` is where the definition and its body are. */
export function lexicalFacts(
  name: string,
  at: Pick<FunctionFacts, 'start' | 'end' | 'bodyStart' | 'bodyEnd'>,
  body: string,
): LexicalFacts {
  const fileWide = [
    ...(body.match(MMU_TEXT) ?? []),
    ...(body.match(MAPPING_CHECK) ?? []),
    ...(body.match(CROSS_FUNCTION_CALL) ?? []),
    ...(body.match(DIRECTIVE) ?? []),
  ];
  return { name, ...at, calls: calledNamesIn(body), stores: storedFields(body), fileWide: fileWide.join('\n') };
}

function placeOf(info: FunctionInfo): Pick<FunctionFacts, 'start' | 'end' | 'bodyStart' | 'bodyEnd'> {
  const { start, end, bodyStart, bodyEnd } = definitionPlace(info);
  return { start, end, bodyStart, bodyEnd };
}

/** Where the analysis's definitions are: to check that an edit left the others where they were. */
export function placesOf(
  file: FileAnalysis,
): (Pick<FunctionFacts, 'name' | 'start' | 'end' | 'bodyStart' | 'bodyEnd'> & { relevant: boolean })[] {
  return file.definitions.map((d) => ({ name: d.info.name, ...placeOf(d.info), relevant: d.relevant }));
}

/**
 * The facts of the definitions `file` considered; `pick` chooses which (all by default). A
 * definition `file` did not analyse gets `analysed: false` unless it is relevant and was left out
 * by AnalyzeOptions.only (then the caller keeps its old facts).
 */
export function factsOf(file: FileAnalysis, pick: (index: number) => boolean = () => true): Map<number, FunctionFacts> {
  const analysed = new Map(file.functions.map((f) => [f.info.node.startIndex, f]));
  const out = new Map<number, FunctionFacts>();
  file.definitions.forEach(({ info }, i) => {
    if (!pick(i)) return;
    const fa = analysed.get(info.node.startIndex);
    const keys = new Set<string>();
    if (fa) for (const node of fa.cfg.nodes) for (const op of node.ops) collectKeys(op, keys, 0);
    if (fa) for (const store of countStoresOf(fa)) keys.add(sgCountKey(store.field));
    out.set(i, {
      ...lexicalFacts(info.name, placeOf(info), info.body.text),
      analysed: fa !== undefined,
      summarised: fa !== undefined && file.summarised.has(info.name),
      keys,
    });
  });
  return out;
}

/** Indices of the definitions named `name`. */
function byName(facts: readonly FunctionFacts[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  facts.forEach((f, i) => map.set(f.name, [...(map.get(f.name) ?? []), i]));
  return map;
}

/** The edges between analysed definitions (indices into `facts`), each once per direction it was found in. */
export function linksOf(facts: readonly FunctionFacts[]): [number, number][] {
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
    for (const c of f.calls) for (const j of named.get(c) ?? []) if (facts[j]?.summarised) link(j);
    for (const j of named.get(f.name) ?? []) link(j);
    for (const p of pairedNames(f.name)) for (const j of named.get(p) ?? []) link(j);
    for (const k of f.keys) for (const j of byKey.get(k) ?? []) link(j);
    for (const s of f.stores) for (const j of byField.get(s) ?? []) link(j);
  });
  return edges;
}

/** The units: connected parts of the analysed definitions under `linksOf`, each in file order. */
export function unitsOf(facts: readonly FunctionFacts[]): number[][] {
  const parent = facts.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      const p = parent[i] as number;
      parent[i] = parent[p] as number;
      i = p;
    }
    return i;
  };
  for (const [a, b] of linksOf(facts)) parent[find(a)] = find(b);
  const units = new Map<number, number[]>();
  facts.forEach((f, i) => {
    if (!f.analysed) return;
    const r = find(i);
    units.set(r, [...(units.get(r) ?? []), i]);
  });
  return [...units.values()];
}
