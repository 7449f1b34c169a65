/**
 * CPU accesses to memory by call: the functions that read a buffer with the CPU, and which
 * argument is the buffer they read. A CPU read of a buffer still mapped DMA_FROM_DEVICE, before
 * dma_sync_*_for_cpu(), may see stale cache lines (dma-api-howto.rst, "DMA Direction"; the
 * dma-sync-direction hint). The CPU *writes* of page data are the page uses with `writes` in
 * pageUse.ts.
 */

interface CpuReader {
  readonly name: string;
  /** The argument the rule takes as the buffer read. */
  readonly reads: number;
}

/**
 * Disagreements with the prototypes (issue 11 decides them; the argument indices are what the
 * rule has always used): crc32(seed, buf, len), crc32_le(crc, p, len), skb_put_data(skb, data,
 * len), strncpy/strscpy(dst, src, n) read their second argument and print_hex_dump() its sixth;
 * memcpy_fromio() reads MMIO and writes its first argument.
 */
const CPU_READERS: readonly CpuReader[] = [
  { name: 'memcpy', reads: 1 },
  { name: 'memcmp', reads: 0 },
  { name: 'copy_to_user', reads: 1 },
  { name: 'memcpy_fromio', reads: 0 },
  { name: 'print_hex_dump', reads: 0 },
  { name: 'crc32', reads: 0 },
  { name: 'crc32_le', reads: 0 },
  { name: 'skb_put_data', reads: 0 },
  { name: 'memmove', reads: 1 },
  { name: 'strncpy', reads: 0 },
  { name: 'strscpy', reads: 0 },
];

const byName = new Map(CPU_READERS.map((r) => [r.name, r]));

/** The index of the argument `name` reads with the CPU, or null when it is not a known reader. */
export function cpuReadArgument(name: string): number | null {
  return byName.get(name)?.reads ?? null;
}
