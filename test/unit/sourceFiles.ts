/** The TypeScript sources of the project's folders and their imports, for tests that read code as text. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
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

/** Every module a file imports: static imports and re-exports, `import()` and `require()`. */
export function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm),
    ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
    ...text.matchAll(/\bimport\('([^']+)'\)/g),
    ...text.matchAll(/require\('([^']+)'\)/g),
  ].map((m) => m[1] as string);
}

/** A relative import as a path from the repository root, without extension; a package as it is. */
export function resolved(file: string, spec: string): string {
  return spec.startsWith('.')
    ? path.relative(repositoryRoot, path.resolve(path.dirname(file), spec)).replace(/\.tsx?$/, '')
    : spec;
}
