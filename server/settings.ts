/**
 * Every `pinscope.*` setting, in one place: its default, who reads it, and how a raw value from the
 * client becomes a typed one. package.json's `contributes.configuration` is tested against this
 * table (test/server/settings.test.ts), so adding a setting here without declaring it there, or
 * the other way round, fails the build.
 */
import { parseKernelVersion, type RuleId, type RuleSetting, ruleSettingsFrom } from '../core/index';
import { DEFAULT_MAX_BYTES } from '../batch/source';

export const SETTINGS_SECTION = 'pinscope';

export type TraceSetting = 'off' | 'messages' | 'verbose';

export interface PinscopeSettings {
  /** `auto` (the workspace's top Makefile) or a version like `6.12`. */
  readonly kernelVersion: string;
  readonly rules: Readonly<Partial<Record<RuleId, RuleSetting>>>;
  /** Globs of files pinscope leaves alone (as-you-type and Lint Workspace). */
  readonly exclude: readonly string[];
  /** Milliseconds between the last keystroke and the analysis. */
  readonly debounce: number;
  /** Files larger than this (UTF-16 code units ≈ bytes) are not analysed. */
  readonly maxFileSize: number;
  /** Milliseconds one analysis may take before it is stopped and reported as partial. */
  readonly analysisTimeout: number;
  /** Read by the client (vscode-languageclient traces the protocol); the server ignores it. */
  readonly trace: { readonly server: TraceSetting };
}

/** Who reads a setting: the server (through workspace/configuration) or only the VS Code client. */
export type SettingReader = 'server' | 'client';

export interface SettingSpec {
  /** The key under `pinscope.` as package.json declares it. */
  readonly key: string;
  readonly default: unknown;
  readonly readBy: SettingReader;
}

export const DEFAULT_SETTINGS: PinscopeSettings = {
  kernelVersion: 'auto',
  rules: {},
  exclude: [],
  debounce: 150,
  maxFileSize: DEFAULT_MAX_BYTES,
  analysisTimeout: 10_000,
  trace: { server: 'off' },
};

/** The table package.json must match, key for key and default for default. */
export const SETTING_SPECS: readonly SettingSpec[] = [
  { key: 'kernelVersion', default: DEFAULT_SETTINGS.kernelVersion, readBy: 'server' },
  { key: 'rules', default: DEFAULT_SETTINGS.rules, readBy: 'server' },
  { key: 'exclude', default: DEFAULT_SETTINGS.exclude, readBy: 'server' },
  { key: 'debounce', default: DEFAULT_SETTINGS.debounce, readBy: 'server' },
  { key: 'maxFileSize', default: DEFAULT_SETTINGS.maxFileSize, readBy: 'server' },
  { key: 'analysisTimeout', default: DEFAULT_SETTINGS.analysisTimeout, readBy: 'server' },
  { key: 'trace.server', default: DEFAULT_SETTINGS.trace.server, readBy: 'client' },
];

export interface ParsedSettings {
  readonly settings: PinscopeSettings;
  /** One line per value that was ignored, for the log. */
  readonly problems: readonly string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ "trace.server": x }` and `{ trace: { server: x } }` are the same setting: VS Code sends the latter. */
function lookup(raw: Record<string, unknown>, key: string): unknown {
  if (key in raw) return raw[key];
  const dot = key.indexOf('.');
  if (dot < 0) return undefined;
  const head = raw[key.slice(0, dot)];
  return isRecord(head) ? lookup(head, key.slice(dot + 1)) : undefined;
}

function nonNegativeInteger(value: unknown, key: string, fallback: number, problems: string[], min = 0): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isFinite(value) && value >= min) return Math.floor(value);
  problems.push(`pinscope.${key}: expected a number ≥ ${min}, got ${JSON.stringify(value)}; using ${fallback}`);
  return fallback;
}

/**
 * Turns what the client sent for the `pinscope` section (possibly null, partial or wrong) into
 * settings. Never throws: a bad value falls back to its default and is reported in `problems`.
 */
export function parseSettings(raw: unknown): ParsedSettings {
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { settings: DEFAULT_SETTINGS, problems };
  if (!isRecord(raw))
    return { settings: DEFAULT_SETTINGS, problems: [`pinscope: expected an object, got ${JSON.stringify(raw)}`] };

  let kernelVersion = DEFAULT_SETTINGS.kernelVersion;
  const kv = lookup(raw, 'kernelVersion');
  if (typeof kv === 'string' && (kv.trim() === 'auto' || parseKernelVersion(kv) !== null)) kernelVersion = kv.trim();
  else if (kv !== undefined && kv !== null && kv !== '')
    problems.push(`pinscope.kernelVersion: "${String(kv)}" is neither "auto" nor a version like 6.12; using auto`);

  let rules: Partial<Record<RuleId, RuleSetting>> = {};
  const rawRules = lookup(raw, 'rules');
  if (isRecord(rawRules)) {
    rules = ruleSettingsFrom(rawRules);
    for (const id of Object.keys(rawRules))
      if (!(id in rules))
        problems.push(`pinscope.rules: unknown rule "${id}" or a value that is not {enabled, severity}; ignored`);
  } else if (rawRules !== undefined && rawRules !== null) {
    problems.push('pinscope.rules: expected an object of rule ids; ignored');
  }

  let exclude: string[] = [];
  const rawExclude = lookup(raw, 'exclude');
  if (Array.isArray(rawExclude)) exclude = rawExclude.filter((g): g is string => typeof g === 'string' && g.length > 0);
  else if (rawExclude !== undefined && rawExclude !== null)
    problems.push('pinscope.exclude: expected an array of globs; ignored');

  const trace = lookup(raw, 'trace.server');
  return {
    settings: {
      kernelVersion,
      rules,
      exclude,
      debounce: nonNegativeInteger(lookup(raw, 'debounce'), 'debounce', DEFAULT_SETTINGS.debounce, problems),
      maxFileSize: nonNegativeInteger(
        lookup(raw, 'maxFileSize'),
        'maxFileSize',
        DEFAULT_SETTINGS.maxFileSize,
        problems,
        1,
      ),
      analysisTimeout: nonNegativeInteger(
        lookup(raw, 'analysisTimeout'),
        'analysisTimeout',
        DEFAULT_SETTINGS.analysisTimeout,
        problems,
        100,
      ),
      trace: { server: trace === 'messages' || trace === 'verbose' ? trace : 'off' },
    },
    problems,
  };
}
