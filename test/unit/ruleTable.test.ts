/**
 * The rule table is the one place a rule's id, title, severity, description and docs live:
 * README's list, docs/rules/*.md, SARIF's rule metadata and package.json's per-rule settings must
 * agree with it. Run `npm run docs` after changing the table.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReadmeRules, renderRulePage, README_RULES_END, README_RULES_START } from '../../core/docs/ruleDocs';
import { toSarif } from '../../core/report/sarif';
import { RULE_IDS } from '../../core/rules/ids';
import { allRules, ruleDocsUrl, rulePagePath } from '../../core/rules/table';
import { KERNEL_DOCS } from '../../core/catalog/docs';

const root = path.join(__dirname, '..', '..');

describe('rule table', () => {
  it('has one entry per rule id, in id order, with a kernel doc link', () => {
    expect(allRules().map((r) => r.id)).toEqual([...RULE_IDS]);
    for (const r of allRules()) expect(KERNEL_DOCS[r.doc].url).toMatch(/^https:\/\/docs\.kernel\.org\/core-api\//);
  });

  it("README's rule list is the one rendered from the table", () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const start = readme.indexOf(README_RULES_START);
    const end = readme.indexOf(README_RULES_END) + README_RULES_END.length;
    expect(start).toBeGreaterThan(-1);
    expect(readme.slice(start, end)).toBe(renderReadmeRules());
  });

  for (const r of allRules()) {
    it(`docs/rules/${r.id}.md is the page rendered from the table`, () => {
      expect(readFileSync(path.join(root, rulePagePath(r.id)), 'utf8')).toBe(renderRulePage(r));
    });
  }

  it('SARIF tool.driver.rules carries every rule with its title, severity and kernel doc link', () => {
    const sarif = toSarif([], { toolVersion: '0', informationUri: 'x', uri: (f) => f, kernelVersion: '6.12' }) as {
      runs: {
        tool: {
          driver: { rules: { id: string; name: string; helpUri: string; defaultConfiguration: { level: string } }[] };
        };
      }[];
    };
    const rules = sarif.runs[0]?.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual([...RULE_IDS]);
    for (const r of allRules()) {
      const s = rules.find((x) => x.id === r.id);
      expect(s?.name).toBe(r.title);
      expect(s?.helpUri).toBe(ruleDocsUrl(r.id));
      expect(s?.defaultConfiguration.level).toBe(r.severity === 'info' ? 'note' : r.severity);
    }
  });

  it("package.json's per-rule settings list exactly the rules, with their titles and default severities", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      contributes?: {
        configuration?: {
          properties?: Record<string, { properties?: Record<string, { markdownDescription?: string }> }>;
        };
      };
    };
    const rules = pkg.contributes?.configuration?.properties?.['pinscope.rules']?.properties ?? {};
    expect(Object.keys(rules)).toEqual([...RULE_IDS]);
    for (const r of allRules())
      expect(rules[r.id]?.markdownDescription).toBe(`**${r.title}** (default: ${r.severity})`);
  });
});
