/**
 * Path enumeration is the expensive part of the analysis; rules, code lenses and the simulation
 * all ask for the same functions' paths, so they are computed once per function analysis. Keyed
 * by the function, not the file: the editor session lints a file unit by unit, each unit a view
 * of the same analysis with some of its functions (core/session/units.ts), and the views share
 * the paths. A function analysis belongs to one file analysis, whose meter its walk spends from.
 */
import { holdsResources, type FunctionAnalysis } from '../analysis/types';
import { enumeratePaths, type FunctionPaths } from '../paths/engine';
import type { FileAnalysis } from './types';

/** Re-exported: the rules ask both questions together (is there anything to walk? the paths). */
export { holdsResources };

const cache = new WeakMap<FunctionAnalysis, FunctionPaths>();

export function pathsOf(file: FileAnalysis, fn: FunctionAnalysis): FunctionPaths {
  let paths = cache.get(fn);
  if (!paths) {
    paths = enumeratePaths(fn, undefined, undefined, file.meter);
    cache.set(fn, paths);
  }
  return paths;
}
