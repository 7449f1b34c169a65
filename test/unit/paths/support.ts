/**
 * Shared helpers for the path-engine unit tests: parse a small C file for real (tree-sitter),
 * analyse it, enumerate one function's paths, and render issues and paths as short strings the
 * tests compare exactly.
 */
import type { FunctionAnalysis } from '../../../core/analysis/types';
import { analyzeFile } from '../../../core/fileAnalysis/analyzeFile';
import { parseKernelVersion, type KernelVersion } from '../../../core/catalog/version';
import { createCParser } from '../../../core/parse/parser';
import {
  enumeratePaths,
  type CompletePath,
  type FunctionPaths,
  type PathBudget,
  type PathIssue,
} from '../../../core/paths/engine';

const parser = createCParser();
const version = parseKernelVersion('6.12') as KernelVersion;

/** Function `name` of `source` as analysed (the whole file is analysed, as lint does). */
export function functionOf(source: string, name: string): FunctionAnalysis {
  const file = analyzeFile(parser.parse(source), version);
  const fn = file.functions.find((f) => f.info.name === name);
  if (!fn)
    throw new Error(`${name}() was not analysed (functions: ${file.functions.map((f) => f.info.name).join(', ')})`);
  return fn;
}

/** The paths of function `name` in `source`. */
export function pathsOf(source: string, name: string, budget?: PathBudget): FunctionPaths {
  const fn = functionOf(source, name);
  return budget ? enumeratePaths(fn, budget) : enumeratePaths(fn);
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/**
 * `kind name@line: at-label` plus what the issue carries besides: the return status of a leak,
 * the count text of a count mismatch, the earlier release of a double one, the deciding branch.
 */
function issueText(issue: PathIssue, source: string): string {
  const res = issue.res;
  const parts = [`${issue.kind} ${res.op.name}@${lineOf(source, res.op.node.startIndex)}: ${issue.at.label}`];
  if (issue.returnStatus) parts.push(`(${issue.returnStatus})`);
  if (issue.countText) parts.push(`count ${issue.countText}`);
  if (issue.earlier) parts.push(`after ${issue.earlier.label}`);
  if (issue.decisive) parts.push(`decided by ${issue.decisive.label}`);
  parts.push(`[${issue.outcomes.join(',')}]`);
  return parts.join(' ');
}

export function issuesText(paths: FunctionPaths, source: string): string[] {
  return paths.issues.map((i) => issueText(i, source));
}

/** The labels of a path's events, then `=> status` (`=> unknown, an error by convention` when so). */
function pathText(path: CompletePath): string {
  const last = path.events[path.events.length - 1];
  const convention = last?.errorByConvention ? ', an error by convention' : '';
  return `${path.events.map((e) => e.label).join(' | ')} => ${path.returnStatus}${convention}`;
}

export function pathsText(paths: FunctionPaths): string[] {
  return paths.paths.map(pathText);
}

/** Each resource on a path: `name outcomes status`. */
export function resourcesText(path: CompletePath): string[] {
  return path.resources.map((r) => `${r.res.op.name} ${r.outcomes.join(',')} ${r.status}`);
}

/** A C file with the declarations the examples lean on, and `body` as its functions. */
export function cFile(body: string): string {
  return `#include <linux/mm.h>\n#include <linux/dma-mapping.h>\n\n${body.trim()}\n`;
}
