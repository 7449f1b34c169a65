/**
 * Turning an extracted path into a `.pinsim` trace with concrete numbers: how many pages each
 * acquire asks for, which outcome it has on this path (all taken, k of n, an errno), and what count
 * each release passes — evaluated the way the path engine saw them.
 */
import { canonical, identifierName } from '../analysis/expr';
import type { FileAnalysis } from '../fileAnalysis/types';
import type { AcquireOp, DmaOp, DmaUseOp, ReleaseOp } from '../analysis/ops';
import { formatVersion } from '../catalog/version';
import type { CompletePath, FunctionPaths, PathEvent, Resource } from '../paths/engine';
import type { Outcome } from '../paths/values';
import type { Trace, TraceStep } from '../trace/types';
import { STEP_SPECS } from '../trace/vocabulary';
import type { PageKind, SimOptions } from './types';

interface Layout {
  readonly first: number;
  readonly requested: number;
  readonly taken: number;
  readonly outcome: Outcome;
  readonly result: number | string;
}

const DEFAULT_PAGES = 4;

function literal(op: AcquireOp): number | null {
  const text = op.nr?.text.trim();
  if (!text || !/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= 1 && n <= 4096 ? n : null;
}

function chooseOutcome(outcomes: readonly Outcome[], options: SimOptions): Outcome {
  const wanted = options.acquireOutcome;
  if (wanted === 'error' && outcomes.includes('neg')) return 'neg';
  if (typeof wanted === 'object' && outcomes.includes('partial')) return 'partial';
  if (wanted === 'full' && outcomes.includes('full')) return 'full';
  for (const o of ['full', 'partial', 'neg', 'zero'] as const) if (outcomes.includes(o)) return o;
  return 'full';
}

function layoutFor(paths: FunctionPaths, path: CompletePath, options: SimOptions, kind: PageKind): Map<number, Layout> {
  const layouts = new Map<number, Layout>();
  let next = 0;
  const per = kind === 'thp' || kind === 'hugetlb' ? 512 : 1;
  for (const r of paths.resources) {
    const entry = path.resources.find((x) => x.res === r);
    if (!entry || r.op.kind !== 'acquire') continue;
    const single = r.op.single || r.op.api.returns === 'bool' || r.op.api.returns === 'page';
    let requested = single ? 1 : (options.pages ?? literal(r.op) ?? DEFAULT_PAGES);
    if (per > 1 && !single) requested = Math.ceil(requested / per) * per;
    const outcome = chooseOutcome(entry.outcomes, options);
    let taken = requested;
    let result: number | string = requested;
    if (outcome === 'partial') {
      const k =
        typeof options.acquireOutcome === 'object'
          ? options.acquireOutcome.partial
          : Math.max(1, Math.floor(requested / 2));
      taken = Math.min(Math.max(1, k), Math.max(1, requested - 1));
      result = taken;
    } else if (outcome === 'neg') {
      taken = 0;
      result = '-EFAULT';
    } else if (outcome === 'zero') {
      taken = 0;
      result = 0;
    }
    layouts.set(r.id, { first: next, requested, taken, outcome, result });
    next += per > 1 && single ? per : requested;
  }
  return layouts;
}

function location(file: FileAnalysis, start: number): { line: number; column: number } {
  const p = file.lines.position(start);
  return { line: p.line + 1, column: p.character + 1 };
}

function word(text: string): string {
  return text.replace(/\s+/g, '').replace(/[#"]/g, '');
}

/** The count a release passes on this path, in pages. */
function releaseCount(
  op: ReleaseOp,
  r: Resource & { op: AcquireOp },
  layout: Layout,
  event: PathEvent,
  path: CompletePath,
): number {
  const mismatch = path.issues.find((i) => i.at === event && i.res === r);
  if (mismatch?.kind === 'negative-count') return -14;
  if (mismatch?.kind === 'count-mismatch') return layout.requested;
  if (op.count.kind === 'one') return 1;
  if (op.count.kind === 'expr') {
    const text = canonical(op.count.node);
    if (/^\d+$/.test(text)) return Number(text);
    if (r.op.nr && text === canonical(r.op.nr) && layout.outcome === 'full') return layout.requested;
    const name = identifierName(op.count.node);
    if (name && name === r.op.result.variable && layout.outcome === 'neg') return -14;
  }
  return layout.taken;
}

/** A literal size in bytes (`4096`, `PAGE_SIZE`, `SZ_4K`), else null. */
function literalSize(node: DmaOp['size']): number | null {
  const t = node?.text.trim() ?? '';
  if (/^\d+$/.test(t)) return Number(t);
  if (t === 'PAGE_SIZE') return 4096;
  const sz = /^SZ_(\d+)([KM])?$/.exec(t);
  return sz ? Number(sz[1]) * (sz[2] === 'K' ? 1024 : sz[2] === 'M' ? 1024 * 1024 : 1) : null;
}

/**
 * DMA calls on a path as trace steps. Maps of user pages (dma_map_page/sg after a pin on the same
 * path) cover the pages that pin took; a map the device writes into (DMA_FROM_DEVICE or
 * BIDIRECTIONAL) gets a `device_write` before the CPU takes it back — the write the code exists
 * for, which makes the release's dirty handling matter in the simulation.
 */
class DmaSteps {
  private readonly written = new Set<string>();
  private readonly ids = new Map<number, string>();
  /** Each mapping as the trace made it: what its unmap must repeat (nents, size) or may get wrong. */
  private readonly mapped = new Map<
    string,
    { readonly op: DmaOp; readonly nents: number; readonly returned: number; readonly size: number }
  >();

  constructor(private readonly pinned: Layout | undefined) {}

  private idOf(r: Resource | undefined, fallback: string | null): string {
    if (r) {
      const known = this.ids.get(r.id);
      if (known) return known;
      const id = word(r.key ?? fallback ?? `dma${r.id}`) || `dma${r.id}`;
      this.ids.set(r.id, id);
      return id;
    }
    return word(fallback ?? 'dma') || 'dma';
  }

  acquire(op: DmaOp, r: Resource, outcomes: readonly Outcome[], options: SimOptions): TraceStep {
    const id = this.idOf(r, op.key);
    const api = op.api;
    const failed = !outcomes.includes('full') || (options.acquireOutcome === 'error' && outcomes.includes('zero'));
    const args: Record<string, string | number> = { id };
    if (api.role === 'map') {
      const dir = op.dir ?? 'DMA_BIDIRECTIONAL';
      if (api.type === 'sg') {
        const nents =
          this.pinned && this.pinned.taken > 0 ? this.pinned.taken : (literalSize(op.nents) ?? DEFAULT_PAGES);
        if (this.pinned && this.pinned.taken > 0) args.first = this.pinned.first;
        args.nents = nents;
        args.dir = dir;
        // dma_map_sg() may merge segments; when the code reuses the returned count, show it differ.
        const returned = op.resultKey && nents > 1 ? nents - 1 : nents;
        this.mapped.set(id, { op, nents, returned, size: 0 });
        return {
          call: op.name,
          args,
          result: failed ? (api.returns === 'status' ? '-ENOMEM' : 0) : api.returns === 'status' ? 0 : returned,
        };
      }
      let size = literalSize(op.size) ?? 4096;
      if (op.name.startsWith('dma_map_page') && this.pinned && this.pinned.taken > 0) {
        args.first = this.pinned.first;
        args.nr = this.pinned.taken;
        size = this.pinned.taken * 4096;
      }
      args.size = size;
      args.dir = dir;
      this.mapped.set(id, { op, nents: 0, returned: 0, size });
      return failed ? { call: op.name, args, result: 'DMA_MAPPING_ERROR' } : { call: op.name, args };
    }
    if (api.role === 'alloc') {
      args.size = literalSize(op.size) ?? 4096;
      if (op.pool) args.pool = word(op.pool);
      return failed ? { call: op.name, args, result: 'NULL' } : { call: op.name, args };
    }
    args.size = literalSize(op.size) ?? 64;
    return failed ? { call: op.name, args, result: 'NULL' } : { call: op.name, args };
  }

  /** The device's write, once per mapping, before the CPU takes the memory back. */
  private deviceWrite(id: string): TraceStep[] {
    const m = this.mapped.get(id);
    if (!m || this.written.has(id) || m.op.dir === 'DMA_TO_DEVICE' || m.op.dir === 'DMA_NONE') return [];
    this.written.add(id);
    return [{ call: 'device_write', args: { id }, comment: 'the device writes (what the mapping is for)' }];
  }

  release(op: DmaOp, r: Resource | undefined): TraceStep[] {
    const id = this.idOf(r, op.key);
    const args: Record<string, string | number> = { id };
    if (op.api.role === 'unmap') {
      const m = this.mapped.get(id);
      if (op.api.type === 'sg') {
        if (op.nents && m) {
          // The count dma_map_sg() returned, or the nents it was given.
          const returnedCount = m.op.resultKey !== null && canonical(op.nents) === m.op.resultKey;
          args.nents = returnedCount ? m.returned : m.nents;
        }
      } else args.size = literalSize(op.size) ?? m?.size ?? 4096;
      if (op.dir) args.dir = op.dir;
      return [...this.deviceWrite(id), { call: op.name, args }];
    }
    if (op.api.role === 'free') {
      args.size = literalSize(op.size) ?? 4096;
      if (op.pool) args.pool = word(op.pool);
    }
    return [{ call: op.name, args }];
  }

  use(op: DmaOp, r: Resource | undefined): TraceStep[] {
    const id = this.idOf(r, op.key);
    if (op.api.role === 'check') return [{ call: op.name, args: { id } }];
    if (op.api.role !== 'sync') return [];
    const args: Record<string, string | number> = { id };
    if (op.api.type !== 'sg') args.size = literalSize(op.size) ?? 4096;
    else if (op.nents) args.nents = this.mapped.get(id)?.nents ?? DEFAULT_PAGES;
    if (op.dir) args.dir = op.dir;
    return [...(op.api.sync === 'cpu' ? this.deviceWrite(id) : []), { call: op.name, args }];
  }

  /** A helper that calls dma_mapping_error() on the handle for this function. */
  checkedBy(op: DmaUseOp, r: Resource | undefined): TraceStep[] {
    if (op.how !== 'check' || !r) return [];
    return [
      { call: 'dma_mapping_error', args: { id: this.idOf(r, op.key) }, comment: `in ${op.callee ?? 'a helper'}()` },
    ];
  }

  handoff(op: DmaUseOp, r: Resource | undefined): TraceStep[] {
    if (op.how === 'use' || !r) return [];
    const call = op.how === 'call' || op.how === 'check';
    const to = call ? `${op.callee ?? 'a function'}()` : op.how === 'return' ? 'the caller' : 'an object';
    return [
      ...this.checkedBy(op, r),
      { call: call ? 'handoff' : 'escape', args: { id: this.idOf(r, op.key), to: word(to) || op.how } },
    ];
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
  const layouts = layoutFor(paths, path, options, kind);
  const total = Math.max(
    1,
    [...layouts.values()].reduce((n, l) => Math.max(n, l.first + Math.max(l.requested, 1)), 0),
  );
  const per = kind === 'thp' || kind === 'hugetlb' ? 512 : 1;
  const memoryCount = Math.ceil(total / per) * per;
  const steps: TraceStep[] = [];
  const at = (start: number): { line: number; column: number } => location(file, start);
  const dma = new DmaSteps([...layouts.values()].find((l) => l.taken > 0));
  const outcomesOf = (r: Resource): readonly Outcome[] => path.resources.find((x) => x.res === r)?.outcomes ?? [];

  for (const e of path.events) {
    const loc = at(e.span.start);
    const op = e.op;
    const res = (e.res ?? []).map((id) => paths.resources[id]).filter((r): r is Resource => r !== undefined);
    const r = res[0];
    const layout = r ? layouts.get(r.id) : undefined;
    switch (e.kind) {
      case 'acquire': {
        if (op?.kind === 'dma') {
          if (r) steps.push({ ...dma.acquire(op, r, outcomesOf(r), options), ...loc });
          break;
        }
        if (!op || op.kind !== 'acquire' || !r || !layout) {
          if (op?.kind === 'acquire')
            steps.push({
              call: 'branch',
              args: {},
              text: `${op.name}(): no pages argument, nothing taken`,
              value: true,
              ...loc,
            });
          break;
        }
        const flags = [...new Set(op.flags.occurrences.filter((o) => !o.conditional).map((o) => o.name))];
        const args: Record<string, string | number> = {};
        if (layout.first > 0) args.first = layout.first;
        if (!(op.api.returns === 'bool' || op.api.returns === 'page')) args.nr = layout.requested;
        if (flags.length > 0) args.flags = flags.join('|');
        const call = STEP_SPECS.has(op.api.name) ? op.api.name : op.name;
        steps.push({
          call,
          args,
          result: layout.result,
          ...loc,
          ...(op.helper ? { comment: `through ${op.helper.name}()` } : {}),
        });
        // Pages taken straight into a field, a global or a parameter belong to that owner.
        if (op.pages && op.pages.baseKind !== 'local' && layout.taken > 0) {
          steps.push({
            call: 'escape',
            args: { first: layout.first, nr: layout.taken, to: word(op.pages.node.text) || op.pages.baseKind },
            ...loc,
          });
        }
        break;
      }
      case 'branch':
        steps.push({
          call: 'branch',
          args: {},
          text: e.branch?.text ?? e.label,
          value: e.branch?.value ?? true,
          ...loc,
        });
        break;
      case 'release': {
        if (op?.kind === 'dma') {
          for (const st of dma.release(op, r)) steps.push({ ...st, ...loc });
          break;
        }
        if (!op || op.kind !== 'release' || !r || !layout || r.op.kind !== 'acquire') break;
        const count = releaseCount(op, r as Resource & { op: AcquireOp }, layout, e, path);
        const family = op.family ?? (r.op as AcquireOp).family;
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
        if (single) args.page = layout.first;
        else {
          args.first = layout.first;
          args.nr = count;
        }
        // make_dirty as written; an expression (`dirtied`) is simulated as true.
        if ((op.dirty === 'yes' || op.dirty === 'arg') && STEP_SPECS.get(call)?.args.dirty)
          args.dirty = !(op.dirtyArg?.text.trim() === 'false' || op.dirtyArg?.text.trim() === '0');
        if (op.via !== 'catalog' || op.bulk || call !== op.name) args.via = word(op.bulk ? `${op.name}-loop` : op.name);
        steps.push({ call, args, ...loc });
        break;
      }
      case 'use': {
        if (op?.kind === 'dma') {
          for (const st of dma.use(op, r)) steps.push({ ...st, ...loc });
          break;
        }
        if (op?.kind === 'dma-use') {
          for (const st of dma.checkedBy(op, r)) steps.push({ ...st, ...loc });
          break;
        }
        if (!op || op.kind !== 'use' || !r || !layout) break;
        const range = { first: layout.first, nr: Math.max(layout.taken, 1) };
        if (op.use.kind === 'data')
          steps.push({
            call: 'access',
            args: { ...range, mode: op.use.writes ? 'write' : 'read', via: op.use.name },
            ...loc,
          });
        else steps.push({ call: 'handoff', args: { ...range, to: op.use.name }, ...loc });
        break;
      }
      case 'dirty': {
        if (!op || op.kind !== 'dirty' || !r || !layout) break;
        const call = STEP_SPECS.has(op.dirty.name) ? op.dirty.name : 'set_page_dirty';
        steps.push({ call, args: { first: layout.first, nr: Math.max(layout.taken, 1) }, ...loc });
        break;
      }
      case 'extra-ref':
        if (r && layout) steps.push({ call: 'get_page', args: { page: layout.first }, ...loc });
        break;
      case 'escape': {
        if (op?.kind === 'dma-use') {
          // A call the engine still holds this function responsible for (a leak on this path): no handoff.
          const leaked = r !== undefined && path.issues.some((i) => i.kind === 'leak' && i.res === r);
          const steps2 =
            leaked && (op.how === 'call' || op.how === 'check') ? dma.checkedBy(op, r) : dma.handoff(op, r);
          for (const st of steps2) steps.push({ ...st, ...loc });
          break;
        }
        if (!op || op.kind !== 'escape' || !r || !layout) break;
        const to = op.target ? word(op.target.node.text) : op.how === 'call' ? `${op.callee ?? 'call'}()` : op.how;
        steps.push({
          call: 'escape',
          args: { first: layout.first, nr: Math.max(layout.taken, 1), to: word(to) || op.how },
          ...loc,
        });
        break;
      }
      case 'return': {
        const text = (e.returnText ?? '').replace(/\s+/g, ' ');
        // Say what the engine concluded when the text alone does not show it.
        const obvious = /^-E[A-Z0-9]+$|^\d+$/.test(text);
        const status = e.returnStatus === 'error' || e.returnStatus === 'success' ? e.returnStatus : null;
        steps.push({ call: 'return', args: status && !obvious ? { status } : {}, text, ...loc });
        break;
      }
      case 'assign':
        break;
    }
  }
  const labels = path.events.filter((e) => e.kind === 'branch').map((e) => e.label);
  const fn = paths.fn.info.name;
  return {
    kernel: formatVersion(file.version),
    function: fn,
    comments: [`${fn}(), path ${index} of ${paths.paths.length}${labels.length > 0 ? `: ${labels.join(' → ')}` : ''}`],
    memory: [{ count: memoryCount, kind, movable: false }],
    steps,
  };
}
