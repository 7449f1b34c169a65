/**
 * A tree in memory that patches are applied to: files are read from the directory on disk the
 * first time a patch touches them, and every change stays in memory — `lint --patch` never writes.
 * Hunks are applied by jsdiff's `applyPatch` with no fuzz: context must match exactly (a hunk may
 * sit a few lines off, as with `git apply`).
 */
import path from 'node:path';
import { applyPatch } from 'diff';
import type { FileDiff, Patch } from './series';
import { PatchError } from './series';

/** A file's text before and after one patch; `before` is null for a file the patch creates. */
export interface ChangedText {
  readonly path: string;
  readonly before: string | null;
  readonly after: string;
  readonly diff: FileDiff;
}

/** Reads a file of the tree on disk: its text, or null when there is no such file. */
export type ReadTreeFile = (absolute: string) => string | null;

export class PatchedTree {
  /** Texts as the patches so far left them; null: deleted. Files not here are as on disk. */
  private readonly texts = new Map<string, string | null>();

  constructor(
    private readonly root: string,
    private readonly read: ReadTreeFile,
  ) {}

  /** Where `relative` is on disk (the name reports use). */
  absolute(relative: string): string {
    return path.join(this.root, relative);
  }

  private current(relative: string): string | null {
    if (!this.texts.has(relative)) this.texts.set(relative, this.read(this.absolute(relative)));
    return this.texts.get(relative) ?? null;
  }

  private applyOne(patch: Patch, file: FileDiff): ChangedText | null {
    const label = `patch ${patch.number}${patch.subject ? ` (${patch.subject})` : ''}`;
    const before = file.oldPath === null ? null : this.current(file.oldPath);
    if (file.oldPath !== null && before === null)
      throw new PatchError(`${label}: ${file.oldPath} is not in ${this.root}`);
    if (file.oldPath === null && file.newPath !== null && this.current(file.newPath) !== null)
      throw new PatchError(`${label}: creates ${file.newPath}, which already exists`);
    const after =
      file.diff.hunks.length === 0 ? (before ?? '') : applyPatch(before ?? '', file.diff, { fuzzFactor: 0 });
    if (after === false)
      throw new PatchError(
        `${label}: does not apply to ${file.oldPath ?? file.newPath} (does the tree match the patch's base?)`,
      );
    if (file.oldPath !== null && file.oldPath !== file.newPath && !file.diff.isCopy) this.texts.set(file.oldPath, null);
    if (file.newPath === null) return null;
    this.texts.set(file.newPath, after);
    return { path: file.newPath, before, after, diff: file };
  }

  /** Applies `patch`; returns each file it leaves in the tree, with its text before and after. */
  apply(patch: Patch): ChangedText[] {
    return patch.files.flatMap((f) => {
      const changed = this.applyOne(patch, f);
      return changed ? [changed] : [];
    });
  }
}
