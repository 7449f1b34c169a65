/**
 * Every rule on its example driver, beyond the findings the example's expect comments assert
 * (test/unit/examples.test.ts): messages, related locations, paths, the kernel version, and for
 * the fixes `--fix` applies, the exact text they produce. The fixed texts live in
 * test/fixtures/fixed/ (each was read and checked by hand against the kernel's own conversions of
 * 2020); a fix leaves the example's trailing expect comments as they are.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { applyEdits } from '../../core/fixes/edits';
import { selectSafeFixes } from '../../core/fixes/select';
import { defaultParser, lintText } from '../../core/lint';
import type { Finding } from '../../core/findings';

const v612 = parseKernelVersion('6.12') as KernelVersion;
const examples = path.join(__dirname, '..', '..', 'examples');
const fixed = path.join(__dirname, '..', 'fixtures', 'fixed');

function lint(file: string, version = v612): Finding[] {
  return [...lintText(readFileSync(path.join(examples, file), 'utf8'), { kernelVersion: version }).findings];
}

const rows = (findings: readonly Finding[]): [string, number, number, number, number][] =>
  findings.map((f) => [f.rule, f.range.line, f.range.column, f.range.endLine, f.range.endColumn]);

describe('the example drivers, beyond their expect comments', () => {
  it('messages name the pin_user_pages.rst case and the numbers', () => {
    const [dma] = lint('gup-for-dma.c');
    expect(dma?.message).toContain('sg_alloc_table_from_pages(), line 21');
    expect(dma?.message).toContain('pin_user_pages.rst: "use pin_user_pages*() for DMA-pinned pages"');
    const [mismatch] = lint('release-mismatch.c');
    expect(mismatch?.message).toContain('1023 high');
    expect(mismatch?.related.map((r) => r.range.line)).toEqual([12]);
    const [leak] = lint('missing-release.c');
    expect(leak?.path?.map((s) => s.range.line)).toEqual([14, 15, 17, 21, 22]);
  });

  it('DMA messages quote dma-debug and name the mapping', () => {
    const [leak] = lint('dma-mapping-leak.c');
    expect(leak?.message).toBe(
      'The mapping `addr` of `buf` from dma_map_single() (line 13) is neither unmapped nor handed off on this path before `return ret`: it keeps its IOVA space (and any swiotlb bounce buffer); on a PCI device, dma-debug reports it when the driver is unbound: "device driver has pending DMA allocations while released from device".',
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
    // The example's other functions show the shapes the path engine does not follow.
    expect(lintText(after, { kernelVersion: v612 }).findings.filter((x) => x.function === 'demo_send')).toEqual([]);
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
