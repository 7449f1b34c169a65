/**
 * package.json's contributes.configuration must declare exactly the settings server/settings.ts
 * reads, with the same defaults, and the per-rule schema must list exactly RULE_IDS.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { RULE_IDS } from '../../core/rules/index';
import { DEFAULT_SETTINGS, parseSettings, SETTING_SPECS, SETTINGS_SECTION } from '../../server/settings';

interface PropertySchema {
  readonly default?: unknown;
  readonly properties?: Record<string, { properties?: Record<string, { enum?: unknown[]; type?: string }> }>;
  readonly additionalProperties?: unknown;
}

const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, PropertySchema> } };
};
const properties = pkg.contributes.configuration.properties;

describe('package.json settings match server/settings.ts', () => {
  test('the same keys', () => {
    expect(Object.keys(properties).sort()).toEqual(SETTING_SPECS.map((s) => `${SETTINGS_SECTION}.${s.key}`).sort());
  });

  test.each(SETTING_SPECS.map((s) => [s.key, s] as const))('%s has the same default', (key, spec) => {
    expect(properties[`${SETTINGS_SECTION}.${key}`]?.default).toEqual(spec.default);
  });

  test('the per-rule schema lists exactly the rule ids, each with enabled and severity', () => {
    const rules = properties[`${SETTINGS_SECTION}.rules`];
    expect(rules?.additionalProperties).toBe(false);
    expect(Object.keys(rules?.properties ?? {})).toEqual([...RULE_IDS]);
    for (const id of RULE_IDS) {
      const rule = rules?.properties?.[id];
      expect(rule?.properties?.enabled?.type, id).toBe('boolean');
      expect(rule?.properties?.severity?.enum, id).toEqual(['error', 'warning', 'info']);
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
      'pinscope.kernelVersion: "latest" is neither "auto" nor a version like 6.12; using auto',
      'pinscope.rules: unknown rule "no-such-rule" or a value that is not {enabled, severity}; ignored',
      'pinscope.exclude: expected an array of globs; ignored',
      'pinscope.debounce: expected a number ≥ 0, got -5; using 150',
    ]);
  });
});
