/**
 * The one change between two texts (core/text/change.ts): what the incremental parse is told and
 * what findings move by. It compares in blocks while the texts agree; edits at, just before and
 * just after block boundaries must give the same change as a character-by-character comparison.
 */
import { describe, expect, it } from 'vitest';
import { changeBetween, changeWithin, type TextChange } from '../../core/text/change';

/** The plain definition: common prefix, then common suffix of what is left. */
function naive(before: string, after: string): ReturnType<typeof changeBetween> {
  if (before === after) return null;
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before[start] === after[start]) start++;
  let tail = 0;
  while (tail < max - start && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  return { start, oldEnd: before.length - tail, newEnd: after.length - tail };
}

describe('changeBetween', () => {
  const base = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join('');
  const at = [0, 1, 1023, 1024, 1025, 2047, 2048, 2500, 3975, 3976, 3977, 4999, 5000];

  it('inserts, deletes and replaces at block boundaries and at both ends', () => {
    for (const i of at)
      for (const [cut, insert] of [
        [0, 'X'],
        [1, ''],
        [3, 'YZ'],
        [0, 'a'],
        [1, 'a'],
        [1100, ''],
      ] as const) {
        const after = base.slice(0, i) + insert + base.slice(i + cut);
        expect(changeBetween(base, after), `at ${i}, cut ${cut}, insert "${insert}"`).toEqual(naive(base, after));
        expect(changeBetween(after, base), `undo at ${i}`).toEqual(naive(after, base));
      }
  });

  it('is null for equal texts and handles one text a prefix or suffix of the other', () => {
    expect(changeBetween(base, `${base}`)).toBeNull();
    expect(changeBetween(base, base.slice(0, 3000))).toEqual(naive(base, base.slice(0, 3000)));
    expect(changeBetween(base, base.slice(2000))).toEqual(naive(base, base.slice(2000)));
    expect(changeBetween('', base)).toEqual({ start: 0, oldEnd: 0, newEnd: 5000 });
    // A repeated text: the prefix is taken first, as the plain definition does.
    const rep = 'ab'.repeat(3000);
    expect(changeBetween(rep, `ab${rep}`)).toEqual(naive(rep, `ab${rep}`));
  });
});

describe('changeWithin', () => {
  const base = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(97 + ((i * 7) % 26))).join('');

  /** `change` made wider by `left` characters before it and `right` after it (within the texts). */
  const widen = (before: string, change: TextChange, left: number, right: number): TextChange => {
    const l = Math.min(left, change.start);
    const r = Math.min(right, before.length - change.oldEnd);
    return { start: change.start - l, oldEnd: change.oldEnd + r, newEnd: change.newEnd + r };
  };

  it('gives what changeBetween gives from any change that holds the edit', () => {
    let cases = 0;
    for (const i of [0, 1, 7, 1024, 1500, 2999, 3000])
      for (const [cut, insert] of [
        [0, 'X'],
        [1, ''],
        [3, 'YZ'],
        [0, 'a'],
        [1, base[i + 1] ?? 'q'],
        [0, base.slice(i, i + 26)],
        [26, ''],
      ] as const) {
        const kept = base.length - Math.min(i + cut, base.length);
        const after = base.slice(0, i) + insert + base.slice(base.length - kept);
        for (const [before, now] of [
          [base, after],
          [after, base],
        ] as const) {
          const exact = naive(before, now);
          // The replaced text itself, as the caller knows it before trimming.
          const raw = {
            start: i,
            oldEnd: before.length - (base.length - i - cut),
            newEnd: now.length - (base.length - i - cut),
          };
          for (const [left, right] of [
            [0, 0],
            [1, 0],
            [0, 1],
            [5, 40],
            [3000, 3000],
          ] as const) {
            expect(changeWithin(before, now, widen(before, raw, left, right)), `at ${i} ${left}/${right}`).toEqual(
              exact,
            );
            if (exact) expect(changeWithin(before, now, widen(before, exact, left, right))).toEqual(exact);
            cases++;
          }
        }
      }
    expect(cases).toBe(490);
  });

  it('is null for equal texts, and refuses a change that does not fit the texts', () => {
    expect(changeWithin(base, `${base}`, { start: 10, oldEnd: 20, newEnd: 20 })).toBeNull();
    expect(() => changeWithin(base, `${base}x`, { start: 10, oldEnd: 20, newEnd: 20 })).toThrow('not a change');
  });
});
