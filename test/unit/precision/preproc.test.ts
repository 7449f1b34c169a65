/**
 * Issue 11, class 6: the preprocessor. Code under `#ifdef X` where the file `#undef`s X, or never
 * defines X and X is a debug switch, is not compiled: it is not walked as a branch, and a function
 * defined there is not analysed. Shaped like nicstar's GENERAL_DEBUG and wanxl's DEBUG_PCI.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCParser } from '../../../core/parse/parser';
import type { SyntaxNode } from '../../../core/parse/syntax';
import { conditionalBlocks, deadRanges, liveArms, preprocSwitches } from '../../../core/analysis/preproc';
import { findings, lineOf, mutate } from './support';

describe('a test under a debug switch the file #undefs (nicstar push_rxbufs)', () => {
  const src = `#include <linux/dma-mapping.h>

#undef DEMO_GENERAL_DEBUG

static void demo_push(struct device *dev, void *data, size_t len, dma_addr_t *slot)
{
	dma_addr_t addr1;

	addr1 = dma_map_single(dev, data, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, addr1))
		return;
#ifdef DEMO_GENERAL_DEBUG
	if (!addr1)
		printk("demo: push with addr1 = 0\\n");
#endif
	*slot = addr1;
}
`;
  it('near miss: the #ifdef arm is dead, not a second test of the handle', () => {
    expect(findings(src)).toEqual([]);
  });
  it('one edit (#define instead of #undef): the debug test is compiled, and reported', () => {
    const text = mutate(src, '#undef DEMO_GENERAL_DEBUG', '#define DEMO_GENERAL_DEBUG');
    // The check before it covers the handle: the 0 test is a deliberate one, not a failure check.
    expect(findings(text)).toEqual([]);
    const unchecked = mutate(text, '\tif (dma_mapping_error(dev, addr1))\n\t\treturn;\n', '');
    expect(findings(unchecked)).toEqual([`dma-mapping-null-check ${lineOf(unchecked, 'if (!addr1)')}`]);
  });
});

describe('a function defined under a debug switch the file never defines (wanxl DEBUG_PCI)', () => {
  const src = `#include <linux/dma-mapping.h>

#ifdef DEMO_DEBUG_PCI
static inline dma_addr_t demo_map_debug(struct device *dev, void *ptr, size_t size, u32 *reg)
{
	dma_addr_t addr = dma_map_single(dev, ptr, size, DMA_TO_DEVICE);

	writel(addr, reg);
	return addr;
}
#endif
`;
  it('near miss: not compiled, not analysed', () => {
    expect(findings(src)).toEqual([]);
  });
  it('one edit (the switch defined): analysed, and the unchecked write reported', () => {
    const text = mutate(src, '#ifdef DEMO_DEBUG_PCI', '#define DEMO_DEBUG_PCI\n#ifdef DEMO_DEBUG_PCI');
    expect(findings(text)).toEqual([`dma-mapping-unchecked ${lineOf(text, 'writel(addr')}`]);
  });
});

describe('#else arms: the live arm is walked, and only it', () => {
  const src = `#include <linux/dma-mapping.h>

static int demo_map(struct device *dev, void *buf, size_t len, u32 *reg)
{
	dma_addr_t addr = dma_map_single(dev, buf, len, DMA_TO_DEVICE);

#ifdef VERBOSE_DEBUG
	writel(addr, reg);
#else
	if (dma_mapping_error(dev, addr))
		return -ENOMEM;
	writel(addr, reg);
#endif
	return 0;
}
`;
  it('near miss: VERBOSE_DEBUG is never defined; the #else arm checks the handle', () => {
    expect(findings(src)).toEqual([]);
  });
  it('one edit (#ifndef): the unchecked arm is the live one', () => {
    const text = mutate(src, '#ifdef VERBOSE_DEBUG', '#ifndef VERBOSE_DEBUG');
    expect(findings(text)).toEqual([`dma-mapping-unchecked ${lineOf(text, 'writel(addr')}`]);
  });
});

describe('what the file decides, and what it does not', () => {
  const parser = createCParser();
  const arms = (text: string): string[] => {
    const root = parser.parse(text).root;
    let first: SyntaxNode | null = null;
    const find = (n: SyntaxNode): void => {
      // The last chain in the text (the one a test is about).
      if (n.type === 'preproc_if' || n.type === 'preproc_ifdef') first = n;
      for (const c of n.namedChildren) find(c);
    };
    find(root);
    if (!first) throw new Error('no #if');
    return liveArms(first, preprocSwitches(text, root)).map((a) => a.text.split('\n')[0] as string);
  };
  it('#if 0, #if 1, defined(), an unknown CONFIG_ option, #elif', () => {
    expect(arms('#if 0\nint a;\n#else\nint b;\n#endif\n')).toEqual(['#else']);
    expect(arms('#if 1\nint a;\n#else\nint b;\n#endif\n')).toEqual(['#if 1']);
    expect(arms('#define FOO 1\n#if defined(FOO) && !defined(DEBUG)\nint a;\n#endif\n')).toEqual([
      '#if defined(FOO) && !defined(DEBUG)',
    ]);
    expect(arms('#ifdef CONFIG_DEMO\nint a;\n#else\nint b;\n#endif\n')).toEqual(['#ifdef CONFIG_DEMO', '#else']);
    expect(arms('#if DEBUG\nint a;\n#elif CONFIG_X\nint b;\n#else\nint c;\n#endif\n')).toEqual([
      '#elif CONFIG_X',
      '#else',
    ]);
    // Directives count where they stand: the last one before the test decides.
    expect(arms('#undef X\n#define X\n#ifdef X\nint a;\n#else\nint b;\n#endif\n')).toEqual(['#ifdef X']);
    expect(arms('#define X\n#undef X\n#ifdef X\nint a;\n#else\nint b;\n#endif\n')).toEqual(['#else']);
    // An include guard is not decided by the #define inside it.
    expect(arms('#ifndef _DEMO_H_\n#define _DEMO_H_\nint a;\n#endif\n')).toEqual(['#ifndef _DEMO_H_']);
    // A switch defined only inside another #if block: maybe defined.
    expect(arms('#ifdef CONFIG_X\n#define DEBUG\n#endif\n#ifdef DEBUG\nint a;\n#else\nint b;\n#endif\n')).toEqual([
      '#ifdef DEBUG',
      '#else',
    ]);
  });
  it('dead ranges cover the dead arm up to the next arm', () => {
    const text = '#ifdef DEBUG\nint a;\n#else\nint b;\n#endif\n';
    const root = parser.parse(text).root;
    const [range] = deadRanges(root, preprocSwitches(text, root));
    expect(text.slice(range?.[0], range?.[1])).toBe('#ifdef DEBUG\nint a;\n');
  });
});

describe('#if 0 in the middle of a function (typhoon_alloc_rx_skb)', () => {
  const src = `#include <linux/dma-mapping.h>

static void demo_refill(struct device *dev, void *data, u32 *reg)
{
	dma_addr_t dma_addr;

#if 0
	demo_align(data);
#endif
	dma_addr = dma_map_single(dev, data, 1536, DMA_FROM_DEVICE);
	writel(dma_addr, reg);
}
`;
  it('the code after a dead block is still reached: the unchecked write is reported', () => {
    expect(findings(src)).toEqual([`dma-mapping-unchecked ${lineOf(src, 'writel(dma_addr')}`]);
  });
});

describe('conditionalBlocks finds every #if block a tree walk finds', () => {
  const parser = createCParser();
  const walked = (root: SyntaxNode): number[] =>
    root.descendantsOfType(['preproc_if', 'preproc_ifdef']).map((n) => n.startIndex);
  it('nested, spaced, in comments and strings, inside functions and broken code', () => {
    const text = `#if 0
# ifdef A
#  ifndef B
int x;
#  endif
# endif
#elif defined(C)
/* #if 1 in a comment */
const char *s = "#if 1";
#else
#endif
static int f(void)
{
#ifdef D
	return 1;
#endif
	if (x) {
#if E
	}
#endif
	return 0;
}
`;
    const root = parser.parse(text).root;
    expect(conditionalBlocks(root).map((n) => n.startIndex)).toEqual(walked(root));
    // `#if 0`'s arm is blanked before parsing (prepare.ts): its nested blocks are not in the tree.
    expect(conditionalBlocks(root).map((n) => [n.type, n.startPosition.row])).toEqual([
      ['preproc_if', 0],
      ['preproc_ifdef', 13],
      ['preproc_if', 17],
    ]);
  });
  const tree = [
    process.env.PINSCOPE_KERNEL_TREE ?? '',
    '/work/kernel/linux-source-6.12',
    path.join(__dirname, '..', '..', '..', '.bench-cache', 'linux-source-6.12'),
  ].find((t) => t !== '' && existsSync(t));
  it
    .skipIf(!tree)
    .each(['mm/gup.c', 'drivers/scsi/st.c', 'drivers/net/ethernet/intel/e1000/e1000_main.c', 'kernel/fork.c'])(
    `kernel %s (${tree ?? 'no kernel tree at /work/kernel/linux-source-6.12, .bench-cache or $PINSCOPE_KERNEL_TREE: skipped'})`,
    (rel) => {
      const file = path.join(tree as string, rel);
      const root = parser.parse(readFileSync(file, 'latin1')).root;
      expect(walked(root).length).toBeGreaterThan(0);
      expect(conditionalBlocks(root).map((n) => n.startIndex)).toEqual(walked(root));
    },
  );
});
