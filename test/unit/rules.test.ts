/**
 * Every rule on its example driver: exact findings (rule, 1-based range) and, for the fixes
 * `--fix` applies, the exact text they produce. The fixed texts live in test/fixtures/fixed/
 * (each was read and checked by hand against the kernel's own conversions of 2020).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { applyEdits } from '../../core/fixes/edits';
import { selectSafeFixes } from '../../core/fixes/select';
import { defaultParser, lintText } from '../../core/lint';
import type { Finding } from '../../core/findings';
import { RULE_IDS } from '../../core/rules/index';

const v612 = parseKernelVersion('6.12') as KernelVersion;
const examples = path.join(__dirname, '..', '..', 'examples');
const fixed = path.join(__dirname, '..', 'fixtures', 'fixed');

function lint(file: string, version = v612): Finding[] {
  return [...lintText(readFileSync(path.join(examples, file), 'utf8'), { kernelVersion: version }).findings];
}

const rows = (findings: readonly Finding[]): [string, number, number, number, number][] =>
  findings.map((f) => [f.rule, f.range.line, f.range.column, f.range.endLine, f.range.endColumn]);

describe('findings on the example drivers', () => {
  const expected: Record<string, [string, number, number, number, number][]> = {
    'api-version.c': [
      ['api-version', 14, 8, 14, 57],
      ['api-version', 17, 3, 17, 17],
    ],
    'dirty-without-lock.c': [['dirty-without-lock', 18, 3, 18, 32]],
    'double-release.c': [['double-release', 38, 3, 38, 31]],
    'gup-for-dma.c': [['gup-for-dma', 14, 8, 14, 27]],
    'gup-result-unsigned.c': [['gup-result-unsigned', 12, 11, 12, 59]],
    'internal-foll-flag.c': [
      ['internal-foll-flag', 9, 37, 9, 45],
      ['gup-for-dma', 20, 8, 20, 27],
    ],
    'longterm-get.c': [
      ['gup-for-dma', 19, 8, 19, 22],
      ['longterm-get', 19, 55, 19, 68],
    ],
    'missing-foll-write.c': [['missing-foll-write', 14, 38, 14, 39]],
    'missing-longterm.c': [['missing-longterm', 24, 51, 24, 61]],
    'missing-release.c': [['missing-release', 22, 3, 22, 18]],
    'partial-pin.c': [['partial-pin', 25, 6, 25, 22]],
    'release-mismatch.c': [['release-mismatch', 19, 3, 19, 21]],
    'dma-double-unmap.c': [['dma-double-unmap', 22, 2, 22, 53]],
    'dma-map-sg-unchecked.c': [['dma-map-sg-unchecked', 13, 10, 13, 52]],
    'dma-mapping-leak.c': [['dma-mapping-leak', 18, 3, 18, 14]],
    'dma-mapping-null-check.c': [['dma-mapping-null-check', 13, 6, 13, 11]],
    'dma-mapping-unchecked.c': [['dma-mapping-unchecked', 26, 9, 26, 13]],
    'dma-on-stack.c': [['dma-on-stack', 14, 29, 14, 32]],
    'dma-pool-leak.c': [['dma-pool-leak', 28, 2, 28, 24]],
    'dma-sync-direction.c': [['dma-sync-direction', 20, 62, 20, 75]],
    'dma-unmap-mismatch.c': [['dma-unmap-mismatch', 17, 2, 17, 49]],
    'dma-unmap-sg-nents.c': [['dma-unmap-sg-nents', 17, 25, 17, 31]],
  };

  it('there is an example for every rule in the table, and each shows its own rule', () => {
    const files = readdirSync(examples)
      .filter((f) => f.endsWith('.c'))
      .sort();
    expect(files).toEqual(Object.keys(expected).sort());
    expect(files).toEqual(RULE_IDS.map((id) => `${id}.c`).sort());
    for (const [file, found] of Object.entries(expected))
      expect(found.map((f) => f[0])).toContain(file.replace(/\.c$/, ''));
  });

  for (const [file, rowsExpected] of Object.entries(expected)) {
    it(file, () => {
      expect(rows(lint(file))).toEqual(rowsExpected);
    });
  }

  it('messages name the pin_user_pages.rst case and the numbers', () => {
    const [dma] = lint('gup-for-dma.c');
    expect(dma?.message).toContain('sg_alloc_table_from_pages(), line 21');
    expect(dma?.message).toContain('case 2');
    const [mismatch] = lint('release-mismatch.c');
    expect(mismatch?.message).toContain('1023 high');
    expect(mismatch?.related.map((r) => r.range.line)).toEqual([12]);
    const [leak] = lint('missing-release.c');
    expect(leak?.path?.map((s) => s.range.line)).toEqual([14, 15, 17, 21, 22]);
  });

  it('DMA messages quote dma-debug and name the mapping', () => {
    const [leak] = lint('dma-mapping-leak.c');
    expect(leak?.message).toBe(
      'The mapping from dma_map_single() (line 13) is neither unmapped nor handed off on this path before `return ret`: it keeps its IOVA space (and any swiotlb bounce buffer); dma-debug reports it when the driver is unbound: "device driver has pending DMA allocations while released from device".',
    );
    expect(leak?.path?.map((s) => s.range.line)).toEqual([13, 14, 14, 16, 17, 18]);
    const [nents] = lint('dma-unmap-sg-nents.c');
    expect(nents?.related.map((r) => r.range.line)).toEqual([13]);
    const [pool] = lint('dma-pool-leak.c');
    expect(pool?.message).toContain('"dma_pool_destroy %s, %p busy"');
  });

  it('the missing-check quick fix jumps to the one label that does not unmap', () => {
    const source = readFileSync(path.join(examples, 'dma-mapping-unchecked.c'), 'utf8');
    const [f] = lintText(source, { kernelVersion: v612 }).findings;
    expect(f?.fixes.map((x) => [x.title, x.safe])).toEqual([
      ['Check with dma_mapping_error() and goto err_free', false],
    ]);
    const after = applyEdits(source, f?.fixes[0]?.edits ?? []);
    expect(after).toContain(
      '\taddr = dma_map_single(tx->dev, buf, len, DMA_TO_DEVICE);\n\tif (dma_mapping_error(tx->dev, addr)) {\n\t\tret = -ENOMEM;\n\t\tgoto err_free;\n\t}\n\twriteq(addr, tx->regs);',
    );
    expect(lintText(after, { kernelVersion: v612 }).findings).toEqual([]);
  });

  it('api-version depends on the configured kernel', () => {
    expect(rows(lint('api-version.c', parseKernelVersion('6.1') as KernelVersion))).toEqual([
      ['api-version', 17, 3, 17, 17],
    ]);
    expect(rows(lint('api-version.c', parseKernelVersion('5.4') as KernelVersion)).map((r) => r[0])).toEqual([
      'api-version',
    ]);
  });
});

describe('safe fixes', () => {
  for (const file of readdirSync(fixed).filter((f) => f.endsWith('.c'))) {
    it(`${file}: applying the safe fixes gives the reviewed text, which parses and lints clean of the fixed rules`, () => {
      const source = readFileSync(path.join(examples, file), 'utf8');
      const before = lintText(source, { kernelVersion: v612 }).findings;
      const selection = selectSafeFixes(before);
      const after = applyEdits(source, selection.edits);
      expect(after).toBe(readFileSync(path.join(fixed, file), 'utf8'));
      const errorsBefore = defaultParser()
        .parse(source)
        .problems.filter((p) => p.kind === 'error').length;
      const errorsAfter = defaultParser()
        .parse(after)
        .problems.filter((p) => p.kind === 'error').length;
      expect(errorsAfter).toBeLessThanOrEqual(errorsBefore);
      const fixedRules = new Set(selection.applied.map((a) => a.finding.rule));
      const remaining = lintText(after, { kernelVersion: v612 }).findings.filter((f) => fixedRules.has(f.rule));
      expect(remaining.map((f) => `${f.rule}@${f.range.line}`)).toEqual([]);
    });
  }

  it('removing two flags from one | chain is one edit', () => {
    const src =
      'int f(unsigned long a, struct page **p)\n{\n\treturn pin_user_pages_fast(a, 1, FOLL_GET | FOLL_WRITE | FOLL_PIN, p);\n}\n';
    const findings = lintText(src, { kernelVersion: v612 }).findings;
    expect(rows(findings)).toEqual([['internal-foll-flag', 3, 59, 3, 67]]);
    expect(findings[0]?.message).toContain('mutually exclusive');
    expect(applyEdits(src, selectSafeFixes(findings).edits)).toBe(
      'int f(unsigned long a, struct page **p)\n{\n\treturn pin_user_pages_fast(a, 1, FOLL_WRITE, p);\n}\n',
    );
  });

  it('a flags variable: the |= statement is removed, not left as `|= 0`', () => {
    const src =
      'int f(unsigned long a, struct page **p)\n{\n\tunsigned int flags = FOLL_WRITE;\n\n\tflags |= FOLL_TOUCH;\n\treturn pin_user_pages_fast(a, 1, flags, p);\n}\n';
    const findings = lintText(src, { kernelVersion: v612 }).findings;
    expect(rows(findings)).toEqual([['internal-foll-flag', 5, 11, 5, 21]]);
    expect(applyEdits(src, selectSafeFixes(findings).edits)).toBe(
      'int f(unsigned long a, struct page **p)\n{\n\tunsigned int flags = FOLL_WRITE;\n\n\treturn pin_user_pages_fast(a, 1, flags, p);\n}\n',
    );
  });

  it('FOLL_PIN alone becomes 0', () => {
    const src = 'long f(unsigned long a, struct page **p)\n{\n\treturn pin_user_pages(a, 1, FOLL_PIN, p);\n}\n';
    expect(applyEdits(src, selectSafeFixes(lintText(src, { kernelVersion: v612 }).findings).edits)).toBe(
      'long f(unsigned long a, struct page **p)\n{\n\treturn pin_user_pages(a, 1, 0, p);\n}\n',
    );
  });

  it('set_page_dirty_lock + put_page on a pinned page becomes unpin_user_pages_dirty_lock(&page, 1, true)', () => {
    const src =
      'void f(unsigned long a)\n{\n\tstruct page *page;\n\n\tif (pin_user_pages_fast(a, 1, FOLL_WRITE, &page) != 1)\n\t\treturn;\n\tset_page_dirty_lock(page);\n\tput_page(page);\n}\n';
    const findings = lintText(src, { kernelVersion: v612 }).findings;
    expect(rows(findings)).toEqual([['release-mismatch', 8, 2, 8, 16]]);
    expect(applyEdits(src, selectSafeFixes(findings).edits)).toBe(
      'void f(unsigned long a)\n{\n\tstruct page *page;\n\n\tif (pin_user_pages_fast(a, 1, FOLL_WRITE, &page) != 1)\n\t\treturn;\n\tunpin_user_pages_dirty_lock(&page, 1, true);\n}\n',
    );
  });
});

describe('pinscope-ignore', () => {
  it('silences a rule on the same line or the line above, and only that rule', () => {
    const src =
      'void f(unsigned long a, struct page **p, int n)\n{\n\tint i, r = pin_user_pages_fast(a, n, FOLL_WRITE, p);\n\n\tfor (i = 0; i < r; i++)\n\t\tput_page(p[i]); /* pinscope-ignore release-mismatch */\n}\n';
    expect(rows(lintText(src, { kernelVersion: v612 }).findings)).toEqual([]);
    const other = src.replace('release-mismatch', 'double-release');
    expect(rows(lintText(other, { kernelVersion: v612 }).findings).map((r) => r[0])).toEqual(['release-mismatch']);
  });
});
