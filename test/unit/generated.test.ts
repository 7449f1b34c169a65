/**
 * A rule's file is the one place its id, title, severity, description and docs live. Everything
 * generated from the rule list (rule pages, README's rule table, package.json's per-rule settings,
 * the client's rule summaries) must be what `npm run gen` writes now, and SARIF's rule metadata
 * (built at run time) must carry the same facts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedFiles, RULE_PAGES_DIR } from '../../core/docs/generated';
import { toSarif } from '../../core/report/sarif';
import { RULE_IDS, RULES, ruleDocsUrl } from '../../core/rules/index';
import { KERNEL_DOCS } from '../../core/catalog/docs';

const root = path.join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');
const STALE = 'is stale: run `npm run gen`';

describe('the rule list', () => {
  it('has unique kebab-case ids, each in core/rules/<id>.ts, with a kernel doc link', () => {
    expect(new Set(RULE_IDS).size).toBe(RULES.length);
    const files = readdirSync(path.join(root, 'core', 'rules'))
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(files).toEqual([...RULE_IDS].sort());
    for (const id of RULE_IDS) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)+$/);
    for (const r of RULES) expect(KERNEL_DOCS[r.meta.doc].url).toMatch(/^https:\/\/docs\.kernel\.org\/core-api\//);
  });
});

describe('generated files', () => {
  const files = generatedFiles({ readme: read('README.md'), packageJson: read('package.json') });

  for (const file of files) {
    it(`${file.path} is what npm run gen writes`, () => {
      expect(read(file.path), `${file.path} ${STALE}`).toBe(file.text);
    });
  }

  it(`${RULE_PAGES_DIR}/ has a page for each rule and nothing else`, () => {
    const pages = readdirSync(path.join(root, RULE_PAGES_DIR)).map((f) => `${RULE_PAGES_DIR}/${f}`);
    const expected = files.filter((f) => f.path.startsWith(`${RULE_PAGES_DIR}/`)).map((f) => f.path);
    expect(pages.sort(), `${RULE_PAGES_DIR}/ ${STALE}`).toEqual(expected.sort());
  });

  it("package.json's per-rule settings name every rule with its title and default severity", () => {
    const pkg = JSON.parse(read('package.json')) as {
      contributes: { configuration: { properties: Record<string, { properties: Record<string, object> }> } };
    };
    const settings = pkg.contributes.configuration.properties['pinscope.rules']?.properties ?? {};
    expect(Object.keys(settings)).toEqual([...RULE_IDS]);
    expect(settings['dma-on-stack']).toEqual({
      type: 'object',
      markdownDescription: '**Stack or vmalloc memory mapped for DMA** (default: error)',
      properties: { enabled: { type: 'boolean' }, severity: { type: 'string', enum: ['error', 'warning', 'info'] } },
      additionalProperties: false,
    });
  });
});

describe('SARIF', () => {
  it('tool.driver.rules carries every rule with its title, severity and kernel doc link', () => {
    const sarif = toSarif([], { toolVersion: '0', informationUri: 'x', uri: (f) => f, kernelVersion: '6.12' });
    const rules = sarif.runs[0]?.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual([...RULE_IDS]);
    for (const { id, meta } of RULES) {
      const s = rules.find((x) => x.id === id);
      expect(s?.name).toBe(meta.title);
      expect(s?.helpUri).toBe(ruleDocsUrl(id));
      expect(s?.defaultConfiguration?.level).toBe(meta.severity === 'info' ? 'note' : meta.severity);
    }
  });
});
