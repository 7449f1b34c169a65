/**
 * Issue 11, "also fix": messages say exactly what leaks (which handle, scatterlist or memory, and
 * the line it was taken), and honour the chosen kernel version — no advice to call an API the
 * version does not have, and a version older than the catalog covers is refused with the oldest
 * one named.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  OLDEST_KNOWN,
  parseKernelVersion,
  unsupportedVersion,
  type KernelVersion,
} from '../../../core/catalog/version';
import { findings, messages, mutate } from './support';

const root = path.resolve(__dirname, '../../..');
const example = (name: string): string => readFileSync(path.join(root, 'examples', name), 'utf8');
const at = (text: string): KernelVersion => parseKernelVersion(text) as KernelVersion;

describe('what leaks, by name', () => {
  it('a mapping: the handle, what it maps and the line of the map', () => {
    expect(messages(example('dma-mapping-leak.c'), 'dma-mapping-leak').slice(0, 1)).toEqual([
      'The mapping `addr` of `buf` from dma_map_single() (line 13) is neither unmapped nor handed off on this path before `return ret`: it keeps its IOVA space (and any swiotlb bounce buffer); on a PCI device, dma-debug reports it when the driver is unbound: "device driver has pending DMA allocations while released from device".',
    ]);
  });
  it('a scatterlist mapping: the list; coherent memory: the CPU address and its handle', () => {
    const src = `#include <linux/dma-mapping.h>

static int demo_ring(struct device *dev, void *data)
{
	dma_addr_t ring_dma;
	void *ring;
	int ret;

	ring = dma_alloc_coherent(dev, 4096, &ring_dma, GFP_KERNEL);
	if (!ring)
		return -ENOMEM;
	ret = demo_start(dev, data);
	if (ret)
		return ret;
	dma_free_coherent(dev, 4096, ring, ring_dma);
	return 0;
}

static int demo_sg(struct device *dev, struct page *page)
{
	struct scatterlist sg;
	int ret;

	sg_init_table(&sg, 1);
	sg_set_page(&sg, page, PAGE_SIZE, 0);
	if (!dma_map_sg(dev, &sg, 1, DMA_TO_DEVICE))
		return -EIO;
	ret = demo_start(dev, page);
	if (ret)
		return ret;
	dma_unmap_sg(dev, &sg, 1, DMA_TO_DEVICE);
	return 0;
}
`;
    expect(messages(src, 'dma-mapping-leak').map((m) => m.slice(0, m.indexOf(' is neither')))).toEqual([
      'The coherent memory `ring` (handle `ring_dma`) from dma_alloc_coherent() (line 9)',
      'The mapping of `sg` from dma_map_sg() (line 26)',
    ]);
  });
});

describe('--kernel-version: no advice the version cannot follow', () => {
  const gup = example('gup-for-dma.c');
  it('gup-for-dma on 5.8 advises pin_user_pages_fast(), which 5.8 has', () => {
    const [message] = messages(gup, 'gup-for-dma', at('5.8'));
    expect(message?.endsWith('Use pin_user_pages_fast() and unpin_user_page*().')).toBe(true);
  });
  it('near miss: on 5.4 (before pin_user_pages*(), v5.6) get_user_pages*() was the API for DMA: silent', () => {
    expect(findings(gup, 'gup-for-dma', at('5.4'))).toEqual([]);
    expect(findings(gup, 'gup-for-dma', at('5.6'))).toEqual(['gup-for-dma 14']);
  });
  it('longterm-get: FOLL_LONGTERM with get_user_pages() is how 5.2–5.5 did it; from 5.6 it is reported', () => {
    const src = mutate(
      example('longterm-get.c'),
      'get_user_pages(start, mr->npages, FOLL_WRITE | FOLL_LONGTERM, mr->pages);',
      'get_user_pages(start, mr->npages, FOLL_WRITE | FOLL_LONGTERM, mr->pages, NULL);',
    );
    expect(findings(src, 'longterm-get', at('5.4'))).toEqual([]);
    expect(findings(src, 'longterm-get', at('5.6'))).toEqual(['longterm-get 19']);
    expect(messages(src, 'longterm-get', at('5.6'))[0]).toMatch(/Use pin_user_pages\(\) and unpin_user_page\*\(\)\.$/);
  });
});

describe('a version older than the catalog covers', () => {
  it('is refused with the oldest supported version named', () => {
    expect(OLDEST_KNOWN).toBe('4.9');
    expect(unsupportedVersion(at('4.9'))).toBeNull();
    expect(unsupportedVersion(at('4.4'))).toBe(
      "Linux 4.4 is older than pinscope's catalog covers: the oldest supported version is 4.9",
    );
  });
  it('on the command line: a usage error (exit 2), one line', () => {
    const run = spawnSync(
      process.execPath,
      [path.join(root, 'bin', 'pinscope.js'), 'lint', '--kernel-version', '3.10', 'examples/gup-for-dma.c'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')[0]).toBe(
      "pinscope: --kernel-version 3.10: Linux 3.10 is older than pinscope's catalog covers: the oldest supported version is 4.9",
    );
  });
});
