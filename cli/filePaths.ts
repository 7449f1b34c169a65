/**
 * File names as each output shows them. A Linux file name may hold any byte but `/` and NUL, a
 * newline included: gcc-style lines escape control characters so one finding stays one line,
 * diff headers are quoted as git does them (by jsdiff), and SARIF gets a percent-encoded URI. JSON output
 * keeps the name as it is (JSON escapes it).
 */
import path from 'node:path';

/** Relative to the working directory when the file is inside it, else as given. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

const C_ESCAPES: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
};

/** C0 and C1 controls (DEL included) and the Unicode line and paragraph separators: what breaks a line. */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;
function escapeChar(c: string): string {
  const known = C_ESCAPES[c];
  if (known) return known;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `displayPath` with control characters written as C escapes (`\n`, `\x1b`), for terminal lines. */
export function terminalPath(file: string): string {
  return displayPath(file).replace(CONTROL, escapeChar);
}

/**
 * A name for a unified diff header, as `git diff` writes it: `a/` or `b/` and the path relative to
 * the working directory; an absolute path outside it loses its leading slash (`a/tmp/x.c`, as
 * `git diff --no-index` does, so `patch -p1` applies it from `/`). jsdiff quotes a name with
 * special characters as git does (`"a/a\nb.c"`), which git apply and GNU patch read back.
 */
export function diffHeaderName(file: string, side: 'a' | 'b'): string {
  return `${side}/${displayPath(file).split(path.sep).join('/').replace(/^\/+/, '')}`;
}

/**
 * SARIF `artifactLocation.uri`: the path relative to `root`, each segment percent-encoded where
 * RFC 3986 does not allow the character in a path (spaces, `%`, `#`, `?`, control characters).
 * `:` is encoded too, so a first segment is never read as a URI scheme.
 */
export function artifactUri(file: string, root: string): string {
  return path
    .relative(root, file)
    .split(path.sep)
    .map((segment) => segment.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=@]/gu, (c) => encodeURIComponent(c)))
    .join('/');
}
