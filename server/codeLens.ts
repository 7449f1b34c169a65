/**
 * Code lenses: `Simulate (N paths)` above every function that acquires pages or DMA mappings. The
 * lens runs the client command pinscope.runSimulation with the document and the function's name.
 */
import type { CodeLens } from 'vscode-languageserver-protocol';
import type { LineIndex, SimTarget } from '../core/index';
import { Commands } from './protocol';

function lensTitle(target: SimTarget): string {
  const n = `${target.paths}${target.partial ? '+' : ''}`;
  return `Simulate (${n} path${target.paths === 1 && !target.partial ? '' : 's'})`;
}

export function codeLenses(uri: string, targets: readonly SimTarget[], lines: LineIndex): CodeLens[] {
  return targets.map((t) => {
    const start = lines.position(t.span.start);
    const end = lines.position(t.span.end);
    return {
      range: {
        start: { line: start.line, character: start.character },
        end: { line: end.line, character: end.character },
      },
      command: { title: lensTitle(t), command: Commands.runSimulation, arguments: [uri, t.name] },
    };
  });
}
