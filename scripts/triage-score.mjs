#!/usr/bin/env node
// @ts-check
/**
 * Precision per rule and overall from a filled triage worksheet (see scripts/triage-sample.mjs).
 *
 *   npm run triage:score -- docs/triage/linux-6.12.md
 *
 * Refuses (exit 2) while any finding lacks a `verdict:` of real|wrong or a `reason:`. Prints, per
 * rule: findings in the report, sampled, real, wrong, precision with a 95% Wilson interval; then the
 * plain precision of the sample and the estimate re-weighted by each rule's share of all findings,
 * and the rules below issue 11's bars (95% overall, 90% for a rule with ≥ 5 findings).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VERDICTS, parsePopulation, parseWorksheet, precision, wilson } from './triage-lib.mjs';

function main() {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: triage-score WORKSHEET.md\n');
    process.exit(2);
  }
  const text = readFileSync(file, 'utf8');
  const entries = parseWorksheet(text);
  if (entries.length === 0) {
    process.stderr.write(`${file}: no findings (### Fnnn · rule blocks) in it\n`);
    process.exit(2);
  }
  const bad = entries.filter((e) => !VERDICTS.includes(/** @type {any} */ (e.verdict)) || !e.reason);
  if (bad.length) {
    process.stderr.write(
      `${file}: ${bad.length} of ${entries.length} findings have no verdict (real|wrong) or no reason: ${bad
        .map((e) => e.id)
        .join(', ')}\n`,
    );
    process.exit(2);
  }
  const population = parsePopulation(text);
  const { byRule, overall, weighted } = precision(entries, population);
  const pct = (/** @type {number} */ x) => `${(100 * x).toFixed(1)}%`;
  const rows = [['rule', 'findings', 'sampled', 'real', 'wrong', 'precision', '95% interval']];
  for (const rule of Object.keys(byRule).sort()) {
    const r = byRule[rule];
    const n = r.real + r.wrong;
    const [lo, hi] = wilson(r.real, n);
    rows.push([
      rule,
      String(population[rule] ?? '?'),
      String(n),
      String(r.real),
      String(r.wrong),
      pct(r.real / n),
      `${pct(lo)}–${pct(hi)}`,
    ]);
  }
  const real = entries.filter((e) => e.verdict === 'real').length;
  const [lo, hi] = wilson(real, entries.length);
  rows.push([
    'all (sample)',
    String(Object.values(population).reduce((s, n) => s + n, 0)),
    String(entries.length),
    String(real),
    String(entries.length - real),
    pct(overall),
    `${pct(lo)}–${pct(hi)}`,
  ]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows)
    process.stdout.write(`${r.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ')}\n`);
  process.stdout.write(
    `\nweighted by each rule's share of all findings: ${Number.isNaN(weighted) ? '—' : pct(weighted)}\n`,
  );
  const low = Object.entries(byRule).filter(
    ([rule, r]) => (population[rule] ?? 0) >= 5 && r.real / (r.real + r.wrong) < 0.9,
  );
  process.stdout.write(
    `issue 11 bars: overall ${overall >= 0.95 ? 'meets' : 'misses'} 95%; rules with ≥ 5 findings under 90%: ${low.length ? low.map(([r]) => r).join(', ') : 'none'}\n`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
