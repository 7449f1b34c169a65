/**
 * Parsing kernel C: annotations blanked without moving a single offset, conditional braces, and
 * every idiom in test/fixtures/kernel-idioms.c parsing with its GUP call still seen.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../core/fileAnalysis/analyzeFile';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { parseNotes } from '../../core/lint';
import { createCParser, type ParsedSource } from '../../core/parse/parser';
import { LineIndex } from '../../core/text/lineIndex';
import {
  blankConditionals,
  blankKernelAnnotations,
  blankTypeArguments,
  preparedAfterChange,
} from '../../core/parse/prepare';
import { changeBetween } from '../../core/text/change';
import { parseProblemsWithin, walk, type ParseProblem, type SyntaxNode } from '../../core/parse/syntax';
import { topLevelFunctions } from '../../core/parse/focus';
// The seeded generator the triage draw uses: a failing sequence replays from its name.
import { mulberry32 } from '../../scripts/triage-lib.mjs';

const idioms = readFileSync(path.join(__dirname, '..', 'fixtures', 'kernel-idioms.c'), 'utf8');

/** A tree as an S-expression of its named nodes, each with its offsets. */
function shape(node: SyntaxNode): string {
  const head = `${node.type}@${node.startIndex}-${node.endIndex}`;
  return node.namedChildCount ? `(${head} ${node.namedChildren.map(shape).join(' ')})` : `(${head})`;
}

describe('offset-preserving preparation', () => {
  it('blanks annotations and their arguments with spaces, keeping length and line breaks', () => {
    const src = 'static int __must_check f(void __user *p, struct page **x __free(kfree))\n{ return 0; }';
    const out = blankKernelAnnotations(src);
    expect(out.length).toBe(src.length);
    expect(out).toBe('static int              f(void        *p, struct page **x              )\n{ return 0; }');
  });

  it('leaves identifiers that merely start like an annotation', () => {
    expect(blankKernelAnnotations('int __init_fn; int __user_ptr;')).toBe('int __init_fn; int __user_ptr;');
  });

  it('blanks `struct` in type-taking macros', () => {
    expect(blankTypeArguments('x = container_of(w, struct foo, node);')).toBe('x = container_of(w,        foo, node);');
  });

  it('keeps the first branch of #if/#else when asked, and always drops #if 0 bodies', () => {
    const src = '#if 0\nbroken(\n#endif\n#ifdef A\n{ a();\n#else\n{ b();\n#endif\n}';
    expect(blankConditionals(src, false)).toBe('#if 0\n       \n#endif\n#ifdef A\n{ a();\n#else\n{ b();\n#endif\n}');
    expect(blankConditionals(src, true)).toBe('#if 0\n       \n#endif\n#ifdef A\n{ a();\n     \n      \n#endif\n}');
  });
});

describe('preparing an edited text from the old preparation', () => {
  const full = (t: string, firstBranch: boolean): string =>
    blankTypeArguments(blankKernelAnnotations(blankConditionals(t, firstBranch)));
  // Annotations with and without arguments, type-taking macros, #if 0, #else branches, a
  // directive-free whitespace line inside a dropped branch, and plain code.
  const synthetic = [
    'static int __must_check f(void __user *p, struct page **x __free(kfree))',
    '{',
    '\tstruct foo *w = container_of(p, struct foo,',
    '\t\t\t\t      node);',
    '\tint n = 0;',
    '#if 0',
    '\tn = old_call(p);',
    '#endif',
    '#ifdef CONFIG_A',
    '\tif (n) {',
    '',
    '\t\tn = a(p);',
    '#else',
    '\tif (!n) {',
    '',
    '\t\tn = b(p) __acquires(lock);',
    '#endif',
    '\t\tn += 2;',
    '\t}',
    '\treturn n;',
    '}',
    '',
  ].join('\n');
  const INSERTS = [' ', '\n', 'x', '_', '(', ')', ';', '{', '#', 'struct ', '__user', '0', '\n#else\n', '\t'];

  it('gives the whole preparation of the new text, or null', () => {
    const texts: [string, string][] = [
      ['synthetic', synthetic],
      ['kernel-idioms.c', idioms],
    ];
    const next = mulberry32(44);
    let reused = 0;
    let tried = 0;
    for (const [name, text] of texts)
      for (const firstBranch of [false, true]) {
        let current = text;
        let prepared = full(text, firstBranch);
        for (let k = 0; k < 1500; k++) {
          const at = Math.floor(next() * current.length);
          const edited =
            next() < 0.5
              ? current.slice(0, at) + (INSERTS[Math.floor(next() * INSERTS.length)] as string) + current.slice(at)
              : current.slice(0, at) + current.slice(Math.min(current.length, at + 1 + Math.floor(next() * 6)));
          const change = changeBetween(current, edited);
          if (!change) continue;
          tried++;
          const quick = preparedAfterChange(current, prepared, edited, change);
          const expected = full(edited, firstBranch);
          if (quick !== null) {
            reused++;
            expect(quick, `${name} ${firstBranch ? 'first-branch' : 'all-branches'} edit ${k}`).toBe(expected);
          }
          current = edited;
          prepared = expected;
          // Back to the original now and then, so the text does not drift into noise.
          if (next() < 0.1) {
            current = text;
            prepared = full(text, firstBranch);
          }
        }
      }
    // About a quarter of these edits (dense with annotations and directives) are spliced in.
    expect(reused).toBeGreaterThan(tried / 6);
  });
});

describe('kernel idioms', () => {
  const parsed = createCParser().parse(idioms);

  it('parse without ERROR nodes', () => {
    const errors = parsed.problems.filter((p) => p.kind === 'error');
    expect(errors.map((e) => idioms.slice(e.startIndex, e.startIndex + 30))).toEqual([]);
    expect(parsed.mode).toBe('first-branch');
  });

  it('every idiom function is found and its pin_user_pages_fast() call is an acquire', () => {
    const file = analyzeFile(parsed, parseKernelVersion('6.12') as KernelVersion);
    const acquires = file.functions.flatMap((f) =>
      f.cfg.nodes.flatMap((n) => n.ops.filter((o) => o.kind === 'acquire').map(() => f.info.name)),
    );
    expect(acquires).toEqual([
      'idiom_annotations',
      'idiom_list_for_each',
      'idiom_for_each_sg',
      'idiom_guards',
      'idiom_statement_expression',
      'idiom_attributes',
      'idiom_designated',
      'idiom_container_of',
      'idiom_ifdef_braces',
      'idiom_goto_ladder',
    ]);
    const marks = [...idioms.matchAll(/\/\* (\d+) \*\//g)].map((m) => Number(m[1]));
    expect(marks).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('iterator macros are loops in the graph; scoped_guard is a block', () => {
    const file = analyzeFile(parsed, parseKernelVersion('6.12') as KernelVersion);
    const kinds = (name: string): string[] =>
      file.functions.find((f) => f.info.name === name)?.cfg.nodes.map((n) => n.kind) ?? [];
    expect(kinds('idiom_list_for_each')).toContain('loop-head');
    expect(kinds('idiom_for_each_sg')).toContain('loop-head');
    expect(kinds('idiom_guards')).not.toContain('loop-head');
  });

  it('columns are UTF-16 code units, the same as the editor counts', () => {
    const src = '/* é */ int f(void __user *p) { return pin_user_pages_fast(0, 1, FOLL_PIN, 0); }';
    const file = analyzeFile(createCParser().parse(src), parseKernelVersion('6.12') as KernelVersion);
    const op = file.functions[0]?.cfg.nodes.flatMap((n) => n.ops)[0];
    expect(op?.node.startIndex).toBe(src.indexOf('pin_user_pages_fast'));
  });

  it('re-parses incrementally after an edit and matches a fresh parse', () => {
    const parser = createCParser();
    const first = parser.parse(idioms);
    const edited = idioms.replace('/* 10 */', '/* ten */');
    const incremental = parser.parse(edited, first);
    const fresh = createCParser().parse(edited);
    expect(shape(incremental.root)).toBe(shape(fresh.root));
  });
});

/**
 * An edited document's tree must be the tree a fresh parse of its text gives (parser.ts, parseMode):
 * the session lints it as if it were. Seeded edits inside function bodies and outside them, many
 * of them parse errors (a half-typed statement, an unbalanced brace, a deleted character), each
 * parsed from the previous edit's tree, as the editor does, and compared with a fresh parse: the
 * tree (its S-expression and its top-level items' places), the mode and the parse problems.
 */
describe('an edited tree equals a fresh parse', () => {
  const KERNEL = [
    process.env.PINSCOPE_KERNEL_TREE ?? '',
    '/work/kernel/linux-source-6.12',
    path.join(__dirname, '..', '..', '.bench-cache', 'linux-source-6.12'),
  ].find((t) => t !== '' && existsSync(t));
  const line = (t: string, at: number): [number, number] => {
    const s = t.lastIndexOf('\n', at - 1) + 1;
    const e = t.indexOf('\n', at);
    return [s, e < 0 ? t.length : e];
  };
  const EDITS: ((t: string, at: number) => string)[] = [
    (t, at) => `${t.slice(0, at)}${'x;({)}*&,'[at % 9] ?? 'x'}${t.slice(at)}`,
    (t, at) => `${t.slice(0, at)}${t.slice(at + 1)}`,
    (t, at) => `${t.slice(0, line(t, at)[1])}\n\tpin_user_pa${t.slice(line(t, at)[1])}`,
    (t, at) => `${t.slice(0, line(t, at)[1])}\n\tif (x) {${t.slice(line(t, at)[1])}`,
    (t, at) => `${t.slice(0, line(t, at)[0])}${t.slice(Math.min(t.length, line(t, at)[1] + 1))}`,
    (t, at) => {
      const m = /[A-Za-z_]\w*/.exec(t.slice(at));
      return m ? `${t.slice(0, at + m.index)}${m[0]}x${t.slice(at + m.index + m[0].length)}` : t;
    },
  ];
  const parsedShape = (p: ReturnType<ReturnType<typeof createCParser>['parse']>): unknown => ({
    mode: p.mode,
    tree: shape(p.root),
    // Rows and columns too: the edit tree-sitter is told carries them (parser.ts editOf).
    items: p.root.namedChildren.map(
      (c) =>
        `${c.type}:${c.startIndex}:${c.endIndex}:${c.startPosition.row}.${c.startPosition.column}:${c.endPosition.row}.${c.endPosition.column}`,
    ),
    problems: p.problems
      .map((q) => `${q.kind}:${q.startIndex}:${q.endIndex}:${q.token ?? ''}`)
      .sort()
      .join(),
  });
  /**
   * The tree as an S-expression with offsets `map`ped, what lies within `[start, end)` left out:
   * what ParsedSource.reused says is the same before and after an edit.
   */
  const outside = (node: SyntaxNode, start: number, end: number, map: (o: number) => number): string => {
    const head = `${node.type}@${map(node.startIndex)}-${map(node.endIndex)}`;
    const kept = node.namedChildren.filter((c) => c.startIndex < start || c.endIndex > end);
    return kept.length ? `(${head} ${kept.map((c) => outside(c, start, end, map)).join(' ')})` : `(${head})`;
  };
  const replay = (name: string, text: string, count: number): number => {
    const next = mulberry32([...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 3));
    const parser = createCParser();
    let current = text;
    let parsed = parser.parse(text);
    let previousFresh = createCParser().parse(text);
    let reusedTrees = 0;
    for (let k = 0; k < count; k++) {
      const bodies = topLevelFunctions(current) ?? [];
      const body = bodies[Math.floor(next() * bodies.length)];
      const inside = body && next() < 0.9;
      const at = inside
        ? body.bodyStart + 1 + Math.floor(next() * Math.max(1, body.bodyEnd - body.bodyStart - 2))
        : Math.floor(next() * current.length);
      const edit = EDITS[Math.floor(next() * EDITS.length)] as (t: string, at: number) => string;
      // Often back to the original (typing, then undoing it), so errors come and go.
      const edited = next() < 0.3 ? text : edit(current, at);
      // As the session parses: told the change it found (odd edits), or told one of another text,
      // which must not be used (every fourth), or told nothing.
      const told =
        k % 2 === 1
          ? { edit: { from: current, change: changeBetween(current, edited) } }
          : k % 4 === 0
            ? { edit: { from: `${current} `, change: null } }
            : {};
      parsed = parser.parse(edited, parsed, told);
      const freshParse = createCParser().parse(edited);
      expect(parsedShape(parsed), `${name}: edit ${k + 1}`).toEqual(parsedShape(freshParse));
      const reused = parsed.reused;
      if (reused) {
        // The tree outside the re-parsed item is the previous one in the same mode, moved.
        const before = previousFresh.mode === parsed.mode ? previousFresh : previousFresh.other;
        expect(reused.from).toBe(current);
        expect(before?.mode).toBe(parsed.mode);
        const delta = reused.newEnd - reused.oldEnd;
        const moved = (o: number): number => (o >= reused.oldEnd ? o + delta : o);
        expect(
          outside(parsed.root, reused.start, reused.newEnd, (o) => o),
          `${name}: edit ${k + 1} reused`,
        ).toBe(outside((before as ParsedSource).root, reused.start, reused.oldEnd, moved));
        reusedTrees++;
      }
      previousFresh = freshParse;
      current = edited;
    }
    return reusedTrees;
  };
  it('examples and fixtures', () => {
    let reused = 0;
    for (const dir of ['examples', path.join('test', 'fixtures')]) {
      const base = path.join(__dirname, '..', '..', dir);
      for (const f of readdirSync(base).filter((n) => n.endsWith('.c')))
        reused += replay(f, readFileSync(path.join(base, f), 'utf8'), 8);
    }
    expect(reused).toBeGreaterThan(0);
  });
  it.skipIf(!KERNEL).each(['drivers/scsi/st.c', 'mm/gup.c', 'drivers/vfio/vfio_iommu_type1.c'])(
    `kernel %s (${KERNEL ?? 'no kernel tree at /work/kernel/linux-source-6.12, .bench-cache or $PINSCOPE_KERNEL_TREE: skipped'})`,
    (rel) => expect(replay(rel, readFileSync(path.join(KERNEL as string, rel), 'latin1'), 40)).toBeGreaterThan(0),
    60_000,
  );
});

describe('parse problems within ranges', () => {
  /** The plain walk parseProblemsWithin prunes: every node that touches a range, nothing skipped. */
  const walked = (root: SyntaxNode, ranges: readonly { start: number; end: number }[]): ParseProblem[] => {
    const found: ParseProblem[] = [];
    const touches = (n: SyntaxNode): boolean => ranges.some((r) => n.endIndex >= r.start && n.startIndex <= r.end);
    walk(root, (n) => {
      if (!touches(n)) return false;
      if (n.isError) found.push({ kind: 'error', startIndex: n.startIndex, endIndex: n.endIndex });
      else if (n.isMissing)
        found.push({ kind: 'missing', startIndex: n.startIndex, endIndex: n.endIndex, token: n.type });
      return n.isError || (!n.isMissing && n.hasError);
    });
    return found;
  };

  it('finds what a walk of every touching node finds, at ranges on, next to and between problems', () => {
    // Broken in several places, at top level and inside bodies, so that problems sit among many items.
    const items = Array.from({ length: 40 }, (_, i) =>
      i % 7 === 3
        ? `int f${i}(void) { g(; return ${i}; }\n`
        : i % 11 === 5
          ? `int v${i} = ;\n`
          : `int f${i}(void) { return ${i}; }\n`,
    );
    const text = `${items.join('')}struct s {`;
    const parsed = createCParser().parse(text);
    expect(parsed.problems.length).toBeGreaterThan(4);
    const next = mulberry32(12);
    const cases: { start: number; end: number }[][] = [];
    for (const p of parsed.problems)
      for (const at of [p.startIndex - 1, p.startIndex, p.endIndex, p.endIndex + 1])
        cases.push([{ start: at, end: at }]);
    for (let k = 0; k < 200; k++)
      cases.push(
        Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
          const start = Math.floor(next() * text.length);
          return { start, end: start + Math.floor(next() * (next() < 0.5 ? 3 : 300)) };
        }),
      );
    let nonEmpty = 0;
    for (const ranges of cases) {
      const expected = walked(parsed.root, ranges);
      if (expected.length > 0) nonEmpty++;
      expect(parseProblemsWithin(parsed.root, ranges), JSON.stringify(ranges)).toEqual(expected);
    }
    expect(nonEmpty).toBeGreaterThan(50);
  });
});

describe('the parse note', () => {
  it('counts the ERROR regions inside no longer one, and points at the narrowest problem', () => {
    const text = `${'x'.repeat(59)}\n${'y'.repeat(40)}`;
    const error = (startIndex: number, endIndex: number) => ({ kind: 'error' as const, startIndex, endIndex });
    const problems = [
      error(0, 50), // a region …
      error(10, 20), // … with two inside it,
      error(0, 30), // one of them starting where it starts
      error(40, 70), // overlapping its end: a region of its own
      error(62, 70), // inside that one, ending where it ends
      error(80, 90), // two equal spans: neither is inside a longer one
      error(80, 90),
      { kind: 'missing' as const, startIndex: 65, endIndex: 65 },
    ];
    const notes = parseNotes({ problems } as unknown as ParsedSource, new LineIndex(text));
    expect(notes.map((n) => n.message)).toEqual([
      '4 parts of the file did not parse as C (2:6); findings there may be missing',
    ]);
  });
});
