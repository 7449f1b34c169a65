/**
 * dma-on-stack — stack or vmalloc memory given to a streaming mapping: "you cannot take the return
 * of a vmalloc() call and DMA to/from that" (dma-api-howto.rst, "What memory is DMA'able?"); stack
 * memory is not DMA-able with CONFIG_VMAP_STACK.
 */
import type { SyntaxNode } from '../parse/syntax';
import { walk } from '../parse/syntax';
import { isVmallocAllocator } from '../catalog/memory';
import { calleeName, identifierName, unwrap } from '../analysis/expr';
import type { FunctionAnalysis } from '../analysis/types';
import type { Finding } from '../findings';
import { dmaFunctions } from './support/dmaOps';
import { fnName, spanOf } from './support/finding';
import { defineRule, type RuleContext } from './support/rule';

export const dmaOnStack = defineRule({
  id: 'dma-on-stack',
  meta: {
    title: 'Stack or vmalloc memory mapped for DMA',
    severity: 'error',
    group: 'dma',
    doc: 'dmaHowtoStack',
    fixable: 'none',
    description: 'A stack buffer or vmalloc() memory is passed to a streaming DMA mapping.',
    catches:
      'dma_map_single() (and sg_init_one()/sg_set_buf() feeding dma_map_sg()) on the address of a local array or variable, or on memory from vmalloc()/vzalloc()/kvmalloc().',
    why: '"you cannot take the return of a vmalloc() call and DMA to/from that"; stack memory is not DMA-able with CONFIG_VMAP_STACK and shares cachelines with live locals. dma-debug: "device driver maps memory from stack", "… from vmalloc area"; dma_map_single() itself rejects vmalloc memory with a WARN.',
    wrong: 'u8 cmd[16];\naddr = dma_map_single(dev, cmd, sizeof(cmd), DMA_TO_DEVICE);',
    right: 'u8 *cmd = kmalloc(16, GFP_KERNEL);\naddr = dma_map_single(dev, cmd, 16, DMA_TO_DEVICE);',
    fix: 'No automatic fix: allocate the buffer with kmalloc().',
  },
  check,
});

function check({ file, finding }: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const { fn, ops } of dmaFunctions(file)) {
    for (const op of ops.filter((o) => o.api.role === 'map' && o.api.params.includes('ptr') && o.buffer)) {
      const why = stackOrVmalloc(fn, op.buffer as SyntaxNode);
      if (!why) continue;
      findings.push(
        finding({
          span: spanOf(op.buffer as SyntaxNode),
          function: fn.info.name,
          message: `${fnName(op.name)} maps ${why}: ${why.startsWith('vmalloc') ? '"you cannot take the return of a vmalloc() call and DMA to/from that" — dma_map_single() rejects it ("rejecting DMA map of vmalloc memory") and dma-debug reports "device driver maps memory from vmalloc area"' : 'stack memory is not DMA-able with CONFIG_VMAP_STACK and shares cache lines with live locals; dma-debug: "device driver maps memory from stack"'}. Use kmalloc() memory.`,
        }),
      );
    }
    for (const site of sgBufferSites(fn)) {
      const why = stackOrVmalloc(fn, site.buffer);
      if (!why) continue;
      findings.push(
        finding({
          span: spanOf(site.buffer),
          function: fn.info.name,
          message: `${fnName(site.call)} puts ${why} in a scatterlist that is mapped for DMA: stack and vmalloc memory are not DMA-able ("device driver maps memory from ${why.startsWith('vmalloc') ? 'vmalloc area' : 'stack'}"). Use kmalloc() memory.`,
        }),
      );
    }
  }
  return findings;
}

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
    const noteVmalloc = (value: SyntaxNode | null): void => {
      const v = value ? unwrap(value) : null;
      if (v?.type === 'call_expression') {
        const callee = calleeName(v) ?? '';
        if (isVmallocAllocator(callee)) fromVmalloc = callee;
      }
    };
    noteVmalloc(local.init);
    walk(fn.info.body, (n) => {
      if (n.type === 'assignment_expression' && identifierName(n.childForFieldName('left')) === name)
        noteVmalloc(n.childForFieldName('right'));
      return true;
    });
    if (fromVmalloc) return `vmalloc memory (\`${name}\` comes from ${fnName(fromVmalloc)})`;
  }
  return null;
}

/** `sg_init_one(sg, buf, len)` / `sg_set_buf(sg, buf, len)` in a function that maps scatterlists. */
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
