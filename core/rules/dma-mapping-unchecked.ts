/**
 * dma-mapping-unchecked — a mapping handle used on some path before dma_mapping_error() checked it
 * (dma-api-howto.rst, "Handling Errors": "drivers must check the result with
 * dma_mapping_error()"). Found by the path engine; a handle tested against 0 instead is
 * dma-mapping-null-check's.
 */
import type { SyntaxNode } from '../parse/syntax';
import { forEachOfType } from '../parse/syntax';
import { ERROR_LABEL, STATUS_VARIABLES } from '../catalog/conventions';
import type { FileAnalysis } from '../fileAnalysis/types';
import type { FunctionAnalysis } from '../analysis/types';
import type { DmaOp } from '../analysis/ops';
import type { Finding, Fix } from '../findings';
import { sourceText } from './support/dmaOps';
import { fnName, spanOf } from './support/finding';
import { constantChecks } from './support/mappingErrorConstant';
import { failureNullChecks } from './support/nullChecks';
import { dmaIssueFindings } from './support/pathIssues';
import { straightMaps } from './support/straightMaps';
import { defineRule, type RuleContext } from './support/rule';

export const dmaMappingUnchecked = defineRule({
  id: 'dma-mapping-unchecked',
  meta: {
    title: 'DMA mapping used without dma_mapping_error()',
    severity: 'warning',
    group: 'dma',
    doc: 'dmaHowtoErrors',
    fixable: 'offered',
    description: 'A dma_map_single/page/resource() handle is used on some path without a dma_mapping_error() check.',
    catches:
      "A dma_map_single(), dma_map_page(), dma_map_resource() (and _attrs forms) whose handle is used, stored or passed on before any dma_mapping_error() check on that path, or unmapped without one. A check kept in a variable (`ret = dma_mapping_error(...); if (ret)`) or made by an in-file helper that calls dma_mapping_error() on its argument counts; a handle returned to the caller is the caller's to check. Also a handle written straight into a descriptor or struct field (`desc->buf = dma_map_single(...)`, or through `cpu_to_le32()` and the like) that the function never reads again and nothing in the file checks, a map passed straight into another call (`writel(dma_map_single(...), reg)`), a map whose result is thrown away, and a handle compared with `DMA_MAPPING_ERROR` instead of checked with dma_mapping_error().",
    why: '"In some cases the DMA mapping can fail … drivers must check the result with dma_mapping_error()." A failed mapping returns DMA_MAPPING_ERROR (all ones), which the device will happily DMA to. dma-debug reports "device driver failed to check map error" at unmap.',
    wrong: 'addr = dma_map_single(dev, buf, len, DMA_TO_DEVICE);\nwritel(lower_32_bits(addr), reg);',
    right:
      'addr = dma_map_single(dev, buf, len, DMA_TO_DEVICE);\nif (dma_mapping_error(dev, addr))\n\treturn -ENOMEM;\nwritel(lower_32_bits(addr), reg);',
    fix: 'Inserts `if (dma_mapping_error(dev, addr)) goto <label>;` when the function has exactly one sensible error label.',
  },
  check,
});

function check(ctx: RuleContext): Finding[] {
  return [...pathFindings(ctx), ...straightFindings(ctx), ...constantFindings(ctx)];
}

/** A handle written straight into a field, or passed straight into a call, with no check anywhere. */
function straightFindings(ctx: RuleContext): Finding[] {
  const { file } = ctx;
  const findings: Finding[] = [];
  for (const fn of file.functions) {
    for (const s of straightMaps(fn, file.parsed.text)) {
      const map = fnName(s.op.name);
      const message =
        s.how === 'discarded'
          ? `The ${map} result is thrown away: it is never checked with dma_mapping_error(), and without the handle the mapping can never be unmapped.`
          : s.how === 'call'
            ? `The ${map} handle is passed straight to ${fnName(s.target)} and never checked with dma_mapping_error(): a failed mapping is DMA_MAPPING_ERROR, which the device will happily DMA to.`
            : `The ${map} handle is written straight into \`${s.target}\`${s.how === 'converted' ? ' (converted on the way)' : ''} and never checked with dma_mapping_error(): a failed mapping puts DMA_MAPPING_ERROR in the ${s.how === 'converted' ? 'descriptor' : 'field'}, and the device will happily DMA to it.`;
      findings.push(
        ctx.finding({
          span: spanOf(s.op.node),
          function: fn.info.name,
          related: [
            {
              span: spanOf(s.at),
              message:
                s.how === 'call'
                  ? `passed to ${fnName(s.target)} here`
                  : s.how === 'discarded'
                    ? 'not kept'
                    : 'stored here',
            },
          ],
          message,
        }),
      );
    }
  }
  return findings;
}

/** `h == DMA_MAPPING_ERROR` on a mapping's handle: dma-debug still reports the check as missing. */
function constantFindings(ctx: RuleContext): Finding[] {
  const { file } = ctx;
  const findings: Finding[] = [];
  for (const fn of file.functions) {
    for (const c of constantChecks(fn)) {
      const dev = c.map.dev ? sourceText(file, c.map.dev) : null;
      const call = dev ? `dma_mapping_error(${dev}, ${sourceText(file, c.handle)})` : null;
      findings.push(
        ctx.finding({
          span: spanOf(c.node),
          function: fn.info.name,
          related: [{ span: spanOf(c.map.node), message: `${fnName(c.map.name)} here` }],
          fixes: call
            ? [
                {
                  title: `Check with ${call}`,
                  edits: [{ span: spanOf(c.node), newText: c.op === '==' ? call : `!${call}` }],
                  safe: false,
                },
              ]
            : [],
          message: `The ${fnName(c.map.name)} handle \`${c.map.key}\` is compared with DMA_MAPPING_ERROR instead of checked with dma_mapping_error(): "drivers must check the result with dma_mapping_error()", and only that call tells dma-debug the mapping was checked (otherwise the unmap reports "device driver failed to check map error").`,
        }),
      );
    }
  }
  return findings;
}

function pathFindings({ file, finding }: RuleContext): Finding[] {
  return dmaIssueFindings(file, 'dma-unchecked', (issue, { op, related, base }, fn) => {
    // dma-mapping-null-check says it better where it reports this mapping's `!handle` test.
    if (failureNullChecks(fn).some((c) => c.map === op)) return null;
    const fix = insertCheckFix(file, fn, op);
    return finding({
      span: issue.at.span,
      related,
      ...base,
      fixes: fix ? [fix] : [],
      message:
        issue.at.kind === 'release'
          ? `The ${fnName(op.name)} handle \`${op.key}\` reaches its unmap without a dma_mapping_error() check: dma-debug reports "device driver failed to check map error". Check it right after mapping.`
          : `The ${fnName(op.name)} handle \`${op.key}\` is used here (${issue.at.label}) without a dma_mapping_error() check on this path: a failed mapping is DMA_MAPPING_ERROR, which the device will happily DMA to.`,
    });
  });
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

const labelCache = new WeakMap<FunctionAnalysis, { name: string; node: SyntaxNode }[]>();

/** Labels that read like error exits (`err_unmap:`, `out:`), once per function. */
function errorLabelsOf(fn: FunctionAnalysis): { name: string; node: SyntaxNode }[] {
  const cached = labelCache.get(fn);
  if (cached) return cached;
  const labels: { name: string; node: SyntaxNode }[] = [];
  forEachOfType(fn.info.body, ['labeled_statement'], (n) => {
    const name = n.childForFieldName('label')?.text ?? '';
    if (ERROR_LABEL.test(name)) labels.push({ name, node: n });
  });
  labelCache.set(fn, labels);
  return labels;
}

/**
 * The fix for an unchecked mapping: `if (dma_mapping_error(dev, h)) goto <label>;` after the map,
 * when the function has exactly one error label after it that does not unmap this handle.
 */
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
  const ret = STATUS_VARIABLES.find((v) => fn.info.locals.has(v) && !fn.info.locals.get(v)?.isUnsigned);
  const body = ret
    ? ` {\n${indent}\t${ret} = -ENOMEM;\n${indent}\tgoto ${label};\n${indent}}`
    : `\n${indent}\tgoto ${label};`;
  return {
    title: `Check with dma_mapping_error() and goto ${label}`,
    edits: [
      {
        span: { start: stmt.endIndex, end: stmt.endIndex },
        newText: `\n${indent}if (dma_mapping_error(${sourceText(file, map.dev)}, ${handle}))${body}`,
      },
    ],
    safe: false,
  };
}
