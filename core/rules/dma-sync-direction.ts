/**
 * dma-sync-direction — a dma_sync_*() whose direction contradicts the mapping (dma-debug: "device
 * driver syncs DMA memory with different direction"), and, as a hint, CPU reads of a
 * DMA_FROM_DEVICE buffer before any sync for the CPU (dma-api.rst, dma_sync_single_for_cpu()).
 */
import { walk } from '../parse/syntax';
import type { SyntaxNode } from '../parse/syntax';
import { cpuReadArgument } from '../catalog/cpuAccess';
import { callArguments, calleeName, canonical, unwrap } from '../analysis/expr';
import { dmaApi, dmaParam, SINGLE_DEVICE_SYNC_NAMES } from '../catalog/dma';
import type { FunctionAnalysis } from '../analysis/types';
import type { DmaOp } from '../analysis/ops';
import type { FileAnalysis } from '../fileAnalysis/types';
import type { Finding } from '../findings';
import { disagreements } from './support/dmaPairs';
import { dmaFunctions } from './support/dmaOps';
import { fnName, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

export const dmaSyncDirection = defineRule({
  id: 'dma-sync-direction',
  meta: {
    title: 'DMA sync direction contradicts the mapping',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaStreaming',
    fixable: 'none',
    description:
      'A dma_sync_* call uses a direction that contradicts the mapping, or the CPU reads a DMA_FROM_DEVICE buffer without dma_sync_*_for_cpu() first (hint).',
    catches:
      "dma_sync_single_for_cpu()/for_device() and the sg forms with a direction other than the mapping's (unless the mapping is DMA_BIDIRECTIONAL), a for_cpu sync of a DMA_TO_DEVICE mapping; a CPU read (memcpy(), print_hex_dump(), crc32(), …) of a buffer right after dma_sync_single_for_device(…, DMA_FROM_DEVICE) gave it to the device, with no for_cpu sync between (the buffer known from the file's map of that handle field, in any function); and, as a hint, CPU reads of a DMA_FROM_DEVICE streaming buffer with no for_cpu sync between the device's write and the read.",
    why: 'dma-debug: "device driver syncs DMA memory with different direction", "… syncs device read-only DMA memory for cpu". On non-coherent platforms a missing for_cpu sync reads stale cache lines.',
    wrong:
      'addr = dma_map_single(dev, buf, len, DMA_FROM_DEVICE);\n...\ndma_sync_single_for_cpu(dev, addr, len, DMA_TO_DEVICE);',
    right: 'dma_sync_single_for_cpu(dev, addr, len, DMA_FROM_DEVICE);',
    fix: 'No automatic fix.',
  },
  check,
});

function check(ctx: RuleContext): Finding[] {
  const { file, finding } = ctx;
  const findings: Finding[] = [];
  for (const { fn, ops } of dmaFunctions(file)) {
    const syncs = ops.filter((o) => o.api.role === 'sync');
    for (const { op, map, verdict } of disagreements(file, fn, syncs, compare)) {
      findings.push(
        finding({
          span: spanOf(op.dirNode ?? op.node),
          function: fn.info.name,
          related: [{ span: spanOf(map.node), message: `mapped ${map.dir ?? ''} here` }],
          message: `${fnName(op.name)} uses ${op.dir}, but the mapping is ${map.dir}: dma-debug "device driver ${verdict}". Sync with the mapping's direction.`,
        }),
      );
    }
    findings.push(...cpuReadHints(ctx, fn, ops));
  }
  const pairs = handleBufferFields(file);
  if (pairs.size > 0) findings.push(...readsAfterDeviceSync(ctx, file, pairs));
  return dedupe(findings);
}

/** One finding per place (the hint and the device-sync read can meet at one call). */
function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<number>();
  return findings.filter((f) => !seen.has(f.span.start) && (seen.add(f.span.start), true));
}

const LAST_FIELD = /^(.*?)(->|\.)([A-Za-z_]\w*)$/;

/**
 * Handle field → buffer field of the streaming maps of the file that keep both in one object
 * (`rx->dma = dma_map_single(dev, rx->buf, …)`: `dma` → `buf`), so that a sync of `x->dma` in
 * another function knows its buffer is `x->buf`. A handle field mapped from two buffer fields is
 * left out.
 */
function handleBufferFields(file: FileAnalysis): Map<string, string> {
  const out = new Map<string, string | null>();
  for (const { ops } of dmaFunctions(file))
    for (const op of ops) {
      if (op.api.role !== 'map' || op.api.returns !== 'handle' || !op.buffer || !op.resultKey) continue;
      const handle = LAST_FIELD.exec(op.resultKey.replace(/\s+/g, ''));
      const buffer = LAST_FIELD.exec(canonical(op.buffer));
      if (!handle || !buffer || handle[1] !== buffer[1]) continue;
      const field = handle[3] as string;
      const seen = out.get(field);
      out.set(field, seen === undefined || seen === buffer[3] ? (buffer[3] as string) : null);
    }
  return new Map([...out].filter((e): e is [string, string] => e[1] !== null));
}

/**
 * `dma_sync_single_for_device(dev, rx->dma, len, DMA_FROM_DEVICE)` and then a CPU read of `rx->buf`
 * with no sync for the CPU in between (issue 11, "Sync ordering"): after a sync for the device the
 * device owns the buffer; the CPU must take it back with dma_sync_*_for_cpu() before it reads, or it
 * may read stale cache lines (or what the device is writing). Often a for_device written where
 * for_cpu was meant.
 */
function readsAfterDeviceSync(
  { finding }: RuleContext,
  file: FileAnalysis,
  pairs: ReadonlyMap<string, string>,
): Finding[] {
  const out: Finding[] = [];
  if (!SINGLE_DEVICE_SYNC_NAMES.some((n) => file.parsed.text.includes(n))) return out;
  // Read from every definition's text: the syncing function (an RX poll) often gets no graph.
  for (const { info } of file.definitions) {
    const calls = info.body.descendantsOfType('call_expression');
    for (const sync of calls) {
      const name = calleeName(sync) ?? '';
      const api = dmaApi(name);
      if (!api || !SINGLE_DEVICE_SYNC_NAMES.includes(name)) continue;
      const args = callArguments(sync);
      const addr = args[dmaParam(api, 'addr')];
      const dir = args[dmaParam(api, 'dir')];
      if (!addr || !dir || unwrap(dir).text !== 'DMA_FROM_DEVICE') continue;
      const key = canonical(addr);
      const handle = LAST_FIELD.exec(key);
      const bufferField = handle ? pairs.get(handle[3] as string) : undefined;
      if (!handle || bufferField === undefined) continue;
      const buffer = `${handle[1]}${handle[2]}${bufferField}`;
      for (const n of calls) {
        if (n.startIndex <= sync.endIndex) continue;
        const callee = calleeName(n) ?? '';
        const other = dmaApi(callee);
        // Taken back (for_cpu) or unmapped first: what follows is the CPU's to read.
        if (
          other &&
          (other.role === 'unmap' || (other.role === 'sync' && other.sync === 'cpu')) &&
          callArguments(n).some((a) => canonical(a) === key)
        )
          break;
        const reads = cpuReadArgument(callee);
        const source = reads === null ? undefined : callArguments(n)[reads];
        if (!source || canonical(source) !== buffer) continue;
        out.push(
          finding({
            span: spanOf(n),
            function: info.name,
            related: [{ span: spanOf(sync), message: 'the buffer was given to the device here' }],
            message: `The CPU reads \`${buffer}\` after ${fnName(name)} gave it to the device (line ${sync.startPosition.row + 1}) and before any dma_sync_single_for_cpu(): the device owns it now, and on non-coherent platforms the CPU may read stale cache lines. Sync for the CPU before the read (a for_device sync where for_cpu was meant?).`,
          }),
        );
        break;
      }
    }
  }
  return out;
}

/** What dma-debug says about a sync in another direction than its mapping; null when they agree. */
function compare(op: DmaOp, map: DmaOp): string | null {
  if (!op.dir || !map.dir || op.dir === map.dir || map.dir === 'DMA_BIDIRECTIONAL') return null;
  return op.api.sync === 'cpu' && map.dir === 'DMA_TO_DEVICE'
    ? 'syncs device read-only DMA memory for cpu'
    : op.api.sync === 'device' && map.dir === 'DMA_FROM_DEVICE'
      ? 'syncs device write-only DMA memory to device'
      : 'syncs DMA memory with different direction';
}

/** The hint: the CPU reads a DMA_FROM_DEVICE buffer between its map and its unmap or sync for the CPU. */
function cpuReadHints({ finding }: RuleContext, fn: FunctionAnalysis, ops: readonly DmaOp[]): Finding[] {
  const hints: Finding[] = [];
  for (const map of ops.filter(
    (o) => o.api.role === 'map' && o.api.returns === 'handle' && o.dir === 'DMA_FROM_DEVICE' && o.buffer && o.key,
  )) {
    const buffer = canonical(map.buffer as SyntaxNode);
    const ends = ops
      .filter(
        (o) =>
          (o.api.role === 'unmap' || (o.api.role === 'sync' && o.api.sync === 'cpu')) &&
          o.key === map.key &&
          o.node.startIndex > map.node.startIndex,
      )
      .map((o) => o.node.startIndex);
    const firstEnd = ends.length > 0 ? Math.min(...ends) : Infinity;
    walk(fn.info.body, (n) => {
      if (n.type !== 'call_expression' || n.startIndex <= map.node.endIndex || n.startIndex >= firstEnd) return true;
      const callee = calleeName(n) ?? '';
      const args = n.childForFieldName('arguments')?.namedChildren ?? [];
      const reads = cpuReadArgument(callee);
      const source = reads === null ? undefined : args[reads];
      if (source && canonical(source) === buffer && ends.length > 0) {
        hints.push({
          ...finding({
            span: spanOf(n),
            function: fn.info.name,
            related: [{ span: spanOf(map.node), message: 'mapped DMA_FROM_DEVICE here' }],
            message: `The CPU reads \`${buffer}\` while it is still mapped DMA_FROM_DEVICE and before any dma_sync_single_for_cpu(): on non-coherent platforms it may read stale cache lines. Sync for the CPU (or unmap) first.`,
          }),
          severity: 'info',
        });
        return false;
      }
      return true;
    });
  }
  return hints;
}
