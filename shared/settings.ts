/**
 * The `pinscope.*` settings as a client sends them: one valibot schema per setting, keyed as
 * package.json declares it under `pinscope.`, and the settings' types inferred from them. The server
 * reads every setting through these schemas (server/settings.ts: a value that does not fit falls
 * back to its default, and the schema's words go to the log); test/server/settings.test.ts checks
 * package.json's declarations (keys, types, enums, minimums) against them.
 *
 * No imports but valibot: what needs core (is this a rule id? a kernel version pinscope knows?) is
 * checked by the server on top of these shapes.
 */
import * as v from 'valibot';
import type { Data } from './schema';

export const SETTINGS_SECTION = 'pinscope';

export const SEVERITIES = ['error', 'warning', 'info'] as const;
const TRACE_LEVELS = ['off', 'messages', 'verbose'] as const;

const EXPECTED_RULE = 'expected {enabled: true | false, severity: "error" | "warning" | "info"}';

/** One rule's entry in `pinscope.rules`: either field may be left out. */
export const RuleSettingSchema = v.object(
  {
    enabled: v.optional(v.boolean(EXPECTED_RULE)),
    severity: v.optional(v.picklist(SEVERITIES, EXPECTED_RULE)),
  },
  EXPECTED_RULE,
);

/** A whole number of at least `min` (a fraction is rounded down: package.json's "number" lets one through). */
function wholeNumber(min: number) {
  const expected = `expected a number ≥ ${min}`;
  return v.pipe(v.number(expected), v.finite(expected), v.minValue(min, expected), v.transform(Math.floor));
}

export const SETTING_SCHEMAS = {
  /** `auto` (the kernel tree the file is in) or a version like `6.12`; the server checks the version. */
  kernelVersion: v.pipe(v.string('expected "auto" or a version like 6.12'), v.trim()),
  rules: v.record(v.string(), RuleSettingSchema, 'expected an object of rule ids'),
  /** Globs of files pinscope leaves alone (as-you-type and Lint Workspace); empty ones are dropped. */
  exclude: v.pipe(
    v.array(v.string('expected a glob'), 'expected an array of globs'),
    v.filterItems((glob) => glob !== ''),
  ),
  /** Milliseconds between the last keystroke and the analysis. */
  debounce: wholeNumber(0),
  /** Files larger than this (UTF-16 code units ≈ bytes) are not analysed. */
  maxFileSize: wholeNumber(1),
  /** Milliseconds one analysis may take before it is stopped and reported as partial. */
  analysisTimeout: wholeNumber(100),
  /** Read by the client (vscode-languageclient traces the protocol); the server ignores it. */
  'trace.server': v.picklist(TRACE_LEVELS, 'expected "off", "messages" or "verbose"'),
};

export type SettingKey = keyof typeof SETTING_SCHEMAS;

/** Every setting's value as its schema gives it. */
export type SettingValues = { readonly [K in SettingKey]: Data<(typeof SETTING_SCHEMAS)[K]> };
