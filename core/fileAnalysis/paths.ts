/**
 * Path enumeration is the expensive part of the analysis; rules, code lenses and the simulation
 * all ask for the same functions' paths, so they are computed once per file analysis.
 */
import { holdsResources, type FunctionAnalysis } from '../analysis/types';
import { enumeratePaths, type FunctionPaths } from '../paths/engine';
import type { FileAnalysis } from './types';

/** Re-exported: the rules ask both questions together (is there anything to walk? the paths). */
export { holdsResources };

const cache = new WeakMap<FileAnalysis, Map<FunctionAnalysis, FunctionPaths>>();

export function pathsOf(file: FileAnalysis, fn: FunctionAnalysis): FunctionPaths {
  let perFile = cache.get(file);
  if (!perFile) {
    perFile = new Map();
    cache.set(file, perFile);
  }
  let paths = perFile.get(fn);
  if (!paths) {
    paths = enumeratePaths(fn, undefined, undefined, file.meter);
    perFile.set(fn, paths);
  }
  return paths;
}
