/**
 * The object-like macros of a header made only of `#define` lines, read from its text without a
 * parse (issue 12). The kernel's register headers (amdgpu's `*_sh_mask.h`, `*_offset.h`) are 1–7
 * MB of `#define NAME 0x...` and nothing else; tree-sitter's tree of one is ~20 bytes a character,
 * and a tree index build that parsed two of them at once peaked at ~380 MB (docs/benchmarks.md,
 * "Tree index: cold build").
 *
 * The reader gives what `macrosIn` gives on the parse — the same names, values, value offsets and
 * order — for the texts it accepts, and it accepts only a narrow form it can read exactly; for
 * anything else it answers null and the file is parsed as before:
 *  - ASCII only, `\n` line ends (the last line too), no line continued with a backslash;
 *  - each line blank, a `//` comment, or a `/* … *\/` comment that starts the line (it may run over
 *    lines; nothing may follow its end on its line);
 *  - or, from the first column: `#define NAME` or `#define NAME VALUE` (object-like: no `(` right
 *    after the name; the value of words, numbers, parentheses and the operators `| & + - < > ~ * ^ !`,
 *    no trailing blanks, no comment), `#undef NAME`, `#include <…>` / `#include "…"`, and
 *    `#ifndef NAME` / `#ifdef NAME` … `#endif` (balanced; `#endif` may carry a comment). No `#if`,
 *    `#else`, `#elif` (their branches are what the parser's preparation blanks), no function-like
 *    macro (a wrapper macro needs the parse);
 *  - nothing the parser's preparation would blank (kernel annotations, type arguments): the
 *    prepared text must be the text itself.
 * So the file has no function and no function-like macro: its facts are its macros alone.
 */
import type { MacroDef } from '../analysis/flags';
import { blankConditionals, blankKernelAnnotations, blankTypeArguments } from '../parse/prepare';

const DEFINE = /^#define[ \t]+([A-Za-z_]\w*)(?:([ \t]+)(.*))?$/;
const VALUE = /^[\w()|&+\-<>~*^! \t]*[^ \t]$/;
const SIMPLE = [/^#undef[ \t]+[A-Za-z_]\w*$/, /^#include[ \t]+(?:<[^<>"]*>|"[^<>"]*")$/];
const OPEN = /^#(?:ifndef|ifdef)[ \t]+[A-Za-z_]\w*$/;
const CLOSE = /^#endif(?:[ \t]+(?:\/\/.*|\/\*(?:(?!\*\/).)*\*\/))?$/;

/** Whether nothing but blanks follows `from` on `line`. */
const blankFrom = (line: string, from: number): boolean => /^[ \t]*$/.test(line.slice(from));

/**
 * The header's object-like macros by name (the last definition wins, in the order of first
 * definition, as `macrosIn`), or null when the text is not of the form above.
 */
export function macrosOfDefineHeader(text: string): Map<string, MacroDef> | null {
  // eslint-disable-next-line no-control-regex -- ASCII is what the reader accepts
  if (/[^\x00-\x7f]|\r|\\\n/.test(text) || (text.length > 0 && !text.endsWith('\n'))) return null;
  if (
    blankConditionals(text, false) !== text ||
    blankKernelAnnotations(text) !== text ||
    blankTypeArguments(text) !== text
  )
    return null;
  const macros = new Map<string, MacroDef>();
  let depth = 0;
  let inComment = false;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    const lineStart = start;
    start = end + 1;
    if (inComment) {
      const close = line.indexOf('*/');
      if (close < 0) continue;
      if (!blankFrom(line, close + 2)) return null;
      inComment = false;
      continue;
    }
    const first = line.search(/[^ \t]/);
    if (first < 0) continue;
    if (line.startsWith('//', first)) continue;
    if (line.startsWith('/*', first)) {
      const close = line.indexOf('*/', first + 2);
      if (close < 0) inComment = true;
      else if (!blankFrom(line, close + 2)) return null;
      continue;
    }
    if (first !== 0 || line[0] !== '#') return null;
    const define = DEFINE.exec(line);
    if (define) {
      const [, name, gap, value] = define as unknown as [string, string, string | undefined, string | undefined];
      if (gap === undefined) continue; // `#define NAME`: no value, no macro (as macrosIn)
      if (value === undefined || !VALUE.test(value)) return null;
      const valueStart = lineStart + line.length - value.length;
      macros.set(name, { name, value, valueStart });
      continue;
    }
    if (SIMPLE.some((r) => r.test(line))) continue;
    if (OPEN.test(line)) depth++;
    else if (CLOSE.test(line)) {
      if (--depth < 0) return null;
    } else return null;
  }
  return inComment || depth !== 0 ? null : macros;
}
