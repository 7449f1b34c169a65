/**
 * Where the corpus of real kernel fixes is (`cases/` and `negatives/`, kept outside the
 * repository on purpose), for `npm run eval` and for the tests that read it. One answer for both,
 * so a clone anywhere either finds it or says in one line where it looked:
 *  1. the folder given (`npm run eval -- DIR`): relative to the repository (npm runs scripts
 *     there), else to the folder npm was started in (INIT_CWD);
 *  2. $PINSCOPE_CORPUS;
 *  3. `../shared/corpus` next to the repository, next to the main checkout when this is a git
 *     worktree, and next to the repository it was cloned from when that is a local folder.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface CorpusLookup {
  /** The corpus folder, or null. */
  readonly dir: string | null;
  /** Every folder looked at, in order. */
  readonly tried: readonly string[];
}

/** The checkout a git worktree belongs to (`.git` is a file: `gitdir: <main>/.git/worktrees/<name>`). */
function mainCheckout(repo: string): string | null {
  try {
    const dotGit = path.join(repo, '.git');
    if (!statSync(dotGit).isFile()) return null;
    const gitdir = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (!gitdir) return null;
    return path.dirname(path.dirname(path.dirname(path.resolve(repo, gitdir))));
  } catch {
    return null;
  }
}

/** The local folder this clone was cloned from (`remote.origin.url` that is a path), or null. */
function originCheckout(repo: string): string | null {
  try {
    const config = readFileSync(path.join(repo, '.git', 'config'), 'utf8');
    const url = /\[remote "origin"\][^[]*?\burl = (.+)/.exec(config)?.[1]?.trim();
    if (!url || !path.isAbsolute(url.replace(/^file:\/\//, ''))) return null;
    return url.replace(/^file:\/\//, '').replace(/\/\.git\/?$/, '');
  } catch {
    return null;
  }
}

const isCorpus = (dir: string): boolean => existsSync(path.join(dir, 'cases'));

export function findCorpus(repo: string, given?: string, env: NodeJS.ProcessEnv = process.env): CorpusLookup {
  const candidates: string[] = [];
  if (given !== undefined) {
    candidates.push(path.resolve(repo, given));
    if (env.INIT_CWD) candidates.push(path.resolve(env.INIT_CWD, given));
  } else {
    if (env.PINSCOPE_CORPUS) candidates.push(path.resolve(env.INIT_CWD ?? repo, env.PINSCOPE_CORPUS));
    for (const checkout of [repo, mainCheckout(repo), originCheckout(repo)])
      if (checkout) candidates.push(path.resolve(checkout, '..', 'shared', 'corpus'));
  }
  const tried = [...new Set(candidates)];
  return { dir: tried.find(isCorpus) ?? null, tried };
}

/** The one line that says a corpus run was skipped, where it looked, and how to point it at one. */
export function corpusMissing(what: string, lookup: CorpusLookup): string {
  return `${what} skipped: no corpus (a folder with cases/) at ${lookup.tried.join(', ')}; set PINSCOPE_CORPUS=DIR or pass the folder (npm run eval -- DIR)`;
}
