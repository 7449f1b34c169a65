/**
 * Analysis of one translation unit: which functions matter, their control-flow graphs with page
 * and DMA operations, the in-file helpers' summaries (helperSummaries.ts), and the file-wide
 * lookups the rules ask for. One floor above the path engine: summarising a helper walks its paths.
 */
import type { ParsedSource } from '../parse/parser';
import { MMU_NOTIFIER_TEXT } from '../catalog/pageUse';
import type { KernelVersion } from '../catalog/version';
import { LineIndex } from '../text/lineIndex';
import { BudgetExceeded, BudgetMeter, type AnalysisBudget, type BudgetLimit } from '../analysis/budget';
import { deadRanges, preprocSwitches } from '../analysis/preproc';
import { buildCfg } from '../analysis/cfg';
import { functionsIn, type FunctionInfo } from '../analysis/functions';
import type { HelperSummaries, OpContext } from '../analysis/ops';
import { relevantFunctions } from '../analysis/relevance';
import { buildAliases } from '../analysis/storage';
import type { FunctionAnalysis } from '../analysis/types';
import { fieldStoresOf } from './fieldStores';
import { withHelperSummaries } from './helperSummaries';
import type { FieldStore, FileAnalysis } from './types';
import { definitionPlace, fileWalks, type FileWalks } from './walks';
import { externalNames, isCatalogued, NO_EXTERNAL_FACTS, type ExternalFacts } from './external';

/** The file registers an MMU notifier or follows KVM's invalidation-sequence protocol (case 3). */
function mentionsMmuNotifier(text: string): boolean {
  return MMU_NOTIFIER_TEXT.test(text);
}

/** In-file functions that call dma_mapping_error() on one of their parameters (`enic_dma_map_check()`). */
function mappingCheckersIn(
  all: readonly FunctionInfo[],
  checks: ReadonlyMap<FunctionInfo, number | null>,
): Map<string, number> {
  const checkers = new Map<string, number>();
  for (const f of all) {
    const param = checks.get(f);
    if (param !== null && param !== undefined) checkers.set(f.name, param);
  }
  return checkers;
}

export interface AnalyzeOptions {
  /**
   * Of the relevant functions, build only those this accepts (the editor session re-analyses the
   * functions an edit can change, core/session/units.ts). Which functions are relevant is still
   * decided over the whole file, so a function built here is built exactly as in a full analysis
   * as long as every in-file helper it depends on is accepted too.
   */
  readonly only?: (info: FunctionInfo) => boolean;
  /**
   * What the rest of the tree says about the functions and macros this file uses but does not
   * define (the tree index, issue 12). The file's own definitions win.
   */
  readonly external?: ExternalFacts;
  /**
   * Build a graph for every function that touches pages or DMA, or calls one that does (in the
   * file or through `external`), not only those the rules need: what the tree index summarises.
   */
  readonly summarising?: boolean;
  /**
   * The whole-file walks of the previous analysis of this document (FileAnalysis.walks): kept
   * when the parse re-used that tree outside one function definition (walks.ts).
   */
  readonly walks?: FileWalks;
}

/**
 * The analysis of one parsed file. With a `budget`, work stops when it is spent: functions not yet
 * built are listed in `skipped`, and the path walks that read `meter` stop where they are.
 */
export function analyzeFile(
  parsed: ParsedSource,
  version: KernelVersion,
  budget?: AnalysisBudget,
  options: AnalyzeOptions = {},
): FileAnalysis {
  const meter = new BudgetMeter(budget);
  const stoppedBy = new Map<FunctionInfo, BudgetLimit>();
  const root = parsed.root;
  const walked = fileWalks(parsed, options.walks);
  const globals = walked.globals;
  const external = options.external ?? NO_EXTERNAL_FACTS;
  const ownMacros = walked.macros;
  const macros = external.macros.size > 0 ? new Map([...external.macros, ...ownMacros]) : ownMacros;
  const preproc = preprocSwitches(parsed.text, root);
  // A function under `#ifdef DEBUG_PCI` in a file that never defines it is not compiled.
  const dead = deadRanges(root, preproc);
  const all = walked.functions.filter((f) => {
    const at = definitionPlace(f);
    return !dead.some(([start, end]) => at.start >= start && at.end <= end);
  });
  const defined = new Set(all.map((f) => f.name));
  const calls = walked.calls;
  // Other files' functions and wrappers, less those the file defines itself (its own win).
  const externalHelpers = new Map([...external.helpers].filter(([name]) => !defined.has(name) && !isCatalogued(name)));
  const wrappers = new Map([...external.wrappers].filter(([name]) => !defined.has(name)));
  const relevantIndices = relevantFunctions(
    all.map((f) => ({ name: f.name, calls: calls.get(f) as ReadonlySet<string> })),
    externalNames({ helpers: externalHelpers, macros: external.macros, wrappers }),
    options.summarising === true,
  );

  const mappingCheckers = mappingCheckersIn(all, walked.checks);
  const aliasCache = new Map<FunctionInfo, ReturnType<typeof buildAliases>>();
  const analyse = (info: FunctionInfo, helpers: HelperSummaries): FunctionAnalysis | null => {
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
      preproc,
      ...(wrappers.size > 0 ? { wrappers } : {}),
    };
    try {
      return { info, ctx, cfg: buildCfg(info.body, ctx, meter) };
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      stoppedBy.set(info, e.limit);
      return null;
    }
  };
  const { functions, helpers, skipped, summarised } = withHelperSummaries(
    all.filter((f, i) => relevantIndices.has(i) && (options.only?.(f) ?? true)),
    calls,
    analyse,
    meter,
    externalHelpers,
  );

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
    meter,
    skipped: skipped.map((info) => ({ info, limit: stoppedBy.get(info) ?? 'nodes' })),
    definitions: all.map((info, i) => ({ info, relevant: relevantIndices.has(i) })),
    summarised,
    walks: walked.walks,
    // Only cross-function field links need them; most files never ask.
    fieldStores(fileKey: string): readonly FieldStore[] {
      let stores = storesByKey.get(fileKey);
      if (!stores) {
        // A focused parse blanked bodies that may store into the field: ask the full parse.
        storeFunctions ??= parsed.focus ? functionsIn(parsed.focus.full().root) : all;
        stores = parsed.focus
          ? fieldStoresOf(storeFunctions, globals, fileKey)
          : // The body's text where the definition is (node.text is the parser's text there).
            fieldStoresOf(storeFunctions, globals, fileKey, (f) => {
              const at = definitionPlace(f);
              return parsed.parsedText.slice(at.bodyStart, at.bodyEnd);
            });
        storesByKey.set(fileKey, stores);
      }
      return stores;
    },
  };
}
