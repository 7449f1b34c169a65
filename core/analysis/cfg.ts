/**
 * A control-flow graph for one C function, built straight from the tree-sitter AST. Nodes carry
 * the page operations their statement performs; edges carry the branch condition taken. Kernel
 * idioms handled: goto unwind ladders, iterator macros (`list_for_each_entry(...) { }`,
 * `for_each_sg(...) stmt;`) as loops, `scoped_guard(...) { }` as a block, `do { } while (0)`,
 * `#ifdef` blocks inside functions, and loops that release a whole page array
 * (`for (i = 0; i < n; i++) put_page(pages[i]);`), which become one bulk node. The builder
 * (cfgBuilder.ts) walks statements with an explicit stack: nesting depth is the input's to choose.
 */
import type { SyntaxNode } from '../parse/syntax';
import { BudgetExceeded, BudgetMeter } from './budget';
import { Builder, type Visit } from './cfgBuilder';
import type { Op, OpContext } from './ops';

export type CfgNodeKind = 'entry' | 'exit' | 'stmt' | 'cond' | 'return' | 'label' | 'bulk' | 'loop-head';

/** A branch condition and the value it has on an edge. */
export interface EdgeCondition {
  readonly expr: SyntaxNode;
  readonly value: boolean;
  /**
   * The code the edge steps around: the other arm of an `if` (the `else` on the true edge, the
   * consequence on the false one), or the body of a loop the false edge leaves; null when none.
   */
  readonly skips: SyntaxNode | null;
}

export interface CfgEdge {
  readonly to: number;
  /** The condition and the value it has on this edge. */
  readonly cond?: EdgeCondition;
  /** `case` values for an edge out of a switch: the case expression, or null for default. */
  readonly switchCase?: { readonly value: SyntaxNode | null; readonly subject: SyntaxNode };
  /** A loop's back edge: taken at most once per path (loops summarised as 0 or 1 iterations). */
  readonly back?: boolean;
  /** The edge from a loop head into its body: not taken again once the path came back around. */
  readonly enter?: boolean;
  /** A `break` out of the loop with this head (a for or while loop). */
  readonly leaves?: number;
}

export interface CfgNode {
  readonly id: number;
  readonly kind: CfgNodeKind;
  /** The statement or expression this node stands for (null for entry/exit). */
  readonly syntax: SyntaxNode | null;
  readonly ops: Op[];
  readonly succs: CfgEdge[];
  /** For return nodes: the returned expression (null for `return;`). */
  readonly returnValue?: SyntaxNode | null;
  /** For label nodes. */
  readonly label?: string;
}

export interface Cfg {
  readonly nodes: readonly CfgNode[];
  readonly entry: number;
  readonly exit: number;
}

/** The function's CFG; throws BudgetExceeded when `meter` trips while it is built. */
export function buildCfg(body: SyntaxNode, ctx: OpContext, meter: BudgetMeter = new BudgetMeter()): Cfg {
  const builder = new Builder(ctx);
  // Each statement is a generator that yields the statements it contains and resumes with their
  // frontier: the nesting lives on this stack, not on the JavaScript call stack.
  type Step = ReturnType<Builder['statement']>;
  const stack: Step[] = [builder.statement(body, [{ from: builder.entry }])];
  let input: Visit['pending'] | undefined;
  for (;;) {
    const top = stack[stack.length - 1] as Step;
    const r = top.next(input as Visit['pending']);
    if (r.done) {
      stack.pop();
      if (stack.length === 0) return builder.finish(r.value);
      input = r.value;
    } else {
      const limit = meter.spendNodes();
      if (limit) throw new BudgetExceeded(limit);
      stack.push(builder.statement(r.value.node, r.value.pending));
      input = undefined;
    }
  }
}
