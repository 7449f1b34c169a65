/**
 * Writes a value as JSON.stringify would, a piece at a time: the index's state.json of a whole
 * kernel is 16 MB of text, and JSON.stringify builds all of it in memory at once (with the
 * process's peak RSS on top of what the summarising left behind; issue 12). Objects and arrays are
 * opened `depth` levels down; what lies deeper is stringified whole, one entry at a time.
 *
 * A Map is written as the object of its entries, in the Map's order — as JSON.stringify writes
 * `Object.fromEntries(map)` when no key is an array index (which would come first there): the
 * index's maps of 60,000 files are written as they are, not copied into an object and an entries
 * array first (the end of a cold index build was its peak; docs/benchmarks.md).
 */
import { writeSync } from 'node:fs';

/**
 * Text is handed to the file in pieces of about this many characters: the pieces waiting are
 * live objects, and a main thread's young generation grows to hold them (1 MB of pending pieces
 * grew it by ~45 MB at the end of a whole-kernel index build).
 */
const FLUSH_AT = 1 << 16;

/** What JSON.stringify leaves out of an object (and writes as null in an array). */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** Plain data only: a value with toJSON (a Date) is stringified whole, which is what JSON does too. */
function openable(value: unknown): value is object {
  return value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}

/** For JSON.stringify: a Map below the streamed levels is its object too. */
function mapsAsObjects(_key: string, value: unknown): unknown {
  return value instanceof Map ? Object.fromEntries(value as Map<unknown, unknown>) : value;
}

/** An object's own entries, or a Map's, one at a time. */
function* entriesOf(value: object): Generator<[string, unknown]> {
  if (value instanceof Map) for (const [k, v] of value as Map<unknown, unknown>) yield [String(k), v];
  else for (const k of Object.keys(value)) yield [k, (value as Record<string, unknown>)[k]];
}

/** The JSON text of `value`, in pieces whose concatenation is JSON.stringify(value). */
export function* jsonPieces(value: unknown, depth: number): Generator<string> {
  if (depth <= 0 || !openable(value)) {
    yield JSON.stringify(value, mapsAsObjects) ?? 'null';
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      const item: unknown = value[i];
      if (omitted(item)) yield 'null';
      else yield* jsonPieces(item, depth - 1);
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const [k, v] of entriesOf(value)) {
    if (omitted(v)) continue;
    yield `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    yield* jsonPieces(v, depth - 1);
  }
  yield '}';
}

/** Writes `value` as JSON to the open file `fd`, `depth` levels streamed (see jsonPieces). */
export function writeJson(fd: number, value: unknown, depth: number): void {
  let pending: string[] = [];
  let size = 0;
  const flush = (): void => {
    const bytes = Buffer.from(pending.join(''), 'utf8');
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
    pending = [];
    size = 0;
  };
  for (const piece of jsonPieces(value, depth)) {
    pending.push(piece);
    size += piece.length;
    if (size >= FLUSH_AT) flush();
  }
  flush();
}
