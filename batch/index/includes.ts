/**
 * Which headers of the tree a file includes, by the kernel's layout: `#include "blk.h"` next to
 * the file (then under include/), `#include <linux/mm.h>` under include/ (then
 * include/uapi/). Paths are relative to the tree root, with `/`. Architecture include folders
 * and generated headers are not followed: a fact from there is simply not known.
 */
import path from 'node:path';

const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]/gm;

/** The `#include` lines of `text`: whether quoted, and the name written. */
function includesIn(text: string): { quoted: boolean; name: string }[] {
  const out: { quoted: boolean; name: string }[] = [];
  if (!text.includes('include')) return out;
  INCLUDE.lastIndex = 0;
  for (let m = INCLUDE.exec(text); m !== null; m = INCLUDE.exec(text))
    out.push({ quoted: m[1] === '"', name: (m[2] as string).trim() });
  return out;
}

/** The tree-relative path an include of `from` names, or null when the tree has no such file. */
function resolveInclude(
  from: string,
  include: { quoted: boolean; name: string },
  exists: (rel: string) => boolean,
): string | null {
  const candidates: string[] = [];
  if (include.quoted) candidates.push(path.posix.normalize(path.posix.join(path.posix.dirname(from), include.name)));
  candidates.push(`include/${include.name}`, `include/uapi/${include.name}`);
  for (const c of candidates) if (!c.startsWith('..') && exists(c)) return c;
  return null;
}

/** The resolved includes of a file's text. */
export function resolvedIncludes(from: string, text: string, exists: (rel: string) => boolean): string[] {
  const out: string[] = [];
  for (const inc of includesIn(text)) {
    const rel = resolveInclude(from, inc, exists);
    if (rel !== null && !out.includes(rel)) out.push(rel);
  }
  return out;
}
