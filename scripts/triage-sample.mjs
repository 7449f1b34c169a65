#!/usr/bin/env node
// @ts-check
/**
 * Draws a seeded, rule-stratified random sample of whole-tree findings and writes a blind-triage
 * worksheet (docs/triage/<name>.md) to be read against the kernel source, finding by finding.
 *
 *   npm run triage:sample -- --report report.json --seed 4711 --name linux-6.12 [--size 100]
 *        [--small 10] [--floor 3] [--force]
 *
 * Every finding of a rule with ≤ --small findings is taken; the rest of --size is shared among the
 * larger rules in proportion to their counts, each getting at least --floor. Draw the sample AFTER
 * the rule changes it is meant to judge, and never tune rules to it (GUIDE.md, "Judge rules on real
 * code, blind"). Fill in each `verdict:` (real | wrong) and `reason:`, then run npm run triage:score.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allocate, mulberry32, shuffle } from './triage-lib.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** @param {string} message */
function fail(message) {
  process.stderr.write(`triage-sample: ${message}\n`);
  process.exit(2);
}

/**
 * The 0-based [start, end] lines of the definition of `name` that contains 0-based `line`
 * (kernel style: the body's braces at column 0), or null.
 * @param {string[]} lines @param {string | undefined} name @param {number} line
 */
export function functionAround(lines, name, line) {
  if (!name) return null;
  const head = new RegExp(`^(?:[A-Za-z_][\\w\\s\\*]*[\\s\\*])?${name.replace(/\W/g, '')}\\s*\\(`);
  for (let i = Math.min(line, lines.length - 1); i >= 0; i--) {
    if (!head.test(lines[i])) continue;
    let j = i;
    while (j < lines.length && !lines[j].startsWith('{') && !/;\s*$/.test(lines[j])) j++;
    if (j >= lines.length || !lines[j].startsWith('{')) continue;
    let end = j + 1;
    while (end < lines.length && lines[end] !== '}') end++;
    if (end >= line) return [i, end];
  }
  return null;
}

/**
 * The numbered source lines a reader needs: the whole function when it is short, else its head,
 * the lines around the finding, and each related and path line, with `…` between the pieces.
 * @param {string[]} lines @param {{ line: number, function?: string, related?: { line: number }[], path?: { line: number }[] }} f
 */
export function excerpt(lines, f) {
  const at = f.line - 1;
  const fn = functionAround(lines, f.function, at);
  const [lo, hi] = fn ?? [Math.max(0, at - 15), Math.min(lines.length - 1, at + 15)];
  /** @type {[number, number][]} */
  let ranges;
  if (hi - lo <= 70) ranges = [[lo, hi]];
  else {
    const clip = (/** @type {number} */ a, /** @type {number} */ b) =>
      /** @type {[number, number]} */ ([Math.max(lo, a), Math.min(hi, b)]);
    ranges = [clip(lo, lo + 3), clip(at - 10, at + 6), clip(hi - 1, hi)];
    for (const r of f.related ?? []) ranges.push(clip(r.line - 3, r.line + 1));
    for (const p of f.path ?? []) ranges.push(clip(p.line - 2, p.line));
  }
  ranges.sort((a, b) => a[0] - b[0]);
  /** @type {[number, number][]} */
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 2) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  const width = String(hi + 1).length;
  const marks = new Set([at, ...(f.related ?? []).map((r) => r.line - 1)]);
  const out = [];
  merged.forEach(([a, b], k) => {
    if (k > 0 || a > lo) out.push('…');
    for (let i = a; i <= b; i++) out.push(`${marks.has(i) ? '>' : ' '}${String(i + 1).padStart(width)}  ${lines[i]}`);
  });
  if (merged[merged.length - 1][1] < hi) out.push('…');
  return out.join('\n');
}

function main() {
  const args = process.argv.slice(2);
  const opt = (/** @type {string} */ name, /** @type {string | undefined} */ dflt = undefined) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const reportPath = opt('--report');
  const seedText = opt('--seed');
  const name = opt('--name');
  if (!reportPath || !seedText || !name)
    fail(
      'usage: triage-sample --report report.json --seed N --name NAME [--size 100] [--small 10] [--floor 3] [--force]',
    );
  const seed = Number(seedText);
  if (!Number.isInteger(seed)) fail(`--seed must be an integer (got ${seedText})`);
  if (!/^[\w.-]+$/.test(name)) fail(`--name must be a plain file name (got ${name})`);
  const size = Number(opt('--size', '100'));
  const smallRule = Number(opt('--small', '10'));
  const floor = Number(opt('--floor', '3'));
  const out = path.join(root, 'docs', 'triage', `${name}.md`);
  if (existsSync(out) && !args.includes('--force'))
    fail(`${out} exists (it may hold verdicts); pass --force to replace it`);

  const reportText = readFileSync(reportPath, 'utf8');
  /** @type {{ findings: any[], stats?: { kernelVersion?: string } }} */
  const report = JSON.parse(reportText);
  if (!Array.isArray(report.findings))
    fail(`${reportPath}: no findings array (is it a pinscope --format json report?)`);
  const findings = [...report.findings].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule),
  );
  /** @type {Record<string, any[]>} */
  const byRule = {};
  for (const f of findings) (byRule[f.rule] ??= []).push(f);
  const counts = Object.fromEntries(Object.entries(byRule).map(([r, l]) => [r, l.length]));
  const take = allocate(counts, { size, smallRule, floor });
  const random = mulberry32(seed);
  const sample = Object.keys(byRule)
    .sort()
    .flatMap((rule) => shuffle(byRule[rule], random).slice(0, take[rule]))
    .sort((a, b) => a.rule.localeCompare(b.rule) || a.file.localeCompare(b.file) || a.line - b.line);

  const files = findings.map((f) => f.file);
  let tree = opt('--tree') ?? (files.length ? path.dirname(files[0]) : '');
  while (tree && !files.every((f) => f.startsWith(`${tree}/`))) tree = path.dirname(tree);
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['-C', root, 'describe', '--always', '--dirty', '--abbrev=12'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    /* not a git checkout: say so in the header */
  }
  const sha = createHash('sha256').update(reportText).digest('hex').slice(0, 16);

  const lines = [
    `# Blind triage: ${name}`,
    '',
    `- seed: ${seed}`,
    `- pinscope commit: ${commit}`,
    `- report: \`${path.basename(reportPath)}\` (sha256 ${sha}…), ${findings.length} findings, kernel version ${report.stats?.kernelVersion ?? '?'}`,
    `- kernel tree: \`${tree}\``,
    `- drawn: ${new Date().toISOString().slice(0, 10)} by \`npm run triage:sample -- --report ${path.basename(reportPath)} --seed ${seed} --name ${name} --size ${size} --small ${smallRule} --floor ${floor}\``,
    '',
    'Read each finding against the source as a reviewer would, then set `verdict:` to `real` (the',
    'defect is there and the message is right) or `wrong` (anything else), and give the reason in one',
    'line. `npm run triage:score -- docs/triage/' +
      `${name}.md\` computes precision; it refuses while a verdict is missing.`,
    '',
    '| rule | findings | sampled |',
    '| --- | ---: | ---: |',
    ...Object.keys(counts)
      .sort()
      .map((r) => `| \`${r}\` | ${counts[r]} | ${take[r]} |`),
    '',
  ];
  /** @type {Map<string, string[]>} */
  const sources = new Map();
  sample.forEach((f, k) => {
    const id = `F${String(k + 1).padStart(3, '0')}`;
    let src = sources.get(f.file);
    if (!src) {
      src = existsSync(f.file) ? readFileSync(f.file, 'utf8').split('\n') : [];
      sources.set(f.file, src);
    }
    const rel = tree ? path.relative(tree, f.file) : f.file;
    lines.push(`### ${id} · ${f.rule}`, '');
    lines.push(`- where: \`${rel}:${f.line}\` in \`${f.function ?? '?'}()\` (${f.severity})`);
    lines.push(`- message: ${String(f.message).replace(/\n/g, ' ')}`);
    for (const r of f.related ?? []) lines.push(`- related: line ${r.line}: ${r.message}`);
    if (f.path?.length)
      lines.push(`- path: ${f.path.map((/** @type {any} */ p) => `${p.line} ${p.label}`).join(' → ')}`);
    lines.push(
      '',
      '```c',
      src.length ? excerpt(src, f) : `(source not found: ${f.file})`,
      '```',
      '',
      'verdict:',
      'reason:',
      '',
    );
  });
  const tmp = `${out}.tmp-${process.pid}`;
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(tmp, `${lines.join('\n')}`);
  renameSync(tmp, out);
  process.stdout.write(`${out}: ${sample.length} of ${findings.length} findings (seed ${seed})\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
