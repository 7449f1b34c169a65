/**
 * The names a DMA message gives what it is about: the handle, the scatterlist or the CPU address
 * the code keeps a mapping or an allocation in (issue 11: messages say exactly what leaks).
 */
import type { DmaOp } from '../../analysis/ops';

/**
 * What leaks, in the code's own names: ` of \`req->src\`` (a scatterlist), `\`dma\` of
 * \`skb->data\`` (a handle and what it maps), `\`buf\` (handle \`dma\`)` (coherent memory).
 */
export function heldIn(op: DmaOp): string {
  const code = (text: string): string => `\`${oneLine(text)}\``;
  if (op.api.role === 'map' && op.api.type === 'sg') return op.key ? ` of ${code(op.key)}` : '';
  if (op.api.role === 'map') {
    const of = op.buffer ? ` of ${code(op.buffer.text)}` : '';
    return op.key ? ` ${code(op.key)}${of}` : of;
  }
  if (!op.key) return '';
  return op.handleOut ? ` ${code(op.key)} (handle ${code(op.handleOut)})` : ` ${code(op.key)}`;
}

/** Source text on one line, cut short: an argument spread over lines is still one name. */
function oneLine(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 40 ? `${t.slice(0, 39)}…` : t;
}
