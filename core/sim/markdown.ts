/**
 * One simulated path as a GitHub-flavoured Markdown table: what "Copy as Markdown" puts on the
 * clipboard and `pinscope simulate --format markdown` prints. Text from traces is escaped, so a
 * function name or a message cannot break the table.
 */
import { dmaSummary, pagesSummary } from './table';
import type { SimPath, SimStep, SimulationReport } from './types';

/** Text in a table cell: pipes, newlines and Markdown punctuation escaped. */
export function markdownCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .replace(/([`*_[\]<>])/g, '\\$1');
}

/** Text as inline code (with double backticks when it contains one). */
export function markdownCode(text: string): string {
  if (text === '') return '';
  const ticks = text.includes('`') ? '``' : '`';
  return `${ticks}${text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}${ticks}`;
}

/** `path 3: a → b` → `a → b` (the number is shown separately). */
export function branchLabel(label: string): string {
  return label.replace(/^path \d+:\s*/, '');
}

export function formatPathMarkdown(report: SimulationReport, path: SimPath, index = path.index ?? 1): string {
  const title = `**${markdownCell(report.function || '(trace)')}()** · Linux ${markdownCell(report.kernelVersion)} · path ${index}${report.paths.length > 1 ? ` of ${report.paths.length}` : ''} — **${path.outcome}**`;
  const label = branchLabel(path.label);
  const dma = path.initial.dma !== undefined;
  const out = [title, ...(label ? ['', markdownCell(label)] : []), ''];
  out.push(
    `| step | line | call | result | acquired / released |${dma ? ' dma-debug |' : ''} pages (refcount[/pincount], P = maybe_dma_pinned) | notes |`,
  );
  out.push(`|---:|---:|---|---|---|${dma ? '---|' : ''}---|---|`);
  const vm = (s: { vmstat: SimStep['vmstat'] }): string =>
    `${s.vmstat.nr_foll_pin_acquired} / ${s.vmstat.nr_foll_pin_released}`;
  const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`.replace(/ {2,}\|/g, ' |');
  const dmaCell = (d: SimStep['dma']): string[] => (dma ? [markdownCell(dmaSummary(d))] : []);
  out.push(
    row([
      0,
      '',
      '(before the first step)',
      '',
      vm(path.initial),
      ...dmaCell(path.initial.dma),
      markdownCell(pagesSummary(path.initial.pages)),
      '',
    ]),
  );
  for (const s of path.steps) {
    const notes = [
      ...(s.note ? [markdownCell(s.note)] : []),
      ...s.violations.map(
        (v) =>
          `⚠ **${v.kind}**: ${markdownCell(v.message)}${v.kernelMessage ? ` — kernel: ${markdownCode(v.kernelMessage)}` : ''}`,
      ),
    ];
    out.push(
      row([
        s.index,
        s.line ?? '',
        markdownCode(s.call),
        markdownCell(s.result ?? ''),
        vm(s),
        ...dmaCell(s.dma),
        markdownCell(pagesSummary(s.pages)),
        notes.join('<br>'),
      ]),
    );
  }
  return `${out.join('\n')}\n`;
}
