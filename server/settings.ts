/**
 * Every `pinscope.*` setting, in one place: its default, who reads it, and how a raw value from the
 * client becomes a typed one. The shape of each setting is its schema in shared/settings.ts; this
 * file adds what only core knows (rule ids, kernel versions) and the defaults. package.json's
 * `contributes.configuration` is tested against both (test/server/settings.test.ts), so adding a
 * setting here without declaring it there, or the other way round, fails the build.
 */
import * as v from 'valibot';
import { DEFAULT_MAX_BYTES } from '../batch/source';
import {
  isRuleId,
  OLDEST_KNOWN,
  parseKernelVersion,
  unsupportedVersion,
  type RuleId,
  type RuleSetting,
} from '../core/index';
import {
  RuleSettingSchema,
  SETTING_SCHEMAS,
  SETTINGS_SECTION,
  type SettingKey,
  type SettingValues,
} from '../shared/settings';

export { SETTINGS_SECTION };

export type TraceSetting = SettingValues['trace.server'];

export interface PinscopeSettings {
  /** `auto` (the workspace's top Makefile) or a version like `6.12`. */
  readonly kernelVersion: string;
  readonly rules: Readonly<Partial<Record<RuleId, RuleSetting>>>;
  readonly exclude: SettingValues['exclude'];
  readonly debounce: number;
  readonly maxFileSize: number;
  readonly analysisTimeout: number;
  readonly trace: { readonly server: TraceSetting };
}

/** Who reads a setting: the server (through workspace/configuration) or only the VS Code client. */
export type SettingReader = 'server' | 'client';

export interface SettingSpec {
  /** The key under `pinscope.` as package.json declares it. */
  readonly key: SettingKey;
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

const KERNEL_VERSION = v.pipe(
  SETTING_SCHEMAS.kernelVersion,
  // An empty value is the setting cleared in the settings editor: auto.
  v.transform((text) => text || 'auto'),
  v.check((text) => text === 'auto' || parseKernelVersion(text) !== null, 'expected "auto" or a version like 6.12'),
  v.check((text) => {
    const version = text === 'auto' ? null : parseKernelVersion(text);
    return version === null || unsupportedVersion(version) === null;
  }, `expected a version the catalog covers: ${OLDEST_KNOWN} or newer`),
);

const RULES_OBJECT = v.record(v.string(), v.unknown(), 'expected an object of rule ids');

/** A value as the log shows it: JSON, except numbers JSON cannot write (Infinity, NaN). */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
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

/** Reads one setting; unset (absent or null) is the default, a value that does not fit is the default and a problem. */
function read<T>(
  raw: Record<string, unknown>,
  key: SettingKey,
  schema: v.GenericSchema<unknown, T>,
  fallback: T,
  problems: string[],
): T {
  const value = lookup(raw, key);
  if (value === undefined || value === null) return fallback;
  const r = v.safeParse(schema, value, { abortEarly: true });
  if (r.success) return r.output;
  problems.push(`pinscope.${key}: ${r.issues[0].message}, got ${shown(value)}; using ${shown(fallback)}`);
  return fallback;
}

/** Each rule's entry on its own: an unknown id or an entry that does not fit is left out (and said so). */
function readRules(raw: Record<string, unknown>, problems: string[]): Partial<Record<RuleId, RuleSetting>> {
  const entries = read(raw, 'rules', RULES_OBJECT, {}, problems);
  const rules: Partial<Record<RuleId, RuleSetting>> = {};
  for (const [id, value] of Object.entries(entries)) {
    const r = v.safeParse(RuleSettingSchema, value);
    if (!isRuleId(id)) problems.push(`pinscope.rules: unknown rule "${id}"; ignored`);
    else if (!r.success) problems.push(`pinscope.rules.${id}: ${r.issues[0].message}, got ${shown(value)}; ignored`);
    else rules[id] = r.output;
  }
  return rules;
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
  const d = DEFAULT_SETTINGS;
  const settings: PinscopeSettings = {
    kernelVersion: read(raw, 'kernelVersion', KERNEL_VERSION, d.kernelVersion, problems),
    rules: readRules(raw, problems),
    exclude: read(raw, 'exclude', SETTING_SCHEMAS.exclude, d.exclude, problems),
    debounce: read(raw, 'debounce', SETTING_SCHEMAS.debounce, d.debounce, problems),
    maxFileSize: read(raw, 'maxFileSize', SETTING_SCHEMAS.maxFileSize, d.maxFileSize, problems),
    analysisTimeout: read(raw, 'analysisTimeout', SETTING_SCHEMAS.analysisTimeout, d.analysisTimeout, problems),
    trace: { server: read(raw, 'trace.server', SETTING_SCHEMAS['trace.server'], d.trace.server, problems) },
  };
  return { settings, problems };
}
