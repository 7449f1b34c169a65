/**
 * Kernel functions by what they do *not* do: calls that take pages or a DMA handle without
 * keeping them (logging, accessors, bookkeeping), names that read like release helpers but are
 * not, and the naming conventions pinscope reads meaning from when a helper is not defined in the
 * file (`*_unpin_pages`, `*_map_check`, `lock_*`/`unlock_*`).
 */
import type { Family } from './gup';
import { freesWithRole } from './memory';

/** Who asks whether a call keeps what it is given. */
export type InertFor =
  /** Page operations: pages passed to the call do not escape (`callEscapes` in analysis/ops). */
  | 'pages'
  /** DMA: a handle passed to the call is not handed on (`handleIsInert`). */
  | 'dma';

/**
 * Name prefixes of logging, tracing and assertion calls. Disagreement (issue 11): `dbg*` and
 * `printk*` names are inert for DMA handles but an escape for pages — most likely an oversight.
 */
const LOGGING_PREFIXES: readonly { readonly prefix: string; readonly for: readonly InertFor[] }[] = [
  { prefix: 'pr_', for: ['pages', 'dma'] },
  { prefix: 'dev_', for: ['pages', 'dma'] },
  { prefix: 'netdev_', for: ['pages', 'dma'] },
  { prefix: 'trace_', for: ['pages', 'dma'] },
  { prefix: 'WARN', for: ['pages', 'dma'] },
  { prefix: 'BUG', for: ['pages', 'dma'] },
  { prefix: 'dbg', for: ['dma'] },
  { prefix: 'printk', for: ['dma'] },
];

function loggingPattern(who: InertFor): RegExp {
  const alternatives = LOGGING_PREFIXES.filter((p) => p.for.includes(who)).map((p) => p.prefix);
  return new RegExp(`^(${alternatives.join('|')})`);
}

/** Calls that take a page array (or a page) but never keep it: allocation and bookkeeping helpers. */
const KEEPS_NO_PAGES: ReadonlySet<string> = new Set([
  ...freesWithRole('keeps-no-pages'),
  'memset',
  'sizeof',
  'page_to_pfn',
  'page_folio',
  'PageDirty',
  'PageHuge',
  'PageCompound',
  'lock_page',
  'unlock_page',
  'folio_lock',
  'folio_unlock',
  'page_count',
  'page_ref_count',
  'folio_ref_count',
  'dump_page',
  'pr_debug',
  'pr_err',
  'pr_info',
  'dev_dbg',
  'dev_err',
  'dev_warn',
  'WARN_ON',
  'WARN_ON_ONCE',
  'BUG_ON',
  'trace_printk',
  'kmemleak_ignore',
  'page_to_nid',
  'PageReserved',
  'is_zone_device_page',
  'compound_head',
  'compound_order',
  'folio_nr_pages',
  'folio_size',
  'page_size',
  'PageAnon',
  'IS_ERR',
  'PTR_ERR',
  'IS_ERR_OR_NULL',
  'unlikely',
  'likely',
  'ARRAY_SIZE',
  'min',
  'max',
  'min_t',
  'max_t',
  'flush_dcache_page',
  'struct_size',
  'array_size',
  'size_mul',
  'flex_array_size',
  'sendpage_ok',
  'page_to_phys',
  'page_address',
  'folio_test_large',
  'PageHighMem',
  'PageSlab',
  'page_mapping',
  'folio_mapping',
  'is_zero_page',
  'is_zero_pfn',
  'kmap',
  'kunmap',
  'kmap_local_page',
  'kunmap_local',
  'kmap_atomic',
  'kunmap_atomic',
  'folio_page_idx',
  'PageTransHuge',
  'folio_order',
  'get_page',
  'put_page',
]);

const LOGS_FOR_PAGES = loggingPattern('pages');

/** Whether passing pages to `name` keeps them where they were (not an escape). */
export function keepsNoPages(name: string): boolean {
  return KEEPS_NO_PAGES.has(name) || LOGS_FOR_PAGES.test(name);
}

/**
 * Calls that take a DMA value without taking ownership: scatterlist accessors that only read the
 * list, copies, checks and logging. (The DMA API's own calls are inert too; dma.ts knows them.)
 */
const DMA_INERT: ReadonlySet<string> = new Set([
  'for_each_sg',
  'for_each_sgtable_sg',
  'for_each_sgtable_dma_sg',
  'for_each_sgtable_page',
  'for_each_sgtable_dma_page',
  'sg_dma_address',
  'sg_dma_len',
  'sg_next',
  'sg_page',
  'sg_virt',
  'sg_phys',
  'sg_nents',
  'sg_nents_for_len',
  'sg_copy_to_buffer',
  'sg_copy_from_buffer',
  'sg_pcopy_to_buffer',
  'sg_pcopy_from_buffer',
  'sg_is_last',
  'sg_free_table',
  'sg_free_append_table',
  'sg_init_table',
  'sg_init_one',
  'sg_set_page',
  'sg_set_buf',
  'sg_mark_end',
  // include/scsi/scsi_cmnd.h: a command's accessors read it and keep nothing (scsi_dma_map(cmd)
  // keeps its mapping in the command; these do not take the command anywhere).
  'scsi_for_each_sg',
  'scsi_for_each_prot_sg',
  'scsi_sglist',
  'scsi_sg_count',
  'scsi_bufflen',
  'scsi_prot_sglist',
  'scsi_prot_sg_count',
  'scsi_cmd_priv',
  'scsi_cmd_to_rq',
  'scsi_get_resid',
  'scsi_set_resid',
  'scsi_get_lba',
  'scsi_get_sector',
  'scsi_get_prot_op',
  'scsi_get_prot_type',
  'scsi_prot_ref_tag',
  'scsi_prot_interval',
  'scsi_logical_block_count',
  'scsi_print_command',
  'memset',
  'memcpy',
  'memcpy_toio',
  'memcpy_fromio',
  'sizeof',
  'IS_ERR',
  'IS_ERR_OR_NULL',
  'likely',
  'unlikely',
  'printk',
  'print_hex_dump',
  'print_hex_dump_bytes',
  'print_hex_dump_debug',
  'dump_stack',
]);

const LOGS_FOR_DMA = loggingPattern('dma');

/**
 * A driver's own debug print macro, by its name: `dprintk`, `dprintkdbg` (dc395x), `ATH5K_DBG`,
 * `wil_dbg_txrx`, `IWL_DEBUG_TX`, `ql_dbg`. Printing a handle hands it to no one (issue 11, class 5).
 */
const DEBUG_PRINT = /^d?printk|printk$|(?:^|_)(?:dbg|debug|dprintk)(?:_|$)/i;

function looksLikeDebugPrint(name: string): boolean {
  return DEBUG_PRINT.test(name);
}

/** Logging, tracing and debug prints: what they are given, however computed, goes nowhere. */
export function printsOnly(name: string): boolean {
  return LOGS_FOR_DMA.test(name) || looksLikeDebugPrint(name) || name.startsWith('print_hex_dump');
}

/**
 * Scatterlist setters that store a buffer in an entry: `sg_set_buf(sg, buf, len)` and
 * `sg_set_page(sg, page, len, offset)` keep their second argument in `sg`, and whoever owns the
 * list frees it from there (intel_th's msc windows: `sg_set_buf(sg_ptr, block, PAGE_SIZE)` of a
 * coherent block, freed by the window's free routine from `sg_virt(sg_ptr)`).
 */
const SG_SETTERS: ReadonlySet<string> = new Set(['sg_set_buf', 'sg_set_page']);

/** The argument a scatterlist setter stores into its entry (its first argument), or -1. */
export function sgSetterStores(name: string): number {
  return SG_SETTERS.has(name) ? 1 : -1;
}

/** Whether passing a DMA handle to `name` (not a DMA API call) keeps it where it was. */
export function keepsNoDmaHandle(name: string): boolean {
  return DMA_INERT.has(name) || LOGS_FOR_DMA.test(name) || looksLikeDebugPrint(name);
}

/**
 * Register writes: a handle passed to one reaches the device at once (`writel(addr, reg)`), so it
 * is a device use even when a dma_mapping_error() check follows on the next line.
 */
const MMIO_WRITE =
  /^(?:__raw_)?write[bwlq](?:_relaxed|_be)?$|^iowrite(?:8|16|32|64)(?:be)?(?:_rep)?$|^(?:lo_hi|hi_lo)_writeq/;

export function writesDeviceRegister(name: string): boolean {
  return MMIO_WRITE.test(name);
}

/**
 * Helpers not defined in the file that, by their name, release the user pages they are given
 * (`foo_unpin_pages`, `put_pages`, `release_user_pages`): a verb, then `_page` or `_pages` at the end.
 */
const RELEASE_VERBS: readonly string[] = ['put', 'unpin', 'release', 'unlock'];

/** For classifying a call: the verb starts a word of the name (`__put_user_pages`, `sgl_unpin_pages`). */
const RELEASE_HELPER = new RegExp(`^_*(?:\\w*_)?(?:${RELEASE_VERBS.join('|')})(?:_\\w*)?_pages?$`);

/**
 * For deciding which functions to analyse: the verb anywhere (`output_pages` counts too). Wider
 * than RELEASE_HELPER on purpose — it may only keep more functions, never fewer.
 */
const RELEASE_HELPER_LOOSE = new RegExp(`(${RELEASE_VERBS.join('|')})\\w*_pages?$`);

/** Names that match the release-helper shape but release no GUP pages. */
const NOT_RELEASE_HELPERS: ReadonlySet<string> = new Set([
  ...freesWithRole('not-a-gup-release'),
  'put_pages_list',
  'release_pages',
  'lock_pages',
  'unlock_page',
  'get_pages',
  'put_page',
  'unpin_user_page',
  'folio_unlock',
  'page_unlock',
]);

/** Whether an undefined helper `name` releases the pages it is given, by its name. */
export function isReleaseHelperName(name: string): boolean {
  return RELEASE_HELPER.test(name) && !NOT_RELEASE_HELPERS.has(name);
}

/** Whether a call to `name` may release pages (relevance: which functions to analyse). */
export function mayBeReleaseHelper(name: string): boolean {
  return RELEASE_HELPER_LOOSE.test(name);
}

/** The family a release helper's name says it releases: `unpin` → pin, a `put` word → get. */
export function releaseHelperFamily(name: string): Family | null {
  if (/unpin/.test(name)) return 'pin';
  if (/(^|_)put(_|$)/.test(name)) return 'get';
  return null;
}

/** Helpers that check a DMA mapping for their caller, by name (`enic_dma_map_check`, `foo_mapping_error`). */
const MAPPING_CHECKER = /(?:^|_)(?:dma_)?(?:mapping|map)_?(?:error|err|check)$|dma_check/i;

export function looksLikeMappingChecker(name: string): boolean {
  return name !== 'dma_mapping_error' && MAPPING_CHECKER.test(name);
}

/**
 * Word pairs of the kernel's naming convention for paired functions (`lock_pages`/
 * `unlock_pages`, `sgl_map_user_pages`/`sgl_unmap_user_pages`).
 */
export const PAIRED_NAME_WORDS: readonly (readonly [string, string])[] = [
  ['lock', 'unlock'],
  ['pin', 'unpin'],
  ['map', 'unmap'],
  ['get', 'put'],
  ['acquire', 'release'],
  ['alloc', 'free'],
  ['grab', 'release'],
  ['register', 'unregister'],
  ['init', 'fini'],
  ['setup', 'teardown'],
];

/**
 * Byte-order and width conversions (include/linux/byteorder/generic.h, kernel.h): the value they
 * return is their argument, converted — a DMA handle written through one is still that handle.
 */
const CONVERSIONS = /^(?:cpu_to_(?:le|be)(?:16|32|64)|lower_32_bits|upper_32_bits)$/;

export function convertsValue(name: string): boolean {
  return CONVERSIONS.test(name);
}

const DMA_RELEASE_CALL = /\bdma_(?:unmap|free)_\w*\s*\(/;

/** Whether C text calls a DMA unmap or free (`dma_unmap_single(`, `dma_free_coherent(`). */
export function callsDmaRelease(text: string): boolean {
  return DMA_RELEASE_CALL.test(text);
}

/**
 * A comment that says the code leaks on purpose ("we leak the DMA buffer here ... no choice"), not
 * one that says it must not ("to avoid a leak", "don't leak", "no leak").
 */
export function saysDeliberateLeak(comment: string): boolean {
  return (
    /\bleak(?:s|ed|ing)?\b/i.test(comment) &&
    !/\b(?:avoid\w*|prevent\w*|don'?t|do not|not|no|never|fix\w*)\s+(?:\w+\s+)?leak/i.test(comment)
  );
}
