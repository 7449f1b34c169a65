/**
 * Kernel vocabulary lives in core/catalog/: no other file of core (or batch/) declares a list or
 * a regular expression of C names — allocators, frees, wrappers, readers, inert helpers, flags.
 * Teaching pinscope a name then means one edit, and two consumers cannot disagree by accident
 * (issue 9, item 4: three allocator regexes and three wrapper sets did).
 *
 * The heuristic (the TypeScript parser reads each file; nothing is executed):
 * - A *C name* is a word shaped like a C identifier (`[A-Za-z_][A-Za-z0-9_]*`, with a letter,
 *   two characters or more) that is not a word of the C language itself: tree-sitter-c's node
 *   types and keywords (from its grammar and node-types.json), the preprocessor directives, and
 *   the GNU keywords the grammar lacks (`typeof`, `__attribute__`, ...). So lists of syntax node
 *   types (`'if_statement'`) and of C keywords are not vocabulary.
 * - A *collection* is an array literal — also the one given to `new Set(...)` or `new Map(...)` —
 *   with its nested arrays (tuples) and the `name:` of the objects in it. It is vocabulary when
 *   it holds three C names or more. In a collection, a fragment (a word beginning with a single
 *   `_` or ending with `_`, like `_page` or `dma_`) is a substring, not a name.
 * - A *regular expression* (a literal, or `new RegExp('...')`/`` RegExp(`...`) `` — only the
 *   literal text counts, so a pattern built from a catalog list is fine) is vocabulary when it has
 *   alternatives (`|`) and three or more of them, after anchors, groups and quantifiers are
 *   stripped, are C names. Here a fragment counts: `^(pr_|dev_|netdev_)` matches names.
 * - A collection declared with a named element type (`: readonly Outcome[]`,
 *   `ReadonlySet<PageKind>`, `new Set<RuleId>(...)`) enumerates our own words, not C names.
 *
 * Not seen: names compared one by one (`name === 'kfree' || ...`), a single name, or names
 * built at run time. The allow-list below is the rest, each entry with its reason; it fails when
 * an entry no longer matches anything, so it cannot rot.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repositoryRoot as root, sources } from './sourceFiles';

/** Declarations of lists of words that look like C names but are not, and why. */
const ALLOWED: readonly { readonly file: string; readonly words: string; readonly why: string }[] = [
  {
    file: 'core/sim/dma.ts',
    words: 'device_write,device_read,cpu_read,unbind',
    why: 'steps of the .pinsim trace language that are not kernel calls',
  },
  {
    file: 'core/trace/types.ts',
    words: 'base,thp,hugetlb,zero',
    why: 'the page kinds of the simulation (small page, THP, hugetlb, the zero page)',
  },
  {
    file: 'core/sim/fromPathLayout.ts',
    words: 'full,partial,neg,zero',
    why: 'the outcomes of an acquire, in the order a trace prefers them',
  },
];

/** Where vocabulary must not be declared: core (outside the catalog) and the batch adapter. */
const SCANNED = ['core', 'batch'];

/** Words of the C language: tree-sitter-c's node types and literal tokens, directives, GNU keywords. */
function cLanguageWords(): Set<string> {
  const words = new Set<string>([
    ...['define', 'undef', 'include', 'if', 'ifdef', 'ifndef', 'elif', 'elifdef', 'elifndef', 'else', 'endif'],
    ...['pragma', 'error', 'warning', 'line', 'defined', 'ERROR', 'MISSING'],
    ...['typeof', '__typeof__', '__typeof', 'asm', '__asm__', '__asm', '__attribute__', '__attribute'],
    ...['__extension__', '__inline', '__inline__', '__restrict', '__restrict__', '__volatile__', '__alignof__'],
  ]);
  const dir = path.join(root, 'node_modules', 'tree-sitter-c', 'src');
  const grammar = JSON.parse(readFileSync(path.join(dir, 'grammar.json'), 'utf8')) as { rules: object };
  for (const rule of Object.keys(grammar.rules)) words.add(rule);
  const collect = (x: unknown, key: 'value' | 'type'): void => {
    if (Array.isArray(x)) x.forEach((y) => collect(y, key));
    else if (x && typeof x === 'object') {
      const record = x as Record<string, unknown>;
      if (key === 'value' && record.type === 'STRING' && typeof record.value === 'string') words.add(record.value);
      if (key === 'type' && typeof record.type === 'string') words.add(record.type);
      for (const v of Object.values(record)) collect(v, key);
    }
  };
  collect(grammar, 'value');
  collect(JSON.parse(readFileSync(path.join(dir, 'node-types.json'), 'utf8')), 'type');
  return words;
}

const C_WORDS = cLanguageWords();
const NAME_SHAPE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isCName(word: string, inRegex: boolean): boolean {
  if (word.length < (inRegex ? 1 : 2) || !NAME_SHAPE.test(word) || !/[A-Za-z]/.test(word) || C_WORDS.has(word))
    return false;
  const fragment = /^_[^_]/.test(word) || word.endsWith('_');
  return inRegex || !fragment;
}

/**
 * The C names among a regular expression's alternatives. Name pieces count too (`k|kv|devm_k` in
 * `(?:k|kv|v|devm_k)(?:m|z|c)?alloc`), as long as one of them is longer than a letter.
 */
function regexNames(source: string): string[] {
  if (!source.includes('|')) return [];
  const names = source
    .split(/[|()]/)
    .map((part) =>
      part
        .replace(/^\?(?::|=|!|<=|<!|<\w+>)/, '')
        .replace(/^(?:[?*+]|\{\d*,?\d*\})+/, '')
        .replace(/^(?:\^|\\b)+/, '')
        .replace(/(?:\$|\\b|[?*+]|\{\d*,?\d*\})+$/, ''),
    )
    .filter((w) => isCName(w, true));
  return names.some((n) => n.length > 1) ? names : [];
}

/** A declaration's type names an element type of our own (`readonly Outcome[]`, `Set<RuleId>`). */
function ownWordType(type: ts.TypeNode | undefined, sf: ts.SourceFile): boolean {
  if (!type) return false;
  const text = type.getText(sf).replace(/\s+/g, ' ');
  const m =
    /^(?:readonly )?([A-Za-z_]\w*)\[\]$/.exec(text) ?? /^(?:Readonly)?(?:Set|Array)<([A-Za-z_]\w*)>$/.exec(text);
  return m !== null && m[1] !== 'string';
}

/** Whether the collection at `node` is declared with a type of our own words. */
function typedAsOwnWords(node: ts.Node, sf: ts.SourceFile): boolean {
  let n: ts.Node = node;
  if (ts.isNewExpression(n.parent) && n.parent.typeArguments?.[0]) {
    if (ownWordType(n.parent.typeArguments[0], sf)) return true;
  }
  if (ts.isNewExpression(n.parent) || ts.isAsExpression(n.parent)) n = n.parent;
  const decl = n.parent;
  return (ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl)) && ownWordType(decl.type, sf);
}

/** The C names a collection literal holds (nested tuples and `name:` properties included). */
function collectionNames(array: ts.ArrayLiteralExpression): string[] {
  const names: string[] = [];
  const visit = (e: ts.Expression): void => {
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
      if (isCName(e.text, false)) names.push(e.text);
    } else if (ts.isArrayLiteralExpression(e)) e.elements.forEach(visit);
    else if (ts.isObjectLiteralExpression(e)) {
      for (const p of e.properties) if (ts.isPropertyAssignment(p) && p.name.getText() === 'name') visit(p.initializer);
    }
  };
  array.elements.forEach(visit);
  return names;
}

interface Declared {
  readonly file: string;
  readonly line: number;
  readonly kind: 'collection' | 'regex';
  readonly words: readonly string[];
}

function vocabularyIn(file: string): Declared[] {
  const rel = path.relative(root, file).split(path.sep).join('/');
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Declared[] = [];
  const report = (node: ts.Node, kind: Declared['kind'], words: string[]): void => {
    if (words.length >= 3)
      found.push({ file: rel, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, kind, words });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isArrayLiteralExpression(node) && !ts.isArrayLiteralExpression(node.parent)) {
      if (!typedAsOwnWords(node, sf)) report(node, 'collection', collectionNames(node));
    } else if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = node.getText(sf);
      report(node, 'regex', regexNames(text.slice(1, text.lastIndexOf('/'))));
    } else if (
      (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
      node.expression.getText(sf) === 'RegExp' &&
      node.arguments?.[0]
    ) {
      const arg = node.arguments[0];
      const literal = ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg) ? arg.text : null;
      const template = ts.isTemplateExpression(arg)
        ? [arg.head.text, ...arg.templateSpans.map((s) => s.literal.text)].join('\u0000')
        : null;
      report(node, 'regex', regexNames(literal ?? template ?? ''));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('kernel vocabulary lives in core/catalog/', () => {
  const all = SCANNED.flatMap(sources)
    .filter((f) => !path.relative(root, f).split(path.sep).join('/').startsWith('core/catalog/'))
    .filter((f) => /\.ts$/.test(f))
    .flatMap(vocabularyIn);
  const allowed = (d: Declared): boolean => ALLOWED.some((a) => a.file === d.file && a.words === d.words.join(','));

  it('no file outside the catalog declares a list or a regular expression of C names', () => {
    expect(all.filter((d) => !allowed(d)).map((d) => `${d.file}:${d.line} ${d.kind}: ${d.words.join(' ')}`)).toEqual(
      [],
    );
  });

  it('every allow-list entry still matches a declaration (and says why)', () => {
    for (const a of ALLOWED) expect(a.why.length).toBeGreaterThan(10);
    expect(ALLOWED.filter((a) => !all.some((d) => d.file === a.file && d.words.join(',') === a.words))).toEqual([]);
  });

  it('the heuristic sees what it is meant to see (the lists issue 9 found, re-declared here)', () => {
    const probe = (code: string): string[][] => {
      const sf = ts.createSourceFile('probe.ts', code, ts.ScriptTarget.Latest, true);
      const out: string[][] = [];
      const visit = (node: ts.Node): void => {
        if (ts.isArrayLiteralExpression(node) && !ts.isArrayLiteralExpression(node.parent)) {
          if (!typedAsOwnWords(node, sf)) out.push(collectionNames(node));
        } else if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
          const text = node.getText(sf);
          out.push(regexNames(text.slice(1, text.lastIndexOf('/'))));
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
      return out.filter((w) => w.length >= 3);
    };
    expect(probe(`const FREE_CALLS = new Set(['kfree', 'kvfree', 'vfree']);`)).toEqual([['kfree', 'kvfree', 'vfree']]);
    expect(probe(`const A = /^\\s*\\(?(?:k|kv|v|devm_k)(?:m|z|c)?alloc\\w*\\s*\\(/;`)).toEqual([
      ['k', 'kv', 'v', 'devm_k', 'm', 'z', 'c'],
    ]);
    expect(probe(`const LOG = /^(pr_|dev_|netdev_|trace_|WARN|BUG)/;`)).toEqual([
      ['pr_', 'dev_', 'netdev_', 'trace_', 'WARN', 'BUG'],
    ]);
    expect(probe(`const P = [['lock', 'unlock'], ['pin', 'unpin']];`)).toEqual([['lock', 'unlock', 'pin', 'unpin']]);
    // Not vocabulary: node types, C keywords, fragments, our own typed words.
    expect(probe(`const T = new Set(['if_statement', 'for_statement', 'while_statement']);`)).toEqual([]);
    expect(probe(`const K = /\\b(const|volatile|register|static|extern|inline)\\b/;`)).toEqual([]);
    expect(probe(`const F = ['_page', '_folio', 'dma_'];`)).toEqual([]);
    expect(probe(`const O: readonly Outcome[] = ['neg', 'zero', 'partial', 'full'];`)).toEqual([]);
  });
});
