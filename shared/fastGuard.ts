/**
 * A fast yes/no check derived from a valibot schema, for the large payloads that cross the webview
 * boundary (a 10,000-step path is ~450,000 values). valibot's own parse copies every object and
 * array it walks and allocates a dataset per value: ~150–300 ms for such a model in Chromium, more
 * than the panel's whole render. The guard walks the same schema tree with closures built once per
 * schema, allocates nothing, and answers one question:
 *
 *   does valibot accept `value`, and is valibot's output equal to `value` itself?
 *
 * So the guard is stricter than the schema: it says no to anything valibot would change on the way
 * through — a key the schema does not name (valibot's copy drops it), a missing optional with a
 * default, a value replaced by a schema's `fallback` (a documentation link that is not https), an
 * action it does not know (a transformation). parseWith (schema.ts) returns the value as it is when
 * the guard says yes, and otherwise runs valibot, which gives the exact output or the exact reason.
 * Validation stays strict at the boundary; only its cost changes.
 *
 * Runs in the browser and in the extension host: no imports but valibot's types.
 */
import type * as v from 'valibot';

type Guard = (value: unknown) => boolean;

/** What the guard needs of a schema node (valibot's public schema objects carry these fields). */
interface Node {
  readonly kind: string;
  readonly type: string;
  readonly pipe?: readonly Node[];
  readonly requirement?: unknown;
  readonly entries?: Readonly<Record<string, Node>>;
  readonly item?: Node;
  readonly wrapped?: Node;
  readonly default?: unknown;
  readonly options?: readonly unknown[];
  readonly literal?: unknown;
  readonly key?: string;
}

/** What the guard does not know: always "ask valibot". */
const SLOW: Guard = () => false;

/** A validation action of a pipe, as a predicate; SLOW for one the guard does not know. */
function compileAction(action: Node): Guard {
  if (action.kind === 'schema') return compile(action);
  if (action.kind !== 'validation') return SLOW; // a transformation changes the value
  const r = action.requirement;
  switch (action.type) {
    case 'safe_integer':
    case 'integer':
    case 'finite':
    case 'check':
      // valibot keeps the predicate in `requirement` (Number.isSafeInteger, Number.isFinite, …).
      return typeof r === 'function' ? (x) => (r as Guard)(x) : SLOW;
    case 'min_value':
      return (x) => (x as number) >= (r as number);
    case 'max_value':
      return (x) => (x as number) <= (r as number);
    case 'regex':
      return r instanceof RegExp ? (x) => r.test(x as string) : SLOW;
    default:
      return SLOW;
  }
}

function compilePipe(base: Guard, actions: readonly Node[]): Guard {
  const checks = actions.map(compileAction);
  const [only] = checks;
  // The common case (an integer: number, then safe_integer) without the loop.
  if (checks.length === 1 && only) return (x) => base(x) && only(x);
  return (x) => {
    if (!base(x)) return false;
    for (const c of checks) if (!c(x)) return false;
    return true;
  };
}

function compileObject(entries: Readonly<Record<string, Node>>): Guard {
  const keys = Object.keys(entries);
  const guards = keys.map((k) => compile(entries[k] as Node));
  const optional = keys.map((k) => (entries[k] as Node).type === 'optional');
  return (x) => {
    if (!x || typeof x !== 'object' || Array.isArray(x)) return false;
    const o = x as Record<string, unknown>;
    let present = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      if (key in o) {
        present++;
        if (!(guards[i] as Guard)(o[key])) return false;
      } else if (!optional[i]) return false;
    }
    // A key the schema does not name (or a named one only inherited): valibot's copy would differ.
    return Object.keys(o).length === present;
  };
}

function compileVariant(key: string, options: readonly Node[]): Guard {
  const cases = options.map((o) => {
    const discriminator = o.entries?.[key];
    return { is: discriminator ? compile(discriminator) : SLOW, whole: compile(o) };
  });
  return (x) => {
    if (!x || typeof x !== 'object') return false;
    const d = (x as Record<string, unknown>)[key];
    for (const c of cases) if (c.is(d)) return c.whole(x);
    return false;
  };
}

function compileWrapper(node: Node, empty: null | undefined): Guard {
  // With a default, an empty value becomes the default: not the value itself.
  if (node.default !== undefined || !node.wrapped) return SLOW;
  const inner = compile(node.wrapped);
  return (x) => x === empty || inner(x);
}

function compileArray(item: Node): Guard {
  const inner = compile(item);
  return (x) => {
    if (!Array.isArray(x)) return false;
    for (let i = 0; i < x.length; i++) if (!inner(x[i])) return false;
    return true;
  };
}

/** One schema node, without its pipe. */
function compileBase(node: Node): Guard {
  switch (node.type) {
    case 'number':
      return (x) => typeof x === 'number' && !Number.isNaN(x);
    case 'string':
      return (x) => typeof x === 'string';
    case 'boolean':
      return (x) => typeof x === 'boolean';
    case 'literal': {
      const literal = node.literal;
      // valibot compares with SameValueZero.
      return (x) => x === literal || (x !== x && literal !== literal);
    }
    case 'picklist': {
      const options = node.options ?? [];
      return (x) => options.includes(x);
    }
    case 'optional':
      return compileWrapper(node, undefined);
    case 'nullable':
      return compileWrapper(node, null);
    case 'array':
      return node.item ? compileArray(node.item) : SLOW;
    case 'object':
      return node.entries ? compileObject(node.entries) : SLOW;
    case 'variant':
      return node.key !== undefined && node.options ? compileVariant(node.key, node.options as Node[]) : SLOW;
    default:
      return SLOW;
  }
}

const compiled = new WeakMap<object, Guard>();

function compile(node: Node): Guard {
  let c = compiled.get(node);
  if (!c) {
    // A `fallback` on the node is ignored on purpose: the guard says no where valibot would use it.
    // A pipe's first item is the schema it starts from, which may be a pipe itself (Int, then a
    // bound): compiled whole, then the actions after it.
    c = node.pipe?.[0] ? compilePipe(compile(node.pipe[0]), node.pipe.slice(1)) : compileBase(node);
    compiled.set(node, c);
  }
  return c;
}

/**
 * Whether valibot would accept `value` against `schema` and give back a value equal to it (see the
 * file's comment). False means "ask valibot", not necessarily "invalid".
 */
export function passesAsIs(schema: v.GenericSchema, value: unknown): boolean {
  return compile(schema)(value);
}
