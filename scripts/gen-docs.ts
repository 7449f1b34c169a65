/**
 * `npm run docs`: writes docs/rules/<id>.md and README.md's rule list from the rule table.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderRulePage, withReadmeRules } from '../core/docs/ruleDocs';
import { allRules, rulePagePath } from '../core/rules/table';

const root = path.resolve(__dirname, '..', '..');
mkdirSync(path.join(root, 'docs', 'rules'), { recursive: true });
for (const rule of allRules()) writeFileSync(path.join(root, rulePagePath(rule.id)), renderRulePage(rule));
const readmePath = path.join(root, 'README.md');
writeFileSync(readmePath, withReadmeRules(readFileSync(readmePath, 'utf8')));
process.stdout.write(`wrote ${allRules().length} rule pages and README.md's rule list\n`);
