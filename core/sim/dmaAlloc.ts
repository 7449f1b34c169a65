/**
 * Coherent allocations (dma_alloc_coherent() and friends: a dma-debug entry of type coherent, or
 * noncoherent) and DMA pools (mm/dmapool.c: blocks dma-debug does not see, with their own
 * complaints).
 */
import type { DmaApi } from '../catalog/dma';
import { KERNEL_DOCS } from '../catalog/docs';
import type { TraceStep } from '../trace/types';
import { DEFAULT_DEVICE, deviceOf, entryTypeOf, idOf, type DmaStepResult } from './dmaMap';
import { DRIVER, hex, PAGE_SIZE, type DebugTable } from './dmaTable';

export function alloc(table: DebugTable, api: DmaApi, step: TraceStep): DmaStepResult {
  const id = idOf(step);
  if (step.result === 'NULL') {
    table.failed.set(id, `the allocation ${id} failed (NULL)`);
    return { violations: [], result: 'NULL', note: 'the allocation failed: nothing to free' };
  }
  const { entry } = table.add({
    id,
    type: entryTypeOf(api),
    mappedBy: step.call,
    device: deviceOf(step),
    size: typeof step.args.size === 'number' ? step.args.size : PAGE_SIZE,
    direction: typeof step.args.dir === 'string' ? step.args.dir : 'DMA_BIDIRECTIONAL',
    sgCallEnts: 0,
    mappedEnts: 1,
    mapErr: 'n/a',
    pages: [],
    cpu: 'cpu0',
  });
  if (api.managed === true) table.hand(entry, 'the device (devres frees it at unbind)');
  return { violations: [], result: hex(entry.address) };
}

interface Pool {
  readonly id: string;
  readonly size: number;
  /** Blocks allocated and not freed. */
  readonly blocks: Set<string>;
}

/** Blocks listed in a message: the first few, then how many more. */
function blockList(blocks: ReadonlySet<string>, most = 16): string {
  const shown: string[] = [];
  for (const b of blocks) {
    if (shown.length >= most) break;
    shown.push(b);
  }
  return blocks.size > most ? `${shown.join(', ')} and ${blocks.size - most} more` : shown.join(', ');
}

export class Pools {
  private readonly pools = new Map<string, Pool>();
  /** Which pool each allocated block came from. */
  private readonly poolOfBlock = new Map<string, Pool>();
  /** Allocated blocks, over all pools. */
  private blockCount = 0;

  create(step: TraceStep): DmaStepResult {
    const id = idOf(step);
    if (step.result === 'NULL') return { violations: [], result: 'NULL' };
    this.pools.set(id, { id, size: typeof step.args.size === 'number' ? step.args.size : 64, blocks: new Set() });
    return { violations: [] };
  }

  alloc(table: DebugTable, step: TraceStep): DmaStepResult {
    const id = idOf(step);
    const poolId = typeof step.args.pool === 'string' ? step.args.pool : '';
    const pool = this.pools.get(poolId);
    if (!pool) {
      const message = `${step.call}(${id}): no pool "${poolId}" (create it with dma_pool_create id=${poolId || 'pool'})`;
      return { violations: [{ kind: 'invalid-args', message }] };
    }
    if (step.result === 'NULL') {
      table.failed.set(id, `the block ${id} was not allocated (NULL)`);
      return { violations: [], result: 'NULL' };
    }
    const earlier = this.poolOfBlock.get(id);
    this.release(id);
    pool.blocks.add(id);
    this.poolOfBlock.set(id, pool);
    this.blockCount += 1;
    if (!earlier) return { violations: [] };
    const message = `${step.call}(${id}) while the block ${id} from ${earlier.id} is still allocated: that block's address is lost, so it can never be freed`;
    return { violations: [{ kind: 'leak', message, docsUrl: KERNEL_DOCS.dmaPool.url }] };
  }

  free(step: TraceStep): DmaStepResult {
    const id = idOf(step);
    const pool = typeof step.args.pool === 'string' ? this.pools.get(step.args.pool) : this.poolOfBlock.get(id);
    const poolId = typeof step.args.pool === 'string' ? step.args.pool : (pool?.id ?? '');
    if (!pool || !pool.blocks.has(id)) {
      return {
        violations: [
          {
            kind: 'double-release',
            message: `dma_pool_free(${id}): the block is not allocated from ${poolId || 'any pool'} (freed twice, or never allocated)`,
            kernelMessage: `${DRIVER} ${DEFAULT_DEVICE}: dma_pool_free ${poolId || 'pool'}, ${'0xffff888004a00000'}/${hex(0xf0000000)} (bad dma)`,
            docsUrl: KERNEL_DOCS.dmaPool.url,
          },
        ],
      };
    }
    this.release(id);
    return { violations: [] };
  }

  /** The block is no longer allocated from any pool. */
  private release(id: string): void {
    const pool = this.poolOfBlock.get(id);
    if (!pool) return;
    pool.blocks.delete(id);
    this.poolOfBlock.delete(id);
    this.blockCount -= 1;
  }

  destroy(step: TraceStep): DmaStepResult {
    const id = idOf(step);
    const pool = this.pools.get(id);
    if (!pool) return { violations: [] };
    this.pools.delete(id);
    const busy = pool.blocks.size;
    if (busy === 0) return { violations: [] };
    const list = blockList(pool.blocks);
    for (const b of [...pool.blocks]) this.release(b);
    // mm/dmapool.c: a busy pool page is reported and leaked, not freed.
    return {
      violations: [
        {
          kind: 'dma',
          message: `dma_pool_destroy(${id}) while ${busy} block${busy === 1 ? '' : 's'} (${list}) ${busy === 1 ? 'is' : 'are'} still allocated: the pool's pages are leaked, and a later dma_pool_free() touches a destroyed pool`,
          kernelMessage: `${DRIVER} ${DEFAULT_DEVICE}: dma_pool_destroy ${id}, 0xffff888004a00000 busy`,
          docsUrl: KERNEL_DOCS.dmaPool.url,
        },
      ],
    };
  }

  /** Blocks still allocated (the first `most` of them, and how many in all). */
  allocated(most: number): { blocks: string[]; count: number } {
    const blocks: string[] = [];
    for (const b of this.poolOfBlock.keys()) {
      if (blocks.length >= most) break;
      blocks.push(b);
    }
    return { blocks, count: this.blockCount };
  }
}
