#!/usr/bin/env node
// @ts-check
/**
 * Issue 11's self-check for unchecked mappings: of the driver files in a kernel tree that call
 * dma_map_single()/dma_map_page() (or their _attrs forms) and never dma_mapping_error(), how many
 * get at least one finding of a DMA rule (any `dma-*` rule) in a whole-tree JSON report? Target: 90%.
 * Prints the share and the files without a finding.
 *
 *   npm run selfcheck -- --report report.json [--tree /work/kernel/linux-source-6.12] [--dir drivers]
 *
 * "Calls" and "never" are textual, after stripping comments: a file whose only dma_mapping_error()
 * is in a comment counts as never checking. Exit 0 always (a measurement) unless --min X (0..1).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAPS = /\bdma_map_(?:single|page)(?:_attrs)?\s*\(/;
const CHECK = /\bdma_mapping_error\s*\(/;

/** Blanks C comments so that a commented-out call does not count. @param {string} text */
export function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

/** @param {string} text */
export function mapsWithoutCheck(text) {
  const code = stripComments(text);
  return MAPS.test(code) && !CHECK.test(code);
}

/** @param {string} dir @returns {string[]} */
function cFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...cFiles(p));
    else if (e.isFile() && e.name.endsWith('.c')) out.push(p);
  }
  return out;
}

function main() {
  const args = process.argv.slice(2);
  const opt = (/** @type {string} */ n, /** @type {string | undefined} */ d = undefined) => {
    const i = args.indexOf(n);
    return i >= 0 ? args[i + 1] : d;
  };
  const reportPath = opt('--report');
  if (!reportPath) {
    process.stderr.write('usage: selfcheck-unchecked --report report.json [--tree DIR] [--dir drivers] [--min 0.9]\n');
    process.exit(2);
  }
  const tree = path.resolve(opt('--tree', '/work/kernel/linux-source-6.12') ?? '');
  const sub = opt('--dir', 'drivers') ?? 'drivers';
  /** @type {{ findings: { file: string, rule: string }[] }} */
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  const flagged = new Set(
    report.findings.filter((f) => f.rule.startsWith('dma-')).map((f) => path.resolve(tree, f.file)),
  );
  const files = cFiles(path.join(tree, sub))
    .filter((f) => mapsWithoutCheck(readFileSync(f, 'latin1')))
    .sort();
  const missed = files.filter((f) => !flagged.has(f));
  const share = files.length ? (files.length - missed.length) / files.length : 1;
  process.stdout.write(
    `files under ${sub}/ that map with dma_map_single/page and never call dma_mapping_error(): ${files.length}\n`,
  );
  process.stdout.write(
    `with at least one dma-* finding: ${files.length - missed.length} (${(100 * share).toFixed(1)}%; issue 11 target 90%)\n`,
  );
  process.stdout.write(
    `without a finding (${missed.length}):\n${missed.map((f) => `  ${path.relative(tree, f)}`).join('\n')}\n`,
  );
  const min = opt('--min');
  if (min !== undefined && share < Number(min)) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
