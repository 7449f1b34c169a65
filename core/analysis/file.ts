/**
 * Analysis of one translation unit: which functions matter, their control-flow graphs with page
 * operations, and summaries of in-file helpers (computed in rounds so a helper that calls a helper
 * is summarised too).
 */
import type { ParsedSource } from '../parse/parser';
import type { SyntaxNode } from '../parse/syntax';
import { walk } from '../parse/syntax';
import { ACQUIRE_APIS, RELEASE_APIS } from '../catalog/gup';
import { DIRTY_CALLS, MMU_NOTIFIER_CALLS, PAGE_USES, EXTRA_REFERENCE_CALLS } from '../catalog/pageUse';
import type { KernelVersion } from '../catalog/version';
import { LineIndex } from '../text/lineIndex';
import { buildCfg, type Cfg } from './cfg';
import { macrosIn, type MacroDef } from './flags';
import { functionsIn, globalsIn, type FunctionInfo, type Variable } from './functions';
import type { OpContext } from './pageOps';
import { buildAliases, storageOf } from './storage';
import { NO_HELPERS, summarize, type HelperSummaries, type HelperSummary } from './summaries';
import { DMA_ACQUIRE_NAMES, DMA_CALL_NAMES } from '../catalog/dma';
import { enumeratePaths, mayHold } from '../paths/engine';
import type { AcquireOp } from './pageOps';

/** The function releases what `op` takes before every return: it keeps nothing for its callers. */
function releasedOnEveryPath(fn: FunctionAnalysis, op: AcquireOp): boolean {
  const paths = enumeratePaths(fn, { maxSteps: 5_000, maxPaths: 64 });
  if (paths.partial || paths.paths.length === 0) return false;
  return paths.paths.every((p) => p.resources.every((r) => r.res.op !== op || r.status === 'released' || !mayHold(r.res, r.outcomes)));
}

export interface FunctionAnalysis {
  readonly info: FunctionInfo;
  readonly ctx: OpContext;
  readonly cfg: Cfg;
}

export interface FileAnalysis {
  readonly parsed: ParsedSource;
  readonly version: KernelVersion;
  readonly lines: LineIndex;
  readonly globals: ReadonlyMap<string, Variable>;
  readonly macros: ReadonlyMap<string, MacroDef>;
  readonly helpers: HelperSummaries;
  readonly functions: readonly FunctionAnalysis[];
  /** The file registers an MMU notifier (pin_user_pages.rst case 3). */
  readonly mmuNotifier: boolean;
  /** Functions defined in the file, by name. */
  readonly defined: ReadonlySet<string>;
  /** Every `field = value;` in the file, by the field's file-wide key (`st_buffer::mapped_pages`). */
  readonly fieldStores: ReadonlyMap<string, readonly FieldStore[]>;
}

export interface FieldStore {
  readonly fn: FunctionInfo;
  readonly left: SyntaxNode;
  readonly right: SyntaxNode;
}

/** Stores into struct fields anywhere in the file, keyed like StorageRef.fileKey. */
function collectFieldStores(all: readonly FunctionInfo[], globals: ReadonlyMap<string, Variable>): Map<string, FieldStore[]> {
  const stores = new Map<string, FieldStore[]>();
  const noAliases = { arrayAlias: new Map(), elementAlias: new Map(), derivedAlias: new Map() };
  for (const fn of all) {
    if (!fn.body.text.includes('=')) continue;
    walk(fn.body, (node) => {
      if (node.type !== 'assignment_expression' || node.childForFieldName('operator')?.type !== '=') return true;
      const left = node.childForFieldName('left');
      const right = node.childForFieldName('right');
      if (!left || !right || left.type !== 'field_expression') return true;
      const ref = storageOf(left, { fn, globals, aliases: noAliases });
      if (!ref?.fileKey) return true;
      const list = stores.get(ref.fileKey) ?? [];
      list.push({ fn, left, right });
      stores.set(ref.fileKey, list);
      return true;
    });
  }
  return stores;
}

/** Calls that take pages (or DMA mappings): a file without one has nothing to check but api-version. */
export const ACQUIRE_NAMES: ReadonlySet<string> = new Set<string>([...ACQUIRE_APIS.map((a) => a.name), ...DMA_ACQUIRE_NAMES]);

/** Names that make a function worth building a graph for, once the file takes pages somewhere. */
export const INTERESTING_NAMES: ReadonlySet<string> = new Set<string>([
  ...ACQUIRE_NAMES,
  ...RELEASE_APIS.map((r) => r.name),
  ...PAGE_USES.map((u) => u.name),
  ...DIRTY_CALLS.map((d) => d.name),
  ...EXTRA_REFERENCE_CALLS,
  ...DMA_CALL_NAMES,
]);

/** Release names api-version checks even where nothing is acquired (renamed or version-bound). */
const VERSIONED_RELEASES: ReadonlySet<string> = new Set(RELEASE_APIS.filter((r) => r.family === 'pin').map((r) => r.name));

const CALLED = /\b([A-Za-z_]\w*)\s*\(/g;

function calledNames(body: SyntaxNode): Set<string> {
  const names = new Set<string>();
  const text = body.text;
  CALLED.lastIndex = 0;
  for (let m = CALLED.exec(text); m !== null; m = CALLED.exec(text)) names.add(m[1] as string);
  return names;
}

/** A release-like helper name (see pageOps.ts): such calls matter even without catalogued names. */
const HELPER_NAME = /(put|unpin|release|unlock)\w*_pages?$/;

const MMU_NOTIFIER_TEXT = new RegExp(`\\b(?:${MMU_NOTIFIER_CALLS.join('|')})\\s*\\(|\\bmmu_(?:interval_)?notifier_ops\\b|\\bmmu_invalidate_seq\\b|\\bmmu_notifier_seq\\b`);

/** The file registers an MMU notifier or follows KVM's invalidation-sequence protocol (case 3). */
function mentionsMmuNotifier(root: SyntaxNode): boolean {
  return MMU_NOTIFIER_TEXT.test(root.text);
}

/** Functions that (transitively, through in-file calls) call something `seed` accepts. */
function closure(all: readonly FunctionInfo[], calls: ReadonlyMap<FunctionInfo, ReadonlySet<string>>, seed: (f: FunctionInfo) => boolean): Set<FunctionInfo> {
  const set = new Set<FunctionInfo>(all.filter(seed));
  const names = new Set([...set].map((f) => f.name));
  for (let changed = true; changed;) {
    changed = false;
    for (const f of all) {
      if (set.has(f)) continue;
      for (const n of calls.get(f) ?? []) {
        if (names.has(n)) {
          set.add(f);
          names.add(f.name);
          changed = true;
          break;
        }
      }
    }
  }
  return set;
}

export function analyzeFile(parsed: ParsedSource, version: KernelVersion): FileAnalysis {
  const root = parsed.root;
  const globals = globalsIn(root);
  const macros = macrosIn(root);
  const all = functionsIn(root);
  const defined = new Set(all.map((f) => f.name));
  const calls = new Map<FunctionInfo, Set<string>>(all.map((f) => [f, calledNames(f.body)]));

  // Which functions get a graph. A file that takes no pages anywhere only needs api-version on
  // the pin-family releases it calls; otherwise every function touching pages (or calling one
  // that does) is analysed, because releases and uses link to acquires across functions.
  const acquiring = closure(all, calls, (f) => [...(calls.get(f) ?? [])].some((n) => ACQUIRE_NAMES.has(n)));
  const relevant = acquiring.size === 0
    ? new Set(all.filter((f) => [...(calls.get(f) ?? [])].some((n) => VERSIONED_RELEASES.has(n))))
    : closure(all, calls, (f) => [...(calls.get(f) ?? [])].some((n) => INTERESTING_NAMES.has(n) || (!defined.has(n) && HELPER_NAME.test(n))));

  const aliasCache = new Map<FunctionInfo, ReturnType<typeof buildAliases>>();
  const analyse = (info: FunctionInfo, helpers: HelperSummaries): FunctionAnalysis => {
    let aliases = aliasCache.get(info);
    if (!aliases) {
      aliases = buildAliases(info, globals);
      aliasCache.set(info, aliases);
    }
    const ctx: OpContext = { fn: info, globals, aliases, version, macros, text: parsed.text, helpers, definedFunctions: defined };
    return { info, ctx, cfg: buildCfg(info.body, ctx) };
  };

  let helpers: HelperSummaries = NO_HELPERS;
  let functions = all.filter((f) => relevant.has(f)).map((info) => analyse(info, helpers));
  // Up to two more rounds: helpers summarised with their own helpers known. Only functions that
  // call a summarised helper are rebuilt.
  for (let round = 0; round < 2; round++) {
    const next = new Map<string, HelperSummary>();
    for (const f of functions) {
      const s = summarize(f.info, f.cfg, (op) => releasedOnEveryPath(f, op));
      if (s) next.set(f.info.name, s);
    }
    if (next.size === 0) break;
    const changed = [...next.keys()];
    helpers = next;
    functions = functions.map((f) => ([...(calls.get(f.info) ?? [])].some((n) => changed.includes(n) && n !== f.info.name) ? analyse(f.info, helpers) : f));
  }

  let fieldStores: Map<string, FieldStore[]> | null = null;
  return {
    parsed, version, lines: new LineIndex(parsed.text), globals, macros, helpers, functions,
    mmuNotifier: mentionsMmuNotifier(root), defined,
    // Only cross-function field links need it; most files never ask.
    get fieldStores() {
      fieldStores ??= collectFieldStores(all, globals);
      return fieldStores;
    },
  };
}
