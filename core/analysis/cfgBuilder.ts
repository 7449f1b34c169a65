/**
 * Builds a function's CFG (cfg.ts) statement by statement. Every method that contains statements
 * is a generator: where a recursive builder would call `statement(child)`, it yields a Visit and
 * is resumed with the child's frontier by the driver in cfg.ts. 2,000 nested `if`s overflowed the
 * call stack when this recursed; now they take 2,000 entries of an array.
 */
import type { SyntaxNode } from '../parse/syntax';
import { controlMacroKind } from '../catalog/controlMacros';
import { bulkLoop } from './bulkLoop';
import type { Cfg, CfgEdge, CfgNode, CfgNodeKind, EdgeCondition } from './cfg';
import { calleeName, numberValue, unwrap } from './expr';
import { liveArms } from './preproc';
import { opsIn, type Op, type OpContext } from './ops';

/** An edge not yet connected: where it starts and what it carries. */
export interface Pending {
  readonly from: number;
  readonly cond?: EdgeCondition;
  readonly switchCase?: { value: SyntaxNode | null; subject: SyntaxNode };
  readonly enter?: boolean;
  /** A `break` out of the loop with this head. */
  readonly leaves?: number;
}

/** A statement to build, entered through `pending`: resumed with its fall-through frontier. */
export interface Visit {
  readonly node: SyntaxNode;
  readonly pending: Pending[];
}

type Build = Generator<Visit, Pending[], Pending[]>;

interface LoopTargets {
  readonly breakTo: Pending[];
  readonly continueTo: number;
}

function visit(node: SyntaxNode, pending: Pending[]): Visit {
  return { node, pending };
}

export class Builder {
  readonly nodes: CfgNode[] = [];
  private readonly labels = new Map<string, number>();
  private readonly gotos: { from: number; label: string }[] = [];
  private readonly loops: LoopTargets[] = [];
  private readonly switches: Pending[][] = [];
  private readonly breakKinds: ('loop' | 'switch')[] = [];
  readonly entry: number;
  readonly exit: number;

  constructor(private readonly ctx: OpContext) {
    this.entry = this.add('entry', null).id;
    this.exit = this.add('exit', null).id;
  }

  private add(
    kind: CfgNodeKind,
    syntax: SyntaxNode | null,
    ops: Op[] = [],
    extra: Partial<Pick<CfgNode, 'returnValue' | 'label'>> = {},
  ): CfgNode {
    const node: CfgNode = { id: this.nodes.length, kind, syntax, ops, succs: [], ...extra };
    this.nodes.push(node);
    return node;
  }

  private connect(pending: readonly Pending[], to: number, back = false): void {
    for (const p of pending) {
      const node = this.nodes[p.from] as CfgNode;
      const edge: CfgEdge = {
        to,
        ...(p.cond ? { cond: p.cond } : {}),
        ...(p.switchCase ? { switchCase: p.switchCase } : {}),
        ...(back ? { back: true } : {}),
        ...(p.enter ? { enter: true } : {}),
        ...(p.leaves !== undefined ? { leaves: p.leaves } : {}),
      };
      node.succs.push(edge);
    }
  }

  /** A node with ops from `region`, connected from `pending`; returns the fall-through frontier. */
  private simple(kind: CfgNodeKind, syntax: SyntaxNode, region: SyntaxNode | null, pending: readonly Pending[]) {
    const node = this.add(kind, syntax, region ? opsIn(region, this.ctx) : []);
    this.connect(pending, node.id);
    return [{ from: node.id }];
  }

  private labelNode(name: string, syntax: SyntaxNode | null): number {
    const existing = this.labels.get(name);
    if (existing !== undefined) return existing;
    const node = this.add('label', syntax, [], { label: name });
    this.labels.set(name, node.id);
    return node.id;
  }

  finish(pending: readonly Pending[]): Cfg {
    this.connect(pending, this.exit);
    for (const g of this.gotos) {
      const target = this.labels.get(g.label);
      // A goto to a label that is not in this function (macro-generated, or a parse error):
      // treat as leaving the function, the least surprising reading.
      (this.nodes[g.from] as CfgNode).succs.push({ to: target ?? this.exit });
    }
    return { nodes: this.nodes, entry: this.entry, exit: this.exit };
  }

  /** Statements of a compound (or the children of an #ifdef), in order. */
  private *sequence(children: readonly SyntaxNode[], pending: Pending[]): Build {
    let frontier = pending;
    for (let i = 0; i < children.length; i++) {
      const child = children[i] as SyntaxNode;
      const next = children[i + 1];
      // `err_alloc: list_for_each_entry_safe(...) { ... }`: the label holds the macro's header and
      // its body is the next statement; the loop starts at the label.
      if (child.type === 'labeled_statement' && next) {
        const inner = labelInner(child);
        const last = inner[inner.length - 1];
        if (last && iteratorMacro(last, next)) {
          const id = this.labelNode(child.childForFieldName('label')?.text ?? '', child);
          this.connect(frontier, id);
          frontier = yield* this.sequence([...inner, next], [{ from: id }]);
          i++;
          continue;
        }
      }
      const macro = iteratorMacro(child, next);
      if (macro && next) {
        frontier =
          macro === 'loop'
            ? yield* this.macroLoop(child, next, frontier)
            : yield visit(next, this.simple('stmt', child, child, frontier));
        i++;
        continue;
      }
      frontier = yield visit(child, frontier);
    }
    return frontier;
  }

  *statement(node: SyntaxNode, pending: Pending[]): Build {
    switch (node.type) {
      case 'compound_statement':
        return yield* this.sequence(node.namedChildren, pending);
      case 'expression_statement':
      case 'declaration':
        return this.simple('stmt', node, node, pending);
      case 'return_statement': {
        const value = node.namedChildren.find((c) => c.type !== 'comment') ?? null;
        const ret = this.add('return', node, value ? opsIn(value, this.ctx, true) : [], { returnValue: value });
        this.connect(pending, ret.id);
        ret.succs.push({ to: this.exit });
        return [];
      }
      case 'if_statement':
        return yield* this.ifStatement(node, pending);
      case 'while_statement':
        return yield* this.whileStatement(node, pending);
      case 'do_statement':
        return yield* this.doStatement(node, pending);
      case 'for_statement':
        return yield* this.forStatement(node, pending);
      case 'switch_statement':
        return yield* this.switchStatement(node, pending);
      case 'goto_statement': {
        const label = node.childForFieldName('label')?.text;
        const g = this.add('stmt', node);
        this.connect(pending, g.id);
        if (label) this.gotos.push({ from: g.id, label });
        return [];
      }
      case 'labeled_statement': {
        const label = node.childForFieldName('label')?.text ?? '';
        const id = this.labelNode(label, node);
        this.connect(pending, id);
        return yield* this.sequence(labelInner(node), [{ from: id }]);
      }
      case 'break_statement':
        this.breakFrom(pending);
        return [];
      case 'continue_statement': {
        const loop = this.loops[this.loops.length - 1];
        // In `do { } while (0)` a continue goes to the (false) condition: it leaves the block.
        if (loop && loop.continueTo < 0) loop.breakTo.push(...pending);
        else if (loop) this.connect(pending, loop.continueTo, true);
        return [];
      }
      case 'preproc_ifdef':
      case 'preproc_if':
        return yield* this.preprocConditional(node, pending);
      case 'case_statement':
        // Reached only for malformed switches; treat the body as a sequence.
        return yield* this.sequence(node.namedChildren.slice(1), pending);
      case 'ERROR':
        // Whatever parsed inside an ERROR node is kept, in order.
        return yield* this.sequence(node.namedChildren, pending);
      case 'attributed_statement':
        return yield* this.sequence(
          node.namedChildren.filter((c) => c.type !== 'attribute_declaration'),
          pending,
        );
      case 'comment':
      case 'preproc_include':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_call':
      case ';':
        return pending;
      default:
        // Statements we do not model: keep their page operations in order.
        return this.simple('stmt', node, node, pending);
    }
  }

  /** `break`: to the innermost switch's exit or loop's exit. */
  private breakFrom(pending: readonly Pending[]): void {
    const loop = this.loops[this.loops.length - 1];
    const sw = this.switches[this.switches.length - 1];
    const target = this.breakKinds[this.breakKinds.length - 1] ?? null;
    if (target === 'switch' && sw) sw.push(...pending);
    else if (loop) loop.breakTo.push(...pending);
  }

  private *ifStatement(node: SyntaxNode, pending: Pending[]): Build {
    const condition = node.childForFieldName('condition');
    const consequence = node.childForFieldName('consequence');
    const alternative = node.childForFieldName('alternative');
    const condExpr = condition ? conditionExpression(condition) : null;
    const cond = this.add('cond', condition ?? node, condition ? opsIn(condition, this.ctx) : []);
    this.connect(pending, cond.id);
    const trueEdge: Pending = condExpr
      ? { from: cond.id, cond: { expr: condExpr, value: true, skips: alternative } }
      : { from: cond.id };
    const falseEdge: Pending = condExpr
      ? { from: cond.id, cond: { expr: condExpr, value: false, skips: consequence } }
      : { from: cond.id };
    const out = consequence ? yield visit(consequence, [trueEdge]) : [trueEdge];
    const elseBody = alternative
      ? alternative.type === 'else_clause'
        ? (alternative.namedChildren.find((c) => c.type !== 'comment') ?? null)
        : alternative
      : null;
    const elseOut = elseBody ? yield visit(elseBody, [falseEdge]) : [falseEdge];
    return [...out, ...elseOut];
  }

  /** A loop's body with break and continue targets; its fall-through goes back to `head`. */
  private *loopBody(body: SyntaxNode | null, head: number, pending: Pending[]): Build {
    const targets: LoopTargets = { breakTo: [], continueTo: head };
    this.loops.push(targets);
    this.breakKinds.push('loop');
    const out = body ? yield visit(body, pending) : pending;
    this.breakKinds.pop();
    this.loops.pop();
    this.connect(out, head, true);
    return targets.breakTo.map((p) => ({ ...p, leaves: head }));
  }

  private *whileStatement(node: SyntaxNode, pending: Pending[]): Build {
    const bulk = bulkLoop(node, this.ctx);
    if (bulk) return this.bulkNode(node, bulk, pending);
    const condition = node.childForFieldName('condition');
    const body = node.childForFieldName('body');
    const condExpr = condition ? conditionExpression(condition) : null;
    const head = this.add('loop-head', condition ?? node, condition ? opsIn(condition, this.ctx) : []);
    this.connect(pending, head.id);
    const always = condExpr !== null && numberValue(condExpr) !== null && numberValue(condExpr) !== 0;
    const enter: Pending =
      condExpr && !always
        ? { from: head.id, cond: { expr: condExpr, value: true, skips: null }, enter: true }
        : { from: head.id, enter: true };
    const exits = yield* this.loopBody(body, head.id, [enter]);
    const leave: Pending[] = always
      ? []
      : [condExpr ? { from: head.id, cond: { expr: condExpr, value: false, skips: body } } : { from: head.id }];
    return [...leave, ...exits];
  }

  private *doStatement(node: SyntaxNode, pending: Pending[]): Build {
    const body = node.childForFieldName('body');
    const condition = node.childForFieldName('condition');
    const condExpr = condition ? conditionExpression(condition) : null;
    if (condExpr && numberValue(condExpr) === 0) {
      // do { ... } while (0): a block; `break` leaves it.
      const targets: LoopTargets = { breakTo: [], continueTo: -1 };
      this.loops.push(targets);
      this.breakKinds.push('loop');
      const out = body ? yield visit(body, pending) : pending;
      this.breakKinds.pop();
      this.loops.pop();
      return [...out, ...targets.breakTo];
    }
    const start = this.add('loop-head', node, []);
    this.connect(pending, start.id);
    const cond = this.add('cond', condition ?? node, condition ? opsIn(condition, this.ctx) : []);
    const targets: LoopTargets = { breakTo: [], continueTo: cond.id };
    this.loops.push(targets);
    this.breakKinds.push('loop');
    const out = body ? yield visit(body, [{ from: start.id }]) : [{ from: start.id }];
    this.breakKinds.pop();
    this.loops.pop();
    this.connect(out, cond.id);
    if (condExpr) {
      cond.succs.push({ to: start.id, cond: { expr: condExpr, value: true, skips: null }, back: true });
      return [{ from: cond.id, cond: { expr: condExpr, value: false, skips: body } }, ...targets.breakTo];
    }
    return [{ from: cond.id }, ...targets.breakTo];
  }

  private *forStatement(node: SyntaxNode, pending: Pending[]): Build {
    const bulk = bulkLoop(node, this.ctx);
    if (bulk) return this.bulkNode(node, bulk, pending);
    const init = node.childForFieldName('initializer');
    const condition = node.childForFieldName('condition');
    const update = node.childForFieldName('update');
    const body = node.childForFieldName('body');
    let frontier = pending;
    if (init) frontier = this.simple('stmt', init, init, frontier);
    const head = this.add('loop-head', condition ?? node, condition ? opsIn(condition, this.ctx) : []);
    this.connect(frontier, head.id);
    const condExpr = condition ? unwrap(condition) : null;
    const enter: Pending = condExpr
      ? { from: head.id, cond: { expr: condExpr, value: true, skips: null }, enter: true }
      : { from: head.id, enter: true };
    const step = this.add('stmt', update ?? node, update ? opsIn(update, this.ctx) : []);
    const targets: LoopTargets = { breakTo: [], continueTo: step.id };
    this.loops.push(targets);
    this.breakKinds.push('loop');
    const out = body ? yield visit(body, [enter]) : [enter];
    this.breakKinds.pop();
    this.loops.pop();
    this.connect(out, step.id);
    step.succs.push({ to: head.id, back: true });
    const leave: Pending[] = condExpr ? [{ from: head.id, cond: { expr: condExpr, value: false, skips: body } }] : [];
    return [...leave, ...targets.breakTo];
  }

  private *macroLoop(header: SyntaxNode, body: SyntaxNode, pending: Pending[]): Build {
    const head = this.add('loop-head', header, opsIn(header, this.ctx));
    this.connect(pending, head.id);
    const exits = yield* this.loopBody(body, head.id, [{ from: head.id, enter: true }]);
    return [{ from: head.id }, ...exits];
  }

  private bulkNode(node: SyntaxNode, ops: Op[], pending: Pending[]): Pending[] {
    const bulk = this.add('bulk', node, ops);
    this.connect(pending, bulk.id);
    return [{ from: bulk.id }];
  }

  private *switchStatement(node: SyntaxNode, pending: Pending[]): Build {
    const condition = node.childForFieldName('condition');
    const subject = condition ? (conditionExpression(condition) ?? condition) : node;
    const head = this.add('cond', condition ?? node, condition ? opsIn(condition, this.ctx) : []);
    this.connect(pending, head.id);
    const body = node.childForFieldName('body');
    const breaks: Pending[] = [];
    this.switches.push(breaks);
    this.breakKinds.push('switch');
    let fallthrough: Pending[] = [];
    let hasDefault = false;
    for (const child of body?.namedChildren ?? []) {
      if (child.type !== 'case_statement') {
        fallthrough = yield visit(child, fallthrough);
        continue;
      }
      const value = child.childForFieldName('value');
      if (!value) hasDefault = true;
      const entry: Pending = { from: head.id, switchCase: { value, subject } };
      const statements = child.namedChildren.filter((c) => c.id !== value?.id);
      fallthrough = yield* this.sequence(statements, [entry, ...fallthrough]);
    }
    this.breakKinds.pop();
    this.switches.pop();
    const leave: Pending[] = hasDefault ? [] : [{ from: head.id, switchCase: { value: null, subject } }];
    return [...fallthrough, ...breaks, ...leave];
  }

  /**
   * `#if`/`#ifdef` with its `#elif`/`#else` chain: each arm the file can compile entered from
   * `pending`, in order (analysis/preproc.ts: an arm under a switch the file #undefs, or a debug
   * switch it never defines, is dead code, not a branch).
   */
  private *preprocConditional(first: SyntaxNode, pending: Pending[]): Build {
    const out: Pending[] = [];
    const arms = this.ctx.preproc ? liveArms(first, this.ctx.preproc) : allArms(first);
    // `#if 0 … #endif`: no arm is compiled, the code goes straight on.
    if (arms.length === 0) return pending;
    for (const arm of arms) {
      const alternative = arm.type === 'preproc_else' ? null : arm.childForFieldName('alternative');
      const body = arm.namedChildren.filter(
        (c) =>
          c.id !== alternative?.id &&
          c.type !== 'identifier' &&
          c.type !== 'preproc_defined' &&
          !isPreprocCondition(c, arm),
      );
      out.push(...(yield* this.sequence(body, pending)));
    }
    return out;
  }
}

/** Every arm of a chain: the `#if`, each `#elif`, the `#else`. */
function allArms(first: SyntaxNode): SyntaxNode[] {
  const arms: SyntaxNode[] = [];
  for (let node: SyntaxNode | null = first; node;) {
    arms.push(node);
    node = node.type === 'preproc_else' ? null : node.childForFieldName('alternative');
  }
  return arms;
}

/** The statements a label holds (its name and comments left out). */
function labelInner(node: SyntaxNode): SyntaxNode[] {
  return node.namedChildren.filter((c) => c.type !== 'statement_identifier' && c.type !== 'comment');
}

function isPreprocCondition(child: SyntaxNode, parent: SyntaxNode): boolean {
  const condition = parent.childForFieldName('condition') ?? parent.childForFieldName('name');
  return condition !== null && condition.id === child.id;
}

/** `(x)` of an if/while/switch: the expression inside the parentheses. */
function conditionExpression(condition: SyntaxNode): SyntaxNode | null {
  if (condition.type === 'parenthesized_expression') {
    const inner = condition.namedChildren.filter((c) => c.type !== 'comment');
    if (inner.length === 1) return inner[0] as SyntaxNode;
    return null;
  }
  return condition;
}

/**
 * `list_for_each_entry(pos, head, member) { ... }` parses as a call statement whose `;` is
 * missing, followed by the body. Returns 'loop' or 'block' when `node` is such a header.
 */
function iteratorMacro(node: SyntaxNode, next: SyntaxNode | undefined): 'loop' | 'block' | null {
  if (!next || node.type !== 'expression_statement') return null;
  const call = node.namedChildren[0];
  if (!call || call.type !== 'call_expression') return null;
  const missingSemicolon = node.children.some((c) => c.isMissing && c.type === ';') || node.lastChild?.type !== ';';
  if (!missingSemicolon) return null;
  const known = controlMacroKind(calleeName(call) ?? '');
  if (known) return known;
  // An unknown macro followed directly by a block: most are iterators.
  return next.type === 'compound_statement' ? 'loop' : null;
}
