/**
 * The tree index's files are written a piece at a time (batch/index/jsonStream.ts): the text must
 * be exactly JSON.stringify's, or a stored index would differ with the way it was written.
 */
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonPieces, writeJson } from '../../batch/index/jsonStream';

const dir = mkdtempSync(path.join(tmpdir(), 'pinscope-json-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a state.json and a facts.json hold, with what JSON.stringify treats specially. */
const sample = {
  key: { format: 3, pinscope: '0.1.0', kernelVersion: '6.12' },
  root: '/src/linux "6.12"\\tree',
  files: {
    'mm/gup.c': { size: 101, mtimeMs: 1733400000000.25, hash: 'ab12', calls: 'pin_user_pages put_page' },
    'include/linux/mm.h': { size: 7, mtimeMs: 0, hash: 'cd', includes: 'include/linux/gfp.h', calls: undefined },
    'drivers/ünï\u2028côdé.c': { size: 0, mtimeMs: -1, hash: '' },
  },
  empty: {},
  none: [],
  headers: ['a.h', undefined, null, 'b.h', () => 1],
  facts: {
    'mm/gup.c': {
      functions: [{ summary: { name: 'f', effects: [{ param: 0, kind: 'release' }] }, isStatic: false }],
      macros: [{ name: 'SZ_4K', value: '0x1000', origin: { file: 'include/linux/sizes.h', line: 3 } }],
      wrappers: [],
    },
  },
  when: new Date(0),
  skipped: undefined,
  nothing: null,
  flag: true,
  n: Number.NaN,
};

describe('jsonPieces / writeJson', () => {
  it.each([0, 1, 2, 3, 6])('give exactly the text of JSON.stringify, %i levels streamed', (depth) => {
    expect([...jsonPieces(sample, depth)].join('')).toBe(JSON.stringify(sample));
  });

  it('streams each entry below the top as a piece of its own', () => {
    const pieces = [...jsonPieces(sample, 2)];
    expect(pieces).toContain(JSON.stringify(sample.files['mm/gup.c']));
    expect(pieces.every((p) => p.length <= JSON.stringify(sample.facts).length)).toBe(true);
  });

  it.each([0, 1, 2, 3])('write a Map as the object of its entries, in its order, %i levels streamed', (depth) => {
    const files = new Map(Object.entries(sample.files).reverse());
    const withMap = { ...sample, files, facts: new Map(Object.entries(sample.facts)) };
    const text = [...jsonPieces(withMap, depth)].join('');
    expect(text).toBe(JSON.stringify({ ...sample, files: Object.fromEntries(files) }));
    expect(text.indexOf('drivers/ünï')).toBeLessThan(text.indexOf('mm/gup.c'));
  });

  it('writes the same bytes as JSON.stringify to a file, across flushes', () => {
    const big = {
      files: Object.fromEntries(
        Array.from({ length: 30_000 }, (_, i) => [`drivers/x/é${i}.c`, { size: i, hash: `${i}`.repeat(9) }]),
      ),
    };
    const file = path.join(dir, 'big.json');
    const fd = openSync(file, 'w');
    writeJson(fd, big, 2);
    closeSync(fd);
    expect(readFileSync(file).equals(Buffer.from(JSON.stringify(big), 'utf8'))).toBe(true);
  });
});
