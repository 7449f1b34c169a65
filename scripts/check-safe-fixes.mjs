#!/usr/bin/env node
// @ts-check
/**
 * Issue 11, "Safe means safe", checked on real code: every fix pinscope marks safe is applied with
 * `pinscope lint --fix` to a real copy of the files that have one (never the tree itself: fixes
 * write files), and then
 *
 *   1. each changed file parses with no more tree-sitter ERROR/MISSING nodes than before;
 *   2. a second lint finds none of the fixed findings again;
 *   3. and no finding that was not there before.
 *
 * The diffs of the applied fixes are written out for reading by hand (docs/safe-fixes-6.12.md
 * records such a reading). Exit 1 when a check fails.
 *
 *   node scripts/check-safe-fixes.mjs --report report.json --tree /work/kernel/linux-source-6.12 [--out DIR]
 *   node scripts/check-safe-fixes.mjs [--kernel-version 6.12] [--out DIR] PATH...   (lints PATH first)
 *
 * With --report the files come from a whole-tree JSON report (`lint --format json`) of --tree; with
 * paths, the paths are linted here. Files are copied under --out (default: a new temporary folder)
 * with their paths relative to --tree (or to the current directory).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', 'bin', 'pinscope.js');

/**
 * @typedef {{ file: string, line: number, rule: string, function?: string, message: string,
 *   fixes: { title: string, safe: boolean }[] }} ReportFinding
 */

/**
 * What identifies a finding across an edit that moves lines: rule, function and message with its
 * numbers blanked (messages name lines: "(line 12)").
 * @param {ReportFinding} f
 */
export function findingKey(f) {
  return `${f.rule}|${f.function ?? ''}|${f.message.replace(/\d+/g, '#')}`;
}

/**
 * Findings before and after the fixes, per file: which fixed findings are still there, and which
 * findings are new (a multiset difference on findingKey()).
 * @param {ReportFinding[]} before @param {ReportFinding[]} after
 */
export function compareFindings(before, after) {
  /** @type {Map<string, ReportFinding[]>} */
  const left = new Map();
  for (const f of before) left.set(findingKey(f), [...(left.get(findingKey(f)) ?? []), f]);
  /** @type {ReportFinding[]} */
  const added = [];
  /** @type {ReportFinding[]} */
  const stillThere = [];
  for (const f of after) {
    const same = left.get(findingKey(f));
    const match = same?.shift();
    if (!match) added.push(f);
    else if (match.fixes.some((x) => x.safe)) stillThere.push(f);
  }
  const fixed = before.filter((f) => f.fixes.some((x) => x.safe)).length - stillThere.length;
  return { fixed, stillThere, added };
}

/**
 * tree-sitter's ERROR and MISSING nodes in a C text (what "parses" means for the check).
 * @param {{ parse(text: string): { rootNode: any } }} parser @param {string} text
 */
export function parseProblems(parser, text) {
  let count = 0;
  const cursor = parser.parse(text).rootNode.walk();
  for (;;) {
    const node = cursor.currentNode;
    if (node.type === 'ERROR' || node.isMissing) count++;
    if (node.hasError && cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return count;
  }
}

/** @param {string[]} args */
function lintJson(args) {
  const r = spawnSync(process.execPath, [bin, 'lint', '--format', 'json', '--exit-zero', ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`pinscope lint failed (${r.status}): ${r.stderr}`);
  return /** @type {{ findings: ReportFinding[] }} */ (JSON.parse(r.stdout));
}

function main() {
  const args = process.argv.slice(2);
  /** @param {string} name */
  const opt = (name) => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const value = args[i + 1];
    args.splice(i, 2);
    return value;
  };
  const reportPath = opt('--report');
  const version = opt('--kernel-version') ?? '6.12';
  const tree = path.resolve(opt('--tree') ?? '.');
  const out = path.resolve(opt('--out') ?? mkdtempSync(path.join(os.tmpdir(), 'pinscope-safe-fixes-')));
  const paths = args;
  if (!reportPath && paths.length === 0) {
    process.stderr.write(
      'usage: check-safe-fixes --report report.json --tree DIR [--out DIR]\n       check-safe-fixes [--kernel-version X.Y] [--out DIR] PATH...\n',
    );
    process.exit(2);
  }
  const report = reportPath
    ? /** @type {{ findings: ReportFinding[] }} */ (JSON.parse(readFileSync(reportPath, 'utf8')))
    : lintJson(['--kernel-version', version, ...paths]);
  const files = [
    ...new Set(report.findings.filter((f) => f.fixes.some((x) => x.safe)).map((f) => path.resolve(tree, f.file))),
  ].sort();

  const copy = path.join(out, 'tree');
  const copies = files.map((f) => {
    const rel = path.relative(tree, f);
    const to = path.join(copy, rel.startsWith('..') ? path.basename(f) : rel);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(f, to);
    return to;
  });
  const require = createRequire(import.meta.url);
  const Parser = require('tree-sitter');
  const parser = new Parser();
  parser.setLanguage(require('tree-sitter-c'));

  const before = copies.length > 0 ? lintJson(['--kernel-version', version, ...copies]) : { findings: [] };
  const textsBefore = copies.map((f) => readFileSync(f, 'utf8'));
  const diff =
    copies.length > 0
      ? spawnSync(process.execPath, [bin, 'lint', '--diff', '-q', '--kernel-version', version, ...copies], {
          encoding: 'utf8',
          maxBuffer: 1 << 30,
          cwd: copy,
        }).stdout
      : '';
  writeFileSync(path.join(out, 'safe-fixes.diff'), diff);
  if (copies.length > 0) {
    const fix = spawnSync(process.execPath, [bin, 'lint', '--fix', '-q', '--kernel-version', version, ...copies], {
      encoding: 'utf8',
    });
    if (fix.status === 2) throw new Error(`lint --fix could not fix every file: ${fix.stderr}`);
  }
  const after = copies.length > 0 ? lintJson(['--kernel-version', version, ...copies]) : { findings: [] };

  const failures = [];
  let changed = 0;
  let parseOk = 0;
  let fixedTotal = 0;
  let safeTotal = 0;
  copies.forEach((file, i) => {
    const old = textsBefore[i] ?? '';
    const now = readFileSync(file, 'utf8');
    const rel = path.relative(copy, file);
    if (now === old) failures.push(`${rel}: has a safe fix but --fix did not change it`);
    else changed++;
    const problemsBefore = parseProblems(parser, old);
    const problemsAfter = parseProblems(parser, now);
    if (problemsAfter > problemsBefore)
      failures.push(`${rel}: ${problemsAfter - problemsBefore} new ERROR/MISSING node(s) after the fix`);
    else parseOk++;
    const mine = (/** @type {{ findings: ReportFinding[] }} */ r) => r.findings.filter((f) => f.file === file);
    const { fixed, stillThere, added } = compareFindings(mine(before), mine(after));
    safeTotal += mine(before).filter((f) => f.fixes.some((x) => x.safe)).length;
    fixedTotal += fixed;
    for (const f of stillThere) failures.push(`${rel}:${f.line}: ${f.rule} is still reported after its safe fix`);
    for (const f of added) failures.push(`${rel}:${f.line}: new finding after the fixes: ${f.rule}: ${f.message}`);
  });

  const rows = [
    ['files with a safe fix', files.length],
    ['findings with a safe fix', safeTotal],
    ['files changed by --fix', changed],
    ['changed files that parse as before', parseOk],
    ['fixed findings gone after a second lint', fixedTotal],
    ['new findings after the fixes', failures.filter((f) => f.includes('new finding')).length],
  ];
  for (const [label, n] of rows) process.stdout.write(`${String(label).padEnd(42)} ${n}\n`);
  process.stdout.write(`copies and diffs in ${out}\n`);
  for (const f of failures) process.stdout.write(`FAIL ${f}\n`);
  process.exit(failures.length > 0 ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
