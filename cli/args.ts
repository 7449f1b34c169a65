/**
 * A small argv parser: `--flag`, `--opt value`, `--opt=value`, positionals, `--` ends options.
 * Unknown options are usage errors (exit 2), never silently ignored.
 */
export class UsageError extends Error {}

export interface OptionSpec {
  readonly name: string;
  readonly takesValue: boolean;
  readonly short?: string;
}

export interface ParsedArgs {
  readonly positionals: string[];
  readonly values: Map<string, string>;
  readonly flags: Set<string>;
}

export function parseArgs(argv: readonly string[], specs: readonly OptionSpec[]): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const positionals: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      const spec = byName.get(name);
      if (!spec) throw new UsageError(`unknown option --${name}`);
      if (spec.takesValue) {
        const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`--${name} needs a value`);
        values.set(name, value);
      } else {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`);
        flags.add(name);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      const spec = byShort.get(arg.slice(1));
      if (!spec) throw new UsageError(`unknown option ${arg}`);
      if (spec.takesValue) {
        const value = argv[++i];
        if (value === undefined) throw new UsageError(`${arg} needs a value`);
        values.set(spec.name, value);
      } else flags.add(spec.name);
      continue;
    }
    positionals.push(arg);
  }
  return { positionals, values, flags };
}
