/**
 * Which lines of a patched file the patch added, and on which line of the patch input each one
 * is: what checkpatch prints as `#27:` so a reviewer finds the finding in the mail they read.
 */
import type { StructuredPatchHunk } from 'diff';
import type { ChangedText } from './tree';

/** The hunk's lines as they are in the new file (context and added), without the no-newline marker. */
function newSide(hunk: StructuredPatchHunk): { text: string; index: number }[] {
  return hunk.lines.flatMap((l, index) =>
    l.startsWith(' ') || l.startsWith('+') ? [{ text: l.slice(1), index }] : [],
  );
}

/**
 * Where the hunk landed in `lines` (0-based first line): where its header says, or the nearest
 * place its new side matches, since applyPatch may have moved it a few lines; -1 if nowhere.
 */
function landing(hunk: StructuredPatchHunk, lines: readonly string[]): number {
  const side = newSide(hunk);
  const fits = (at: number): boolean =>
    at >= 0 &&
    at + side.length <= lines.length &&
    side.every((s, k) => lines[at + k]?.replace(/\r$/, '') === s.text.replace(/\r$/, ''));
  const stated = hunk.newStart - 1;
  for (let d = 0; d <= lines.length; d++) {
    if (fits(stated + d)) return stated + d;
    if (d > 0 && fits(stated - d)) return stated - d;
  }
  return -1;
}

/** 1-based line of the patched file → 1-based line of the patch input, for every added line. */
export function addedLinePlaces(changed: ChangedText): Map<number, number> {
  const places = new Map<number, number>();
  const { hunkLines } = changed.diff;
  if (!hunkLines) return places;
  const lines = changed.after.split('\n');
  changed.diff.diff.hunks.forEach((hunk, h) => {
    const at = landing(hunk, lines);
    if (at < 0) return;
    newSide(hunk).forEach((s, k) => {
      if (hunk.lines[s.index]?.startsWith('+')) places.set(at + k + 1, (hunkLines[h] as number) + 1 + s.index);
    });
  });
  return places;
}
