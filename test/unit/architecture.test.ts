/**
 * Imports flow one way: client → server → core, cli → core. core never imports an editor or LSP
 * library; the CLI does not import the server (it loads the server bundle at run time).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(__dirname, '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const full = path.join(d, e);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(e)) out.push(full);
    }
  };
  walk(path.join(root, dir));
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm),
    ...text.matchAll(/require\('([^']+)'\)/g),
  ].map((m) => m[1] as string);
}

function resolved(file: string, spec: string): string {
  return spec.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), spec)) : spec;
}

describe('import boundaries', () => {
  it('core imports no editor, LSP, server, client or cli code', () => {
    const bad = sources('core')
      .flatMap((f) => imports(f).map((s) => ({ f: path.relative(root, f), s: resolved(f, s) })))
      .filter(
        ({ s }) =>
          /^(vscode|vscode-languageserver|vscode-languageclient|vscode-jsonrpc)/.test(s) ||
          /^(server|client|cli)\//.test(s),
      );
    expect(bad).toEqual([]);
  });

  it('cli imports only core (and its own files)', () => {
    const bad = sources('cli')
      .flatMap((f) => imports(f).map((s) => ({ f: path.relative(root, f), s: resolved(f, s) })))
      .filter(({ s }) => /^(server|client)\//.test(s) || /^vscode/.test(s));
    expect(bad).toEqual([]);
  });

  it('server imports no client code and no vscode API', () => {
    const bad = sources('server')
      .flatMap((f) => imports(f).map((s) => ({ f: path.relative(root, f), s: resolved(f, s) })))
      .filter(({ s }) => /^client\//.test(s) || s === 'vscode' || /^cli\//.test(s));
    expect(bad).toEqual([]);
  });

  it('only core/parse/parser.ts imports tree-sitter', () => {
    const users = sources('core')
      .filter((f) => imports(f).some((s) => s === 'tree-sitter' || s === 'tree-sitter-c'))
      .map((f) => path.relative(root, f));
    expect(users).toEqual(['core/parse/parser.ts']);
  });
});
