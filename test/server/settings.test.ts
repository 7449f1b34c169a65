/**
 * package.json's contributes.configuration must declare exactly the settings server/settings.ts
 * reads, with the same defaults, the JSON types, enums and minimums of their schemas in
 * shared/settings.ts, and the per-rule schema must list exactly RULE_IDS.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { RULE_IDS } from '../../core/rules/index';
import type * as v from 'valibot';
import { DEFAULT_SETTINGS, parseSettings, SETTING_SPECS, SETTINGS_SECTION } from '../../server/settings';
import { RuleSettingSchema, SETTING_SCHEMAS, SEVERITIES } from '../../shared/settings';

interface PropertySchema {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly items?: { readonly type?: string };
  readonly default?: unknown;
  readonly properties?: Record<string, { properties?: Record<string, { enum?: unknown[]; type?: string }> }>;
  readonly additionalProperties?: unknown;
}

const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, PropertySchema> } };
};
const properties = pkg.contributes.configuration.properties;

/** What JSON Schema says about a valibot schema, as far as package.json declares it. */
function declared(schema: v.GenericSchema): Partial<PropertySchema> {
  const s = schema as v.GenericSchema & {
    readonly pipe?: readonly { readonly type: string; readonly requirement?: unknown }[];
    readonly options?: readonly unknown[];
    readonly item?: v.GenericSchema;
  };
  const base = (s.pipe?.[0] ?? s) as typeof s;
  const minimum = s.pipe?.find((a) => a.type === 'min_value')?.requirement;
  const type = { record: 'object', picklist: 'string' }[base.type] ?? base.type;
  return {
    type,
    ...(base.options ? { enum: base.options } : {}),
    ...(typeof minimum === 'number' ? { minimum } : {}),
    ...(base.item ? { items: { type: base.item.type } } : {}),
  };
}

describe('package.json settings match server/settings.ts', () => {
  test('the same keys', () => {
    expect(Object.keys(properties).sort()).toEqual(SETTING_SPECS.map((s) => `${SETTINGS_SECTION}.${s.key}`).sort());
  });

  test.each(SETTING_SPECS.map((s) => [s.key, s] as const))('%s has the same default', (key, spec) => {
    expect(properties[`${SETTINGS_SECTION}.${key}`]?.default).toEqual(spec.default);
  });

  test.each(Object.entries(SETTING_SCHEMAS))(
    '%s is declared with the type, enum and minimum of its schema',
    (key, schema) => {
      const { type, enum: values, minimum, items } = properties[`${SETTINGS_SECTION}.${key}`] ?? {};
      expect({ type, enum: values, minimum, items }).toEqual({
        enum: undefined,
        minimum: undefined,
        items: undefined,
        ...declared(schema),
      });
    },
  );

  test('the per-rule schema lists exactly the rule ids, each with enabled and severity', () => {
    const rules = properties[`${SETTINGS_SECTION}.rules`];
    expect(rules?.additionalProperties).toBe(false);
    expect(Object.keys(rules?.properties ?? {})).toEqual([...RULE_IDS]);
    for (const id of RULE_IDS) {
      const rule = rules?.properties?.[id];
      expect(rule?.properties?.enabled?.type, id).toBe('boolean');
      expect(rule?.properties?.severity?.enum, id).toEqual([...SEVERITIES]);
      expect(Object.keys(rule?.properties ?? {}), id).toEqual(Object.keys(RuleSettingSchema.entries));
    }
  });

  test('parseSettings of the declared defaults is DEFAULT_SETTINGS', () => {
    const raw: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(properties))
      raw[key.slice(SETTINGS_SECTION.length + 1)] = schema.default;
    expect(parseSettings(raw)).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
  });
});

describe('parseSettings', () => {
  test('null (a client without settings) gives the defaults', () => {
    expect(parseSettings(null).settings).toEqual(DEFAULT_SETTINGS);
  });

  test('VS Code nests dotted keys: trace.server', () => {
    expect(parseSettings({ trace: { server: 'verbose' } }).settings.trace.server).toBe('verbose');
  });

  test('bad values fall back to defaults and are reported', () => {
    const { settings, problems } = parseSettings({
      kernelVersion: 'latest',
      debounce: -5,
      rules: { 'no-such-rule': { enabled: false }, 'longterm-get': { severity: 'warning' } },
      exclude: 'x',
    });
    expect(settings.kernelVersion).toBe('auto');
    expect(settings.debounce).toBe(150);
    expect(settings.rules).toEqual({ 'longterm-get': { severity: 'warning' } });
    expect(settings.exclude).toEqual([]);
    expect(problems).toEqual([
      'pinscope.kernelVersion: expected "auto" or a version like 6.12, got "latest"; using "auto"',
      'pinscope.rules: unknown rule "no-such-rule"; ignored',
      'pinscope.exclude: expected an array of globs, got "x"; using []',
      'pinscope.debounce: expected a number ≥ 0, got -5; using 150',
    ]);
  });

  test('every setting: a good value is taken (trimmed, rounded down, empty globs dropped)', () => {
    expect(
      parseSettings({
        kernelVersion: ' 6.1 ',
        rules: { 'longterm-get': { enabled: false, severity: 'info' }, 'api-version': {} },
        exclude: ['drivers/gpu/**', ''],
        debounce: 0,
        maxFileSize: 1024.7,
        analysisTimeout: 100,
        trace: { server: 'messages' },
      }),
    ).toEqual({
      settings: {
        kernelVersion: '6.1',
        rules: { 'longterm-get': { enabled: false, severity: 'info' }, 'api-version': {} },
        exclude: ['drivers/gpu/**'],
        debounce: 0,
        maxFileSize: 1024,
        analysisTimeout: 100,
        trace: { server: 'messages' },
      },
      problems: [],
    });
    expect(parseSettings({ kernelVersion: '' }).settings.kernelVersion).toBe('auto');
  });

  test('every setting: a value that does not fit is the default, and said so', () => {
    const RULE = 'expected {enabled: true | false, severity: "error" | "warning" | "info"}';
    const { settings, problems } = parseSettings({
      kernelVersion: 6.12,
      rules: { 'longterm-get': { severity: 'fatal' }, 'api-version': 'off' },
      exclude: ['ok/**', 3],
      debounce: 'fast',
      maxFileSize: 0,
      analysisTimeout: Infinity,
      'trace.server': 'all',
    });
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, rules: {} });
    expect(problems).toEqual([
      'pinscope.kernelVersion: expected "auto" or a version like 6.12, got 6.12; using "auto"',
      `pinscope.rules.longterm-get: ${RULE}, got {"severity":"fatal"}; ignored`,
      `pinscope.rules.api-version: ${RULE}, got "off"; ignored`,
      'pinscope.exclude: expected a glob, got ["ok/**",3]; using []',
      'pinscope.debounce: expected a number ≥ 0, got "fast"; using 150',
      'pinscope.maxFileSize: expected a number ≥ 1, got 0; using 8388608',
      'pinscope.analysisTimeout: expected a number ≥ 100, got Infinity; using 10000',
      'pinscope.trace.server: expected "off", "messages" or "verbose", got "all"; using "off"',
    ]);
  });

  test('not an object at all', () => {
    expect(parseSettings('x')).toEqual({
      settings: DEFAULT_SETTINGS,
      problems: ['pinscope: expected an object, got "x"'],
    });
  });
});
