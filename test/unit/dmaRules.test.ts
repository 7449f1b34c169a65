/**
 * The DMA rules on near misses (test/fixtures/dma/negatives.c: correct code shaped like each bug,
 * mappings stored in structs, macros and unknown device expressions) — nothing reported — and,
 * so that silence means something, one edit to each near miss that makes the bug real and the
 * exact finding it then gets.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { lintText } from '../../core/lint';

const v612 = parseKernelVersion('6.12') as KernelVersion;
const negatives = readFileSync(path.join(__dirname, '..', 'fixtures', 'dma', 'negatives.c'), 'utf8');

function lint(text: string): [string, number, number, number, number][] {
  return lintText(text, { kernelVersion: v612 }).findings.map((f) => [
    f.rule,
    f.range.line,
    f.range.column,
    f.range.endLine,
    f.range.endColumn,
  ]);
}

/** `negatives` with one exact edit (which must apply once). */
function mutate(from: string, to: string): string {
  const at = negatives.indexOf(from);
  if (at < 0 || negatives.indexOf(from, at + 1) >= 0) throw new Error(`edit does not apply exactly once: ${from}`);
  return negatives.slice(0, at) + to + negatives.slice(at + from.length);
}

const lineOf = (text: string, needle: string): number => text.slice(0, text.indexOf(needle)).split('\n').length;

describe('near misses', () => {
  it('nothing is reported, and every function that maps, allocates or checks a mapping was analysed', () => {
    const result = lintText(negatives, { kernelVersion: v612 });
    expect(result.findings).toEqual([]);
    expect(result.notes).toEqual([]);
    // 18 functions; teardown() and sync_bidirectional() only unmap or sync: no DMA rule applies.
    expect(result.functionsAnalysed).toBe(16);
  });
});

describe('one edit makes each bug real', () => {
  it('dma-mapping-unchecked: the check removed, the handle stored through the out-parameter', () => {
    const text = mutate('\tret = dma_mapping_error(dev, addr);\n\tif (ret)\n\t\treturn ret;\n', '');
    expect(lint(text)).toEqual([
      ['dma-mapping-unchecked', lineOf(text, '*out = addr'), 9, lineOf(text, '*out = addr'), 13],
    ]);
  });

  it('dma-map-sg-unchecked: the test of the field removed', () => {
    const text = mutate('\tif (!req->mapped)\n\t\treturn -ENOMEM;\n', '');
    const line = lineOf(text, 'req->mapped = dma_map_sg');
    expect(lint(text)).toEqual([['dma-map-sg-unchecked', line, 16, line, 73]]);
  });

  it('dma-unmap-mismatch: sizeof(desc) (a pointer) for sizeof(*desc)', () => {
    const text = mutate('sizeof(struct demo_desc), DMA_TO_DEVICE', 'sizeof(desc), DMA_TO_DEVICE');
    const line = lineOf(text, 'sizeof(desc), DMA_TO_DEVICE');
    expect(lint(text)).toEqual([['dma-unmap-mismatch', line, 2, line, 58]]);
  });

  it('dma-unmap-mismatch: the out-of-place branch unmaps `a` with the direction of `b`', () => {
    const text = mutate(
      '\t\tdma_unmap_single(dev, a, len, DMA_TO_DEVICE);\n\t}\n\treturn 0;',
      '\t\tdma_unmap_single(dev, a, len, DMA_FROM_DEVICE);\n\t}\n\treturn 0;',
    );
    const line = lineOf(text, 'dma_unmap_single(dev, a, len, DMA_FROM_DEVICE)');
    expect(lint(text)).toEqual([['dma-unmap-mismatch', line, 3, line, 49]]);
  });

  it('dma-mapping-leak: the function keeps the handle (it unmaps it later) and an error return skips the unmap', () => {
    const text = mutate(
      '\treturn demo_submit(dev, addr, len);',
      '\tif (demo_submit(dev, addr, len))\n\t\treturn -EIO;\n\tdma_unmap_single(dev, addr, len, DMA_TO_DEVICE);\n\treturn 0;',
    );
    const line = lineOf(text, 'if (demo_submit(dev, addr, len))') + 1;
    expect(lint(text)).toEqual([['dma-mapping-leak', line, 3, line, 15]]);
  });

  it('dma-mapping-null-check: the failure test written as !handle', () => {
    const text = mutate(
      '\tif (dma_mapping_error(req->dev, req->dma)) {\n\t\treq->dma = 0;',
      '\tif (!req->dma) {\n\t\treq->dma = 0;',
    );
    const line = lineOf(text, 'if (!req->dma)');
    expect(lint(text)).toEqual([['dma-mapping-null-check', line, 6, line, 15]]);
  });

  it('dma-pool-leak: the block is used but not freed before the pool is destroyed', () => {
    const text = mutate(
      '\t\tdemo_run(dev, dma);\n\t\tdma_pool_free(pool, block, dma);\n',
      '\t\tmemset(block, 0, 64);\n',
    );
    const line = lineOf(text, 'dma_pool_destroy(pool);');
    expect(lint(text)).toEqual([['dma-pool-leak', line, 2, line, 24]]);
  });

  it('dma-unmap-mismatch: the free no longer tests what the allocation tested, so coherent memory can reach kfree()', () => {
    const text = mutate(
      '\tif (demo_start(req, other)) {\n\t\tif (req->nents == 1)',
      '\tif (demo_start(req, other)) {\n\t\tif (other)',
    );
    const line = lineOf(text, '\t\t\tkfree(req->desc);');
    expect(lint(text)).toEqual([['dma-unmap-mismatch', line, 10, line, 19]]);
  });

  it('dma-on-stack: the kmalloc() buffer becomes a stack array', () => {
    const text = mutate('\tu8 *cmd = kmalloc(16, GFP_KERNEL);', '\tu8 cmd[16];');
    const line = lineOf(text, 'addr = dma_map_single(dev, cmd, 16');
    expect(lint(text).filter((r) => r[0] === 'dma-on-stack')).toEqual([['dma-on-stack', line, 29, line, 32]]);
  });
});
