/**
 * `pinscope merge A.json B.json …`: the reports of a sharded run (`lint --shard I/N`, N reports, in
 * any order) as the report of one run — the same findings and notes in the same order as an
 * unsharded `lint` of the same paths prints them (files in walk order, each file's findings as its
 * shard gave them), the counts summed. All JSON or all SARIF; every shard exactly once, all of the
 * same paths and kernel version, so that a failed CI job cannot leave a hole in a green report.
 * Exit status as `lint`'s: 0 no findings, 1 findings (new ones, for SARIF with baselineState),
 * 2 a usage error or reports that do not belong together.
 */
import path from 'node:path';
import { compareWalkOrder } from '../batch/files';
import { parseShard } from '../batch/shard';
import { terminalPath } from './filePaths';
import type { Io } from './io';
import { parseCommandLine, UsageError } from './options';
import { readSavedReport, type JsonReport, type SarifLog, type SavedReport } from './savedReport';

export const MERGE_USAGE = 'usage: pinscope merge [--exit-zero] SHARD.json... | SHARD.sarif...';

const MERGE_OPTIONS = { help: { type: 'boolean', short: 'h' }, 'exit-zero': { type: 'boolean' } } as const;

interface ShardFacts {
  readonly name: string;
  readonly shard: string | undefined;
  readonly paths: readonly string[] | undefined;
  readonly kernelVersion: string;
}

function factsOf(saved: SavedReport): ShardFacts {
  const name = terminalPath(saved.file);
  if (saved.format === 'json') {
    const { shard, paths, kernelVersion } = saved.report.stats;
    return { name, shard, paths, kernelVersion };
  }
  const { shard, paths, kernelVersion } = saved.log.runs[0].properties;
  return { name, shard, paths, kernelVersion };
}

/** The named paths every shard linted (the same for all), after checking the set of shards is whole. */
function checkShards(reports: readonly SavedReport[]): readonly string[] {
  const facts = reports.map(factsOf);
  const first = facts[0] as ShardFacts;
  const formats = new Set(reports.map((r) => r.format));
  if (formats.size > 1) throw new UsageError('merge: the reports must be all JSON or all SARIF');
  const seen = new Map<number, string>();
  let count: number | undefined;
  for (const f of facts) {
    const shard = f.shard === undefined ? null : parseShard(f.shard);
    if (!shard) throw new UsageError(`merge: ${f.name} is not the report of a shard (lint --shard I/N writes those)`);
    if (count !== undefined && shard.count !== count)
      throw new UsageError(`merge: ${f.name} is shard ${f.shard}, but ${first.name} is one of ${count}`);
    count = shard.count;
    const twice = seen.get(shard.index);
    if (twice) throw new UsageError(`merge: ${twice} and ${f.name} are both shard ${f.shard}`);
    seen.set(shard.index, f.name);
    if (f.kernelVersion !== first.kernelVersion)
      throw new UsageError(
        `merge: ${f.name} checked Linux ${f.kernelVersion}, ${first.name} Linux ${first.kernelVersion}`,
      );
    if (JSON.stringify(f.paths ?? []) !== JSON.stringify(first.paths ?? []))
      throw new UsageError(`merge: ${f.name} linted other paths than ${first.name}`);
  }
  const missing = Array.from({ length: count ?? 0 }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0)
    throw new UsageError(`merge: shard ${missing.map((i) => `${i}/${count}`).join(', ')} missing`);
  return first.paths ?? [];
}

/** Sorts by where `lint PATHS…` lists a file: which named path holds it, then walk order. */
function walkSorter(paths: readonly string[]): <T>(items: readonly T[], file: (item: T) => string) => T[] {
  const roots = paths.map((p) => path.resolve(p));
  const rank = (file: string): number => {
    const abs = path.resolve(file);
    const i = roots.findIndex((r) => abs === r || abs.startsWith(r.endsWith(path.sep) ? r : r + path.sep));
    return i < 0 ? roots.length : i;
  };
  return (items, file) =>
    [...items].sort((a, b) => rank(file(a)) - rank(file(b)) || compareWalkOrder(file(a), file(b)));
}

function mergeJson(reports: readonly JsonReport[], paths: readonly string[]): { text: string; findings: number } {
  const sort = walkSorter(paths);
  const sum = (pick: (r: JsonReport) => number): number => reports.reduce((n, r) => n + pick(r), 0);
  const findings = sort(
    reports.flatMap((r) => r.findings),
    (f) => f.file,
  );
  const merged = {
    version: 1,
    findings,
    notes: sort(
      reports.flatMap((r) => r.notes),
      (n) => n.file,
    ),
    stats: {
      files: sum((r) => r.stats.files),
      parsed: sum((r) => r.stats.parsed),
      prefiltered: sum((r) => r.stats.prefiltered),
      threads: Math.max(...reports.map((r) => r.stats.threads)),
      kernelVersion: (reports[0] as JsonReport).stats.kernelVersion,
      // The shards ran side by side: the run took as long as the slowest.
      elapsedMs: Math.max(...reports.map((r) => r.stats.elapsedMs)),
      paths,
    },
  };
  return { text: JSON.stringify(merged), findings: findings.length };
}

function mergeSarif(logs: readonly SarifLog[], paths: readonly string[]): { text: string; findings: number } {
  const sort = walkSorter(paths);
  const uriPath = (uri: string): string => uri.split('/').map(decodeURIComponent).join('/');
  const versions = new Set(logs.map((l) => l.runs[0].tool.driver.version));
  if (versions.size > 1)
    throw new UsageError(`merge: the reports come from different pinscope versions (${[...versions].join(', ')})`);
  const results = sort(
    logs.flatMap((l) => l.runs[0].results),
    (r) => uriPath(r.locations[0].physicalLocation.artifactLocation.uri),
  );
  const [first] = logs as [SarifLog];
  // One run's properties: the shard's own number goes.
  const properties: Record<string, unknown> = { ...first.runs[0].properties };
  delete properties.shard;
  const merged = { ...first, runs: [{ ...first.runs[0], properties: { ...properties, paths }, results }] };
  return {
    text: JSON.stringify(merged, null, 2),
    findings: results.filter((r) => r.baselineState === undefined || r.baselineState === 'new').length,
  };
}

export function runMerge(argv: readonly string[], io: Io): number {
  const { values, positionals } = parseCommandLine(argv, MERGE_OPTIONS);
  if (values.help) {
    io.out(MERGE_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError(`merge: no reports given\n${MERGE_USAGE}`);
  const reports = positionals.map(readSavedReport);
  const paths = checkShards(reports);
  const json = reports.flatMap((r) => (r.format === 'json' ? [r.report] : []));
  const sarif = reports.flatMap((r) => (r.format === 'sarif' ? [r.log] : []));
  const merged = json.length > 0 ? mergeJson(json, paths) : mergeSarif(sarif, paths);
  io.out(merged.text);
  if (values['exit-zero']) return 0;
  return merged.findings > 0 ? 1 : 0;
}
