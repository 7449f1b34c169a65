/**
 * Imports flow one way: client → server → core, cli → batch → core (the server's Lint Workspace
 * uses batch too). core is pure: no editor or LSP library, no file or thread I/O. server, cli and
 * batch enter core through its front door, core/index.ts, so core's inside can move freely. The
 * CLI does not import the server (it loads the server bundle at run time). client and server share
 * shared/ (the message and settings schemas), which takes nothing of ours but core's types.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imports, repositoryRoot as root, resolved, sources } from './sourceFiles';

interface Edge {
  readonly from: string;
  readonly to: string;
}

function edges(dir: string): Edge[] {
  return sources(dir).flatMap((f) => imports(f).map((s) => ({ from: path.relative(root, f), to: resolved(f, s) })));
}

const NODE_IO = /^(node:)?(fs|fs\/promises|worker_threads|os|child_process|net)$/;

describe('import boundaries', () => {
  it('core imports no editor, LSP, server, client, cli or batch code', () => {
    const bad = edges('core').filter(
      ({ to }) =>
        /^(vscode|vscode-languageserver|vscode-languageclient|vscode-jsonrpc)/.test(to) ||
        /^(server|client|cli|batch|shared)\//.test(to),
    );
    expect(bad).toEqual([]);
  });

  it('core does no file or thread I/O: no fs, worker_threads, os (with or without node:)', () => {
    expect(edges('core').filter(({ to }) => NODE_IO.test(to))).toEqual([]);
  });

  it('server, cli and batch enter core only through core/index.ts', () => {
    const bad = [...edges('server'), ...edges('cli'), ...edges('batch')].filter(
      ({ to }) => to.startsWith('core/') && to !== 'core/index',
    );
    expect(bad).toEqual([]);
  });

  it('shared imports only valibot, its own files and (type-only) core/index.ts', () => {
    const bad = sources('shared').flatMap((f) => {
      const typeOnly = new Set(
        [...readFileSync(f, 'utf8').matchAll(/^\s*import\s+type\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]),
      );
      return imports(f)
        .filter(
          (s) => !(s === 'valibot' || /^\.\/[^/]+$/.test(s) || (typeOnly.has(s) && resolved(f, s) === 'core/index')),
        )
        .map((s) => ({ from: path.relative(root, f), to: s }));
    });
    expect(bad).toEqual([]);
  });

  it('batch imports core/index.ts, node and libraries only (no server, client or cli)', () => {
    const bad = edges('batch').filter(({ to }) => /^(server|client|cli|shared)\//.test(to));
    expect(bad).toEqual([]);
  });

  it('cli imports core and batch only (and its own files)', () => {
    const bad = edges('cli').filter(({ to }) => /^(server|client)\//.test(to) || /^vscode/.test(to));
    expect(bad).toEqual([]);
  });

  it('server imports no client or cli code and no vscode API', () => {
    const bad = edges('server').filter(({ to }) => /^(client|cli)\//.test(to) || to === 'vscode');
    expect(bad).toEqual([]);
  });

  it('only core/parse/parser.ts imports tree-sitter', () => {
    const users = sources('core')
      .filter((f) => imports(f).some((s) => s === 'tree-sitter' || s === 'tree-sitter-c'))
      .map((f) => path.relative(root, f));
    expect(users).toEqual(['core/parse/parser.ts']);
  });
});

/** The strongly connected components with more than one folder (Tarjan): each is an import cycle. */
function cycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, indices.get(w) as number));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      for (;;) {
        const w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);
  return found.sort((a, b) => (a[0] as string).localeCompare(b[0] as string));
}

/** The folder graph of `dirs`: `folderOf` names the folder of a file (or null to leave it out). */
function folderGraph(dirs: readonly string[], folderOf: (file: string) => string | null): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, to } of dirs.flatMap(edges)) {
    const a = folderOf(from);
    const b = folderOf(to);
    if (a === null || b === null || a === b) continue;
    const out = graph.get(a) ?? new Set<string>();
    out.add(b);
    graph.set(a, out);
  }
  return graph;
}

const TOP_LEVEL = ['core', 'batch', 'server', 'client', 'cli', 'shared', 'scripts'] as const;
const existing = TOP_LEVEL.filter((d) => {
  try {
    return statSync(path.join(root, d)).isDirectory();
  } catch {
    return false;
  }
});

describe('no import cycles', () => {
  it('between the top-level folders', () => {
    const graph = folderGraph(existing, (f) => {
      const top = f.split('/')[0] as string;
      return (existing as readonly string[]).includes(top) ? top : null;
    });
    expect(cycles(graph)).toEqual([]);
  });

  it("between core's folders, once the known back edges are left out (the list only shrinks)", () => {
    // core's loose root files (lint.ts, findings.ts, …) are rooms of their own; the front door
    // (index.ts) stands above everything and is left out.
    const graph = folderGraph(['core'], (f) => {
      if (!f.startsWith('core/') || f === 'core/index' || f === 'core/index.ts') return null;
      const parts = f.split('/');
      return parts.length > 2 ? `core/${parts[1]}` : f.replace(/\.tsx?$/, '');
    });
    const present = KNOWN_CORE_BACK_EDGES.filter(([from, to]) => graph.get(from)?.delete(to) === true);
    expect(present).toEqual(KNOWN_CORE_BACK_EDGES);
    expect(cycles(graph)).toEqual([]);
  });

  it('analysis building blocks, the path engine and the file analysis stand on floors, in that order', () => {
    const graph = folderGraph(['core'], (f) => (f.startsWith('core/') ? `core/${f.split('/')[1]}` : null));
    const above = (from: string, to: string): boolean => graph.get(from)?.has(to) === true;
    expect([above('core/analysis', 'core/paths'), above('core/analysis', 'core/fileAnalysis')]).toEqual([false, false]);
    expect(above('core/paths', 'core/fileAnalysis')).toBe(false);
    expect([above('core/fileAnalysis', 'core/paths'), above('core/paths', 'core/analysis')]).toEqual([true, true]);
  });
});

/**
 * Imports that run back up among core's folders, each closing a cycle, in code other branches
 * own (cut `analysis/file.ts → paths/engine.ts`, the third, moved the file analysis to
 * core/fileAnalysis/; branch `sim` cut `trace/types.ts → sim/types.ts`: PageKind is the trace
 * language's, sim re-exports it). When a change cuts one, delete its line: the test fails while a
 * listed edge no longer exists, and when the rest of the graph has a cycle.
 *  - `findings.ts → rules/` (type-only: RuleId; rules build findings, and analysis, paths, text…
 *    type them) — branch `rules`.
 */
const KNOWN_CORE_BACK_EDGES: [string, string][] = [['core/findings', 'core/rules']];
