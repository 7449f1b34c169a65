/**
 * `pinscope` on the command line: lint, fix, extract, simulate, the language server, the catalog.
 * Every error is one line on stderr; exit 2 for usage and I/O errors.
 */
import { ACQUIRE_APIS, PREFILTER_NEEDLES, RELEASE_APIS } from '../core/index';
import { stdio, type Io } from './io';
import { LINT_USAGE, runLint } from './lint';
import { MERGE_USAGE, runMerge } from './merge';
import { parseCommandLine, UsageError } from './options';
import { EXTRACT_USAGE, runExtract, runSimulate, SIMULATE_USAGE } from './simulate';
import { VERSION } from './version';
import { LSP_USAGE } from './lspUsage';
import { INDEX_USAGE, runIndex } from './indexCommand';

const USAGE = `pinscope ${VERSION} — find and fix misuse of the Linux kernel's page-pinning and DMA APIs

usage: pinscope <command> [options]

commands:
  lint PATH...                    lint C files or folders (see pinscope lint --help)
  lint --since REV [PATH...]      only the findings new since a git revision
  lint --patch FILE.patch         only the findings a patch (or a format-patch series) introduces
  index PATH                      build or update the tree index other files' helpers are read from
  merge SHARD.json...             the reports of lint --shard I/N as the report of one run
  extract FILE:FUNCTION           print a function's paths as .pinsim traces
  simulate FILE:FUNCTION | T.pinsim   run the refcount simulation and print the step table
  catalog [--names | --needles]   print the API catalog's function names
  lsp [--stdio]                   run the language server (Neovim, Emacs, Helix, …)
  version                         print the version

${LINT_USAGE}
${INDEX_USAGE}
${MERGE_USAGE}
${EXTRACT_USAGE}
${SIMULATE_USAGE}
${LSP_USAGE}`;

const CATALOG_OPTIONS = { names: { type: 'boolean' }, needles: { type: 'boolean' } } as const;

async function main(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'lint':
      return runLint(rest, io);
    case 'index':
      return runIndex(rest, io);
    case 'merge':
      return runMerge(rest, io);
    case 'extract':
      return runExtract(rest, io);
    case 'simulate':
      return runSimulate(rest, io);
    case 'lsp':
      return (await import('./lsp')).runLsp(rest, io);
    case 'catalog': {
      const { values, positionals } = parseCommandLine(rest, CATALOG_OPTIONS);
      if (positionals.length > 0) throw new UsageError(`catalog takes no arguments (not "${positionals[0]}")`);
      if (values.needles) for (const n of PREFILTER_NEEDLES) io.out(n);
      else for (const n of [...ACQUIRE_APIS.map((a) => a.name), ...RELEASE_APIS.map((r) => r.name)]) io.out(n);
      return 0;
    }
    case 'version':
    case '--version':
      io.out(VERSION);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2), stdio).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      stdio.err(`pinscope: ${error.message}`);
    } else {
      stdio.err(
        `pinscope: internal error: ${error instanceof Error ? error.message : String(error)} (please report this)`,
      );
      if (process.env.PINSCOPE_DEBUG) stdio.err(error instanceof Error ? (error.stack ?? '') : '');
    }
    process.exitCode = 2;
  },
);
