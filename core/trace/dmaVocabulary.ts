/**
 * DMA API calls in `.pinsim` traces, derived from the catalog (core/catalog/dma.ts) so the trace
 * language knows exactly the functions the rules know, plus two events that are not calls: the
 * device writing through a mapping, and the driver being unbound (where dma-debug reports leaks).
 *
 *     dma_map_sg id=sg first=0 nents=4 dir=DMA_FROM_DEVICE -> 4
 *     device_write id=sg
 *     dma_unmap_sg id=sg nents=4 dir=DMA_FROM_DEVICE
 */
import { DMA_APIS, type DmaApi } from '../catalog/dma';
import type { ArgKind, StepSpec } from './stepSpec';

function argsFor(api: DmaApi): Record<string, ArgKind> {
  const args: Record<string, ArgKind> = { id: 'word', dev: 'word' };
  const sg = api.type === 'sg';
  switch (api.role) {
    case 'map':
      if (sg) Object.assign(args, { first: 'int', nents: 'int', dir: 'direction' });
      else Object.assign(args, { size: 'int', dir: 'direction', first: 'int', nr: 'int', buf: 'word' });
      break;
    case 'unmap':
      Object.assign(args, sg ? { nents: 'int', dir: 'direction' } : { size: 'int', dir: 'direction' });
      break;
    case 'sync':
      Object.assign(args, sg ? { nents: 'int', dir: 'direction' } : { size: 'int', dir: 'direction' });
      break;
    case 'alloc':
      Object.assign(args, {
        size: 'int',
        ...(api.type === 'pool' ? { pool: 'word' } : {}),
        ...(api.params.includes('dir') ? { dir: 'direction' } : {}),
      });
      break;
    case 'free':
      Object.assign(args, {
        size: 'int',
        cpu: 'word',
        ...(api.type === 'pool' ? { pool: 'word' } : {}),
        ...(api.params.includes('dir') ? { dir: 'direction' } : {}),
      });
      break;
    case 'pool-create':
      Object.assign(args, { size: 'int' });
      break;
    default:
      break;
  }
  return args;
}

/** What `-> RESULT` may say for each kind of call. */
function resultWords(api: DmaApi): readonly string[] | undefined {
  if (api.role === 'map' && api.returns === 'handle') return ['DMA_MAPPING_ERROR'];
  if (api.role === 'alloc' || api.role === 'pool-create') return ['NULL'];
  return undefined;
}

function build(): Map<string, StepSpec> {
  const specs = new Map<string, StepSpec>();
  for (const api of DMA_APIS) {
    if (api.role === 'iova') continue;
    const words = resultWords(api);
    const numeric = api.returns === 'count' || api.returns === 'count-or-errno' || api.returns === 'status';
    specs.set(api.name, {
      kind: 'dma',
      args: argsFor(api),
      summary: api.summary,
      ...(words || numeric ? { result: true } : {}),
      ...(words ? { resultWords: words } : {}),
    });
  }
  specs.set('device_write', {
    kind: 'dma',
    args: { id: 'word', first: 'int', nr: 'int' },
    summary: 'the device writes into the memory behind a mapping (what DMA_FROM_DEVICE is for)',
  });
  specs.set('device_read', {
    kind: 'dma',
    args: { id: 'word' },
    summary: 'the device reads the memory behind a mapping',
  });
  specs.set('cpu_read', {
    kind: 'dma',
    args: { id: 'word' },
    summary: 'the CPU reads a mapped buffer (needs dma_sync_*_for_cpu() after the device wrote it)',
  });
  specs.set('unbind', {
    kind: 'dma',
    args: { dev: 'word' },
    summary: 'the driver is unbound from the device: dma-debug reports mappings still live (PCI devices)',
  });
  return specs;
}

export const DMA_TRACE_CALLS: ReadonlyMap<string, StepSpec> = build();
