/**
 * Calls and macros that are transparent to what the analysis asks: `unlikely(x)` has the truth
 * of x, `WARN_ON(!p)` tests p, `page_folio(page)` is the same page under another type,
 * `page_to_pfn(page)` identifies the page it is given. One entry per name, with the roles it
 * plays; each consumer selects by role.
 *
 * Where consumers disagree, the roles keep each one's exact membership and the comment says which
 * differences look like bugs (issue 11 decides them).
 */

export type WrapperRole =
  /**
   * Path engine (values.ts): the truth of `w(x)` is the truth of x. include/linux/compiler.h
   * (likely/unlikely), asm-generic/bug.h (WARN_ON* return their condition; BUG_ON does not
   * return when it holds), READ_ONCE() reads the value.
   */
  | 'condition'
  /**
   * Path engine (exprs.ts): `w(x)` has no side effect worth keeping apart, so a condition made of
   * it can be remembered as a fact and decided again (`if (unlikely(!p)) … if (unlikely(!p))`).
   */
  | 'fact'
  /** DMA rules (dma-map-sg-unchecked): `w(x)` counts as testing x. */
  | 'test'
  /** Storage (storage.ts): `w(page)` designates the same page or its folio. */
  | 'same-page'
  /**
   * Storage (storage.ts): `w(page)` is an identity of the page — its pfn, physical or linear
   * address: handing it on hands on the page (`memory_failure(pfn, MF_COUNT_INCREASED)`).
   */
  | 'page-identity'
  /**
   * Fixes (rules/support/stableExpr.ts): `w(x)` computes a number from x without side effects,
   * so evaluating it again later, with x unchanged, gives the same number (sg_nents() walks the
   * list to its end marker, which dma_map_sg() does not move).
   */
  | 'pure';

interface Wrapper {
  readonly name: string;
  readonly roles: readonly WrapperRole[];
}

/**
 * Disagreements (issue 11):
 * - BUG_ON() and WARN_ON_SMP() are as free of side effects as WARN_ON(), yet only WARN_ON/_ONCE
 *   make facts (an oversight, most likely);
 * - the DMA rules' "is it tested" knows BUG_ON and IS_ERR_VALUE (the path engine reads
 *   IS_ERR_VALUE as a comparison with 0 instead) but not READ_ONCE or WARN_ON_SMP.
 */
const WRAPPERS: readonly Wrapper[] = [
  { name: 'likely', roles: ['condition', 'fact', 'test'] },
  { name: 'unlikely', roles: ['condition', 'fact', 'test'] },
  { name: 'WARN_ON', roles: ['condition', 'fact', 'test'] },
  { name: 'WARN_ON_ONCE', roles: ['condition', 'fact', 'test'] },
  { name: 'BUG_ON', roles: ['condition', 'test'] },
  { name: 'READ_ONCE', roles: ['condition'] },
  { name: 'WARN_ON_SMP', roles: ['condition'] },
  { name: 'IS_ERR_VALUE', roles: ['test'] },
  { name: 'page_folio', roles: ['same-page'] },
  { name: 'compound_head', roles: ['same-page'] },
  { name: 'folio_page', roles: ['same-page'] },
  { name: 'pfn_to_page_identity', roles: ['same-page'] },
  { name: 'page_to_pfn', roles: ['page-identity'] },
  { name: 'page_to_phys', roles: ['page-identity'] },
  { name: 'page_address', roles: ['page-identity'] },
  { name: 'page_to_virt', roles: ['page-identity'] },
  { name: 'folio_pfn', roles: ['page-identity'] },
  { name: 'folio_address', roles: ['page-identity'] },
  { name: 'lowmem_page_address', roles: ['page-identity'] },
  { name: 'sg_nents', roles: ['pure'] },
  { name: 'ARRAY_SIZE', roles: ['pure'] },
  { name: 'sizeof', roles: ['pure'] },
  { name: 'min', roles: ['pure'] },
  { name: 'min_t', roles: ['pure'] },
  { name: 'max', roles: ['pure'] },
  { name: 'max_t', roles: ['pure'] },
];

/** The names that play `role`, as a set for lookups. */
export function wrappersWithRole(role: WrapperRole): ReadonlySet<string> {
  return new Set(WRAPPERS.filter((w) => w.roles.includes(role)).map((w) => w.name));
}
