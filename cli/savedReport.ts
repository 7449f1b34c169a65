/**
 * Reading a report pinscope wrote earlier — its JSON or its SARIF — for `lint --baseline` and
 * `pinscope merge`. Checked with valibot against the shapes ./report.ts writes, so a truncated
 * file, another tool's SARIF or a report from before fingerprints is an error that says which.
 */
import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { describeFsError } from './fsErrors';
import { terminalPath } from './filePaths';
import { UsageError } from './options';

const severity = v.picklist(['error', 'warning', 'info']);

const jsonFinding = v.looseObject({
  file: v.string(),
  line: v.number(),
  column: v.number(),
  endLine: v.number(),
  endColumn: v.number(),
  rule: v.string(),
  severity,
  message: v.string(),
  function: v.optional(v.string()),
  fingerprint: v.string(),
});

const jsonReport = v.looseObject({
  version: v.literal(1),
  findings: v.array(jsonFinding),
  notes: v.array(v.looseObject({ file: v.string() })),
  stats: v.looseObject({
    files: v.number(),
    parsed: v.number(),
    prefiltered: v.number(),
    threads: v.number(),
    kernelVersion: v.string(),
    elapsedMs: v.number(),
    paths: v.optional(v.array(v.string())),
    shard: v.optional(v.string()),
  }),
});

const region = v.looseObject({
  startLine: v.number(),
  startColumn: v.number(),
  endLine: v.number(),
  endColumn: v.number(),
});

const sarifResult = v.looseObject({
  ruleId: v.string(),
  level: v.picklist(['error', 'warning', 'note']),
  message: v.looseObject({ text: v.string() }),
  locations: v.tupleWithRest(
    [
      v.looseObject({
        physicalLocation: v.looseObject({ artifactLocation: v.looseObject({ uri: v.string() }), region }),
        logicalLocations: v.optional(v.array(v.looseObject({ name: v.optional(v.string()) }))),
      }),
    ],
    v.unknown(),
  ),
  partialFingerprints: v.record(v.string(), v.string()),
  baselineState: v.optional(v.string()),
});

const sarifLog = v.looseObject({
  version: v.literal('2.1.0'),
  runs: v.tuple([
    v.looseObject({
      tool: v.looseObject({ driver: v.looseObject({ name: v.literal('pinscope'), version: v.string() }) }),
      results: v.array(sarifResult),
      properties: v.looseObject({
        kernelVersion: v.string(),
        paths: v.optional(v.array(v.string())),
        shard: v.optional(v.string()),
      }),
    }),
  ]),
});

export type JsonReport = v.InferOutput<typeof jsonReport>;
export type SarifLog = v.InferOutput<typeof sarifLog>;
export type SarifResult = v.InferOutput<typeof sarifResult>;

export type SavedReport =
  | { readonly format: 'json'; readonly file: string; readonly report: JsonReport }
  | { readonly format: 'sarif'; readonly file: string; readonly log: SarifLog };

function where(issue: v.BaseIssue<unknown>): string {
  const dotted = v.getDotPath(issue);
  return dotted ? `${dotted}: ` : '';
}

/** A pinscope JSON or SARIF report from disk; anything else is a `UsageError` naming the file. */
export function readSavedReport(file: string): SavedReport {
  const name = terminalPath(file);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(
      `${name}: ${e instanceof SyntaxError ? `not JSON (${e.message})` : `cannot read: ${describeFsError(e)}`}`,
    );
  }
  const isSarif = typeof data === 'object' && data !== null && 'runs' in data;
  if (!isSarif) {
    const findings = (data as { findings?: unknown }).findings;
    if (Array.isArray(findings) && findings.some((f) => typeof f === 'object' && f && !('fingerprint' in f)))
      throw new UsageError(
        `${name}: its findings have no fingerprints (an older pinscope wrote it); write it again with this one`,
      );
  }
  const parsed = isSarif ? v.safeParse(sarifLog, data) : v.safeParse(jsonReport, data);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new UsageError(
      `${name}: not a pinscope ${isSarif ? 'SARIF' : 'JSON'} report (${where(issue)}${issue.message})`,
    );
  }
  // The input itself, not valibot's output: that one lists known keys first, and `merge` must
  // give back every object exactly as the shard wrote it (key order included).
  return isSarif
    ? { format: 'sarif', file, log: data as SarifLog }
    : { format: 'json', file, report: data as JsonReport };
}
