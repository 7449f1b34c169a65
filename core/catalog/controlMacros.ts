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
