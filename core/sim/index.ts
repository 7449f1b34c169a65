/**
 * The simulation's entry points for editors and the CLI.
 *
 * TEMPORARY: the path engine lands with the simulation-core issue. Until then these return what
 * can be known without it (one path per function with acquires, and an empty report with a note),
 * so that the language server and client can be built against the final signatures.
 */
import type { FileAnalysis } from '../analysis/file';
import type { SimOptions, SimTarget, SimulationReport } from './types';
import { formatVersion } from '../catalog/version';

export type { SimOptions, SimTarget, SimulationReport } from './types';

export function simulationTargets(file: FileAnalysis): SimTarget[] {
  const targets: SimTarget[] = [];
  for (const fn of file.functions) {
    const acquires = fn.cfg.nodes.some((n) => n.ops.some((op) => op.kind === 'acquire'));
    if (!acquires) continue;
    targets.push({ name: fn.info.name, span: { start: fn.info.nameNode.startIndex, end: fn.info.nameNode.endIndex }, paths: 1, partial: false });
  }
  return targets;
}

export function simulateFunction(file: FileAnalysis, functionName: string, options: SimOptions = {}): SimulationReport {
  void options;
  return { function: functionName, kernelVersion: formatVersion(file.version), paths: [], partial: false, notes: ['simulation not available yet'] };
}

/** The report as a plain-text step table (what `pinscope simulate` prints). */
export function formatStepTable(report: SimulationReport): string {
  return [`${report.function}: ${report.paths.length} path(s)`, ...report.notes].join('\n');
}
