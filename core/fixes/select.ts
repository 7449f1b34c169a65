/**
 * Choosing which fixes to apply together: `pinscope lint --fix` and the editor's fix-all take the
 * safe fixes only, the first safe fix of each finding, and skip a fix that would overlap one already
 * chosen (the same conversion offered by two findings is applied once).
 */
import type { Finding, Fix, TextEdit } from '../findings';
import { editsOverlap } from './edits';

function key(edits: readonly TextEdit[]): string {
  return edits
    .map((e) => `${e.span.start}-${e.span.end}:${e.newText}`)
    .sort()
    .join('|');
}

export interface Selection {
  readonly edits: TextEdit[];
  readonly applied: { readonly finding: Finding; readonly fix: Fix }[];
  readonly skipped: { readonly finding: Finding; readonly fix: Fix; readonly reason: string }[];
}

export function selectSafeFixes(findings: readonly Finding[]): Selection {
  const edits: TextEdit[] = [];
  const applied: Selection['applied'] = [];
  const skipped: Selection['skipped'] = [];
  const seen = new Set<string>();
  for (const finding of findings) {
    const fix = finding.fixes.find((f) => f.safe);
    if (!fix) continue;
    const k = key(fix.edits);
    if (seen.has(k)) {
      applied.push({ finding, fix });
      continue;
    }
    if (editsOverlap(edits, fix.edits)) {
      skipped.push({ finding, fix, reason: 'overlaps another fix; run again to apply it' });
      continue;
    }
    seen.add(k);
    edits.push(...fix.edits);
    applied.push({ finding, fix });
  }
  return { edits, applied, skipped };
}
