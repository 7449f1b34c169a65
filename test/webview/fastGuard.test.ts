/**
 * The fast path of the panel's validation (shared/fastGuard.ts): a real model is taken as it is
 * (no copy), and on every mutation of it the guard agrees with valibot — it says yes exactly when
 * valibot accepts the value and gives back a value equal to it. A
 * guard that said yes where valibot says no would let a bad message into the panel; one that said
 * no too often would bring back the cost it removes (docs/benchmarks.md, section webview).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { describe, expect, test } from 'vitest';
import { analyzeFile, createCParser, parseKernelVersion, simulateFunction, type KernelVersion } from '../../core/index';
import { passesAsIs } from '../../shared/fastGuard';
import { parseToPanel } from '../../shared/panel';
import { SimPathSchema, SimulationParametersSchema } from '../../shared/simulation';
import { DMA_SG_TRACE, ROOT, traceModel } from './harness';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every place in a JSON value (a path of keys and indexes), the root excepted. */
function places(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => {
    const here = [...at, k];
    return [here, ...places((value as Record<string | number, unknown>)[k], here)];
  });
}

const DELETE = Symbol('delete');

/** A deep copy of `value` with the thing at `place` replaced (or deleted). */
function mutate(value: Json, place: (string | number)[], by: unknown): unknown {
  const copy = structuredClone(value);
  let parent = copy as Record<string | number, unknown>;
  for (const k of place.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = place[place.length - 1] as string | number;
  if (by === DELETE) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = by;
  return copy;
}

/** Whether valibot's `output` equals `input`: the same keys, the same values, all the way down. */
function equal(input: unknown, output: unknown): boolean {
  if (output === null || typeof output !== 'object') return Object.is(input, output);
  if (input === null || typeof input !== 'object' || Array.isArray(input) !== Array.isArray(output)) return false;
  const keys = Object.keys(output);
  if (Object.keys(input).length !== keys.length) return false;
  return keys.every(
    (k) => k in input && equal((input as Record<string, unknown>)[k], (output as Record<string, unknown>)[k]),
  );
}

const REPLACEMENTS: unknown[] = [
  DELETE,
  undefined,
  null,
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53,
  '',
  'pin',
  'https://docs.kernel.org/core-api/dma-api.html',
  'http://example.com/',
  true,
  [],
  {},
  { kind: 'leak', message: 'x' },
  { start: 1, end: 2 },
];

describe('the fast path agrees with valibot', () => {
  test('a real model is taken as it is, without a copy', () => {
    const message = { type: 'render', model: traceModel(DMA_SG_TRACE), step: 0 };
    const parsed = parseToPanel(message);
    expect(parsed.ok && parsed.value).toBe(message);
  });

  test("a function's path as the server sends it (with its number) passes as it is", () => {
    const text = readFileSync(path.join(ROOT, 'examples', 'partial-pin.c'), 'utf8');
    const analysis = analyzeFile(createCParser().parse(text), parseKernelVersion('6.12') as KernelVersion);
    const sent = JSON.parse(JSON.stringify(simulateFunction(analysis, 'region_pin_pages').paths[0])) as Json;
    expect(sent).toHaveProperty('index', 1);
    expect(passesAsIs(SimPathSchema, sent)).toBe(true);
  });

  test('on every mutation of a simulated DMA path: yes exactly when valibot accepts it unchanged', () => {
    // (An object replacing a scalar or a step gives objects with keys the schema does not name.)
    const path = JSON.parse(JSON.stringify(traceModel(DMA_SG_TRACE).path)) as Json;
    const tally = { both: 0, neither: 0, changedByValibot: 0 };
    const disagreements: string[] = [];
    const where = places(path);
    expect(where.length).toBeGreaterThan(200);
    for (const place of where)
      for (const by of REPLACEMENTS) {
        const value = mutate(path, place, by);
        const fast = passesAsIs(SimPathSchema, value);
        const slow = v.safeParse(SimPathSchema, value);
        const unchanged = slow.success && equal(value, slow.output);
        if (fast !== unchanged) disagreements.push(`${place.join('.')} = ${String(by)}: guard ${fast}`);
        else if (fast) tally.both++;
        else if (slow.success) tally.changedByValibot++;
        else tally.neither++;
      }
    expect(disagreements).toEqual([]);
    // The mutations reach all three answers: the same value, a refusal, and a value valibot changes
    // (a documentation link that is not https is dropped by the schema's fallback, a key the schema
    // does not name by valibot's copy).
    expect(tally.both).toBeGreaterThan(100);
    expect(tally.neither).toBeGreaterThan(1000);
    expect(tally.changedByValibot).toBeGreaterThan(0);
  });

  test('pipes, variants and bounds: the parameters of a rerun', () => {
    const cases: [unknown, boolean][] = [
      [{}, true],
      [{ pages: 4096, pageKind: 'thp', kernelVersion: '6.1', acquire: { kind: 'partial', taken: 2 } }, true],
      [{ pages: 4097 }, false],
      [{ pages: 0 }, false],
      [{ pages: 2.5 }, false],
      [{ kernelVersion: '6' }, false],
      [{ acquire: { kind: 'partial', taken: 0 } }, false],
      [{ acquire: { kind: 'partial' } }, false],
      [{ acquire: { kind: 'all' } }, false],
      [{ acquire: { kind: 'error' } }, true],
      [{ pageKind: 'giant' }, false],
    ];
    for (const [value, ok] of cases) {
      expect(passesAsIs(SimulationParametersSchema, value), JSON.stringify(value)).toBe(ok);
      expect(v.is(SimulationParametersSchema, value), JSON.stringify(value)).toBe(ok);
    }
  });
});
