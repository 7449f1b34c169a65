#!/usr/bin/env node
// Counts ESLint and knip findings per folder, from their JSON reports:
//   node .ci/findings.mjs ESLINT.json KNIP.json [--report-only FOLDER,...]
// Prints one line per folder with findings, and exits 1 when a folder outside --report-only has
// any (.ci/run explains which folders may be report-only and why). Folders are top-level folders,
// and core/* and test/* one level deeper (core/text, test/cli, …); files at the root count as ".".
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [eslintFile, knipFile, ...rest] = process.argv.slice(2);
if (!eslintFile || !knipFile) {
  console.error('usage: node .ci/findings.mjs ESLINT.json KNIP.json [--report-only FOLDER,...]');
  process.exit(2);
}
const flag = rest.indexOf('--report-only');
const reportOnly = new Set(flag >= 0 ? (rest[flag + 1] ?? '').split(',').filter(Boolean) : []);
const root = process.cwd();

function folderOf(file) {
  const parts = path.relative(root, path.resolve(root, file)).split(path.sep);
  if (parts.length === 1) return '.';
  return (parts[0] === 'core' || parts[0] === 'test') && parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** folder → { eslint, knip, examples } */
const folders = new Map();
function count(file, tool, what) {
  const folder = folderOf(file);
  const entry = folders.get(folder) ?? { eslint: 0, knip: 0, examples: [] };
  entry[tool]++;
  if (entry.examples.length < 3) entry.examples.push(what);
  folders.set(folder, entry);
}

for (const result of JSON.parse(readFileSync(eslintFile, 'utf8')))
  for (const m of result.messages)
    count(result.filePath, 'eslint', `${path.relative(root, result.filePath)}:${m.line}: ${m.ruleId ?? 'parse'}`);

for (const issue of JSON.parse(readFileSync(knipFile, 'utf8')).issues)
  for (const [kind, items] of Object.entries(issue))
    if (Array.isArray(items))
      for (const item of items) count(issue.file, 'knip', `${issue.file}: ${kind} ${item.name}`);

let failing = 0;
const rows = [...folders].sort(([a], [b]) => (a < b ? -1 : 1));
for (const [folder, { eslint, knip, examples }] of rows) {
  const hard = !reportOnly.has(folder);
  if (hard) failing += eslint + knip;
  console.log(
    `  ${hard ? 'FAIL' : 'note'}  ${folder.padEnd(16)} eslint ${String(eslint).padStart(3)}  knip ${String(knip).padStart(3)}   e.g. ${examples.join('; ')}`,
  );
}
const totals = rows.reduce((t, [, e]) => [t[0] + e.eslint, t[1] + e.knip], [0, 0]);
console.log(`eslint ${totals[0]}, knip ${totals[1]} findings; ${failing} in folders that must be clean`);
for (const folder of reportOnly)
  if (!folders.has(folder)) console.log(`  (${folder} is clean now: take it off the report-only list in .ci/run)`);
process.exit(failing > 0 ? 1 : 0);
