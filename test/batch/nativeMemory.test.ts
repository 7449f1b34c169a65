/**
 * Dead parse trees are collected in time on threads that parse file after file (batch/nativeMemory.ts):
 * a full collection once the characters parsed pass the bound, and a turn of the event loop after
 * any file that built a tree (where Node-API's finalizers delete the trees).
 */
import { describe, expect, it } from 'vitest';
import { createCParser } from '../../core/index';
import { fullCollection, parsedMemory } from '../../batch/nativeMemory';

describe('parsedMemory', () => {
  it('waits for nothing until a tree was built, and collects once per bound of characters parsed', async () => {
    let collections = 0;
    const memory = parsedMemory(() => collections++, 100);
    expect(memory.settle()).toBeNull();
    memory.built(60);
    const first = memory.settle();
    expect(first).toBeInstanceOf(Promise);
    await first;
    expect(collections).toBe(0);
    expect(memory.settle()).toBeNull();
    memory.built(40);
    await memory.settle();
    expect(collections).toBe(1);
    memory.built(99);
    await memory.settle();
    expect(collections).toBe(1);
    memory.built(1);
    await memory.settle();
    expect(collections).toBe(2);
  });

  it('still turns the event loop without a collector', async () => {
    const memory = parsedMemory(null, 1);
    memory.built(10);
    let turned = false;
    setImmediate(() => (turned = true));
    await memory.settle();
    expect(turned).toBe(true);
  });

  it("is told the length of each text tree-sitter parsed (the parser's onTreeBuilt)", () => {
    const lengths: number[] = [];
    const parser = createCParser({ onTreeBuilt: (chars) => lengths.push(chars) });
    const text = 'int f(void) { return 0; }\n';
    parser.parse(text);
    expect(lengths).toEqual([text.length]);
  });

  it('gets a full collection without --expose-gc on the command line', () => {
    const gc = fullCollection();
    expect(typeof gc).toBe('function');
    expect(() => gc?.()).not.toThrow();
  });
});
