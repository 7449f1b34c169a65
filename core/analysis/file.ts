/**
 * Analysis of one translation unit: which functions matter, their control-flow graphs with page
 * operations, and summaries of in-file helpers (computed in rounds so a helper that calls a helper
 * is summarised too).
 */
import type { ParsedSource } from '../parse/parser';
import type { SyntaxNode } from '../parse/syntax';
import { walkTypes } from '../parse/syntax';
import { MMU_NOTIFIER_TEXT } from '../catalog/pageUse';
import type { KernelVersion } from '../catalog/version';
import { LineIndex } from '../text/lineIndex';
import { buildCfg, type Cfg } from './cfg';
import { macrosIn, type MacroDef } from './flags';
import { functionsIn, globalsIn, type FunctionInfo, type Variable } from './functions';
import type { OpContext } from './ops';
import { buildAliases, storageOf } from './storage';
import { NO_HELPERS, summarize } from './summaries';
import type { HelperSummaries, HelperSummary } from './ops';
import { calledNamesIn, relevantFunctions } from './relevance';
import { enumeratePaths, mayHold } from '../paths/engine';
import type { AcquireOp } from './ops';

/** The function releases what `op` takes before every return: it keeps nothing for its callers. */
function releasedOnEveryPath(fn: FunctionAnalysis, op: AcquireOp): boolean {
  const paths = enumeratePaths(fn, { maxSteps: 5_000, maxPaths: 64 });
  if (paths.partial || paths.paths.length === 0) return false;
  return paths.paths.every((p) =>
    p.resources.every((r) => r.res.op !== op || r.status === 'released' || !mayHold(r.res, r.outcomes)),
  );
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
  fieldStores(fileKey: string): readonly FieldStore[];
}

export interface FieldStore {
  readonly fn: FunctionInfo;
  readonly left: SyntaxNode;
  readonly right: SyntaxNode;
}

/**
 * Stores into one struct field (`fileKey`, like StorageRef.fileKey: `st_buffer::mapped_pages`)
 * anywhere in the file. Only function bodies whose text assigns that field name are walked, and
 * only their assignments are materialised: st.c's whole-file walk cost 90 ms on every edit.
 */
function fieldStoresOf(
  all: readonly FunctionInfo[],
  globals: ReadonlyMap<string, Variable>,
  fileKey: string,
): FieldStore[] {
  const field = fileKey.split('::').pop() ?? fileKey;
  const assigns = new RegExp(`(?:->|\\.)\\s*${field.replace(/[^\w]/g, '')}\\s*=(?!=)`);
  const stores: FieldStore[] = [];
  const noAliases = { arrayAlias: new Map(), elementAlias: new Map(), derivedAlias: new Map() };
  for (const fn of all) {
    if (!assigns.test(fn.body.text)) continue;
    walkTypes(
      fn.body,
      (type) => (type === 'assignment_expression' ? 'visit-descend' : 'descend'),
      (node) => {
        if (node.childForFieldName('operator')?.type !== '=') return;
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right || left.type !== 'field_expression') return;
        const ref = storageOf(left, { fn, globals, aliases: noAliases });
        if (ref?.fileKey === fileKey) stores.push({ fn, left, right });
      },
    );
  }
  return stores;
}

/** The file registers an MMU notifier or follows KVM's invalidation-sequence protocol (case 3). */
function mentionsMmuNotifier(text: string): boolean {
  return MMU_NOTIFIER_TEXT.test(text);
}

const MAPPING_ERROR_CALL = /\bdma_mapping_error\s*\(([^;]*?),\s*([A-Za-z_]\w*)\s*\)/g;

/** In-file functions that call dma_mapping_error() on one of their parameters (`enic_dma_map_check()`). */
function mappingCheckersIn(all: readonly FunctionInfo[]): Map<string, number> {
  const checkers = new Map<string, number>();
  for (const f of all) {
    const text = f.body.text;
    if (!text.includes('dma_mapping_error')) continue;
    MAPPING_ERROR_CALL.lastIndex = 0;
    for (let m = MAPPING_ERROR_CALL.exec(text); m !== null; m = MAPPING_ERROR_CALL.exec(text)) {
      const param = f.params.find((p) => p.name === m?.[2]);
      if (param) checkers.set(f.name, param.index);
    }
  }
  return checkers;
}

export function analyzeFile(parsed: ParsedSource, version: KernelVersion): FileAnalysis {
  const root = parsed.root;
  const globals = globalsIn(root);
  const macros = macrosIn(root);
  const all = functionsIn(root);
  const defined = new Set(all.map((f) => f.name));
  const calls = new Map<FunctionInfo, Set<string>>(all.map((f) => [f, calledNamesIn(f.body.text)]));
  const relevantIndices = relevantFunctions(all.map((f) => ({ name: f.name, calls: calls.get(f) as Set<string> })));
  const relevant = new Set(all.filter((_, i) => relevantIndices.has(i)));

  const mappingCheckers = mappingCheckersIn(all);
  const aliasCache = new Map<FunctionInfo, ReturnType<typeof buildAliases>>();
  const analyse = (info: FunctionInfo, helpers: HelperSummaries): FunctionAnalysis => {
    let aliases = aliasCache.get(info);
    if (!aliases) {
      aliases = buildAliases(info, globals);
      aliasCache.set(info, aliases);
    }
    const ctx: OpContext = {
      fn: info,
      globals,
      aliases,
      version,
      macros,
      text: parsed.text,
      helpers,
      definedFunctions: defined,
      mappingCheckers,
    };
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
    functions = functions.map((f) =>
      [...(calls.get(f.info) ?? [])].some((n) => changed.includes(n) && n !== f.info.name)
        ? analyse(f.info, helpers)
        : f,
    );
  }

  const storesByKey = new Map<string, readonly FieldStore[]>();
  let storeFunctions: readonly FunctionInfo[] | null = null;
  return {
    parsed,
    version,
    lines: new LineIndex(parsed.text),
    globals,
    macros,
    helpers,
    functions,
    mmuNotifier: mentionsMmuNotifier(parsed.text),
    defined,
    // Only cross-function field links need them; most files never ask.
    fieldStores(fileKey: string): readonly FieldStore[] {
      let stores = storesByKey.get(fileKey);
      if (!stores) {
        // A focused parse blanked bodies that may store into the field: ask the full parse.
        storeFunctions ??= parsed.focus ? functionsIn(parsed.focus.full().root) : all;
        stores = fieldStoresOf(storeFunctions, globals, fileKey);
        storesByKey.set(fileKey, stores);
      }
      return stores;
    },
  };
}
