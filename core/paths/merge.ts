/**
 * When two paths reach a node in the same state, the first stands for both: the second is not
 * walked again. A state's identity for this is its fingerprint: each resource's outcomes and
 * status, the live part of the environment, the loops it must still leave and its re-pointed page
 * variables. Past WIDEN_AT distinct states at one node, states that differ only in variables (not
 * in what they hold, nor in the loops they are in) are merged too: without it, a long probe
 * function's unrelated `if (x) y = 1;` choices multiply states until the budget runs out.
 */
import { liveNames, ROOT_NAME } from './liveness';
import type { ResState, State } from './state';
import { symKey, type Sym } from './values';
import type { FunctionWalk } from './walk';

/** Distinct states at one CFG node before states differing only in variables are merged. */
const WIDEN_AT = 16;

export class StateMerger {
  private readonly seen = new Map<number, Set<string>>();
  private readonly resParts = new WeakMap<ResState, string>();
  private readonly keyHashes = new Map<
    string,
    { readonly root: string | undefined; readonly h1: number; readonly h2: number }
  >();

  constructor(private readonly walk: FunctionWalk) {}

  /** Whether `state` is new at its node (and remembers it); false when an equal state was there first. */
  admit(state: State): boolean {
    const seenHere = this.seen.get(state.node) ?? new Set<string>();
    const fingerprint = seenHere.size >= WIDEN_AT ? this.fingerprint(state, false) : this.fingerprint(state);
    if (seenHere.has(fingerprint)) return false;
    seenHere.add(fingerprint);
    this.seen.set(state.node, seenHere);
    return true;
  }

  /**
   * The state's identity for merging. Resource states and environments are immutable and shared
   * between the states that did not change them, so their parts are cached per object: with 20
   * resources and a long environment, building the string each step was most of a big function.
   */
  private fingerprint(state: State, withEnv = true): string {
    const res = state.res.map((r, i) => (r ? this.resPart(r, i) : '-')).join(',');
    const env = withEnv ? this.envPart(state.env, state.node) : '*';
    const live = liveNames(this.walk)[state.node];
    // Loops already left for good (not reachable from here) no longer constrain the path.
    const exitOnly =
      state.exitOnly.size === 0
        ? ''
        : [...state.exitOnly]
            .filter((id) => !live || live.has(`#${id}`))
            .sort()
            .join(',');
    const moved = state.moved.size === 0 ? '' : [...state.moved].map(([a, b]) => `${a}>${b}`).join(',');
    return `${res}|${env}|${exitOnly}|${moved}`;
  }

  private resPart(r: ResState, i: number): string {
    let part = this.resParts.get(r);
    if (part === undefined) {
      part = `${this.walk.resources[i]?.nodeId}:${r.outcomes.join('')}:${r.status}${r.carried ? '+' : ''}${r.maybeReleased ? '?' : ''}${r.checked ? 'c' : ''}${r.uncheckedReported ? 'u' : ''}${r.detached ? 'd' : ''}`;
      this.resParts.set(r, part);
    }
    return part;
  }

  /**
   * The environment's part: an order-independent pair of 32-bit hashes over the live bindings
   * (so no sorting and no string per binding at every step), plus their count.
   */
  private envPart(envMap: ReadonlyMap<string, Sym>, node: number): string {
    const live = liveNames(this.walk)[node];
    let sum = 0;
    let xor = 0;
    let n = 0;
    for (const [k, v] of envMap) {
      if (v.kind === 'opaque' || v.kind === 'var') continue;
      let kh = this.keyHashes.get(k);
      if (!kh) {
        kh = { root: ROOT_NAME.exec(k)?.[0], h1: fnv(k, 0x811c9dc5), h2: fnv(k, 0x01000193) };
        this.keyHashes.set(k, kh);
      }
      // A value no statement ahead can read cannot change what happens next: two states that
      // differ only there are the same state (this keeps sequential loops from multiplying).
      if (kh.root !== undefined && live && !live.has(kh.root)) continue;
      const vk = symKey(v);
      sum = (sum + Math.imul(kh.h1 ^ fnv(vk, 0x9e3779b9), 0x85ebca6b)) | 0;
      xor ^= Math.imul(kh.h2 + fnv(vk, 0xc2b2ae35), 0x27d4eb2f);
      n++;
    }
    return `${n}:${sum >>> 0}:${xor >>> 0}`;
  }
}

/** FNV-1a over a string's UTF-16 units, from a seed. */
function fnv(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
