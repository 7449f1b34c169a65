/**
 * What every schema in shared/ builds on: read-only types inferred from a schema, JSON integers,
 * and one way to validate that says where a value does not fit and why.
 */
import * as v from 'valibot';
import { passesAsIs } from './fastGuard';

/**
 * The data a schema accepts, read-only all the way down: the panel and the extension never change
 * a message, and core's read-only data is assignable to it.
 */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** What a schema gives: its output type, read-only. */
export type Data<S extends v.GenericSchema> = DeepReadonly<v.InferOutput<S>>;

/** A JSON integer (a count, an index, a line). */
export const Int = v.pipe(v.number(), v.safeInteger());

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/** `message.model.path.steps[9].pages[0].index: Invalid type: Expected number but received "1"`. */
function reason(root: string, issue: v.BaseIssue<unknown>): string {
  let at = root;
  for (const item of issue.path ?? []) at += item.type === 'array' ? `[${String(item.key)}]` : `.${String(item.key)}`;
  return `${at}: ${issue.message}`;
}

/** Validates `value`; `root` names it in the reason (`message`, `state`, `options`). */
export function parseWith<S extends v.GenericSchema>(schema: S, value: unknown, root: string): Parsed<Data<S>> {
  // The fast path (fastGuard.ts): a value valibot would accept and give back the same is used as it
  // is, without valibot's copy of a 10,000-step model. Anything else — wrong, or changed on the way
  // (a fallback, a default) — goes through valibot for its exact output or reason.
  if (passesAsIs(schema, value)) return { ok: true, value: value as Data<S> };
  // abortEarly: the first problem is enough to refuse a value, and a 10,000-step model is not
  // walked to its end to find more.
  const result = v.safeParse(schema, value, { abortEarly: true });
  return result.success
    ? { ok: true, value: result.output as Data<S> }
    : { ok: false, reason: reason(root, result.issues[0]) };
}
