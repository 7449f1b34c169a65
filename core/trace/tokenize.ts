/**
 * Splitting `.pinsim` text into lines and lines into tokens: words, `key=value`, double-quoted
 * strings, `->`, `@LINE:COLUMN`, and the `#` comment.
 *
 * Words are separated by spaces and tabs only. Any other whitespace or invisible character outside a
 * quoted string or a comment — a no-break space pasted from a web page, a form feed, U+2028, U+3000,
 * a zero-width space — is an error that names the character and its column: it would otherwise
 * silently glue two words together or split one. Control characters (except tab) are an error
 * anywhere, comments included, because the CLI prints comments to a terminal.
 *
 * Every loop below advances its index by at least one character per iteration, so tokenizing is
 * linear in the length of the line.
 */

export interface Token {
  readonly text: string;
  /** 0-based UTF-16 column of the token's first character. */
  readonly col: number;
  readonly quoted: boolean;
}

export interface TokenizedLine {
  readonly tokens: readonly Token[];
  /** The text after `#`, trimmed. */
  readonly comment?: string;
  readonly error?: { readonly col: number; readonly message: string };
}

/**
 * Lines as LSP and editors count them: `\r\n`, `\n` and a lone `\r` each end a line (U+2028 and
 * U+2029 do not, in LSP; inside a word they are an error). A byte order mark at the very start is
 * not part of the first line, as editors show it.
 */
export function splitLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split(/\r\n|\r|\n/);
}

/**
 * Never allowed, not even in comments: control characters (C0 except tab, DEL, C1) and halves of a
 * surrogate pair standing alone (no character; they cannot even be written out as UTF-8).
 */
const FORBIDDEN = /[^\P{Cc}\t]|\p{Cs}/u;
/** Whitespace and invisible characters other than space and tab: allowed only in strings and comments. */
const INVISIBLE = /[\p{Z}\p{Cf}\u0085]/u;

const NAMES: Readonly<Record<number, string>> = {
  0x00: 'NUL',
  0x0b: 'vertical tab',
  0x0c: 'form feed',
  0x1b: 'escape',
  0x85: 'next line',
  0xa0: 'no-break space',
  0x1680: 'Ogham space mark',
  0x180e: 'Mongolian vowel separator',
  0x200b: 'zero-width space',
  0x200c: 'zero-width non-joiner',
  0x200d: 'zero-width joiner',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x202f: 'narrow no-break space',
  0x205f: 'medium mathematical space',
  0x2060: 'word joiner',
  0x3000: 'ideographic space',
  0xfeff: 'zero-width no-break space (byte order mark)',
};

/** `form feed (U+000C)`: how an error names a character. */
function describeChar(code: number): string {
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const name =
    NAMES[code] ??
    (code >= 0x2000 && code <= 0x200a ? 'space' : code >= 0xd800 && code <= 0xdfff ? 'unpaired surrogate' : undefined);
  return name ? `${name} (${hex})` : `character ${hex}`;
}

/**
 * Text from a trace as an error message shows it: invisible and control characters escaped, long
 * text cut, so a message stays one readable line whatever the input held.
 */
export function shown(text: string, max = 60): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return cut.replace(/[\p{Cc}\p{Z}\p{Cf}\p{Cs}]/gu, (c) =>
    c === ' ' ? c : `\\u{${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`,
  );
}

function badChar(line: string, i: number, where: string): { col: number; message: string } {
  const code = line.codePointAt(i) ?? 0;
  const why = forbiddenAt(line, i)
    ? code >= 0xd800 && code <= 0xdfff
      ? 'it is half of a character'
      : 'control characters are not allowed in a trace'
    : 'separate words with spaces or tabs';
  return { col: i, message: `unexpected ${describeChar(code)}${where}: ${why}` };
}

/** The end of the quoted string opening at `start`, its text, or the error inside it. */
function quotedString(
  line: string,
  start: number,
): { end: number; text: string } | { error: { col: number; message: string } } {
  let j = start + 1;
  let text = '';
  while (j < line.length) {
    const c = line[j] as string;
    if (c === '"') return { end: j + 1, text };
    if (forbiddenAt(line, j)) return { error: badChar(line, j, ' in a string') };
    if (c === '\\' && j + 1 < line.length) {
      text += line[j + 1];
      j += 2;
    } else {
      text += c;
      j += 1;
    }
  }
  return { error: { col: start, message: 'unterminated string: expected a closing "' } };
}

/** Splits one line (without its line break) into tokens; stops at `#`. */
export function tokenize(line: string): TokenizedLine {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t') {
      i += 1;
      continue;
    }
    if (c === '#') {
      const rest = line.slice(i + 1);
      const bad = rest.search(FORBIDDEN);
      if (bad >= 0) return { tokens, error: badChar(line, i + 1 + bad, ' in a comment') };
      return { tokens, comment: rest.trim() };
    }
    if (!isWordChar(line, i)) return { tokens, error: badChar(line, i, '') };
    if (c === '"') {
      const s = quotedString(line, i);
      if ('error' in s) return { tokens, error: s.error };
      tokens.push({ text: s.text, col: i, quoted: true });
      i = s.end;
      continue;
    }
    // A word: the character at i is part of it, so j > i and the loop advances.
    let j = i + 1;
    while (j < line.length && isWordChar(line, j) && line[j] !== '#') j += 1;
    tokens.push({ text: line.slice(i, j), col: i, quoted: false });
    i = j;
  }
  return { tokens };
}

/** Whether the code unit at `i` is a control character or an unpaired surrogate. */
function forbiddenAt(line: string, i: number): boolean {
  const code = line.charCodeAt(i);
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return code !== 0x09;
  if (code >= 0xd800 && code <= 0xdbff) {
    const next = line.charCodeAt(i + 1);
    return !(next >= 0xdc00 && next <= 0xdfff);
  }
  if (code >= 0xdc00 && code <= 0xdfff) {
    const previous = i > 0 ? line.charCodeAt(i - 1) : 0;
    return !(previous >= 0xd800 && previous <= 0xdbff);
  }
  return false;
}

/** A character that may be part of a word: visible, not space or tab (`#` is checked by the caller). */
function isWordChar(line: string, i: number): boolean {
  const code = line.charCodeAt(i);
  // Printable ASCII, nearly every character of a trace, without a regex.
  if (code > 0x20 && code < 0x7f) return true;
  const c = line[i] as string;
  if (c === ' ' || c === '\t' || forbiddenAt(line, i)) return false;
  // A character outside the BMP (a surrogate pair) is tested whole.
  return !INVISIBLE.test(String.fromCodePoint(line.codePointAt(i) ?? 0));
}
