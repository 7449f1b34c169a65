/**
 * Macros that read as control flow: iterators whose body follows the macro call
 * (`list_for_each_entry(pos, head, member) { }`, `for_each_sg(sgl, sg, n, i) stmt;`) and scoped
 * blocks whose body runs once (`scoped_guard(mutex, &lock) { }`, include/linux/cleanup.h).
 */

/** Iterator macros: loops whose body follows the macro call (include/linux/list.h and friends). */
const LOOP_MACRO = /(^|_)(for_each|foreach)(_|$)|^list_for_each|^hlist_for_each|^for_each|_for_each$/;

/** Scope macros whose body runs once (include/linux/cleanup.h guards). */
const BLOCK_MACRO = /^(scoped_guard|scoped_cond_guard|guard|spin_lock_scoped|rcu_read_lock_scope)$/;

/** What a macro call followed by a statement is: a loop, a block run once, or unknown (null). */
export function controlMacroKind(name: string): 'loop' | 'block' | null {
  if (BLOCK_MACRO.test(name)) return 'block';
  if (LOOP_MACRO.test(name)) return 'loop';
  return null;
}

/**
 * The arguments an iterator macro assigns on every round (its cursors), by the macro's own
 * definition: `list_for_each_entry_safe(pos, n, head, member)` assigns pos and n, `for_each_sg(sgl,
 * sg, nr, i)` assigns sg and i, never the list it walks. For a loop macro not listed, null: the
 * caller then takes every plain variable argument as assigned (the cautious reading — a name taken
 * for a cursor only makes the analysis forget what it knew).
 */
const CURSORS: readonly { readonly pattern: RegExp; readonly args: readonly number[] }[] = [
  // include/linux/list.h, include/linux/rculist.h, llist.h: pos (and n for the _safe forms) first.
  { pattern: /^h?l?list_for_each\w*_safe\w*$/, args: [0, 1] },
  { pattern: /^h?l?list_for_each\w*$/, args: [0] },
  // include/linux/scatterlist.h
  { pattern: /^for_each_sg(?:_page|_dma_page)?$/, args: [1, 3] },
  { pattern: /^for_each_sgtable_(?:sg|dma_sg)$/, args: [1, 2] },
  { pattern: /^for_each_sgtable_(?:page|dma_page)$/, args: [1] },
  // include/scsi/scsi_cmnd.h: scsi_for_each_sg(cmd, sg, nseg, __i) is for_each_sg(scsi_sglist(cmd),
  // sg, nseg, __i); the command and the count are read, not assigned.
  { pattern: /^scsi_for_each_(?:prot_)?sg$/, args: [1, 3] },
  // include/linux/idr.h, include/linux/xarray.h
  { pattern: /^idr_for_each_entry\w*$/, args: [1, 2] },
  { pattern: /^xa_for_each\w*$/, args: [1, 2] },
  // include/linux/find.h, cpumask.h, nodemask.h: the bit, cpu or node number first.
  {
    pattern: /^for_each_(?:set|clear)_bit\w*$|^for_each_(?:possible|online|present|cpu)\w*$|^for_each_node\w*$/,
    args: [0],
  },
];

export function iteratorCursors(name: string): readonly number[] | null {
  return CURSORS.find((c) => c.pattern.test(name))?.args ?? null;
}
