// The edits the `lsp` section (and scripts that replay it without a server) type into a kernel file:
// seeded, so two builds measured in one run, or two runs, get the same edits at the same places.
//
// Where: a line inside a function body (kernel style: the body is the lines between a `{` alone on
// its line and the next `}` alone on its line), either in a function that pins or maps (its body
// calls one of ACQUIRE's names) or in any function, or any non-empty line of the file.
// What: each edit is a pair, the change and its undo, both timed, so the text stays the same size:
//  - indent: a space at the start of the line, then deleted;
//  - newline: an empty line before the line, then deleted (every line after it moves);
//  - token: an `x` typed after the line's first word (`ret` → `retx`, `if` → `ifx`), then deleted:
//    the function's text changes, sometimes what it calls or the parse.

import { mulberry32 } from '../../scripts/triage-lib.mjs';

/** Calls that take a page reference or pin, or map or allocate DMA memory. */
const ACQUIRE =
  /\b(?:__get_user_pages\w*|get_user_pages\w*|get_user_page_fast_only|get_dump_page|pin_user_pages\w*|memfd_pin_folios|iov_iter_get_pages\w*|iov_iter_extract_pages|dma_map_\w+|dma_alloc_\w+|dmam_alloc_\w+|dma_pool_z?alloc|pci_map_\w+)\s*\(/;

/** Function bodies in kernel style: `{ from, to }` are the 0-based lines strictly inside the braces. */
export function functionBodies(text) {
  const lines = text.split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '{') continue;
    let j = i + 1;
    while (j < lines.length && lines[j] !== '}') j++;
    if (j >= lines.length) break;
    const body = lines.slice(i + 1, j).join('\n');
    out.push({ from: i + 1, to: j - 1, pinsOrMaps: ACQUIRE.test(body) });
    i = j;
  }
  return out;
}

/**
 * The lines edits may go to: `where` is 'pin-map' (inside functions that pin or map), 'function'
 * (inside any function) or 'anywhere' (any non-empty line).
 */
export function candidateLines(text, where) {
  const lines = text.split('\n');
  const nonEmpty = (i) => (lines[i] ?? '').trim().length > 0;
  if (where === 'anywhere') return lines.map((_, i) => i).filter(nonEmpty);
  const out = [];
  for (const b of functionBodies(text)) {
    if (where === 'pin-map' && !b.pinsOrMaps) continue;
    for (let i = b.from; i <= b.to; i++) if (nonEmpty(i)) out.push(i);
  }
  return out;
}

const KINDS = ['indent', 'newline', 'token'];

/**
 * `pairs` edit pairs (2 × pairs LSP content changes), each as `{ kind, line, change, undo }` with
 * LSP ranges; null when the file has no line of that kind.
 */
export function seededEdits(text, where, pairs, seed = 1) {
  const lines = text.split('\n');
  const candidates = candidateLines(text, where);
  if (candidates.length === 0) return null;
  const random = mulberry32(seed);
  const out = [];
  for (let k = 0; k < pairs; k++) {
    const line = candidates[Math.floor(random() * candidates.length)] ?? 0;
    const kind = KINDS[Math.floor(random() * KINDS.length)] ?? 'indent';
    const at = (character) => ({ line, character });
    if (kind === 'indent' || kind === 'newline') {
      const inserted = kind === 'indent' ? ' ' : '\n';
      const end = kind === 'indent' ? at(1) : { line: line + 1, character: 0 };
      out.push({
        kind,
        line,
        change: { range: { start: at(0), end: at(0) }, text: inserted },
        undo: { range: { start: at(0), end }, text: '' },
      });
    } else {
      const word = /^\s*[#]?\s*\w+/.exec(lines[line] ?? '');
      const column = word ? word[0].length : 0;
      out.push({
        kind,
        line,
        change: { range: { start: at(column), end: at(column) }, text: 'x' },
        undo: { range: { start: at(column), end: at(column + 1) }, text: '' },
      });
    }
  }
  return out;
}
