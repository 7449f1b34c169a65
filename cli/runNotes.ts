/**
 * What a person reads on stderr about a lint run besides its findings. By default: each file that
 * could not be linted at all (unreadable, binary, over the size limit), and one line that counts
 * the analysis notes — a tree-wide run has a hundred files with a macro tree-sitter cannot parse,
 * and a hundred lines of them would bury the findings. `--verbose` lists every note with its
 * place; `--quiet` prints neither.
 */
import type { AnalysisNote } from '../core/index';
import { terminalPath } from './filePaths';
import type { Io } from './io';
import { noteLine } from './output';

export type Verbosity = 'quiet' | 'normal' | 'verbose';

const KIND_WORDS: Readonly<Record<AnalysisNote['kind'], string>> = {
  'parse-errors': 'with code that did not parse as C (findings there may be missing)',
  budget: 'stopped by the time or memory budget (findings there not shown)',
  encoding: 'read as Latin-1 (not valid UTF-8)',
  'too-large': 'over the size limit',
  binary: 'with binary data',
};

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `158 files with code that did not parse as C (…), 2 files read as Latin-1 (…)`, or '' without notes. */
function notesSummary(files: readonly { readonly notes: readonly AnalysisNote[] }[]): string {
  const counts = new Map<AnalysisNote['kind'], number>();
  for (const f of files)
    for (const kind of new Set(f.notes.map((n) => n.kind))) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, n]) => `${plural(n, 'file')} ${KIND_WORDS[kind]}`).join(', ');
}

export interface RunNotes {
  /** Files that were not linted, with why. */
  readonly problems: readonly { readonly file: string; readonly problem: string }[];
  readonly notes: readonly { readonly file: string; readonly notes: readonly AnalysisNote[] }[];
}

export function printRunNotes(io: Io, verbosity: Verbosity, run: RunNotes): void {
  if (verbosity === 'quiet') return;
  for (const p of run.problems) io.err(`pinscope: ${terminalPath(p.file)}: ${p.problem}`);
  if (verbosity === 'verbose') {
    for (const r of run.notes) for (const n of r.notes) io.err(noteLine(r.file, n));
    return;
  }
  const summary = notesSummary(run.notes);
  if (summary) io.err(`pinscope: notes: ${summary}; --verbose lists them`);
}
