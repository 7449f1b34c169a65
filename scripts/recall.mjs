#!/usr/bin/env node
// @ts-check
/**
 * `npm run recall` — how many real upstream DMA-API bugs pinscope finds (bench/recall/).
 *
 * Lints every case's before.c and after.c with the built CLI (`bin/pinscope.js lint --format json`,
 * the kernel version each text belongs to) and prints, per case: each expected defect found (a
 * finding of a rule that fits the defect's class, whose line or one of whose related lines is within
 * ±2 lines of the defect line) or missed, and the findings on after.c (false alarms: upstream's
 * fixed function should be quiet). Then per split and overall: recall and after-text false alarms,
 * and which classes (shapes) were missed.
 *
 * The held-out split is for measuring only: its cases are printed as counts unless --show-held-out
 * is given, so that a rule author reading the output does not learn them.
 *
 *   npm run recall [-- --split dev|held-out|all] [--show-held-out] [--min-recall 0.5] [--json FILE]
 *
 * Exit code: 0 (it is a measurement) unless --min-recall is given and overall recall of the chosen
 * split is below it (1), or the inputs are broken (2).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const benchDir = path.join(root, 'bench', 'recall');
const NEAR = 2;

/** Which rules answer for each class (shape) of defect. A case's meta.json may name others in `rules`. */
export const CLASS_RULES = {
  'unchecked-map': ['dma-mapping-unchecked', 'dma-mapping-null-check'],
  'unchecked-map-field': ['dma-mapping-unchecked', 'dma-mapping-null-check'],
  'map-into-call': ['dma-mapping-unchecked'],
  'mapping-error-constant': ['dma-mapping-unchecked', 'dma-mapping-null-check'],
  'null-check': ['dma-mapping-null-check', 'dma-mapping-unchecked'],
  'map-sg-unchecked': ['dma-map-sg-unchecked'],
  'map-leak-error-path': ['dma-mapping-leak'],
  'coherent-leak': ['dma-mapping-leak'],
  'dma-pool-leak': ['dma-pool-leak', 'dma-mapping-leak'],
  'coherent-free-mismatch': ['dma-unmap-mismatch'],
  'unmap-mismatch': ['dma-unmap-mismatch'],
  'unmap-sg-nents': ['dma-unmap-sg-nents'],
  'sync-sg-nents': ['dma-unmap-sg-nents'],
  'double-unmap': ['dma-double-unmap'],
  'sync-order': ['dma-sync-direction'],
  'scsi-dma-map': ['dma-map-sg-unchecked', 'dma-mapping-leak', 'dma-mapping-unchecked'],
  'dma-on-stack': ['dma-on-stack'],
  'dio-get-pages': ['gup-for-dma'],
  'free-page-gup': ['release-mismatch', 'gup-for-dma'],
  'dirty-without-lock': ['dirty-without-lock'],
};

/**
 * @typedef {{ line_text: string, occurrence?: number, note: string, line: number }} Defect
 * @typedef {{ id: string, commit: string, subject: string, date: string, file: string, function: string,
 *   class: string, rules?: string[], defects: Defect[], kernel_version_before: string, kernel_version_after: string }} Meta
 * @typedef {{ line: number, rule: string, message: string, related?: { line: number }[] }} Finding
 */

/** @param {string} message */
function fail(message) {
  process.stderr.write(`recall: ${message}\n`);
  process.exit(2);
}

/** @returns {{ seed: number, splits: Record<string, string[]> }} */
export function loadManifest(dir = benchDir) {
  const file = path.join(dir, 'manifest.json');
  if (!existsSync(file)) fail(`${file} is missing (run node scripts/recall-split.mjs)`);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** @param {string} id */
function loadCase(id, dir = benchDir) {
  const d = path.join(dir, 'cases', id);
  if (!existsSync(path.join(d, 'meta.json'))) fail(`case ${id} named in the manifest has no ${d}/meta.json`);
  /** @type {Meta} */
  const meta = JSON.parse(readFileSync(path.join(d, 'meta.json'), 'utf8'));
  const rules = meta.rules ?? CLASS_RULES[/** @type {keyof typeof CLASS_RULES} */ (meta.class)];
  if (!rules) fail(`${id}: class "${meta.class}" has no rules (add it to CLASS_RULES or give meta.rules)`);
  for (const d0 of meta.defects)
    if (typeof d0.line !== 'number') fail(`${id}: defect without a line (run recall-build)`);
  return {
    meta,
    rules,
    before: readFileSync(path.join(d, 'before.c'), 'utf8'),
    after: readFileSync(path.join(d, 'after.c'), 'utf8'),
  };
}

/**
 * Lints texts with the CLI, one run per kernel version. Returns findings per text key.
 * @param {{ key: string, text: string, version: string }[]} texts
 * @returns {Map<string, Finding[]>}
 */
function lintAll(texts, cli = path.join(root, 'bin', 'pinscope.js')) {
  if (!existsSync(path.join(root, 'dist', 'cli', 'pinscope.js'))) fail('dist/ is missing: run `npm run build` first');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pinscope-recall-'));
  /** @type {Map<string, Finding[]>} */
  const out = new Map(texts.map((t) => [t.key, []]));
  try {
    const versions = [...new Set(texts.map((t) => t.version))];
    for (const version of versions) {
      const dir = path.join(tmp, version);
      mkdirSync(dir, { recursive: true });
      /** @type {Map<string, string>} */
      const byFile = new Map();
      for (const t of texts.filter((x) => x.version === version)) {
        const file = path.join(dir, `${t.key}.c`);
        writeFileSync(file, t.text);
        byFile.set(file, t.key);
      }
      const json = execFileSync(
        process.execPath,
        [cli, 'lint', '--format', 'json', '--exit-zero', '--kernel-version', version, dir],
        { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
      );
      const report = JSON.parse(json);
      for (const f of report.findings) {
        const key = byFile.get(f.file) ?? byFile.get(path.resolve(f.file));
        if (key) out.get(key)?.push(f);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

/**
 * A defect is found when a finding of a fitting rule sits within ±NEAR lines of it (its own line, or
 * one of its related locations, e.g. the map line of a leak reported at the return).
 * @param {Defect} defect @param {string[]} rules @param {Finding[]} findings
 */
export function foundBy(defect, rules, findings) {
  const near = (/** @type {number} */ l) => Math.abs(l - defect.line) <= NEAR;
  return findings.find((f) => rules.includes(f.rule) && (near(f.line) || (f.related ?? []).some((r) => near(r.line))));
}

/** @param {number} n @param {number} d */
const pct = (n, d) => (d === 0 ? '—' : `${((100 * n) / d).toFixed(0)}%`);

function main() {
  const args = process.argv.slice(2);
  const opt = (/** @type {string} */ name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const split = opt('--split') ?? 'all';
  const showHeldOut = args.includes('--show-held-out');
  const minRecallText = opt('--min-recall');
  const minRecall = minRecallText === undefined ? undefined : Number(minRecallText);
  if (minRecall !== undefined && !(minRecall >= 0 && minRecall <= 1)) fail('--min-recall takes a fraction 0..1');
  const manifest = loadManifest();
  const splitNames = split === 'all' ? Object.keys(manifest.splits) : [split];
  for (const s of splitNames)
    if (!manifest.splits[s]) fail(`no split "${s}" (have ${Object.keys(manifest.splits).join(', ')})`);
  const onDisk = readdirSync(path.join(benchDir, 'cases')).sort();
  const listed = new Set(Object.values(manifest.splits).flat());
  const unlisted = onDisk.filter((id) => !listed.has(id));
  if (unlisted.length) fail(`cases not in the manifest: ${unlisted.join(', ')} (run node scripts/recall-split.mjs)`);

  const cases = splitNames.flatMap((s) => manifest.splits[s].map((id) => ({ split: s, id, ...loadCase(id) })));
  const findings = lintAll(
    cases.flatMap((c) => [
      { key: `${c.id}__before`, text: c.before, version: c.meta.kernel_version_before },
      { key: `${c.id}__after`, text: c.after, version: c.meta.kernel_version_after },
    ]),
  );

  /** @type {Record<string, { cases: number, defects: number, found: number, afterFindings: number, noisyCases: number }>} */
  const totals = {};
  /** @type {Record<string, { defects: number, found: number }>} */
  const byClass = {};
  const lines = [];
  const results = [];
  for (const c of cases) {
    const t = (totals[c.split] ??= { cases: 0, defects: 0, found: 0, afterFindings: 0, noisyCases: 0 });
    const before = findings.get(`${c.id}__before`) ?? [];
    const after = findings.get(`${c.id}__after`) ?? [];
    const show = c.split !== 'held-out' || showHeldOut;
    t.cases++;
    if (show)
      lines.push(
        `${c.split === 'held-out' ? '[held-out] ' : ''}${c.id}  (${c.meta.class}; ${c.meta.file} ${c.meta.function}())`,
      );
    const caseResult = {
      id: c.id,
      split: c.split,
      class: c.meta.class,
      defects: /** @type {unknown[]} */ ([]),
      after: after.length,
    };
    for (const d of c.meta.defects) {
      const by = foundBy(d, c.rules, before);
      t.defects++;
      const k = (byClass[c.meta.class] ??= { defects: 0, found: 0 });
      k.defects++;
      if (by) {
        t.found++;
        k.found++;
      }
      caseResult.defects.push({ line: d.line, found: Boolean(by), rule: by?.rule });
      if (show) {
        lines.push(
          by
            ? `  ✓ line ${d.line}: found — ${by.rule} at line ${by.line}`
            : `  ✗ line ${d.line}: MISSED — ${d.note} (wanted ${c.rules.join(' or ')}; before.c has ${before.length ? before.map((f) => `${f.rule}@${f.line}`).join(', ') : 'no finding'})`,
        );
      }
    }
    t.afterFindings += after.length;
    if (after.length) t.noisyCases++;
    if (show) for (const f of after) lines.push(`  ! after.c:${f.line} ${f.rule}: ${f.message.split('\n')[0]}`);
    results.push(caseResult);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  const rows = [['split', 'cases', 'defects', 'found', 'recall', 'after.c findings', 'after.c with findings']];
  const all = { cases: 0, defects: 0, found: 0, afterFindings: 0, noisyCases: 0 };
  for (const [s, t] of Object.entries(totals)) {
    rows.push(
      [s, t.cases, t.defects, t.found, pct(t.found, t.defects), t.afterFindings, `${t.noisyCases}/${t.cases}`].map(
        String,
      ),
    );
    for (const k of /** @type {(keyof typeof all)[]} */ (Object.keys(all))) all[k] += t[k];
  }
  if (Object.keys(totals).length > 1) {
    rows.push(
      [
        'all',
        all.cases,
        all.defects,
        all.found,
        pct(all.found, all.defects),
        all.afterFindings,
        `${all.noisyCases}/${all.cases}`,
      ].map(String),
    );
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(`${r.map((x, i) => x.padEnd(widths[i])).join('  ')}\n`);

  const classes = Object.entries(byClass).sort((a, b) => b[1].defects - b[1].found - (a[1].defects - a[1].found));
  process.stdout.write(
    `\nby class (${splitNames.join(' + ')}): ${classes.map(([k, v]) => `${k} ${v.found}/${v.defects}`).join(', ')}\n`,
  );

  const jsonOut = opt('--json');
  if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify({ totals, byClass, results }, null, 2)}\n`);
  const recall = all.defects ? all.found / all.defects : 0;
  if (minRecall !== undefined && recall < minRecall) {
    process.stdout.write(`recall ${recall.toFixed(3)} is below --min-recall ${minRecall}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
