/**
 * Stores into struct fields across the file, for the links between a field filled in one
 * function and released in another (linkage.ts).
 */
import { forEachAssignment } from '../analysis/expr';
import type { FunctionInfo, Variable } from '../analysis/functions';
import { storageOf } from '../analysis/storage';
import type { FieldStore } from './types';

/**
 * Stores into one struct field (`fileKey`, like StorageRef.fileKey: `st_buffer::mapped_pages`)
 * anywhere in the file. Only function bodies whose text assigns that field name are walked, and
 * only their assignments are materialised: st.c's whole-file walk cost 90 ms on every edit.
 * `bodyText` is a function's body as its tree's text has it: given, it is read without asking a
 * function kept from the previous edit for its nodes (fileAnalysis/walks.ts), which would find
 * every definition of the file in the new tree.
 */
export function fieldStoresOf(
  all: readonly FunctionInfo[],
  globals: ReadonlyMap<string, Variable>,
  fileKey: string,
  bodyText: (fn: FunctionInfo) => string = (fn) => fn.body.text,
): FieldStore[] {
  const field = fileKey.split('::').pop() ?? fileKey;
  const assigns = new RegExp(`(?:->|\\.)\\s*${field.replace(/[^\w]/g, '')}\\s*=(?!=)`);
  const stores: FieldStore[] = [];
  const noAliases = { arrayAlias: new Map(), elementAlias: new Map(), derivedAlias: new Map() };
  for (const fn of all) {
    if (!assigns.test(bodyText(fn))) continue;
    forEachAssignment(fn.body, (left, right) => {
      if (left.type !== 'field_expression') return;
      const ref = storageOf(left, { fn, globals, aliases: noAliases });
      if (ref?.fileKey === fileKey) stores.push({ fn, left, right });
    });
  }
  return stores;
}
