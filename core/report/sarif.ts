/**
 * SARIF 2.1.0 output. Rule metadata (tool.driver.rules) comes from the rule list at run time, so
 * the SARIF a CI system shows cannot drift from README and docs/rules/.
 *
 * partialFingerprints: ./fingerprint.ts — stable when unrelated lines move, as code-scanning
 * services expect. With a baseline, each result carries its `baselineState`, and the baseline's
 * findings that are gone are listed as `absent` results.
 */
import type { Fix as SarifFix, Location, Log, PropertyBag, Region, ReportingDescriptor, Result } from 'sarif';
import { RULES, ruleDocsUrl, rulePagePath } from '../rules/index';
import type { Finding, Fix, LineColumnRange, Severity } from '../findings';
import { LineIndex } from '../text/lineIndex';
import { FINGERPRINT_KEY, fingerprintFindings } from './fingerprint';

export interface SarifInput {
  readonly file: string;
  /** The file's text (for fingerprints and fix regions). */
  readonly text: string;
  readonly findings: readonly Finding[];
  /** Each finding's SARIF baselineState, when the run was compared with a baseline. */
  readonly states?: readonly ('new' | 'unchanged')[];
}

/** A baseline finding the run no longer has: a result with baselineState `absent`. */
export interface AbsentResult {
  readonly uri: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly range: LineColumnRange;
  readonly fingerprint: string;
  readonly function?: string;
}

export interface SarifOptions {
  readonly toolVersion: string;
  readonly informationUri: string;
  /** Turns a file path into the artifact URI (relative to the run's root). */
  readonly uri: (file: string) => string;
  readonly kernelVersion: string;
  /** Baseline findings that are gone (with `--baseline`). */
  readonly absent?: readonly AbsentResult[];
  /** More of the run's properties (the paths linted, the shard), beside kernelVersion. */
  readonly properties?: PropertyBag;
}

function level(severity: Severity): 'error' | 'warning' | 'note' {
  return severity === 'info' ? 'note' : severity;
}

function region(r: LineColumnRange): Region {
  return { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn };
}

/** The rule metadata, from the rule table: what code-scanning services show next to a result. */
function ruleDescriptors(): ReportingDescriptor[] {
  return RULES.map(({ id, meta }) => ({
    id,
    name: meta.title,
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.description },
    helpUri: ruleDocsUrl(id),
    help: {
      text: `${meta.why}\n\nFix: ${meta.fix}`,
      markdown: `${meta.why}\n\n**Fix:** ${meta.fix}\n\nSee ${rulePagePath(id)}.`,
    },
    defaultConfiguration: { level: level(meta.severity) },
    properties: { tags: ['linux-kernel', meta.group], precision: meta.group === 'gup' ? 'very-high' : 'high' },
  }));
}

/** The results of one file. */
function fileResults(
  input: SarifInput,
  uriOf: (file: string) => string,
  ruleIndex: ReadonlyMap<string, number>,
): Result[] {
  const uri = uriOf(input.file);
  const lines = new LineIndex(input.text);
  // `file`: a place in another file (a header's helper whose summary the finding used).
  const location = (r: LineColumnRange, message?: string, file?: string): Location => ({
    physicalLocation: { artifactLocation: { uri: file === undefined ? uri : uriOf(file) }, region: region(r) },
    ...(message ? { message: { text: message } } : {}),
  });
  const fix = (f: Fix): SarifFix => ({
    description: { text: f.title },
    artifactChanges: [
      {
        artifactLocation: { uri },
        replacements: f.edits.map((e) => ({
          deletedRegion: region(lines.range(e.span)),
          insertedContent: { text: e.newText },
        })),
      },
    ],
  });
  const fingerprints = fingerprintFindings(input.findings, input.text, lines);
  return input.findings.map((f, i): Result => ({
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule),
    level: level(f.severity),
    message: { text: f.message },
    locations: [
      { ...location(f.range), ...(f.function ? { logicalLocations: [{ name: f.function, kind: 'function' }] } : {}) },
    ],
    ...(f.related.length > 0
      ? { relatedLocations: f.related.map((r, id) => ({ id, ...location(r.range, r.message, r.file) })) }
      : {}),
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprints[i] as string },
    ...(input.states ? { baselineState: input.states[i] } : {}),
    ...(f.path && f.path.length > 0
      ? { codeFlows: [{ threadFlows: [{ locations: f.path.map((p) => ({ location: location(p.range, p.label) })) }] }] }
      : {}),
    ...(f.fixes.length > 0 ? { fixes: f.fixes.map(fix) } : {}),
  }));
}

function absentResult(a: AbsentResult, ruleIndex: ReadonlyMap<string, number>): Result {
  return {
    ruleId: a.rule,
    ruleIndex: ruleIndex.get(a.rule),
    level: level(a.severity),
    message: { text: a.message },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: a.uri }, region: region(a.range) },
        ...(a.function ? { logicalLocations: [{ name: a.function, kind: 'function' }] } : {}),
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: a.fingerprint },
    baselineState: 'absent',
  };
}

export function toSarif(inputs: readonly SarifInput[], options: SarifOptions): Log {
  const rules = ruleDescriptors();
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'pinscope', version: options.toolVersion, informationUri: options.informationUri, rules },
        },
        properties: { kernelVersion: options.kernelVersion, ...options.properties },
        columnKind: 'utf16CodeUnits',
        results: [
          ...inputs.flatMap((input) => fileResults(input, options.uri, ruleIndex)),
          ...(options.absent ?? []).map((a) => absentResult(a, ruleIndex)),
        ],
      },
    ],
  };
}
