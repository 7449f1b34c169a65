/**
 * Small files with one job: no source file over 600 lines and no function over 120 lines (the
 * developer guide's limits), checked in the folders whose structure issue 9 reworked. A function
 * is every function declaration, method, constructor, accessor and function or arrow expression,
 * measured from its first to its last line by the TypeScript parser.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repositoryRoot as root, sources } from './sourceFiles';

const CHECKED = ['core/analysis', 'core/paths', 'core/catalog', 'core/parse', 'core/fileAnalysis'];
const MAX_FILE_LINES = 600;
const MAX_FUNCTION_LINES = 120;

function lines(sf: ts.SourceFile, node: ts.Node): number {
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
  const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
  return end - start + 1;
}

function nameOf(node: ts.Node, sf: ts.SourceFile): string {
  const named = node as { name?: ts.Node };
  if (named.name) return named.name.getText(sf);
  if (ts.isVariableDeclaration(node.parent)) return node.parent.name.getText(sf);
  if (ts.isPropertyAssignment(node.parent)) return node.parent.name.getText(sf);
  return '(anonymous)';
}

describe('file and function sizes', () => {
  const files = CHECKED.flatMap(sources).filter((f) => f.endsWith('.ts'));

  it(`no file over ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .map((f) => ({ file: path.relative(root, f), lines: readFileSync(f, 'utf8').split('\n').length }))
      .filter((f) => f.lines > MAX_FILE_LINES)
      .map((f) => `${f.file}: ${f.lines}`);
    expect(long).toEqual([]);
  });

  it(`no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long: string[] = [];
    for (const file of files) {
      const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && (node as { body?: ts.Node }).body) {
          const n = lines(sf, node);
          if (n > MAX_FUNCTION_LINES) long.push(`${path.relative(root, file)}: ${nameOf(node, sf)} ${n}`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(long).toEqual([]);
  });
});
