/**
 * The DMA API rules (dma-api.rst; dma-debug's error classes, kernel-semantics.md §4.2). Path rules
 * (unchecked mappings, leaks, double unmaps, pools destroyed while busy) come from the path
 * engine's DMA resources; the others compare each unmap, sync or check with the mapping it
 * belongs to.
 */
import type { SyntaxNode } from '../parse/syntax';
import { walk, walkTypes } from '../parse/syntax';
import { deviceWrites } from '../catalog/dma';
import { canonical, calleeName, identifierName, unwrap } from '../analysis/expr';
import type { FileAnalysis, FunctionAnalysis } from '../analysis/file';
import type { Linkage } from '../analysis/linkage';
import { sgTableKey, type DmaOp } from '../analysis/pageOps';
import type { Finding, Fix, Span } from '../findings';
import { hasAcquires, pathsOf } from '../paths/cache';
import type { PathEvent, PathIssue } from '../paths/engine';
import { finding, fnName, lineOf, spanOf } from './report';
import { comparableSize, normalSize } from './dmaSizes';

function dmaOps(fn: FunctionAnalysis): DmaOp[] {
  const ops: DmaOp[] = [];
  for (const n of fn.cfg.nodes) for (const op of n.ops) if (op.kind === 'dma') ops.push(op);
  return ops;
}

function text(file: FileAnalysis, node: SyntaxNode): string {
  return file.parsed.text.slice(node.startIndex, node.endIndex);
}

/** `sgt.sgl` and `sgt` are the same table for matching maps with unmaps. */
export function sgKey(key: string | null): string | null {
  return key === null ? null : sgTableKey(key);
}

function mapsFor(ops: readonly DmaOp[], key: string | null, type?: string): DmaOp[] {
  if (key === null) return [];
  return ops.filter(
    (o) =>
      o.api.role === 'map' &&
      (o.key === key || sgKey(o.key) === sgKey(key)) &&
      (type === undefined || o.api.type === type),
  );
}

function steps(events: readonly PathEvent[]): { span: Span; label: string }[] {
  return events.map((e) => ({ span: e.span, label: e.label }));
}

function statementOf(node: SyntaxNode): SyntaxNode | null {
  let n: SyntaxNode | null = node;
  while (n && n.type !== 'expression_statement' && n.type !== 'declaration') n = n.parent;
  return n;
}

function indentOf(file: FileAnalysis, offset: number): string {
  const lineStart = file.parsed.text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(file.parsed.text.slice(lineStart))?.[0] ?? '';
}

/**
 * The fix for an unchecked mapping: `if (dma_mapping_error(dev, h)) goto <label>;` after the map,
 * when the function has exactly one error label after it that does not unmap this handle.
 */
const labelCache = new WeakMap<FunctionAnalysis, { name: string; node: SyntaxNode }[]>();

/** Labels that read like error exits (`err_unmap:`, `out:`), once per function. */
function errorLabelsOf(fn: FunctionAnalysis): { name: string; node: SyntaxNode }[] {
  const cached = labelCache.get(fn);
  if (cached) return cached;
  const labels: { name: string; node: SyntaxNode }[] = [];
  walkTypes(
    fn.info.body,
    (type) => (type === 'labeled_statement' ? 'visit-descend' : 'descend'),
    (n) => {
      const name = n.childForFieldName('label')?.text ?? '';
      if (/^(err|out|fail|free|unwind|error|bail|cleanup|exit|put|release|undo|unlock|abort)/i.test(name))
        labels.push({ name, node: n });
    },
  );
  labelCache.set(fn, labels);
  return labels;
}

function insertCheckFix(file: FileAnalysis, fn: FunctionAnalysis, map: DmaOp): Fix | null {
  if (!map.dev || !map.key) return null;
  const stmt = statementOf(map.node);
  if (!stmt) return null;
  const labels = errorLabelsOf(fn).filter((l) => l.node.startIndex > stmt.endIndex);
  const handle = map.key;
  const candidates = labels.filter((l) => {
    // Code from the label to the next label must not unmap this handle: the mapping failed.
    const following = labels.find((o) => o.node.startIndex > l.node.startIndex);
    const end = following ? following.node.startIndex : fn.info.body.endIndex;
    const region = file.parsed.text.slice(l.node.startIndex, end);
    return !new RegExp(`dma_unmap_\\w+\\([^;]*\\b${handle.replace(/[^\w]/g, '\\$&')}\\b`).test(region);
  });
  if (candidates.length !== 1) return null;
  const label = candidates[0]?.name as string;
  const indent = indentOf(file, stmt.startIndex);
  const ret = ['ret', 'rc', 'err', 'error'].find((v) => fn.info.locals.has(v) && !fn.info.locals.get(v)?.isUnsigned);
  const body = ret
    ? ` {\n${indent}\t${ret} = -ENOMEM;\n${indent}\tgoto ${label};\n${indent}}`
    : `\n${indent}\tgoto ${label};`;
  return {
    title: `Check with dma_mapping_error() and goto ${label}`,
    edits: [
      {
        span: { start: stmt.endIndex, end: stmt.endIndex },
        newText: `\n${indent}if (dma_mapping_error(${text(file, map.dev)}, ${handle}))${body}`,
      },
    ],
    safe: false,
  };
}

/** `!h`, `h == 0`, `h == NULL` (and `h`, `h != 0` as success tests) on a mapping handle. */
interface NullCheck {
  readonly node: SyntaxNode;
  readonly handle: string;
  readonly negated: boolean;
}

function nullChecksIn(fn: FunctionAnalysis, handles: ReadonlySet<string>): NullCheck[] {
  const found: NullCheck[] = [];
  const conditions: SyntaxNode[] = [];
  for (const n of fn.cfg.nodes)
    for (const e of n.succs) if (e.cond && !conditions.includes(e.cond.expr)) conditions.push(e.cond.expr);
  const isZero = (n: SyntaxNode): boolean => {
    const u = unwrap(n);
    return (u.type === 'number_literal' && Number(u.text) === 0) || u.text === 'NULL' || u.type === 'null';
  };
  for (const c of conditions) {
    walk(c, (n) => {
      if (n.type === 'unary_expression' && n.child(0)?.type === '!') {
        const arg = n.childForFieldName('argument');
        if (arg && handles.has(canonical(arg))) found.push({ node: n, handle: canonical(arg), negated: false });
        return false;
      }
      if (n.type === 'binary_expression') {
        const op = n.childForFieldName('operator')?.type;
        const l = n.childForFieldName('left');
        const r = n.childForFieldName('right');
        if ((op === '==' || op === '!=') && l && r) {
          const handleSide =
            handles.has(canonical(l)) && isZero(r) ? l : handles.has(canonical(r)) && isZero(l) ? r : null;
          if (handleSide) found.push({ node: n, handle: canonical(handleSide), negated: op === '!=' });
          return false;
        }
      }
      if (
        (n.type === 'identifier' || n.type === 'field_expression') &&
        n.id === unwrap(c).id &&
        handles.has(canonical(n))
      ) {
        found.push({ node: n, handle: canonical(n), negated: true });
      }
      return true;
    });
  }
  return found;
}

function handleMaps(fn: FunctionAnalysis): DmaOp[] {
  return dmaOps(fn).filter((o) => o.api.role === 'map' && o.api.returns === 'handle' && o.key !== null);
}

export function dmaRules(file: FileAnalysis, linkage: Linkage): Finding[] {
  void linkage;
  const findings: Finding[] = [];
  for (const fn of file.functions) {
    const ops = dmaOps(fn);
    if (ops.length === 0) continue;
    const name = fn.info.name;
    const maps = handleMaps(fn);
    const handles = new Set(maps.map((m) => m.key as string));
    const nullChecks = nullChecksIn(fn, handles);

    // dma-mapping-null-check
    for (const check of nullChecks) {
      const map = maps.find((m) => m.key === check.handle && m.node.startIndex < check.node.startIndex);
      if (!map || guardsRelease(check, ops)) continue;
      const fixes: Fix[] = [];
      if (map.dev) {
        const call = `dma_mapping_error(${text(file, map.dev)}, ${text(file, unwrap(check.node).type === 'unary_expression' ? (check.node.childForFieldName('argument') as SyntaxNode) : check.node.type === 'binary_expression' ? ((handles.has(canonical(check.node.childForFieldName('left') as SyntaxNode)) ? check.node.childForFieldName('left') : check.node.childForFieldName('right')) as SyntaxNode) : check.node)})`;
        fixes.push({
          title: 'Use dma_mapping_error()',
          edits: [{ span: spanOf(check.node), newText: check.negated ? `!${call}` : call }],
          safe: true,
        });
      }
      findings.push(
        finding(file, {
          rule: 'dma-mapping-null-check',
          span: spanOf(check.node),
          function: name,
          fixes,
          related: [{ span: spanOf(map.node), message: `${fnName(map.name)} handle` }],
          message: `\`${check.node.text.replace(/\s+/g, ' ')}\` tests a ${fnName(map.name)} handle against 0, but a failed mapping returns DMA_MAPPING_ERROR (all ones), and 0 is a valid bus address on many IOMMUs: failures go through unnoticed. Use dma_mapping_error(dev, ${check.handle}).`,
        }),
      );
    }

    // dma-map-sg-unchecked
    for (const map of ops.filter((o) => o.api.role === 'map' && o.api.type === 'sg')) {
      const ignored = map.node.parent?.type === 'expression_statement';
      // Kept in a variable or a field: is that place ever tested? Used any other way (returned,
      // passed straight on, compared in place), the caller or the expression deals with it.
      const target = map.resultKey;
      if (!ignored && (target === null || isTested(fn.info.body, target))) continue;
      if (!ignored && map.api.returns !== 'count') continue;
      findings.push(
        finding(file, {
          rule: 'dma-map-sg-unchecked',
          span: spanOf(map.node),
          function: name,
          message: ignored
            ? `The result of ${fnName(map.name)} is ignored: it is ${map.api.returns === 'count' ? 'the number of DMA segments, 0 when the mapping failed' : '0 or -errno'}. There is no dma_mapping_error() for scatterlists; check the result.`
            : `\`${target}\` = ${fnName(map.name)} is never checked for 0 (failure) before it is used: "dma_map_sg() returns … 0 in case of failure". An unchecked 0 programs the device with no segments, or with stale ones.`,
        }),
      );
    }

    // dma-unmap-sg-nents (unmaps and syncs given the mapped count)
    for (const op of ops.filter(
      (o) => (o.api.role === 'unmap' || o.api.role === 'sync') && o.api.type === 'sg' && o.nents,
    )) {
      const count = op.nents as SyntaxNode;
      const map = mapsFor(ops, op.key, 'sg').find((m) => m.result.variable && m.nents);
      if (!map?.nents || canonical(count) !== map.result.variable) continue;
      const original = text(file, map.nents);
      findings.push(
        finding(file, {
          rule: 'dma-unmap-sg-nents',
          span: spanOf(count),
          function: name,
          related: [{ span: spanOf(map.node), message: `mapped here with nents \`${original}\`` }],
          fixes: [
            {
              title: `Pass the original nents (${original})`,
              edits: [{ span: spanOf(count), newText: original }],
              safe: true,
            },
          ],
          message: `${fnName(op.name)} is given \`${count.text}\`, the count ${fnName(map.name)} returned, instead of the nents it was given (\`${original}\`): "The nents argument to dma_unmap_sg must be the same one you passed into dma_map_sg". dma-debug: "device driver ${op.api.role === 'sync' ? 'syncs' : 'frees'} DMA sg list with different entry count".`,
        }),
      );
    }

    // dma-unmap-mismatch and dma-sync-direction
    // Each unmap, free or sync is compared with the maps it meets on the function's paths, never
    // with a map in a branch it cannot follow (`if (src == dst) map BIDI; else map TO_DEVICE`).
    const pairs = hasAcquires(fn) ? pathsOf(file, fn).dmaPairs : new Map<DmaOp, ReadonlySet<DmaOp>>();
    for (const op of ops.filter((o) => o.api.role === 'unmap' || o.api.role === 'sync' || o.api.role === 'free')) {
      const met = [...(pairs.get(op) ?? [])];
      // Report only when it disagrees with every map it meets: on each of its paths.
      const verdicts = met.map((map) => ({ map, verdict: compareWithMap(file, fn, op, map) }));
      if (verdicts.length === 0 || verdicts.some((v) => v.verdict === null)) continue;
      const { map, verdict } = verdicts[0] as { map: DmaOp; verdict: Verdict };
      if (verdict.kind === 'sync') {
        findings.push(
          finding(file, {
            rule: 'dma-sync-direction',
            span: spanOf(op.dirNode ?? op.node),
            function: name,
            related: [{ span: spanOf(map.node), message: `mapped ${map.dir ?? ''} here` }],
            message: `${fnName(op.name)} uses ${op.dir}, but the mapping is ${map.dir}: dma-debug "device driver ${verdict.debug}". Sync with the mapping's direction.`,
          }),
        );
      } else {
        findings.push(
          finding(file, {
            rule: 'dma-unmap-mismatch',
            span: spanOf(op.node),
            function: name,
            fixes: verdict.fixes,
            related: [{ span: spanOf(map.node), message: `mapped here by ${fnName(map.name)}` }],
            message: `This ${op.api.role === 'free' ? 'free' : 'unmap'} does not match ${fnName(map.name)} (line ${lineOf(file, map.node)}): ${verdict.problems.join('; ')}. dma-debug checks these at unmap: "device driver frees DMA memory with wrong function / different direction / different size".`,
          }),
        );
      }
    }

    // dma-on-stack
    for (const op of ops.filter((o) => o.api.role === 'map' && o.api.params.includes('ptr') && o.buffer)) {
      const why = stackOrVmalloc(fn, op.buffer as SyntaxNode);
      if (!why) continue;
      findings.push(
        finding(file, {
          rule: 'dma-on-stack',
          span: spanOf(op.buffer as SyntaxNode),
          function: name,
          message: `${fnName(op.name)} maps ${why}: ${why.startsWith('vmalloc') ? '"you cannot take the return of a vmalloc() call and DMA to/from that" — dma_map_single() rejects it ("rejecting DMA map of vmalloc memory") and dma-debug reports "device driver maps memory from vmalloc area"' : 'stack memory is not DMA-able with CONFIG_VMAP_STACK and shares cache lines with live locals; dma-debug: "device driver maps memory from stack"'}. Use kmalloc() memory.`,
        }),
      );
    }
    for (const site of sgBufferSites(fn)) {
      const why = stackOrVmalloc(fn, site.buffer);
      if (why) {
        findings.push(
          finding(file, {
            rule: 'dma-on-stack',
            span: spanOf(site.buffer),
            function: name,
            message: `${fnName(site.call)} puts ${why} in a scatterlist that is mapped for DMA: stack and vmalloc memory are not DMA-able ("device driver maps memory from ${why.startsWith('vmalloc') ? 'vmalloc area' : 'stack'}"). Use kmalloc() memory.`,
          }),
        );
      }
    }

    // dma-sync-direction hint: CPU reads of a DMA_FROM_DEVICE buffer without a sync for the CPU.
    findings.push(...cpuReadHints(file, fn, ops));
  }

  // Path-found DMA problems.
  for (const fn of file.functions) {
    if (!hasAcquires(fn)) continue;
    const paths = pathsOf(file, fn);
    const seen = new Set<string>();
    for (const issue of paths.issues) {
      if (issue.res.op.kind !== 'dma') continue;
      const f = dmaIssueFinding(file, fn, issue);
      if (!f) continue;
      const key = `${f.rule}:${f.span.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push(f);
    }
  }
  return findings;
}

const VMALLOC =
  /^(vmalloc|vzalloc|vmalloc_user|vmalloc_node|vzalloc_node|__vmalloc|vmalloc_array|vcalloc|kvmalloc|kvzalloc|kvmalloc_array|kvcalloc|kvmalloc_node|kvzalloc_node)$/;

/** Why a buffer expression is stack or vmalloc memory, or null. */
function stackOrVmalloc(fn: FunctionAnalysis, buffer: SyntaxNode): string | null {
  const b = unwrap(buffer);
  const target = b.type === 'pointer_expression' && b.child(0)?.type === '&' ? b.childForFieldName('argument') : b;
  const base = target ? unwrap(target) : null;
  const name = base
    ? base.type === 'identifier'
      ? base.text
      : base.type === 'subscript_expression'
        ? identifierName(base.childForFieldName('argument'))
        : base.type === 'field_expression' && base.text.includes('.') && !base.text.includes('->')
          ? (base.text.split('.')[0] ?? null)
          : null
    : null;
  if (!name) return null;
  const local = fn.info.locals.get(name);
  if (!local || local.isStatic) return null;
  const addressTaken = b.type === 'pointer_expression' && b.child(0)?.type === '&';
  if (local.isArray || (addressTaken && local.pointerDepth === 0))
    return `the on-stack ${local.isArray ? 'array' : 'variable'} \`${name}\``;
  if (local.pointerDepth > 0) {
    let fromVmalloc: string | null = null;
    const check = (value: SyntaxNode | null): void => {
      const v = value ? unwrap(value) : null;
      if (v?.type === 'call_expression') {
        const callee = calleeName(v) ?? '';
        if (VMALLOC.test(callee)) fromVmalloc = callee;
      }
    };
    check(local.init);
    walk(fn.info.body, (n) => {
      if (n.type === 'assignment_expression' && identifierName(n.childForFieldName('left')) === name)
        check(n.childForFieldName('right'));
      return true;
    });
    if (fromVmalloc) return `vmalloc memory (\`${name}\` comes from ${fnName(fromVmalloc)})`;
  }
  return null;
}

function sgBufferSites(fn: FunctionAnalysis): { call: string; buffer: SyntaxNode }[] {
  if (!/\bdma_map_sg/.test(fn.info.body.text)) return [];
  const sites: { call: string; buffer: SyntaxNode }[] = [];
  walk(fn.info.body, (n) => {
    if (n.type !== 'call_expression') return true;
    const callee = calleeName(n) ?? '';
    const args = n.childForFieldName('arguments')?.namedChildren ?? [];
    if ((callee === 'sg_init_one' || callee === 'sg_set_buf') && args[1]) sites.push({ call: callee, buffer: args[1] });
    return true;
  });
  return sites;
}

const CPU_READERS = new Set([
  'memcpy',
  'memcmp',
  'copy_to_user',
  'memcpy_fromio',
  'print_hex_dump',
  'crc32',
  'crc32_le',
  'skb_put_data',
  'memmove',
  'strncpy',
  'strscpy',
]);

function cpuReadHints(file: FileAnalysis, fn: FunctionAnalysis, ops: readonly DmaOp[]): Finding[] {
  const hints: Finding[] = [];
  for (const map of ops.filter(
    (o) => o.api.role === 'map' && o.api.returns === 'handle' && o.dir === 'DMA_FROM_DEVICE' && o.buffer && o.key,
  )) {
    const buffer = canonical(map.buffer as SyntaxNode);
    const ends = ops
      .filter(
        (o) =>
          (o.api.role === 'unmap' || (o.api.role === 'sync' && o.api.sync === 'cpu')) &&
          o.key === map.key &&
          o.node.startIndex > map.node.startIndex,
      )
      .map((o) => o.node.startIndex);
    const firstEnd = ends.length > 0 ? Math.min(...ends) : Infinity;
    walk(fn.info.body, (n) => {
      if (n.type !== 'call_expression' || n.startIndex <= map.node.endIndex || n.startIndex >= firstEnd) return true;
      const callee = calleeName(n) ?? '';
      const args = n.childForFieldName('arguments')?.namedChildren ?? [];
      const source =
        callee === 'memcpy' || callee === 'memmove' ? args[1] : callee === 'copy_to_user' ? args[1] : args[0];
      if (CPU_READERS.has(callee) && source && canonical(source) === buffer && ends.length > 0) {
        hints.push({
          ...finding(file, {
            rule: 'dma-sync-direction',
            span: spanOf(n),
            function: fn.info.name,
            related: [{ span: spanOf(map.node), message: 'mapped DMA_FROM_DEVICE here' }],
            message: `The CPU reads \`${buffer}\` while it is still mapped DMA_FROM_DEVICE and before any dma_sync_single_for_cpu(): on non-coherent platforms it may read stale cache lines. Sync for the CPU (or unmap) first.`,
          }),
          severity: 'info',
        });
        return false;
      }
      return true;
    });
  }
  return hints;
}

function dmaIssueFinding(file: FileAnalysis, fn: FunctionAnalysis, issue: PathIssue): Finding | null {
  const op = issue.res.op;
  if (op.kind !== 'dma') return null;
  const related = [{ span: spanOf(op.node), message: `${fnName(op.name)} here` }];
  if (issue.decisive) related.push({ span: issue.decisive.span, message: 'the branch this path takes' });
  const base = { function: fn.info.name, path: steps(issue.events) };
  switch (issue.kind) {
    case 'dma-unchecked': {
      const nullChecked = nullChecksIn(fn, new Set([op.key ?? ''])).length > 0;
      if (nullChecked) return null; // dma-mapping-null-check says it better
      const fix = insertCheckFix(file, fn, op);
      const atUnmap = issue.at.kind === 'release';
      return finding(file, {
        rule: 'dma-mapping-unchecked',
        span: issue.at.span,
        related,
        ...base,
        fixes: fix ? [fix] : [],
        message: atUnmap
          ? `The ${fnName(op.name)} handle \`${op.key}\` reaches its unmap without a dma_mapping_error() check: dma-debug reports "device driver failed to check map error". Check it right after mapping.`
          : `The ${fnName(op.name)} handle \`${op.key}\` is used here (${issue.at.label}) without a dma_mapping_error() check on this path: a failed mapping is DMA_MAPPING_ERROR, which the device will happily DMA to.`,
      });
    }
    case 'leak':
      return finding(file, {
        rule: 'dma-mapping-leak',
        span: issue.at.span,
        related,
        ...base,
        message: leakMessage(file, op, issue.at.label),
      });
    case 'double-release':
      if (issue.earlier) related.push({ span: issue.earlier.span, message: 'first unmapped here' });
      return finding(file, {
        rule: 'dma-double-unmap',
        span: issue.at.span,
        related,
        ...base,
        message: `The ${op.api.role === 'alloc' ? 'allocation' : 'mapping'} from ${fnName(op.name)} is released a second time here${issue.earlier ? ` (first at line ${lineOf(file, issue.earlier.span)})` : ''}: dma-debug "device driver tries to free DMA memory it has not allocated"; with an IOMMU it can tear down someone else's mapping.`,
      });
    case 'wrong-free': {
      // Coherent memory given to kfree()/vfree()/free_pages() on this path.
      const callee = issue.at.op?.kind === 'dma-use' ? (issue.at.op.callee ?? 'kfree') : 'kfree';
      return finding(file, {
        rule: 'dma-unmap-mismatch',
        span: issue.at.span,
        related,
        ...base,
        message: `Coherent memory from ${fnName(op.name)} (line ${lineOf(file, op.node)}) is freed with ${fnName(callee)}: free it with ${fnName(op.api.release ?? 'dma_free_coherent')} (same size and handle). dma-debug reports the allocation as leaked.`,
      });
    }
    case 'pool-leak':
      return finding(file, {
        rule: 'dma-pool-leak',
        span: issue.at.span,
        related,
        ...base,
        message: `dma_pool_destroy() runs while the block from ${fnName(op.name)} (line ${lineOf(file, op.node)}) is still allocated on this path: "dma_pool_destroy %s, %p busy", and the device may still DMA into it. dma_pool_free() it first.`,
      });
    default:
      return null;
  }
}

/** For gup-for-dma and missing-foll-write: DMA maps of these pages the device writes through. */
export function deviceWriteMaps(fn: FunctionAnalysis, pageKeys: ReadonlySet<string>): { map: DmaOp; via: string }[] {
  const ops = dmaOps(fn);
  const out: { map: DmaOp; via: string }[] = [];
  // Pages put into a scatterlist or table: the keys of those tables.
  const tables = new Map<string, string>();
  for (const n of fn.cfg.nodes) {
    for (const op of n.ops) {
      if (op.kind !== 'use' || op.use.kind !== 'dma' || !pageKeys.has(op.pages.key)) continue;
      const first =
        op.node.type === 'call_expression' ? op.node.childForFieldName('arguments')?.namedChildren[0] : undefined;
      if (first && /^sg_/.test(op.use.name))
        tables.set(
          sgKey(
            canonical(
              unwrap(first).type === 'pointer_expression'
                ? (unwrap(first).childForFieldName('argument') as SyntaxNode)
                : first,
            ),
          ) as string,
          op.use.name,
        );
    }
  }
  for (const map of ops) {
    if (map.api.role !== 'map' || !deviceWrites(map.dir)) continue;
    if (map.api.type === 'sg' && map.key && tables.has(sgKey(map.key) as string))
      out.push({ map, via: tables.get(sgKey(map.key) as string) as string });
    if (map.api.params.includes('page') && map.buffer) {
      const b = unwrap(map.buffer);
      const base = b.type === 'subscript_expression' ? b.childForFieldName('argument') : b;
      if (base && pageKeys.has(canonical(base))) out.push({ map, via: map.name });
    }
  }
  return out;
}

const TEST_WRAPPERS = new Set(['likely', 'unlikely', 'WARN_ON', 'WARN_ON_ONCE', 'BUG_ON', 'IS_ERR_VALUE']);

/**
 * Whether `place` (a variable or a canonical field) is tested anywhere in `body`: `!x`, compared,
 * or used as a condition (`if (x)`, `x ? a : b`, `x && ...`, `unlikely(!x)`).
 */
function isTested(body: SyntaxNode, place: string): boolean {
  let tested = false;
  const is = (n: SyntaxNode | null | undefined): boolean => n !== null && n !== undefined && canonical(n) === place;
  walk(body, (n) => {
    if (tested) return false;
    switch (n.type) {
      case 'unary_expression':
        if (n.child(0)?.type === '!' && is(n.childForFieldName('argument'))) tested = true;
        break;
      case 'binary_expression': {
        const op = n.childForFieldName('operator')?.type ?? '';
        if (
          ['==', '!=', '<', '<=', '>', '>=', '&&', '||'].includes(op) &&
          (is(n.childForFieldName('left')) || is(n.childForFieldName('right')))
        )
          tested = true;
        break;
      }
      case 'if_statement':
      case 'while_statement':
      case 'conditional_expression': {
        const condition = n.childForFieldName('condition');
        if (condition && is(condition)) tested = true;
        break;
      }
      case 'call_expression':
        if (
          TEST_WRAPPERS.has(n.childForFieldName('function')?.text ?? '') &&
          is(n.childForFieldName('arguments')?.namedChildren[0])
        )
          tested = true;
        break;
      default:
        break;
    }
    return true;
  });
  return tested;
}

type Verdict =
  | { readonly kind: 'unmap'; readonly problems: readonly string[]; readonly fixes: readonly Fix[] }
  | { readonly kind: 'sync'; readonly debug: string };

/** How an unmap, free or sync disagrees with one map it meets; null when it agrees. */
function compareWithMap(file: FileAnalysis, fn: FunctionAnalysis, op: DmaOp, map: DmaOp): Verdict | null {
  if (op.api.role === 'sync') {
    if (!op.dir || !map.dir || op.dir === map.dir || map.dir === 'DMA_BIDIRECTIONAL') return null;
    const debug =
      op.api.sync === 'cpu' && map.dir === 'DMA_TO_DEVICE'
        ? 'syncs device read-only DMA memory for cpu'
        : op.api.sync === 'device' && map.dir === 'DMA_FROM_DEVICE'
          ? 'syncs device write-only DMA memory to device'
          : 'syncs DMA memory with different direction';
    return { kind: 'sync', debug };
  }
  const problems: string[] = [];
  const fixes: Fix[] = [];
  const familyOk =
    op.api.type === map.api.type &&
    (map.api.role !== 'map' ||
      map.api.release === op.name ||
      map.api.release?.replace(/_attrs$/, '') === op.name.replace(/_attrs$/, ''));
  if (!familyOk) {
    // dma_map_single and dma_map_page are both "single" entries to dma-debug: it cannot see this one.
    const unseen =
      op.api.type === map.api.type
        ? ' — dma-api.rst pairs each map with its own unmap; dma-debug records both as "single" and does not report it'
        : '';
    problems.push(
      `${fnName(op.name)} does not match ${fnName(map.name)} (use ${fnName(map.api.release ?? 'the matching release')})${unseen}`,
    );
    const callee = op.node.childForFieldName('function');
    if (callee && map.api.release && map.api.release.endsWith('_attrs') === op.name.endsWith('_attrs'))
      fixes.push({
        title: `Use ${map.api.release}()`,
        edits: [{ span: spanOf(callee), newText: map.api.release }],
        safe: false,
      });
  }
  if (op.dir && map.dir && op.dir !== map.dir) {
    problems.push(`the direction is ${op.dir}, the mapping's is ${map.dir}`);
    if (op.dirNode)
      fixes.push({
        title: `Unmap with ${map.dir}`,
        edits: [{ span: spanOf(op.dirNode), newText: map.dir }],
        safe: false,
      });
  }
  if (op.size && map.size && comparableSize(op.size) && comparableSize(map.size)) {
    const unmapSize = normalSize(op.size, fn.info, file.globals);
    const mapSize = normalSize(map.size, fn.info, file.globals);
    // `PAGE_SIZE` and `4096` may well be the same: compare numbers with numbers, names with names.
    const numeric = (x: string): boolean => /^\d+$/.test(x);
    if (unmapSize !== null && mapSize !== null && unmapSize !== mapSize && numeric(unmapSize) === numeric(mapSize))
      problems.push(`the size is ${op.size.text}, the mapping's is ${map.size.text}`);
  }
  return problems.length > 0 ? { kind: 'unmap', problems, fixes } : null;
}

/**
 * `if (h) dma_unmap_single(dev, h, …)`: the test asks whether a mapping was made (handles start
 * out 0), not whether it failed — the branch where h is non-zero releases it.
 */
function guardsRelease(check: NullCheck, ops: readonly DmaOp[]): boolean {
  let n: SyntaxNode | null = check.node;
  while (n && n.type !== 'if_statement' && n.type !== 'conditional_expression' && n.type !== 'compound_statement')
    n = n.parent;
  if (!n || n.type !== 'if_statement') return false;
  // negated: `h` or `h != 0`, so the consequence runs when h is non-zero; otherwise the else.
  const nonZeroArm = check.negated ? n.childForFieldName('consequence') : n.childForFieldName('alternative');
  if (!nonZeroArm) return false;
  return ops.some(
    (o) =>
      (o.api.role === 'unmap' || o.api.role === 'free') &&
      o.key === check.handle &&
      o.node.startIndex >= nonZeroArm.startIndex &&
      o.node.endIndex <= nonZeroArm.endIndex,
  );
}

/** What leaks, in the words that fit it: a mapping, coherent memory, a pool block, a pool. */
function leakMessage(file: FileAnalysis, op: DmaOp, at: string): string {
  const where = `${fnName(op.name)} (line ${lineOf(file, op.node)})`;
  const unbind =
    'dma-debug reports it when the driver is unbound: "device driver has pending DMA allocations while released from device"';
  switch (op.api.role) {
    case 'pool-create':
      return `The pool from ${where} is neither destroyed nor handed off on this path before \`${at}\`: its pages stay allocated. Call dma_pool_destroy().`;
    case 'alloc':
      if (op.api.type === 'pool')
        return `The block from ${where} is neither returned with dma_pool_free() nor handed off on this path before \`${at}\`: the pool can no longer be destroyed cleanly ("dma_pool_destroy %s, %p busy").`;
      return `The ${op.api.type === 'noncoherent' ? 'non-coherent' : 'coherent'} memory from ${where} is neither freed nor handed off on this path before \`${at}\`: it stays allocated; ${unbind}.`;
    default:
      return `The mapping from ${where} is neither unmapped nor handed off on this path before \`${at}\`: it keeps its IOVA space (and any swiotlb bounce buffer); ${unbind}.`;
  }
}
