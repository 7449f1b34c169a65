/**
 * The statement walks' fast path (core/analysis/expr.ts): when a region can hold no nested block,
 * `callsIn` and `expressionNodesOfType` ask tree-sitter for the nodes of a type in one native call
 * instead of walking. They must give the nodes the block-skipping walk gives, in the same order:
 * each region below is checked against that walk, written out here as it stood before the fast path.
 */
import { describe, expect, it } from 'vitest';
import { callsIn, expressionNodesOfType } from '../../core/analysis/expr';
import { createCParser } from '../../core/parse/parser';
import type { SyntaxNode } from '../../core/parse/syntax';

/** The walk both fast paths stand in for: pre-order, named children, not entering blocks other than `({ … })`. */
function walkRegion(node: SyntaxNode, visit: (n: SyntaxNode) => void): void {
  visit(node);
  for (const child of node.namedChildren) {
    if (child.type === 'compound_statement' && node.type !== 'parenthesized_expression') continue;
    walkRegion(child, visit);
  }
}

function callsByWalk(node: SyntaxNode): SyntaxNode[] {
  const calls: SyntaxNode[] = [];
  const post = (n: SyntaxNode): void => {
    for (const child of n.namedChildren) {
      if (child.type === 'compound_statement' && n.type !== 'parenthesized_expression') continue;
      post(child);
    }
    if (n.type === 'call_expression') calls.push(n);
  };
  post(node);
  return calls;
}

const REGION_TYPES = new Set(['expression_statement', 'declaration', 'return_statement', 'parenthesized_expression']);

function regionsOf(source: string): SyntaxNode[] {
  const parsed = createCParser().parse(source);
  const regions: SyntaxNode[] = [];
  const visit = (n: SyntaxNode): void => {
    if (REGION_TYPES.has(n.type)) regions.push(n);
    for (const child of n.namedChildren) visit(child);
  };
  visit(parsed.root);
  return regions;
}

const spans = (nodes: readonly SyntaxNode[]): string[] => nodes.map((n) => `${n.type}@${n.startIndex}-${n.endIndex}`);

const SOURCE = `
int f(struct dev *d, int n)
{
	int a = g(h(n), k(m(1), p()));
	x = y = q(r(s(t())));
	d->len = ({ int z = u(v()); if (z) { w(z); } z; });
	log("{ not a block", a(b()));
	c = '{' + e(f2());
	if ((rc = dma_map_sg(d, sg, n, DIR)) == 0)
		return fail(d, n++);
	for (i = 0; i < n; i++) i += step(i);
	n++;
	--count;
	x = 1;
	int q, r2 = 2;
	return cb(n)(d) + (*fp)(n) + arr[i](g(n));
}

int broken(int n)
{
	a = f(g(n);
	b = h(k(n);
	return 1;
}
`;

describe("the statement walks' fast path", () => {
  const regions = regionsOf(SOURCE);

  it('has regions of each kind to check: with blocks, with "{" in literals, and with parse problems', () => {
    expect(regions.length).toBeGreaterThan(12);
    expect(regions.some((r) => r.text.includes('({'))).toBe(true);
    expect(regions.some((r) => r.text.includes('"{'))).toBe(true);
    expect(regions.some((r) => r.hasError)).toBe(true);
  });

  it('callsIn gives the post-order of the walk (arguments before the call that takes them)', () => {
    for (const region of regions) expect(spans(callsIn(region)), region.text).toEqual(spans(callsByWalk(region)));
    const first = regions.find((r) => r.text.startsWith('int a = g('));
    expect(callsIn(first as SyntaxNode).map((c) => c.text.slice(0, 2))).toEqual(['h(', 'm(', 'p(', 'k(', 'g(']);
  });

  it('expressionNodesOfType gives the document order of the walk, not entering blocks', () => {
    const types = ['assignment_expression', 'init_declarator', 'update_expression', 'call_expression'];
    for (const region of regions) {
      const walked: SyntaxNode[] = [];
      walkRegion(region, (n) => {
        if (types.includes(n.type)) walked.push(n);
      });
      expect(spans(expressionNodesOfType(region, types)), region.text).toEqual(spans(walked));
    }
  });
});
