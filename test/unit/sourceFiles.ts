/** The TypeScript sources of one of the project's top-level folders, for tests that read code as text. */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const repositoryRoot = path.join(__dirname, '..', '..');

/** Every `.ts`/`.tsx` file under `dir` (relative to the repository); none when it does not exist. */
export function sources(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const full = path.join(d, e);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(e)) out.push(full);
    }
  };
  const start = path.join(repositoryRoot, dir);
  try {
    statSync(start);
  } catch {
    return out;
  }
  walk(start);
  return out;
}
