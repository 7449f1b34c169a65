/**
 * `npm run gen`: writes every file generated from the rule list (core/docs/generated.ts says
 * which) and deletes rule pages whose rule is gone. Prints what changed.
 */
import { existsSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles, RULE_PAGES_DIR } from '../core/docs/generated';

const root = path.resolve(__dirname, '..', '..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

const files = generatedFiles({ readme: read('README.md'), packageJson: read('package.json') });
const changed: string[] = [];
for (const file of files) {
  const target = path.join(root, file.path);
  if (existsSync(target) && readFileSync(target, 'utf8') === file.text) continue;
  // Temp file and rename: an interrupted run leaves the old file, never half a package.json.
  writeFileSync(`${target}.tmp`, file.text);
  renameSync(`${target}.tmp`, target);
  changed.push(file.path);
}
const pages = new Set(files.map((f) => f.path));
for (const name of readdirSync(path.join(root, RULE_PAGES_DIR))) {
  const page = `${RULE_PAGES_DIR}/${name}`;
  if (name.endsWith('.md') && !pages.has(page)) {
    unlinkSync(path.join(root, page));
    changed.push(`${page} (deleted: no such rule)`);
  }
}
process.stdout.write(
  changed.length === 0
    ? `generated files are up to date (${files.length})\n`
    : `wrote ${changed.length} of ${files.length} generated files:\n${changed.map((f) => `  ${f}\n`).join('')}`,
);
