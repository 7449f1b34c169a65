/**
 * Which releases, uses and dirtyings in the file belong to which acquire. Within a function the
 * storage key connects them. Across functions of one file, three links are followed:
 *
 * - a struct field or global the pages are stored in (`STbp->mapped_pages = pages;` here,
 *   `put_page(STbp->mapped_pages[i])` there), matched by `struct_name::field`;
 * - a helper that acquires into a parameter, and the callers that pass it an array: whatever the
 *   caller does to that array happens to the helper's pages;
 * - the acquire's counterpart by name (`lock_pages`/`unlock_pages`, `sgl_map_user_pages`/
 *   `sgl_unmap_user_pages`, `afu_dma_pin_pages`/`afu_dma_unpin_pages`) releasing a parameter of
 *   the same type: the kernel's naming convention for paired functions.
 */
import { PAIRED_NAME_WORDS } from '../catalog/helpers';
import { allocatesFreshArray } from '../catalog/memory';
import type { CfgNode } from '../analysis/cfg';
import type { FileAnalysis } from './types';
import type { FunctionAnalysis } from '../analysis/types';
import type { AcquireOp, DirtyOp, Op, ReleaseOp, UseOp } from '../analysis/ops';
import { baseKey } from '../analysis/storage';

export interface Site<T extends Op> {
  readonly fn: FunctionAnalysis;
  readonly node: CfgNode;
  readonly op: T;
}

export interface AcquireSite extends Site<AcquireOp> {
  /** File-wide keys of where these pages are kept (their own field, or fields they are stored in). */
  readonly fileKeys: ReadonlySet<string>;
}

export interface Linkage {
  readonly acquires: readonly AcquireSite[];
  /** Releases of the acquire's pages anywhere in the file (same function first). */
  releasesOf(site: AcquireSite): Site<ReleaseOp>[];
  /** Uses and dirtyings of the acquire's pages anywhere in the file. */
  usesOf(site: AcquireSite): Site<UseOp | DirtyOp>[];
  /** The acquires a release site releases pages of. */
  acquiresOf(site: Site<ReleaseOp | UseOp | DirtyOp>): AcquireSite[];
}

/** Names of the functions paired with `name` by the kernel's prefix convention. */
export function pairedNames(name: string): string[] {
  const tokens = name.split('_');
  const names: string[] = [];
  tokens.forEach((t, i) => {
    for (const [a, b] of PAIRED_NAME_WORDS) {
      const other = t === a ? b : t === b ? a : null;
      if (other) names.push([...tokens.slice(0, i), other, ...tokens.slice(i + 1)].join('_'));
    }
  });
  return names;
}

function paramType(fn: FunctionAnalysis, index: number): string | null {
  const p = fn.info.params.find((v) => v.index === index);
  if (!p) return null;
  return `${p.typeText}${'*'.repeat(p.pointerDepth + (p.isArray ? 1 : 0))}`.replace(/\s+/g, '');
}

type AnySite = Site<Op>;

/** Every acquire with pages in the file, with the file-wide keys of where its pages are kept. */
function acquireSites(sites: readonly AnySite[]): AcquireSite[] {
  const acquires: AcquireSite[] = [];
  for (const s of sites) {
    if (s.op.kind !== 'acquire' || !s.op.pages) continue;
    const key = s.op.pages.key;
    const fileKeys = new Set<string>();
    if (s.op.pages.fileKey) fileKeys.add(s.op.pages.fileKey);
    for (const other of sites) {
      if (other.fn !== s.fn || other.op.kind !== 'escape') continue;
      if (
        baseKey(other.op.pages.key) === baseKey(key) &&
        other.op.target?.fileKey &&
        (other.op.how === 'field' || other.op.how === 'global')
      ) {
        fileKeys.add(other.op.target.fileKey);
      }
    }
    acquires.push({ fn: s.fn, node: s.node, op: s.op, fileKeys });
  }
  return acquires;
}

/**
 * A field links functions only when everything stored in it is GUP pages (or NULL, or a fresh
 * array GUP then fills). etnaviv keeps shmem pages from drm_gem_get_pages() and userptr pins in
 * the same `etnaviv_obj->pages`: their releases are not each other's.
 */
function gupOnlyFields(
  file: FileAnalysis,
  sites: readonly AnySite[],
  byName: ReadonlyMap<string, FunctionAnalysis>,
): (fileKey: string) => boolean {
  const gupOnly = new Map<string, boolean>();
  return (fileKey: string): boolean => {
    const cached = gupOnly.get(fileKey);
    if (cached !== undefined) return cached;
    let ok = true;
    for (const store of file.fieldStores(fileKey)) {
      const right = store.right;
      const r =
        right.type === 'parenthesized_expression' || right.type === 'cast_expression'
          ? (right.namedChildren[right.namedChildren.length - 1] ?? right)
          : right;
      if (r.type === 'null' || r.text === 'NULL' || r.text === '0') continue;
      if (r.type === 'call_expression' && allocatesFreshArray(r.childForFieldName('function')?.text ?? '')) continue;
      const fa = byName.get(store.fn.name);
      const storeSite = fa
        ? sites.find(
            (s) =>
              s.fn === fa &&
              s.op.kind === 'escape' &&
              s.op.node.startIndex <= store.left.startIndex &&
              s.op.node.endIndex >= store.right.endIndex,
          )
        : undefined;
      const key = storeSite?.op.kind === 'escape' ? storeSite.op.pages.key : null;
      const acquired =
        key !== null &&
        sites.some(
          (s) =>
            s.fn === fa && s.op.kind === 'acquire' && s.op.pages !== null && baseKey(s.op.pages.key) === baseKey(key),
        );
      if (!acquired) {
        ok = false;
        break;
      }
    }
    gupOnly.set(fileKey, ok);
    return ok;
  };
}

export function buildLinkage(file: FileAnalysis): Linkage {
  const sites: AnySite[] = [];
  for (const fn of file.functions)
    for (const node of fn.cfg.nodes) for (const op of node.ops) sites.push({ fn, node, op });
  const byName = new Map(file.functions.map((f) => [f.info.name, f]));

  const acquires = acquireSites(sites);
  const isGupOnly = gupOnlyFields(file, sites, byName);

  /** Sites of kind `kinds` that touch the acquire's pages, following the three links. */
  const linked = <K extends Op['kind']>(a: AcquireSite, kinds: readonly K[]): AnySite[] => {
    const want = (s: AnySite): boolean => (kinds as readonly string[]).includes(s.op.kind);
    const pagesOf = (s: AnySite): { key: string; fileKey: string | null; paramIndex: number } | null => {
      const op = s.op;
      if (op.kind === 'release') return op.pages;
      if (op.kind === 'use' || op.kind === 'dirty') return op.pages;
      return null;
    };
    const out: AnySite[] = [];
    const add = (s: AnySite): void => {
      if (out.includes(s)) return;
      out.push(s);
      // A call to an in-file helper that releases (or uses) its argument: the helper's own
      // operation on that parameter is the one that really happens.
      if ((s.op.kind === 'release' && s.op.via === 'in-file') || (s.op.kind === 'use' && s.op.viaHelper)) {
        const callee = byName.get(s.op.kind === 'release' ? s.op.name : (s.op.viaHelper ?? ''));
        if (callee)
          for (const t of sites)
            if (t.fn === callee && t.op.kind === s.op.kind && (pagesOf(t)?.paramIndex ?? -1) >= 0) add(t);
      }
    };
    const key = a.op.pages?.key;
    for (const s of sites) {
      if (!want(s)) continue;
      const p = pagesOf(s);
      if (!p) continue;
      if (s.fn === a.fn && key !== undefined && (p.key === key || baseKey(p.key) === baseKey(key))) add(s);
      else if (p.fileKey && a.fileKeys.has(p.fileKey) && isGupOnly(p.fileKey)) add(s);
    }
    const paramIndex = a.op.pages?.paramIndex ?? -1;
    if (paramIndex >= 0) {
      const type = paramType(a.fn, paramIndex);
      for (const pairName of pairedNames(a.fn.info.name)) {
        const pair = byName.get(pairName);
        if (!pair) continue;
        for (const s of sites) {
          const p = pagesOf(s);
          if (s.fn === pair && want(s) && p && p.paramIndex >= 0 && paramType(pair, p.paramIndex) === type) add(s);
        }
      }
      // Callers: what they do to the array they passed in.
      for (const s of sites) {
        if (s.op.kind !== 'acquire' || s.op.helper?.name !== a.fn.info.name || !s.op.pages) continue;
        const callerKey = s.op.pages.key;
        for (const t of sites) {
          const p = pagesOf(t);
          if (t.fn === s.fn && want(t) && p && p.key === callerKey) add(t);
        }
      }
    }
    return out;
  };

  return {
    acquires,
    releasesOf: (a) => linked(a, ['release']) as Site<ReleaseOp>[],
    usesOf: (a) => linked(a, ['use', 'dirty']) as Site<UseOp | DirtyOp>[],
    acquiresOf: (site) => acquires.filter((a) => linked(a, [site.op.kind]).some((s) => s.op === site.op)),
  };
}
