/**
 * Command-line options: `node:util` `parseArgs` (strict: an unknown option is a usage error, never
 * silently ignored) and the option values more than one command shares — `--kernel-version`,
 * `--format`, bounded integers. Every problem is a `UsageError` (exit 2, one line on stderr).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type KernelVersion, parseKernelVersion, unsupportedVersion } from '../core/index';
import { detectKernelVersion, type DetectedVersion } from '../batch/kernelTree';
import { DEFAULT_MAX_BYTES } from '../batch/source';

export class UsageError extends Error {}

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** `parseArgs` with positionals allowed and its errors (ERR_PARSE_ARGS_*) turned into usage errors. */
export function parseCommandLine<T extends OptionSpecs>(argv: readonly string[], options: T) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : '';
    if (code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((e as Error).message);
    throw e;
  }
}

/** The options every command takes. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  format: { type: 'string', short: 'f' },
  'kernel-version': { type: 'string' },
  'max-file-size': { type: 'string' },
} as const satisfies OptionSpecs;

/** The largest --max-file-size: far above any C file, well below what one Buffer may hold. */
const MAX_FILE_SIZE_LIMIT = 1024 * 1024 * 1024;

/** `--max-file-size BYTES`: files above it are not read (8 MB by default). */
export function maxFileSizeOption(value: string | undefined): number {
  return integerOption(value, 'max-file-size', 1, MAX_FILE_SIZE_LIMIT) ?? DEFAULT_MAX_BYTES;
}

/** `--format`'s value, checked against the formats the command knows; the first is the default. */
export function formatOption<F extends string>(value: string | undefined, formats: readonly [F, ...F[]]): F {
  if (value === undefined) return formats[0];
  if ((formats as readonly string[]).includes(value)) return value as F;
  const list = formats.length === 2 ? formats.join(' or ') : `${formats.slice(0, -1).join(', ')} or ${formats.at(-1)}`;
  throw new UsageError(`--format must be ${list} (not "${value}")`);
}

/**
 * A whole decimal number within [min, max]. Strict on purpose: `Number()` would accept `1e9`,
 * `0x10` and ` 5`, and a page count of 1e9 exhausts the heap before anything can say why.
 */
export function integerOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max} (not "${value}")`);
  return n;
}

/** `--kernel-version X.Y` when given, else the version of the kernel tree `near` lives in. */
export function kernelVersionOption(
  value: string | undefined,
  near: string,
): DetectedVersion & { readonly detected: boolean } {
  if (value === undefined) {
    const detected = detectKernelVersion(near);
    const unsupported = unsupportedVersion(detected.version);
    if (unsupported) throw new UsageError(`${unsupported} (${detected.source ?? near}); --kernel-version to choose`);
    return { ...detected, detected: true };
  }
  const version: KernelVersion | null = parseKernelVersion(value);
  if (!version) throw new UsageError(`--kernel-version: "${value}" is not a version like 6.12`);
  const unsupported = unsupportedVersion(version);
  if (unsupported) throw new UsageError(`--kernel-version ${value}: ${unsupported}`);
  return { version, source: null, detected: false };
}
