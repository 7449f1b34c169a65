/**
 * One pass over the bytes for many needles at once: an Aho–Corasick automaton compiled to a flat
 * byte-transition table. Searching twenty names with twenty Buffer.indexOf calls reads every byte
 * twenty times; this reads it once, which is what keeps the prefilter near the cost of `grep -l`.
 */
export class MultiSearch {
  private readonly table: Int32Array;
  private readonly accept: Uint8Array;

  constructor(needles: readonly string[]) {
    // Build the trie.
    const goto: Map<number, number>[] = [new Map<number, number>()];
    const out: boolean[] = [false];
    for (const needle of needles) {
      let state = 0;
      for (let i = 0; i < needle.length; i++) {
        const byte = needle.charCodeAt(i) & 0xff;
        let next = (goto[state] as Map<number, number>).get(byte);
        if (next === undefined) {
          next = goto.length;
          goto.push(new Map());
          out.push(false);
          (goto[state] as Map<number, number>).set(byte, next);
        }
        state = next;
      }
      out[state] = true;
    }
    // Breadth-first failure links, folded into a full DFA table.
    const states = goto.length;
    const table = new Int32Array(states * 256);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (let b = 0; b < 256; b++) {
      const next = (goto[0] as Map<number, number>).get(b);
      if (next !== undefined) {
        table[b] = next;
        fail[next] = 0;
        queue.push(next);
      } else table[b] = 0;
    }
    while (queue.length > 0) {
      const state = queue.shift() as number;
      if (out[fail[state] as number]) out[state] = true;
      for (let b = 0; b < 256; b++) {
        const next = (goto[state] as Map<number, number>).get(b);
        if (next !== undefined) {
          fail[next] = table[(fail[state] as number) * 256 + b] as number;
          table[state * 256 + b] = next;
          queue.push(next);
        } else {
          table[state * 256 + b] = table[(fail[state] as number) * 256 + b] as number;
        }
      }
    }
    this.table = table;
    this.accept = Uint8Array.from(out, (x) => (x ? 1 : 0));
  }

  /** Whether any needle occurs in `bytes[0..length)`. */
  test(bytes: Uint8Array, length = bytes.length): boolean {
    const table = this.table;
    const accept = this.accept;
    let state = 0;
    for (let i = 0; i < length; i++) {
      state = table[(state << 8) | (bytes[i] as number)] as number;
      if (accept[state] === 1) return true;
    }
    return false;
  }
}
