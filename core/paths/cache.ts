/**
 * Path enumeration is the expensive part of the analysis; rules, code lenses and the simulation
 * all ask for the same functions' paths, so they are computed once per file analysis.
 */
import type { FileAnalysis, FunctionAnalysis } from '../analysis/file';
import { enumeratePaths, type FunctionPaths } from './engine';

const cache = new WeakMap<FileAnalysis, Map<FunctionAnalysis, FunctionPaths>>();

/** The function takes pages, or creates a DMA mapping, allocation or pool. */
export function holdsResources(fn: FunctionAnalysis): boolean {
  return fn.cfg.nodes.some((n) =>
    n.ops.some(
      (op) =>
        op.kind === 'acquire' ||
        (op.kind === 'dma' &&
          (op.api.role === 'map' || op.api.role === 'alloc' || op.api.role === 'pool-create') &&
          !op.api.managed),
    ),
  );
}

export function pathsOf(file: FileAnalysis, fn: FunctionAnalysis): FunctionPaths {
  let perFile = cache.get(file);
  if (!perFile) {
    perFile = new Map();
    cache.set(file, perFile);
  }
  let paths = perFile.get(fn);
  if (!paths) {
    paths = enumeratePaths(fn);
    perFile.set(fn, paths);
  }
  return paths;
}
