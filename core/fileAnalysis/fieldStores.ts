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
 */
export function fieldStoresOf(
  all: readonly FunctionInfo[],
  globals: ReadonlyMap<string, Variable>,
  fileKey: string,
): FieldStore[] {
  const field = fileKey.split('::').pop() ?? fileKey;
  const assigns = new RegExp(`(?:->|\\.)\\s*${field.replace(/[^\w]/g, '')}\\s*=(?!=)`);
  const stores: FieldStore[] = [];
  const noAliases = { arrayAlias: new Map(), elementAlias: new Map(), derivedAlias: new Map() };
  for (const fn of all) {
    if (!assigns.test(fn.body.text)) continue;
    forEachAssignment(fn.body, (left, right) => {
      if (left.type !== 'field_expression') return;
      const ref = storageOf(left, { fn, globals, aliases: noAliases });
      if (ref?.fileKey === fileKey) stores.push({ fn, left, right });
    });
  }
  return stores;
}
