/**
 * Turning an extracted path into a `.pinsim` trace with concrete numbers: how many pages each
 * acquire asks for, which outcome it has on this path (all taken, k of n, an errno), and what count
 * each release passes — evaluated the way the path engine saw them.
 *
 * Pages are laid out by fromPathLayout.ts (the same user address gives the same pages); a pages
 * array holds what the last acquire into it stored, so a release, use or store of the array acts on
 * those pages (and pages an array held before are the ones an overwrite leaks). DMA steps come from
 * fromPathDma.ts.
 */
import { canonical, identifierName } from '../analysis/expr';
import type { FileAnalysis } from '../fileAnalysis/types';
import type { AcquireOp, EscapeOp, Op, ReleaseOp, UseOp } from '../analysis/ops';
import type { StorageRef } from '../analysis/storage';
import { formatVersion } from '../catalog/version';
import type { CompletePath, FunctionPaths, PathEvent, Resource } from '../paths/engine';
import type { Outcome } from '../paths/values';
import { MAX_ERRNO, MAX_PAGES } from '../trace/limits';
import type { Trace, TraceStep } from '../trace/types';
import { STEP_SPECS } from '../trace/vocabulary';
import { DmaSteps, literalIndex, word } from './fromPathDma';
import { layoutFor, type Layout } from './fromPathLayout';
import type { PageKind, SimOptions } from './types';

/** What one path's conversion keeps while it walks the events. */
interface Walk {
  readonly file: FileAnalysis;
  readonly paths: FunctionPaths;
  readonly path: CompletePath;
  readonly options: SimOptions;
  readonly layouts: ReadonlyMap<number, Layout>;
  readonly dma: DmaSteps;
  readonly steps: TraceStep[];
  /** Storage key of a pages array → the acquire whose pages it holds now. */
  readonly arrays: Map<string, Resource>;
}

/** An event's location in the C file. */
interface At {
  readonly line: number;
  readonly column: number;
}

/** `-EFAULT`, the errno a failed acquire's result stands for when a release is handed it. */
const EFAULT = -14;

/** The count a release passes on this path, in pages. */
function releaseCount(
  op: ReleaseOp,
  r: Resource & { op: AcquireOp },
  layout: Layout,
  event: PathEvent,
  path: CompletePath,
): number {
  const mismatch = path.issues.find((i) => i.at === event && i.res === r);
  if (mismatch?.kind === 'negative-count') return EFAULT;
  if (mismatch?.kind === 'count-mismatch') return layout.requested;
  if (op.count.kind === 'one') return 1;
  if (op.count.kind === 'expr') {
    const text = canonical(op.count.node);
    if (/^\d+$/.test(text)) return Math.min(Number(text), MAX_PAGES);
    if (r.op.nr && text === canonical(r.op.nr) && layout.outcome === 'full') return layout.requested;
    const name = identifierName(op.count.node);
    if (name && name === r.op.result.variable && layout.outcome === 'neg') return EFAULT;
  }
  return Math.max(-MAX_ERRNO, layout.taken);
}

/** The pages array an operation names, when it names one. */
function pagesOf(op: Op | undefined): StorageRef | null {
  if (!op || op.kind === 'dma' || op.kind === 'dma-use') return null;
  return op.pages;
}

/**
 * The acquire an event acts on: the one whose pages its array holds now (an array written twice
 * holds the second acquire's pages), else the first the engine names.
 */
function resourceOf(walk: Walk, e: PathEvent): Resource | undefined {
  const res = (e.res ?? []).map((id) => walk.paths.resources[id]).filter((r): r is Resource => r !== undefined);
  const array = pagesOf(e.op);
  const holder = array ? walk.arrays.get(array.key) : undefined;
  if (holder && res.includes(holder)) return holder;
  return res[0];
}

/**
 * The pages an operation on `ref` acts on: one page for an element with a literal index
 * (`pages[2]`); otherwise the whole range the acquire took — an element with a variable index
 * (`pages[i]`) is a loop, and the path walks its body once for all of them.
 */
function rangeOf(layout: Layout, ref: StorageRef | null): { first: number; nr: number } {
  const index = ref?.element ? literalIndex(ref.node) : null;
  if (index !== null) return { first: layout.first + Math.min(index, Math.max(0, layout.taken - 1)), nr: 1 };
  return { first: layout.first, nr: Math.max(layout.taken, 1) };
}

function acquireStep(walk: Walk, op: AcquireOp, r: Resource, layout: Layout, at: At): void {
  const flags = [...new Set(op.flags.occurrences.filter((o) => !o.conditional).map((o) => o.name))];
  const args: Record<string, string | number> = {};
  if (layout.first > 0) args.first = layout.first;
  if (!(op.api.returns === 'bool' || op.api.returns === 'page')) args.nr = layout.requested;
  if (flags.length > 0) args.flags = flags.join('|');
  const call = STEP_SPECS.has(op.api.name) ? op.api.name : op.name;
  walk.steps.push({
    call,
    args,
    result: layout.result,
    ...at,
    ...(op.helper ? { comment: `through ${op.helper.name}()` } : {}),
  });
  // What the array held before is no longer reachable through it.
  if (op.pages) walk.arrays.set(op.pages.key, r);
  // Pages taken straight into a field, a global or a parameter belong to that owner.
  if (op.pages && op.pages.baseKind !== 'local' && layout.taken > 0) {
    const to = word(op.pages.node.text) || op.pages.baseKind;
    walk.steps.push({ call: 'escape', args: { first: layout.first, nr: layout.taken, to }, ...at });
  }
}

function releaseStep(walk: Walk, op: ReleaseOp, r: Resource, layout: Layout, e: PathEvent, at: At): void {
  if (r.op.kind !== 'acquire') return;
  const count = releaseCount(op, r as Resource & { op: AcquireOp }, layout, e, walk.path);
  const family = op.family ?? r.op.family;
  const single = op.count.kind === 'one' || (op.pages?.element === true && !op.bulk);
  let call =
    op.api && STEP_SPECS.has(op.name)
      ? op.name
      : family === 'pin'
        ? single
          ? 'unpin_user_page'
          : 'unpin_user_pages'
        : single
          ? 'put_page'
          : 'release_pages';
  if (op.bulk) call = family === 'pin' ? 'unpin_user_pages' : 'release_pages';
  const args: Record<string, string | number | boolean> = {};
  if (single) args.page = rangeOf(layout, op.pages).first;
  else {
    args.first = layout.first;
    args.nr = count;
  }
  // make_dirty as written; an expression (`dirtied`) is simulated as true.
  if ((op.dirty === 'yes' || op.dirty === 'arg') && STEP_SPECS.get(call)?.args.dirty)
    args.dirty = !(op.dirtyArg?.text.trim() === 'false' || op.dirtyArg?.text.trim() === '0');
  if (op.via !== 'catalog' || op.bulk || call !== op.name) args.via = word(op.bulk ? `${op.name}-loop` : op.name);
  walk.steps.push({ call, args, ...at });
}

function useStep(walk: Walk, op: UseOp, layout: Layout, at: At): void {
  const range = rangeOf(layout, op.pages);
  if (op.use.kind === 'data')
    walk.steps.push({
      call: 'access',
      args: { ...range, mode: op.use.writes ? 'write' : 'read', via: word(op.use.name) },
      ...at,
    });
  else walk.steps.push({ call: 'handoff', args: { ...range, to: word(op.use.name) }, ...at });
}

function escapeStep(walk: Walk, op: EscapeOp, layout: Layout, at: At): void {
  const to = op.target
    ? op.target.node.text
    : op.how === 'call'
      ? `${op.callee ?? 'call'}()`
      : op.how === 'return'
        ? 'caller'
        : op.pages.node.text;
  walk.steps.push({ call: 'escape', args: { ...rangeOf(layout, op.pages), to: word(to) || op.how }, ...at });
}

/** The DMA side of an event (maps, unmaps, syncs, checks, handles passed on); false when it has none. */
function dmaEvent(walk: Walk, e: PathEvent, r: Resource | undefined, at: At): boolean {
  const op = e.op;
  if (e.kind !== 'acquire' && e.kind !== 'release' && e.kind !== 'use' && e.kind !== 'escape') return false;
  const push = (steps: readonly TraceStep[]): void => {
    for (const st of steps) walk.steps.push({ ...st, ...at });
  };
  if (op?.kind === 'dma') {
    if (e.kind === 'acquire' && r) {
      const outcomes = walk.path.resources.find((x) => x.res === r)?.outcomes ?? ([] as readonly Outcome[]);
      push([walk.dma.acquire(op, r, outcomes, walk.options)]);
    } else if (e.kind === 'release') push(walk.dma.release(op, r));
    else if (e.kind === 'use') push(walk.dma.use(op, r));
    return true;
  }
  if (op?.kind === 'dma-use') {
    if (e.kind === 'use') push(walk.dma.checkedBy(op, r));
    else if (e.kind === 'escape') {
      // A call the engine still holds this function responsible for (a leak on this path): no handoff.
      const leaked = r !== undefined && walk.path.issues.some((i) => i.kind === 'leak' && i.res === r);
      push(leaked && (op.how === 'call' || op.how === 'check') ? walk.dma.checkedBy(op, r) : walk.dma.handoff(op, r));
    }
    return true;
  }
  return false;
}

/** C text as the quoted text of a branch or return: one line, nothing invisible. */
function oneLine(text: string): string {
  return text.replace(/[\s\p{Z}]+/gu, ' ').replace(/[\p{Cc}\p{Cf}]/gu, '');
}

function eventSteps(walk: Walk, e: PathEvent): void {
  const p = walk.file.lines.position(e.span.start);
  const at: At = { line: p.line + 1, column: p.character + 1 };
  const op = e.op;
  const r = resourceOf(walk, e);
  if (dmaEvent(walk, e, r, at)) return;
  const layout = r ? walk.layouts.get(r.id) : undefined;
  switch (e.kind) {
    case 'acquire':
      if (op?.kind === 'acquire' && r && layout) acquireStep(walk, op, r, layout, at);
      else if (op?.kind === 'acquire')
        walk.steps.push({
          call: 'branch',
          args: {},
          text: `${op.name}(): no pages argument, nothing taken`,
          value: true,
          ...at,
        });
      break;
    case 'branch':
      walk.steps.push({
        call: 'branch',
        args: {},
        text: oneLine(e.branch?.text ?? e.label),
        value: e.branch?.value ?? true,
        ...at,
      });
      break;
    case 'release':
      if (op?.kind === 'release' && r && layout) releaseStep(walk, op, r, layout, e, at);
      break;
    case 'use':
      if (op?.kind === 'use' && layout) useStep(walk, op, layout, at);
      break;
    case 'dirty':
      if (op?.kind === 'dirty' && layout) {
        const call = STEP_SPECS.has(op.dirty.name) ? op.dirty.name : 'set_page_dirty';
        walk.steps.push({ call, args: rangeOf(layout, op.pages), ...at });
      }
      break;
    case 'extra-ref':
      if (layout) walk.steps.push({ call: 'get_page', args: { page: layout.first }, ...at });
      break;
    case 'escape':
      if (op?.kind === 'escape' && layout) escapeStep(walk, op, layout, at);
      break;
    case 'return': {
      // `#` would start a comment in the trace and a `"` a string (the engine may cut the text
      // inside a C string literal): C has neither in an expression worth keeping as written.
      const text = oneLine(e.returnText ?? '')
        .replace(/#/g, '')
        .replace(/"/g, "'")
        .trim();
      // Say what the engine concluded when the text alone does not show it.
      const obvious = /^-E[A-Z0-9]+$|^\d+$/.test(text);
      const status = e.returnStatus === 'error' || e.returnStatus === 'success' ? e.returnStatus : null;
      walk.steps.push({ call: 'return', args: status && !obvious ? { status } : {}, text, ...at });
      break;
    }
    case 'assign':
      break;
  }
}

export function pathToTrace(
  file: FileAnalysis,
  paths: FunctionPaths,
  path: CompletePath,
  index: number,
  options: SimOptions = {},
): Trace {
  const kind: PageKind = options.pageKind ?? 'base';
  const { layouts, pages, capped } = layoutFor(paths, path, options, kind);
  const walk: Walk = {
    file,
    paths,
    path,
    options,
    layouts,
    dma: new DmaSteps([...layouts.values()].find((l) => l.taken > 0)),
    steps: [],
    arrays: new Map(),
  };
  for (const e of path.events) eventSteps(walk, e);
  const labels = path.events.filter((e) => e.kind === 'branch').map((e) => oneLine(e.label));
  const fn = paths.fn.info.name;
  return {
    kernel: formatVersion(file.version),
    function: fn,
    comments: [
      `${fn}(), path ${index} of ${paths.paths.length}${labels.length > 0 ? `: ${labels.join(' → ')}` : ''}`,
      ...(capped !== null
        ? [`each acquire takes at most ${capped} pages here, so that the trace stays within ${MAX_PAGES} pages`]
        : []),
    ],
    memory: [{ count: pages, kind, movable: false }],
    steps: walk.steps,
  };
}
