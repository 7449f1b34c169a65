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
 * The buffer argument as the kernel's prototypes have it (include/linux/crc32.h, skbuff.h,
 * string.h, printk.h): crc32(seed, buf, len), skb_put_data(skb, data, len), strscpy(dst, src, n),
 * print_hex_dump(level, prefix, type, rowsize, groupsize, buf, len, ascii). memcmp() reads both;
 * its first is taken. memcpy_fromio() reads MMIO, not memory, and is not here.
 */
const CPU_READERS: readonly CpuReader[] = [
  { name: 'memcpy', reads: 1 },
  { name: 'memcmp', reads: 0 },
  { name: 'copy_to_user', reads: 1 },
  { name: 'print_hex_dump', reads: 5 },
  { name: 'print_hex_dump_debug', reads: 5 },
  { name: 'crc32', reads: 1 },
  { name: 'crc32_le', reads: 1 },
  { name: 'crc32_be', reads: 1 },
  { name: 'skb_put_data', reads: 1 },
  { name: 'skb_copy_to_linear_data', reads: 1 },
  { name: 'memmove', reads: 1 },
  { name: 'strncpy', reads: 1 },
  { name: 'strscpy', reads: 1 },
];

const byName = new Map(CPU_READERS.map((r) => [r.name, r]));

/** The index of the argument `name` reads with the CPU, or null when it is not a known reader. */
export function cpuReadArgument(name: string): number | null {
  return byName.get(name)?.reads ?? null;
}
