/**
 * Unified diffs (the format `patch -p1` and Coccinelle's patch mode use) between two versions of
 * a file, by jsdiff's line diff. Only the `---`/`+++` file headers are written (no `Index:` or
 * `===` lines), with three lines of context as GNU diff and git use.
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return '';
  return createTwoFilesPatch(oldName, newName, oldText, newText, undefined, undefined, {
    context,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
