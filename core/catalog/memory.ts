/**
 * Kernel memory the analysis reasons about besides pages and DMA: which calls allocate memory a
 * function then owns, which free it, and which hand out vmalloc memory — not DMA-able
 * (dma-api-howto.rst, "What memory is DMA'able?": "you cannot take the return of a vmalloc() call
 * and DMA to/from that").
 *
 * Each entry says which role(s) it plays, and each consumer asks for one role, so that a name is
 * taught to pinscope once. Where consumers disagree today, the entries keep each consumer's exact
 * membership and the disagreement is written next to them (issue 11 decides them).
 */

/** What a consumer wants to know about an allocation call. */
export type AllocatorRole =
  /**
   * File linkage (`isGupOnly`): a struct field stored from this call holds a fresh array, not
   * pages taken elsewhere, so the field still links GUP acquires and releases across functions.
   */
  | 'fresh-array'
  /**
   * Path engine: a local pointer initialised or assigned from this call owns what it points at,
   * so a DMA mapping or allocation kept under it is the function's own (`dmaKeyIsNonLocal`).
   */
  | 'owned-object';

/**
 * Allocators by the shape of their name: `<prefix><m|z|c>?alloc<suffix>` — kmalloc, kzalloc,
 * kcalloc, kvmalloc, vzalloc, devm_kzalloc, kmalloc_array, __vmalloc, ...
 */
interface AllocatorFamily {
  readonly prefix: string;
  readonly roles: readonly AllocatorRole[];
}

const ALLOCATOR_FAMILIES: readonly AllocatorFamily[] = [
  { prefix: 'k', roles: ['fresh-array', 'owned-object'] },
  { prefix: 'kv', roles: ['fresh-array', 'owned-object'] },
  { prefix: 'v', roles: ['fresh-array', 'owned-object'] },
  { prefix: 'devm_k', roles: ['fresh-array', 'owned-object'] },
  // Disagreement (issue 11): only linkage knows `__vmalloc()`; the path engine not taking it as an
  // owned object looks like an oversight.
  { prefix: '__v', roles: ['fresh-array'] },
];

const SIZE_LETTERS = '(?:m|z|c)?';

function prefixes(role: AllocatorRole): string {
  return ALLOCATOR_FAMILIES.filter((f) => f.roles.includes(role))
    .map((f) => f.prefix)
    .join('|');
}

/**
 * Linkage takes the bare name and the `_array`/`_node` variants only; the path engine takes any
 * suffix (`kmalloc_track_caller`, `kzalloc_objs`). Disagreement (issue 11): the narrow form misses
 * `kmalloc_array_node` and `devm_kmalloc_array`-style spellings that the wide one accepts.
 */
const FRESH_ARRAY_ALLOCATOR = new RegExp(`^(?:${prefixes('fresh-array')})${SIZE_LETTERS}alloc(?:_array|_node)?$`);

/** `kmalloc(...)`, `(T *)kzalloc(...)`, `(kcalloc(...))` at the start of an expression's text. */
const OWNED_OBJECT_ALLOCATION = new RegExp(
  `^\\s*\\(?\\s*(?:\\([^)]*\\)\\s*)?(?:${prefixes('owned-object')})${SIZE_LETTERS}alloc\\w*\\s*\\(`,
);

/** Whether a call to `name` gives a fresh array to store in a field (file linkage). */
export function allocatesFreshArray(name: string): boolean {
  return FRESH_ARRAY_ALLOCATOR.test(name);
}

/** Whether an expression's text starts with an allocation the function then owns (path engine). */
export function startsWithOwnedAllocation(text: string): boolean {
  return OWNED_OBJECT_ALLOCATION.test(text);
}

/**
 * Allocators whose memory is (or may be) vmalloc memory, for dma-on-stack. The kvmalloc family
 * falls back to vmalloc for large sizes, so its memory is not DMA-able either. Disagreement
 * (issue 11): `vmalloc_32`, `vmalloc_huge` and `__vmalloc_node` are not listed.
 */
const VMALLOC_ALLOCATORS: ReadonlySet<string> = new Set([
  'vmalloc',
  'vzalloc',
  'vmalloc_user',
  'vmalloc_node',
  'vzalloc_node',
  '__vmalloc',
  'vmalloc_array',
  'vcalloc',
  'kvmalloc',
  'kvzalloc',
  'kvmalloc_array',
  'kvcalloc',
  'kvmalloc_node',
  'kvzalloc_node',
]);

export function isVmallocAllocator(name: string): boolean {
  return VMALLOC_ALLOCATORS.has(name);
}

/** What a consumer wants to know about a free. */
export type FreeRole =
  /** Path engine: freeing coherent DMA memory with it is wrong (dma_free_coherent() is right). */
  | 'wrong-for-coherent'
  /** Page operations: it takes a page array without keeping the pages (not an escape). */
  | 'keeps-no-pages'
  /** Page operations: its name reads like a release helper's, but it releases no GUP pages. */
  | 'not-a-gup-release';

interface FreeCall {
  readonly name: string;
  readonly roles: readonly FreeRole[];
}

/**
 * Disagreements (issue 11): `__free_pages` is not a wrong free for coherent memory although
 * `free_pages` is; `kfree_sensitive`, `free_pages` and `free_page` are not taken as keeping no
 * pages, so pages passed to them count as escaping.
 */
const FREE_CALLS: readonly FreeCall[] = [
  { name: 'kfree', roles: ['wrong-for-coherent', 'keeps-no-pages'] },
  { name: 'kvfree', roles: ['wrong-for-coherent', 'keeps-no-pages'] },
  { name: 'vfree', roles: ['wrong-for-coherent', 'keeps-no-pages'] },
  { name: 'free_pages', roles: ['wrong-for-coherent', 'not-a-gup-release'] },
  { name: 'free_page', roles: ['wrong-for-coherent', 'not-a-gup-release'] },
  { name: 'kfree_sensitive', roles: ['wrong-for-coherent'] },
  { name: '__free_pages', roles: ['not-a-gup-release'] },
];

/** The names of the frees that play `role`. */
export function freesWithRole(role: FreeRole): string[] {
  return FREE_CALLS.filter((f) => f.roles.includes(role)).map((f) => f.name);
}

const WRONG_FOR_COHERENT: ReadonlySet<string> = new Set(freesWithRole('wrong-for-coherent'));

/** Whether freeing coherent DMA memory with `name` is a mismatch (dma-api.rst: dma_free_coherent()). */
export function isWrongFreeForCoherent(name: string): boolean {
  return WRONG_FOR_COHERENT.has(name);
}
