/**
 * "Safe means safe" (issue 11): a fix is marked safe — applied by `lint --fix`, `--diff`, the
 * editor's fix-all and fix-on-save — only when it cannot change what correct code does. Each rule
 * that keeps a safe fix is tested here on a near miss (the fix must be offered, not safe) and on
 * the case it is safe for; the rules that lost their safe fix are tested to offer it only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { applyEdits } from '../../core/fixes/edits';
import { selectSafeFixes } from '../../core/fixes/select';
import { lintText } from '../../core/lint';
import { RULES } from '../../core/rules/index';
import type { Finding } from '../../core/findings';

const version = (v: string): KernelVersion => parseKernelVersion(v) as KernelVersion;
const v612 = version('6.12');
const root = path.join(__dirname, '..', '..');

/** `[rule, fix title, safe]` for every fix of every finding. */
function fixes(text: string, v = v612): [string, string, boolean][] {
  return lintText(text, { kernelVersion: v }).findings.flatMap((f: Finding) =>
    f.fixes.map((x): [string, string, boolean] => [f.rule, x.title, x.safe]),
  );
}

function fixed(text: string, v = v612): string {
  return applyEdits(text, selectSafeFixes(lintText(text, { kernelVersion: v }).findings).edits);
}

describe('a rule that does not say its fixes are safe never makes a safe one', () => {
  const files = [
    ...readdirSync(path.join(root, 'examples')).map((f) => path.join(root, 'examples', f)),
    path.join(root, 'test', 'fixtures', 'dma', 'negatives.c'),
    path.join(root, 'test', 'fixtures', 'kernel-idioms.c'),
  ].filter((f) => f.endsWith('.c'));
  for (const v of ['5.4', '6.1', '6.12']) {
    it(`examples and fixtures on Linux ${v}`, () => {
      const safeRules = new Set(RULES.filter((r) => r.meta.fixable === 'safe').map((r) => r.id));
      const offending = files.flatMap((file) =>
        fixes(readFileSync(file, 'utf8'), version(v))
          .filter(([rule, , safe]) => safe && !safeRules.has(rule as never))
          .map(([rule, title]) => `${path.basename(file)}: ${rule}: ${title}`),
      );
      expect(offending).toEqual([]);
    });
  }
});

describe('fixes that change behaviour are offered, never applied', () => {
  it('dma-mapping-null-check: dma_mapping_error() in place of !addr is offered', () => {
    const src = readFileSync(path.join(root, 'examples', 'dma-mapping-null-check.c'), 'utf8');
    expect(fixes(src)).toEqual([['dma-mapping-null-check', 'Use dma_mapping_error()', false]]);
    expect(fixed(src)).toBe(src);
  });

  it('gup-for-dma and longterm-get: the get→pin conversion is offered', () => {
    for (const name of ['gup-for-dma.c', 'longterm-get.c']) {
      const src = readFileSync(path.join(root, 'examples', name), 'utf8');
      const all = fixes(src);
      expect(all.length, name).toBeGreaterThan(0);
      expect(all.filter(([, , safe]) => safe)).toEqual([]);
      expect(fixed(src)).toBe(src);
    }
  });

  it('missing-foll-write and missing-longterm: adding the flag is offered', () => {
    const write = readFileSync(path.join(root, 'examples', 'missing-foll-write.c'), 'utf8');
    expect(fixes(write)).toEqual([['missing-foll-write', 'Add FOLL_WRITE', false]]);
    const longterm = readFileSync(path.join(root, 'examples', 'missing-longterm.c'), 'utf8');
    expect(fixes(longterm)).toEqual([['missing-longterm', 'Add FOLL_LONGTERM', false]]);
  });
});

describe('internal-foll-flag: removal is safe where every call with the flag fails', () => {
  const touch =
    'int f(unsigned long a, struct page **p)\n{\n\treturn get_user_pages_fast(a, 1, FOLL_WRITE | FOLL_TOUCH, p);\n}\n';
  it('FOLL_TOUCH on Linux 6.12 (is_valid_gup_args() rejects it): safe', () => {
    expect(fixes(touch)).toEqual([['internal-foll-flag', 'Remove FOLL_TOUCH', true]]);
    expect(fixed(touch)).toBe(touch.replace(' | FOLL_TOUCH', ''));
  });
  it('the same call on Linux 6.1, where FOLL_TOUCH still worked: offered', () => {
    expect(fixes(touch, version('6.1'))).toEqual([['internal-foll-flag', 'Remove FOLL_TOUCH', false]]);
  });
  it('FOLL_GET on pin_user_pages_fast() on Linux 6.1 (pin_* always rejected it): safe', () => {
    const get =
      'int f(unsigned long a, struct page **p)\n{\n\treturn pin_user_pages_fast(a, 1, FOLL_WRITE | FOLL_GET, p);\n}\n';
    expect(fixes(get, version('6.1'))).toEqual([['internal-foll-flag', 'Remove FOLL_GET', true]]);
  });
});

describe('release-mismatch: the unpin rewrite is safe only when nothing else explains the put_page()', () => {
  const base = `void f(unsigned long a, struct page **pages, int n)
{
	int i, got = pin_user_pages_fast(a, n, FOLL_WRITE, pages);

	for (i = 0; i < got; i++)
		put_page(pages[i]);
}
`;
  it('pinned and put in one function, nothing else on the array: safe', () => {
    expect(fixes(base)).toEqual([['release-mismatch', 'Release with unpin_user_pages()', true]]);
  });
  it('near miss: an extra get_page() the put_page() may balance — offered', () => {
    const src = base.replace('\tfor (i = 0;', '\tget_page(pages[0]);\n\tfor (i = 0;');
    expect(fixes(src).map(([r, , s]) => [r, s])).toEqual([['release-mismatch', false]]);
  });
  it('near miss: the array is refilled with other pages — offered', () => {
    const src = base.replace('\tfor (i = 0;', '\tpages[0] = ZERO_PAGE(0);\n\tfor (i = 0;');
    expect(fixes(src).map(([r, , s]) => [r, s])).toEqual([['release-mismatch', false]]);
  });
});

describe('dma-unmap-sg-nents: repeating the original nents is safe when it still has its value', () => {
  const base = `int f(struct device *dev, struct scatterlist *sgl, int nents)
{
	int mapped = dma_map_sg(dev, sgl, nents, DMA_TO_DEVICE);

	if (!mapped)
		return -ENOMEM;
	dma_unmap_sg(dev, sgl, mapped, DMA_TO_DEVICE);
	return 0;
}
`;
  it('nents untouched after the map: safe', () => {
    expect(fixes(base)).toEqual([['dma-unmap-sg-nents', 'Pass the original nents (nents)', true]]);
  });
  it('near miss: nents changed after the map — offered', () => {
    const src = base.replace('\tdma_unmap_sg', '\tnents = 1;\n\tdma_unmap_sg');
    expect(fixes(src)).toEqual([['dma-unmap-sg-nents', 'Pass the original nents (nents)', false]]);
  });
  it('the variable was reused for the result: the finding stands, with no fix to apply', () => {
    const src = base
      .replace(
        '\tint mapped = dma_map_sg(dev, sgl, nents, DMA_TO_DEVICE);',
        '\tnents = dma_map_sg(dev, sgl, nents, DMA_TO_DEVICE);',
      )
      .replace(/mapped/g, 'nents');
    expect(lintText(src, { kernelVersion: v612 }).findings.map((f) => [f.rule, f.fixes.length])).toEqual([
      ['dma-unmap-sg-nents', 0],
    ]);
  });
});

describe('dma-unmap-mismatch: only the single/page rename is safe', () => {
  const src = `int f(struct device *dev, void *buf, size_t len)
{
	dma_addr_t addr = dma_map_single(dev, buf, len, DMA_TO_DEVICE);

	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	dma_unmap_page(dev, addr, len, DMA_TO_DEVICE);
	return 0;
}
`;
  it('dma_unmap_page() of a dma_map_single() mapping becomes dma_unmap_single(): the same call underneath', () => {
    expect(fixes(src)).toEqual([['dma-unmap-mismatch', 'Use dma_unmap_single()', true]]);
    expect(fixed(src)).toBe(src.replace('dma_unmap_page', 'dma_unmap_single'));
  });
  it('a direction mismatch: offered', () => {
    const dir = src.replace(
      'dma_unmap_page(dev, addr, len, DMA_TO_DEVICE)',
      'dma_unmap_single(dev, addr, len, DMA_FROM_DEVICE)',
    );
    expect(fixes(dir)).toEqual([['dma-unmap-mismatch', 'Unmap with DMA_TO_DEVICE', false]]);
  });
});
