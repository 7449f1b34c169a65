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
import { DMA_CALL_NAMES } from '../catalog/dma';
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

/** Names that make a function worth building a graph for. */
export const INTERESTING_NAMES: ReadonlySet<string> = new Set<string>([
  ...ACQUIRE_APIS.map((a) => a.name),
  ...RELEASE_APIS.map((r) => r.name),
  ...PAGE_USES.map((u) => u.name),
  ...DIRTY_CALLS.map((d) => d.name),
  ...EXTRA_REFERENCE_CALLS,
  ...DMA_CALL_NAMES,
]);

const CALLED = /\b([A-Za-z_]\w*)\s*\(/g;

function calledNames(body: SyntaxNode): Set<string> {
  const names = new Set<string>();
  const text = body.text;
  CALLED.lastIndex = 0;
  for (let m = CALLED.exec(text); m !== null; m = CALLED.exec(text)) names.add(m[1] as string);
  return names;
}

/** A release-like helper name (see pageOps.ts): such calls matter even without catalogued names. */
const HELPER_NAME = /(put|unpin|release|unlock)\w*_pages$/;

function mentionsMmuNotifier(root: SyntaxNode): boolean {
  const text = root.text;
  if (!/mmu_(interval_)?notifier|hmm_range_fault|mmu_invalidate_|mmu_interval_/.test(text)) return false;
  if (/\bmmu_invalidate_seq\b|\bmmu_notifier_seq\b/.test(text)) return true;
  let found = false;
  walk(root, (node) => {
    if (found) return false;
    if (node.type === 'call_expression') {
      const fn = node.childForFieldName('function');
      if (fn && MMU_NOTIFIER_CALLS.includes(fn.text)) found = true;
    }
    // `.invalidate = ...` in a struct mmu_interval_notifier_ops initialiser.
    if (node.type === 'struct_specifier' && /mmu_(interval_)?notifier_ops/.test(node.text)) found = true;
    return true;
  });
  return found;
}

export function analyzeFile(parsed: ParsedSource, version: KernelVersion): FileAnalysis {
  const root = parsed.root;
  const globals = globalsIn(root);
  const macros = macrosIn(root);
  const all = functionsIn(root);
  const defined = new Set(all.map((f) => f.name));
  const calls = new Map<FunctionInfo, Set<string>>(all.map((f) => [f, calledNames(f.body)]));

  // Relevant: calls something catalogued (or release-like by name), or calls a relevant in-file
  // function. A fixpoint over the call graph, cheap because it only looks at names.
  const relevant = new Set<FunctionInfo>();
  for (const f of all) {
    for (const n of calls.get(f) ?? []) {
      if (INTERESTING_NAMES.has(n) || (!defined.has(n) && HELPER_NAME.test(n))) {
        relevant.add(f);
        break;
      }
    }
  }
  const relevantNames = new Set<string>([...relevant].map((f) => f.name));
  for (let changed = true; changed;) {
    changed = false;
    for (const f of all) {
      if (relevant.has(f)) continue;
      for (const n of calls.get(f) ?? []) {
        if (relevantNames.has(n)) {
          relevant.add(f);
          relevantNames.add(f.name);
          changed = true;
          break;
        }
      }
    }
  }

  const build = (helpers: HelperSummaries): FunctionAnalysis[] =>
    all.filter((f) => relevant.has(f)).map((info) => {
      const aliases = buildAliases(info, globals);
      const ctx: OpContext = { fn: info, globals, aliases, version, macros, text: parsed.text, helpers, definedFunctions: defined };
      return { info, ctx, cfg: buildCfg(info.body, ctx) };
    });

  const callsHelpers = [...relevant].some((f) => [...(calls.get(f) ?? [])].some((n) => relevantNames.has(n) && n !== f.name));
  let helpers: HelperSummaries = NO_HELPERS;
  let functions = build(helpers);
  // Up to two more rounds: helpers summarised with their own helpers known.
  for (let round = 0; round < 2 && callsHelpers; round++) {
    const next = new Map<string, HelperSummary>();
    for (const f of functions) {
      const s = summarize(f.info, f.cfg, (op) => releasedOnEveryPath(f, op));
      if (s) next.set(f.info.name, s);
    }
    if (next.size === 0) break;
    helpers = next;
    functions = build(helpers);
  }

  return {
    parsed, version, lines: new LineIndex(parsed.text), globals, macros, helpers, functions,
    mmuNotifier: mentionsMmuNotifier(root), defined, fieldStores: collectFieldStores(all, globals),
  };
}
