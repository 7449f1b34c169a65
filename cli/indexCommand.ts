/**
 * `pinscope index PATH`: builds the tree index of the tree PATH is in (issue 12), or brings it up
 * to date, so that `pinscope lint` and the language server know what other files' functions and
 * macros do. A progress bar on stderr when it is a terminal; one summary line otherwise.
 */
import { formatVersion } from '../core/index';
import { updateIndex } from '../batch/index/build';
import { keepYoungGenerationSmall } from '../batch/nativeMemory';
import { indexFolder } from '../batch/index/store';
import { treeRootOf } from '../batch/index/treeRoot';
import { terminalPath } from './filePaths';
import type { Io } from './io';
import { COMMON_OPTIONS, kernelVersionOption, parseCommandLine, UsageError } from './options';
import { VERSION } from './version';
import { LINT_WORKER } from './lintWorkerPath';

export const INDEX_USAGE = `usage: pinscope index [--kernel-version X.Y] [--quiet] PATH
  builds (or updates) the tree index of the kernel tree PATH is in, or of the folder PATH`;

const INDEX_OPTIONS = {
  help: COMMON_OPTIONS.help,
  'kernel-version': COMMON_OPTIONS['kernel-version'],
  quiet: { type: 'boolean', short: 'q' },
} as const;

/** A one-line bar redrawn in place: `[#######.............]  35%  summarising 1234/3512`. */
function progressBar(
  write: (text: string) => void,
): (phase: 'scan' | 'summarise', done: number, total: number) => void {
  let last = '';
  let lastAt = 0;
  return (phase, done, total) => {
    const now = Date.now();
    if (now - lastAt < 100 && done + 1 < total) return;
    lastAt = now;
    const share = total === 0 ? 1 : (done + 1) / total;
    const width = 30;
    const filled = Math.round(share * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${phase === 'scan' ? 'reading' : 'summarising'} ${done + 1}/${total}`;
    if (line === last) return;
    last = line;
    write(`\r${line}\u001b[K`);
  };
}

export async function runIndex(
  argv: readonly string[],
  io: Io,
  tty: boolean = process.stderr.isTTY === true,
): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, INDEX_OPTIONS);
  if (values.help) {
    io.out(INDEX_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`index takes one PATH\n${INDEX_USAGE}`);
  const target = positionals[0] as string;
  const root = treeRootOf(target);
  const kernel = kernelVersionOption(values['kernel-version'], target);
  const started = performance.now();
  keepYoungGenerationSmall();
  const bar = tty && !values.quiet ? progressBar((text) => process.stderr.write(text)) : undefined;
  const result = await updateIndex({
    root,
    pinscopeVersion: VERSION,
    kernelVersion: formatVersion(kernel.version),
    workerScript: LINT_WORKER,
    ...(bar ? { onProgress: bar } : {}),
  });
  if (bar) process.stderr.write('\r\u001b[K');
  for (const u of result.unsummarised) io.err(`pinscope: ${terminalPath(u.file)}: not summarised: ${u.problem}`);
  const facts = result.counts;
  if (!values.quiet)
    io.err(
      `pinscope: indexed ${terminalPath(root)} for Linux ${formatVersion(kernel.version)}: ${result.files} files (${result.hashed} read, ${result.summarised} summarised in ${result.rounds} round${result.rounds === 1 ? '' : 's'}${result.fresh ? ', new index' : ''}); ${facts.functions} function summaries, ${facts.macros} macros, ${facts.wrappers} wrapper macros (${((performance.now() - started) / 1000).toFixed(1)} s) → ${terminalPath(indexFolder(root))}`,
    );
  return 0;
}
