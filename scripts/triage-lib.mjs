// @ts-check
/**
 * Shared by scripts/triage-sample.mjs and scripts/triage-score.mjs: the seeded stratified draw and
 * the worksheet format. Pure functions (no I/O) so that the tests can pin them.
 */

/** mulberry32: a small seeded PRNG, enough for a reproducible draw. @param {number} seed */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with a seeded PRNG. @template T @param {T[]} items @param {() => number} random */
export function shuffle(items, random) {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * How many findings to draw per rule: every finding of a rule with ≤ `smallRule` findings; the
 * rest of `size` shared among the larger rules in proportion to their counts (largest remainder),
 * each getting at least `floor`. Never more than a rule has.
 * @param {Record<string, number>} counts @param {{ size: number, smallRule: number, floor: number }} opt
 * @returns {Record<string, number>}
 */
export function allocate(counts, { size, smallRule, floor }) {
  /** @type {Record<string, number>} */
  const take = {};
  const large = [];
  let left = size;
  for (const [rule, n] of Object.entries(counts).sort()) {
    if (n <= smallRule) {
      take[rule] = n;
      left -= n;
    } else large.push(rule);
  }
  for (const rule of large) {
    take[rule] = Math.min(floor, counts[rule]);
    left -= take[rule];
  }
  const pool = large.reduce((s, r) => s + counts[r], 0);
  if (left > 0 && pool > 0) {
    const budget = left;
    const shares = large.map((rule) => {
      const exact = (budget * counts[rule]) / pool;
      return { rule, whole: Math.floor(exact), frac: exact - Math.floor(exact) };
    });
    for (const s of shares) {
      const add = Math.min(s.whole, counts[s.rule] - take[s.rule]);
      take[s.rule] += add;
      left -= add;
    }
    shares.sort((a, b) => b.frac - a.frac || a.rule.localeCompare(b.rule));
    for (let i = 0; left > 0 && i < shares.length * 4; i++) {
      const s = shares[i % shares.length];
      if (take[s.rule] < counts[s.rule]) {
        take[s.rule]++;
        left--;
      }
    }
  }
  return take;
}

export const VERDICTS = /** @type {const} */ (['real', 'wrong']);

/**
 * Reads a filled worksheet: each `### F012 · rule-id` block with `verdict:` and `reason:` lines.
 * @param {string} text
 * @returns {{ id: string, rule: string, verdict: string, reason: string, population?: number }[]}
 */
export function parseWorksheet(text) {
  const entries = [];
  const blocks = text.split(/^### /m).slice(1);
  for (const block of blocks) {
    const head = /^(F\d+) · (\S+)/.exec(block);
    if (!head) continue;
    const verdict = /^verdict:[ \t]*(.*)$/m.exec(block)?.[1]?.trim() ?? '';
    const reason = /^reason:[ \t]*(.*)$/m.exec(block)?.[1]?.trim() ?? '';
    entries.push({ id: head[1], rule: head[2], verdict, reason });
  }
  return entries;
}

/** The population per rule recorded in the worksheet's header table (`| rule | findings | sampled |`). @param {string} text */
export function parsePopulation(text) {
  /** @type {Record<string, number>} */
  const pop = {};
  for (const m of text.matchAll(/^\| `([\w-]+)` \| (\d+) \| (\d+) \|$/gm)) pop[m[1]] = Number(m[2]);
  return pop;
}

/**
 * Precision per rule and overall. `overall` is the plain share of real verdicts in the sample;
 * `weighted` re-weights each rule's precision by its share of all findings (the sample is
 * stratified, not proportional, so the plain share over-represents small rules).
 * @param {{ rule: string, verdict: string }[]} entries @param {Record<string, number>} population
 */
export function precision(entries, population) {
  /** @type {Record<string, { real: number, wrong: number }>} */
  const byRule = {};
  for (const e of entries) {
    const r = (byRule[e.rule] ??= { real: 0, wrong: 0 });
    if (e.verdict === 'real') r.real++;
    else r.wrong++;
  }
  const real = entries.filter((e) => e.verdict === 'real').length;
  const total = Object.values(population).reduce((s, n) => s + n, 0);
  let weighted = 0;
  for (const [rule, r] of Object.entries(byRule)) {
    weighted += ((population[rule] ?? 0) / (total || 1)) * (r.real / (r.real + r.wrong));
  }
  return { byRule, overall: entries.length ? real / entries.length : 0, weighted: total ? weighted : NaN };
}

/** Wilson score interval (95%) for k successes in n. @param {number} k @param {number} n */
export function wilson(k, n) {
  if (n === 0) return [0, 1];
  const z = 1.96;
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = p + (z * z) / (2 * n);
  const w = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return [(c - w) / d, (c + w) / d];
}
