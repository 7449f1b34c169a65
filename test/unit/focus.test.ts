/**
 * Focused parsing (batch lint parses only the function bodies the rules read): the lexical scan
 * of top-level functions, offset-preserving blanking, and — the property that matters — the same
 * findings as a full parse on every example, fixture and (when present) corpus file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { blankBodies, topLevelFunctions } from '../../core/parse/focus';
import { createCParser } from '../../core/parse/parser';
import { lintText } from '../../core/lint';
import { parseKernelVersion } from '../../core/catalog/version';
import { findCorpus } from '../../scripts/corpus';

const V612 = parseKernelVersion('6.12');
if (!V612) throw new Error('6.12 must parse');

describe('topLevelFunctions', () => {
  it('finds bodies around braces in comments, strings, characters and preprocessor lines', () => {
    const src = [
      '#define OPEN {',
      'struct s { int a; };',
      'static const int t[] = { 1, 2 };',
      '/* { not a body */',
      'static int f(int x) // {',
      '{',
      '  const char *s = "}";',
      "  char c = '{';",
      '#if X',
      '  {',
      '#endif',
      '  }',
      '  return x;',
      '}',
      'int g(void) { return 0; }',
    ].join('\n');
    const fns = topLevelFunctions(src);
    expect(fns?.map((f) => f.name)).toEqual(['f', 'g']);
    const f = fns?.[0];
    expect(src.slice(f?.bodyStart, f?.bodyEnd).startsWith('{\n  const char')).toBe(true);
    expect(src.slice(f?.bodyStart, f?.bodyEnd).endsWith('return x;\n}')).toBe(true);
  });

  it('names the function after a macro line without a semicolon, and skips annotation macros', () => {
    const src = 'module_init(foo)\nstatic int bar(void) __must_hold(&l)\n{\n}\n';
    expect(topLevelFunctions(src)?.map((f) => f.name)).toEqual(['bar']);
  });

  it('gives no name where the declarator is not a plain name', () => {
    const src = 'static int (*pick(int k))(int)\n{\n  return 0;\n}\n';
    expect(topLevelFunctions(src)?.map((f) => f.name)).toEqual([null]);
  });

  it('returns null when braces do not balance (a block opened in two #ifdef branches)', () => {
    const src = 'int f(void)\n{\n#ifdef A\n  if (a) {\n#else\n  if (b) {\n#endif\n  }\n}\n';
    expect(topLevelFunctions(src)).toBeNull();
  });
});

describe('blankBodies', () => {
  it('empties bodies keeping every offset and line break', () => {
    const src = 'int f(void)\n{\n  return g(1);\n}\nint h;\n';
    const fns = topLevelFunctions(src) ?? [];
    const out = blankBodies(src, fns);
    expect(out.length).toBe(src.length);
    expect(out).toBe(`int f(void)\n{\n${' '.repeat('  return g(1);'.length)}\n}\nint h;\n`);
  });
});

/** C files under a folder, recursively. */
function cFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...cFiles(p));
    else if (/\.[ch]$/.test(name)) out.push(p);
  }
  return out;
}

const root = path.join(__dirname, '..', '..');
const corpus = findCorpus(root).dir;

describe('focused lint', () => {
  const files = [
    ...cFiles(path.join(root, 'examples')),
    ...cFiles(path.join(root, 'test', 'fixtures')),
    ...(corpus ? cFiles(corpus) : []),
  ];

  it('blanks bodies somewhere, so the comparison below means something', () => {
    const parser = createCParser();
    const blanked = files.map(
      (f) => parser.parse(readFileSync(f, 'utf8'), undefined, { focus: () => new Set() }).focus?.blanked ?? 0,
    );
    expect(blanked.reduce((a, b) => a + b, 0)).toBeGreaterThan(50);
  });

  it.each(files.map((f) => [path.relative(root, f), f]))('%s: same findings as a full parse', (_, file) => {
    const text = readFileSync(file, 'utf8');
    const key = (focus: boolean): string[] =>
      lintText(text, { kernelVersion: V612, focus }).findings.map(
        (f) => `${f.rule} ${f.range.line}:${f.range.column}-${f.range.endLine}:${f.range.endColumn} ${f.message}`,
      );
    expect(key(true)).toEqual(key(false));
  });
});
