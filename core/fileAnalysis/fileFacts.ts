/**
 * What one file tells the rest of its tree (issue 12): the summaries of the functions it defines
 * that acquire, release, use, map or unmap what their parameters name — the same plain-data
 * summaries the file's own callers use (summaryTypes.ts, summaries.ts, dmaSummary.ts), computed
 * by the same rounds (helperSummaries.ts) with the other files' facts known (`external`) — and,
 * for a header, its macros that matter to the rules: FOLL_* flag macros, size constants
 * (`SZ_4K`), and macros that only rename a DMA call. Plain data in and out; the tree index
 * (batch/index/) walks the files, composes the facts bottom-up and stores them.
 *
 * Offsets in a summary point into its own file and mean nothing to a caller in another file, so
 * they are dropped here (`at`, flag spans): a caller's findings name the helper by its origin.
 */
import type { ParsedSource } from '../parse/parser';
import type { SyntaxNode } from '../parse/syntax';
import { walkTypes } from '../parse/syntax';
import { dmaApi } from '../catalog/dma';
import { SIZE_CONSTANT_NAME } from '../catalog/conventions';
import type { KernelVersion } from '../catalog/version';
import type { AnalysisBudget } from '../analysis/budget';
import { macrosIn, type MacroDef } from '../analysis/flags';
import type { FactOrigin, HelperAcquire, HelperSummary, WrapperMacro } from '../analysis/summaryTypes';
import { LineIndex } from '../text/lineIndex';
import { analyzeFile } from './analyzeFile';
import { externalNames, isCatalogued, type ExternalFacts } from './external';
import { keptBodies } from '../analysis/relevance';
import { macrosOfDefineHeader } from './macroHeader';
import type { LexicalFunction } from '../parse/focus';

export interface ExportedFunction {
  readonly summary: HelperSummary;
  /** `static`: visible only where the file is included (a header's `static inline`), or nowhere. */
  readonly isStatic: boolean;
}

export interface FileFacts {
  readonly functions: readonly ExportedFunction[];
  readonly macros: readonly MacroDef[];
  readonly wrappers: readonly WrapperMacro[];
}

const ZERO = { start: 0, end: 0 };

/** An acquire without its offsets into the helper's file. */
function portableAcquire(a: HelperAcquire): HelperAcquire {
  return {
    ...a,
    at: ZERO,
    flags: {
      unknown: a.flags.unknown,
      occurrences: a.flags.occurrences.map((o) => ({ ...o, span: ZERO, removal: null })),
    },
  };
}

function isStaticDefinition(node: SyntaxNode): boolean {
  return node.namedChildren.some((c) => c.type === 'storage_class_specifier' && c.text === 'static');
}

/** `FOLL_*` anywhere in a macro's value: a flag macro. */
const FLAG_WORD = /\bFOLL_[A-Z_]+\b/;
const NUMBER = /^\(?\s*(?:0x[0-9a-f]+|\d+)[ul]*\s*\)?$/i;

/**
 * The header's macros worth telling its includers: flag macros (and the macros of the file they
 * are built from), and numeric size constants. Not every `#define`: a tree has millions.
 */
function exportedMacros(
  all: ReadonlyMap<string, MacroDef>,
  origin: (node: { startIndex: number; endIndex: number }) => FactOrigin,
): MacroDef[] {
  const keep = new Set<string>();
  for (const m of all.values())
    if (FLAG_WORD.test(m.value) || (SIZE_CONSTANT_NAME.test(m.name) && NUMBER.test(m.value))) keep.add(m.name);
  // Macros a kept flag macro is built from (`#define XDRV_FLAGS (XDRV_RW | FOLL_LONGTERM)`).
  for (let changed = true; changed;) {
    changed = false;
    for (const name of [...keep]) {
      const m = all.get(name);
      if (!m || !FLAG_WORD.test(m.value)) continue;
      for (const word of m.value.match(/\b[A-Za-z_]\w*\b/g) ?? [])
        if (all.has(word) && !keep.has(word)) {
          keep.add(word);
          changed = true;
        }
    }
  }
  return [...keep].map((name) => {
    const m = all.get(name) as MacroDef;
    return {
      name,
      value: m.value,
      valueStart: 0,
      origin: origin({ startIndex: m.valueStart, endIndex: m.valueStart + m.value.length }),
    };
  });
}

/** Splits `a, f(b, c), d` at its top-level commas. */
function splitArguments(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(text.slice(start).trim());
  return out;
}

/**
 * Function-like macros whose whole body is one call of a catalogued DMA API, each argument a
 * parameter of the macro or a plain word (`DMA_TO_DEVICE`, `PAGE_SIZE`, `0`): `xdrv_map(dev, buf,
 * len)` then is that call. Anything more (two statements, arithmetic on a parameter) is not
 * recorded: what it does is unknown, as before.
 */
function wrapperMacros(root: SyntaxNode, origin: (node: SyntaxNode) => FactOrigin): WrapperMacro[] {
  const wrappers: WrapperMacro[] = [];
  walkTypes(
    root,
    (type) => (type === 'preproc_function_def' ? 'visit' : type === 'function_definition' ? 'skip' : 'descend'),
    (node) => {
      const name = node.childForFieldName('name')?.text;
      const params = (node.childForFieldName('parameters')?.namedChildren ?? []).map((p) => p.text);
      const value = node.childForFieldName('value')?.text.replace(/\\\n/g, ' ').trim() ?? '';
      const m = /^\(?\s*([A-Za-z_]\w*)\s*\(([\s\S]*)\)\s*\)?$/.exec(value);
      if (!name || !m) return;
      const api = dmaApi(m[1] as string);
      if (!api || (api.role !== 'map' && api.role !== 'unmap')) return;
      const args: WrapperMacro['args'][number][] = [];
      for (const arg of splitArguments(m[2] as string)) {
        const word = /^\(?\s*([A-Za-z_]\w*|\d+)\s*\)?$/.exec(arg)?.[1];
        if (word === undefined) return;
        const param = params.indexOf(word);
        args.push(param >= 0 ? { param } : { text: word });
      }
      if (args.length !== api.params.length) return;
      wrappers.push({ name, api: api.name, args, origin: origin(node) });
    },
  );
  return wrappers;
}

/**
 * The facts `file` (its path as the index names it) exports, from its parse. `external`: what the
 * other files export, as far as it is known (the index composes rounds of this).
 */
export function fileFacts(
  parsed: ParsedSource,
  version: KernelVersion,
  file: string,
  external?: ExternalFacts,
  budget?: AnalysisBudget,
): FileFacts {
  const lines = new LineIndex(parsed.text);
  const originOf = originsIn(file, lines);
  const analysis = analyzeFile(parsed, version, budget, {
    summarising: true,
    ...(external ? { external } : {}),
  });
  const functions: ExportedFunction[] = [];
  const seen = new Set<string>();
  for (const { info } of analysis.definitions) {
    const s = analysis.helpers.get(info.name);
    // The catalog's own names (a header's `static inline dma_map_single()`) are the catalog's.
    if (!s || s.origin || seen.has(info.name) || isCatalogued(info.name)) continue;
    seen.add(info.name);
    // A release guessed from a callee's name, or made on some paths only, stays in its file.
    const releases = s.releases.filter((r) => !r.guessed && !r.conditional);
    if (s.acquires.length === 0 && releases.length === 0 && s.uses.length === 0 && s.dma.length === 0) continue;
    functions.push({
      summary: { ...s, releases, acquires: s.acquires.map(portableAcquire), origin: originOf(info.nameNode) },
      isStatic: isStaticDefinition(info.node),
    });
  }
  const header = file.endsWith('.h');
  return {
    functions,
    macros: header ? exportedMacros(macrosIn(parsed.root), originOf) : [],
    wrappers: header ? wrapperMacros(parsed.root, originOf) : [],
  };
}

/** Where a node of `file` is, as a fact records it (the file as given, a line range). */
function originsIn(file: string, lines: LineIndex): (node: { startIndex: number; endIndex: number }) => FactOrigin {
  return (node) => ({ file, ...lines.range({ start: node.startIndex, end: node.endIndex }) });
}

/**
 * The facts of a header made only of `#define` lines (macroHeader.ts), read from its text: the
 * same as `fileFacts` on its parse, without the parse. Null for any other text (parse it then).
 */
export function defineHeaderFacts(text: string, file: string): FileFacts | null {
  if (!file.endsWith('.h')) return null;
  const all = macrosOfDefineHeader(text);
  if (all === null) return null;
  const lines = new LineIndex(text);
  const originOf = originsIn(file, lines);
  return { functions: [], macros: exportedMacros(all, originOf), wrappers: [] };
}

/** The bodies a focused parse keeps for `fileFacts`: every one a summary may need. */
export function keptBodiesForSummaries(
  external: ExternalFacts | undefined,
): (functions: readonly LexicalFunction[], text: string) => Set<number> {
  const names = external ? externalNames(external) : undefined;
  return (functions, text) => keptBodies(functions, text, names, true);
}
