/**
 * SARIF 2.1.0 output. Rule metadata (tool.driver.rules) comes from the rule list at run time, so
 * the SARIF a CI system shows cannot drift from README and docs/rules/.
 *
 * partialFingerprints: a hash of rule id, function name and the finding's line text with
 * whitespace removed — stable when unrelated lines move, as code-scanning services expect.
 */
import { createHash } from 'node:crypto';
import type { Fix as SarifFix, Location, Log, Region, ReportingDescriptor, Result } from 'sarif';
import { RULES, ruleDocsUrl, rulePagePath } from '../rules/index';
import type { Finding, Fix, LineColumnRange, Severity } from '../findings';
import { LineIndex } from '../text/lineIndex';

export interface SarifInput {
  readonly file: string;
  /** The file's text (for fingerprints and fix regions). */
  readonly text: string;
  readonly findings: readonly Finding[];
}

export interface SarifOptions {
  readonly toolVersion: string;
  readonly informationUri: string;
  /** Turns a file path into the artifact URI (relative to the run's root). */
  readonly uri: (file: string) => string;
  readonly kernelVersion: string;
}

function level(severity: Severity): 'error' | 'warning' | 'note' {
  return severity === 'info' ? 'note' : severity;
}

function region(r: LineColumnRange): Region {
  return { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn };
}

function fingerprint(finding: Finding, text: string, lines = new LineIndex(text)): string {
  const lineText = lines.lineText(finding.range.line).replace(/\s+/g, '');
  return createHash('sha256')
    .update(`${finding.rule}\0${finding.function ?? ''}\0${lineText}`)
    .digest('hex')
    .slice(0, 32);
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
function fileResults(input: SarifInput, uri: string, ruleIndex: ReadonlyMap<string, number>): Result[] {
  const lines = new LineIndex(input.text);
  const location = (r: LineColumnRange, message?: string): Location => ({
    physicalLocation: { artifactLocation: { uri }, region: region(r) },
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
  return input.findings.map((f): Result => ({
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule),
    level: level(f.severity),
    message: { text: f.message },
    locations: [
      { ...location(f.range), ...(f.function ? { logicalLocations: [{ name: f.function, kind: 'function' }] } : {}) },
    ],
    ...(f.related.length > 0
      ? { relatedLocations: f.related.map((r, id) => ({ id, ...location(r.range, r.message) })) }
      : {}),
    partialFingerprints: { 'pinscope/v1': fingerprint(f, input.text, lines) },
    ...(f.path && f.path.length > 0
      ? { codeFlows: [{ threadFlows: [{ locations: f.path.map((p) => ({ location: location(p.range, p.label) })) }] }] }
      : {}),
    ...(f.fixes.length > 0 ? { fixes: f.fixes.map(fix) } : {}),
  }));
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
        properties: { kernelVersion: options.kernelVersion },
        columnKind: 'utf16CodeUnits',
        results: inputs.flatMap((input) => fileResults(input, options.uri(input.file), ruleIndex)),
      },
    ],
  };
}
