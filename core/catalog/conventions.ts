/**
 * Kernel naming conventions pinscope reads meaning from where the code says nothing else: how
 * error-exit labels and status variables are called, which field names hold pages, which
 * function names say they hold pages for access or for a long time, and which integer types are
 * unsigned. Coding-style.rst §7 ("Centralized exiting of functions") for the labels.
 */

/** Labels that read like error exits (`err_unmap:`, `out:`, `fail:`): where a mapping check can jump. */
export const ERROR_LABEL = /^(err|out|fail|free|unwind|error|bail|cleanup|exit|put|release|undo|unlock|abort)/i;

/**
 * include/scsi/scsi.h: the "retry later" answers of a SCSI queuecommand. The mid-layer takes the
 * command back unaccepted and requeues it (it is mapped again when it is dispatched again).
 */
export const SCSI_MIDLAYER_BUSY = /^SCSI_MLQUEUE_(?:HOST|DEVICE|TARGET)_BUSY$/;

/** Local variables that by convention hold a function's 0-or-`-errno` status, in order of preference. */
export const STATUS_VARIABLES: readonly string[] = ['ret', 'rc', 'err', 'error'];

/** A field whose last name says it holds pages (`obj->pages`, `st->pvec`, `buf->folios`). */
export function isPageFieldName(field: string): boolean {
  return /page|pvec|folio/i.test(field);
}

/**
 * A function whose name says it holds pages for someone to access (lock_pages, *_pin_*, *_dma_*,
 * *_userptr_*): pages it requests with FOLL_WRITE and hands back are written later.
 */
export function namesPagesHeldForAccess(fnName: string): boolean {
  return /(^|_)(pin|lock|dma|dio|userptr|umem|map)(_|$)/.test(fnName);
}

/**
 * Names that mark a long-lived, user-controlled mapping: DRM userptr GEM objects, RDMA umem and
 * memory regions, VFIO, io_uring registered buffers.
 */
export const LONG_TERM_HINT =
  /(?:^|[^a-z])(userptr|umem|gem|vfio|ib_mr|registered|reg_buf|fixed_buf|longterm|long_term)(?:[^a-z]|$)/i;

/**
 * Unsigned integer types of C and the kernel (include/linux/types.h, uapi/asm-generic/int-ll64.h):
 * a GUP result stored in one loses its -errno.
 */
export const UNSIGNED_TYPE =
  /^(?:unsigned\b.*|size_t|u8|u16|u32|u64|__u8|__u16|__u32|__u64|uint|ulong|ushort|uint8_t|uint16_t|uint32_t|uint64_t|dma_addr_t|phys_addr_t|pgoff_t|bool|_Bool)$/;

/**
 * Object-like macros whose name says they are a size (`SZ_4K`, `XDRV_RING_SIZE`, `MAX_LEN`,
 * `NR_PAGES`): the header constants the tree index keeps (a tree has millions of `#define`s; the
 * path engine reads numeric sizes, core/fileAnalysis/fileFacts.ts).
 */
export const SIZE_CONSTANT_NAME = /^SZ_\w+$|(?:SIZE|_LEN|BYTES|PAGES)$/;
