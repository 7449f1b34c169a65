/**
 * Sizes as numbers where the text says which (issue 11: "Sizes named by SZ_4K/SZ_8K/PAGE_SIZE << n
 * are numbers"): a size expression becomes a polynomial over what stays unknown — variables,
 * `sizeof` of a struct, macros the file does not define — with the file's own numeric #defines,
 * `SZ_*` and fixed-size `sizeof`s folded in. Two sizes then differ when their polynomials do, with
 * PAGE_SIZE read as 4096 (the old rule: `PAGE_SIZE` and `4096` may well be the same).
 *
 * A difference is only trusted between sizes of the same shape (the same variables, the same
 * number of terms of the same degrees): `CONFIG_TPDRQ_SIZE * sizeof(struct he_tpdrq)` against
 * `CONFIG_TBRQ_SIZE * sizeof(struct he_tbrq)` is a mismatch; `RX_RING_BYTES` against
 * `RX_RING_SIZE * sizeof(struct desc)` may be one macro spelled out, and is not compared; nor are
 * two sizes that differ only in the names of macros the file does not define.
 */
import type { SyntaxNode } from '../../parse/syntax';
import { unwrap } from '../../analysis/expr';
import type { FunctionInfo, Variable } from '../../analysis/functions';
import type { MacroDef } from '../../analysis/flags';
import { normalSize } from './dmaSizes';

/** Between the factors of a monomial (not `*`: `sizeof(struct x *)` is one factor). */
const SEP = '\u00b7';

/** Monomial (factors joined by SEP, sorted; '' for the constant term) → coefficient. */
type Poly = Map<string, number>;

const PAGE_SIZE_GUESS = 4096;
const MAX_MACRO_DEPTH = 8;

const SZ = /^SZ_(\d+)([KMG]?)$/;
const UNIT: Record<string, number> = { '': 1, K: 1024, M: 1024 * 1024, G: 1024 * 1024 * 1024 };

function constant(n: number): Poly {
  return new Map([['', n]]);
}

function symbol(name: string): Poly {
  return new Map([[name, 1]]);
}

function add(a: Poly, b: Poly, sign = 1): Poly {
  const out = new Map(a);
  for (const [k, v] of b) {
    const sum = (out.get(k) ?? 0) + sign * v;
    if (sum === 0) out.delete(k);
    else out.set(k, sum);
  }
  return out;
}

function mul(a: Poly, b: Poly): Poly {
  let out: Poly = new Map();
  for (const [ka, va] of a)
    for (const [kb, vb] of b) {
      const key = [...ka.split(SEP), ...kb.split(SEP)]
        .filter((s) => s !== '')
        .sort()
        .join(SEP);
      out = add(out, new Map([[key, va * vb]]));
    }
  return out;
}

function constantOf(p: Poly): number | null {
  if (p.size === 0) return 0;
  if (p.size === 1 && p.has('')) return p.get('') as number;
  return null;
}

/** A tiny parser for size expressions: + - * << / and parentheses over numbers and names. */
class SizeParser {
  private i = 0;
  private readonly tokens: string[];

  constructor(
    text: string,
    private readonly macros: ReadonlyMap<string, MacroDef>,
    private readonly depth: number,
  ) {
    this.tokens =
      text.match(
        /sizeof\([^()]*(?:\([^()]*\)[^()]*)*\)|0[xX][0-9a-fA-F]+|\d+[uUlL]*|[A-Za-z_]\w*(?:\s*(?:->|\.)\s*[A-Za-z_]\w*)*|<<|>>|[-+*/()]|\S/g,
      ) ?? [];
  }

  parse(): Poly | null {
    const p = this.sum();
    return p && this.i === this.tokens.length ? p : null;
  }

  private sum(): Poly | null {
    let left = this.shift();
    while (left && (this.peek() === '+' || this.peek() === '-')) {
      const op = this.tokens[this.i++];
      const right = this.shift();
      left = right ? add(left, right, op === '-' ? -1 : 1) : null;
    }
    return left;
  }

  private shift(): Poly | null {
    let left = this.product();
    while (left && this.peek() === '<<') {
      this.i++;
      const right = this.product();
      const n = right ? constantOf(right) : null;
      left = n !== null && n >= 0 && n < 40 ? mul(left, constant(2 ** n)) : null;
    }
    return left;
  }

  private product(): Poly | null {
    let left = this.atom();
    while (left && (this.peek() === '*' || this.peek() === '/')) {
      const op = this.tokens[this.i++];
      const right = this.atom();
      if (!right) return null;
      if (op === '*') left = mul(left, right);
      else {
        // Division only of numbers that divide exactly.
        const a = constantOf(left);
        const b = constantOf(right);
        left = a !== null && b ? (a % b === 0 ? constant(a / b) : null) : null;
      }
    }
    return left;
  }

  private atom(): Poly | null {
    const t = this.tokens[this.i++];
    if (t === undefined) return null;
    if (t === '(') {
      const inner = this.sum();
      return this.tokens[this.i++] === ')' ? inner : null;
    }
    if (/^0[xX]/.test(t)) return constant(parseInt(t, 16));
    if (/^\d/.test(t)) return constant(parseInt(t, 10));
    if (t.startsWith('sizeof(')) return symbol(t.replace(/\s+/g, ' '));
    if (!/^[A-Za-z_]/.test(t)) return null;
    // A call (`ALIGN(x, 8)`, `struct_size(...)`): not a size this reads.
    if (this.peek() === '(') return null;
    const sz = SZ.exec(t);
    if (sz) return constant(Number(sz[1]) * (UNIT[sz[2] ?? ''] ?? 1));
    if (t === 'PAGE_SIZE') return symbol('PAGE_SIZE');
    const macro = this.macros.get(t);
    if (macro && this.depth < MAX_MACRO_DEPTH) {
      const inner = new SizeParser(macro.value.replace(/\/\*[\s\S]*?\*\//g, ' '), this.macros, this.depth + 1).parse();
      if (inner) return inner;
    }
    return symbol(t.replace(/\s+/g, ''));
  }

  private peek(): string | undefined {
    return this.tokens[this.i];
  }
}

/** The size `node` measures, as a polynomial; null when it is not a size this can read. */
export function sizePoly(
  node: SyntaxNode,
  fn: FunctionInfo,
  globals: ReadonlyMap<string, Variable>,
  macros: ReadonlyMap<string, MacroDef>,
): Poly | null {
  let text = normalSize(node, fn, globals);
  // A lone sizeof comes back as what it measures (`struct demo_desc`, or its bytes).
  if (text !== null && unwrap(node).type === 'sizeof_expression' && !/^\d+$/.test(text)) text = `sizeof(${text})`;
  return text === null ? null : new SizeParser(text, macros, 0).parse();
}

/** Whether a symbol names a run-time value (a variable or a field) rather than a constant. */
function isVariable(sym: string): boolean {
  return !sym.startsWith('sizeof(') && sym !== 'PAGE_SIZE' && !/^[A-Z][A-Z0-9_]*$/.test(sym);
}

function variables(p: Poly): string {
  return [...new Set([...p.keys()].flatMap((k) => k.split(SEP)).filter((s) => s !== '' && isVariable(s)))]
    .sort()
    .join(',');
}

/** Degrees of the terms (how many factors each multiplies), sorted: the shape of a size. */
function shape(p: Poly): string {
  return [...p.keys()]
    .map((k) => (k === '' ? 0 : k.split(SEP).filter((s) => s !== 'PAGE_SIZE').length))
    .sort()
    .join(',');
}

/** With PAGE_SIZE read as 4096 (numbers and PAGE_SIZE may well be the same). */
function withPageSize(p: Poly): Poly {
  let out: Poly = new Map();
  for (const [k, v] of p) {
    const syms = k.split(SEP).filter((s) => s !== '');
    const pages = syms.filter((s) => s === 'PAGE_SIZE').length;
    const rest = syms.filter((s) => s !== 'PAGE_SIZE').join(SEP);
    out = add(out, new Map([[rest, v * PAGE_SIZE_GUESS ** pages]]));
  }
  return out;
}

/**
 * Whether sizes `a` and `b` are known to differ: both readable, the same variables and shape,
 * and different polynomials (with PAGE_SIZE as 4096).
 */
export function sizesDiffer(a: Poly | null, b: Poly | null): boolean {
  if (!a || !b) return false;
  const pa = withPageSize(a);
  const pb = withPageSize(b);
  if (add(pa, pb, -1).size === 0) return false;
  const ca = constantOf(pa);
  const cb = constantOf(pb);
  if (ca !== null && cb !== null) return true;
  if (variables(pa) !== variables(pb) || shape(a) !== shape(b)) return false;
  // Two macros the file does not define may well be one number (idt77252's RSQSIZE and TSQSIZE
  // are both 8192): a difference in their names alone is not trusted.
  return add(unnamed(pa), unnamed(pb), -1).size !== 0;
}

/** The polynomial with every macro the file does not define read as one and the same unknown. */
function unnamed(p: Poly): Poly {
  let out: Poly = new Map();
  for (const [k, v] of p) {
    const key = k
      .split(SEP)
      .map((s) => (/^[A-Z][A-Z0-9_]*$/.test(s) && s !== 'PAGE_SIZE' ? 'MACRO' : s))
      .sort()
      .join(SEP);
    out = add(out, new Map([[key, v]]));
  }
  return out;
}
