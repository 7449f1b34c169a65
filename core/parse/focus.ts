/**
 * Focused parsing for batch lint: find the top-level function bodies of a C file with a lexical
 * scan (no parse), so the bodies no rule can look at are blanked before tree-sitter runs. In a
 * DMA-heavy driver most of the file is functions that never touch the APIs; parsing them was most
 * of a whole-tree lint. Blanking keeps every offset and line break, so positions do not move.
 *
 * The scan is deliberately conservative: when braces do not balance (a `#ifdef` that opens a
 * block in each branch), it returns null and the caller parses everything as before.
 */

export interface LexicalFunction {
  /** The identifier before the declarator's first `(`, or null when that is not clear. */
  readonly name: string | null;
  /** Offsets of the body's `{` and of the character after its `}`. */
  readonly bodyStart: number;
  readonly bodyEnd: number;
}

const NOT_A_NAME = new Set([
  'if',
  'for',
  'while',
  'switch',
  'return',
  'sizeof',
  'typeof',
  '__typeof__',
  'int',
  'long',
  'short',
  'char',
  'void',
  'unsigned',
  'signed',
  'float',
  'double',
  'struct',
  'union',
  'enum',
  'const',
  'static',
  'inline',
]);

const IDENT_CHAR = /[A-Za-z0-9_]/;

/** Top-level function definitions of `text`, in order; null when the braces do not balance. */
export function topLevelFunctions(text: string): LexicalFunction[] | null {
  const out: LexicalFunction[] = [];
  const n = text.length;
  let depth = 0;
  let bodyStart = -1;
  let bodyName: string | null = null;
  // The declaration being read at depth 0: where it began, whether an `=` was seen (an
  // initializer, not a function), the last significant character, the name before its first `(`.
  let declStart = 0;
  let sawAssign = false;
  let parenDepth = 0;
  // Names before each depth-0 `(` of the declaration (null where unclear).
  let parenNames: (string | null)[] = [];
  let lastSignificant = '';
  let atLineStart = true;

  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    // Preprocessor lines, with backslash continuations.
    if (atLineStart && c === 35 /* # */) {
      while (i < n && !(text.charCodeAt(i) === 10 && text.charCodeAt(i - 1) !== 92)) i++;
      atLineStart = true;
      continue;
    }
    if (c === 10) {
      atLineStart = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) continue;
    atLineStart = false;
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < n && text.charCodeAt(i) !== 10) i++;
      atLineStart = true;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return null;
      i = end + 1;
      continue;
    }
    if (c === 34 /* " */ || c === 39 /* ' */) {
      i = skipQuoted(text, i, c);
      if (i < 0) return null;
      if (depth === 0) lastSignificant = '"';
      continue;
    }
    if (depth > 0) {
      if (c === 123) depth++;
      else if (c === 125) {
        depth--;
        if (depth === 0 && bodyStart >= 0) {
          out.push({ name: bodyName, bodyStart, bodyEnd: i + 1 });
          bodyStart = -1;
          declStart = i + 1;
          resetDecl();
        }
      }
      continue;
    }
    // Depth 0: reading a declaration.
    if (c === 40 /* ( */) {
      if (parenDepth === 0) parenNames.push(identifierBefore(text, i, declStart));
      parenDepth++;
    } else if (c === 41 /* ) */) {
      parenDepth = Math.max(0, parenDepth - 1);
    } else if (c === 61 /* = */ && parenDepth === 0) {
      sawAssign = true;
    } else if (c === 59 /* ; */ && parenDepth === 0) {
      declStart = i + 1;
      resetDecl();
      continue;
    } else if (c === 125 /* } */) {
      return null; // a `}` closing nothing
    } else if (c === 123 /* { */) {
      depth = 1;
      const isFunction = !sawAssign && parenDepth === 0 && lastSignificant === ')' && parenNames.length > 0;
      if (isFunction) {
        bodyStart = i;
        bodyName = declaredName(parenNames);
      } else {
        // A struct, union, enum or initializer: its `}` ends nothing we track; the declaration
        // goes on to its `;`.
        bodyStart = -1;
      }
      continue;
    }
    lastSignificant = String.fromCharCode(c);
  }
  return depth === 0 ? out : null;

  function resetDecl(): void {
    sawAssign = false;
    parenDepth = 0;
    parenNames = [];
    lastSignificant = '';
  }
}

function skipQuoted(text: string, start: number, quote: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === quote) return i;
    else if (c === 10) return i; // an unterminated literal ends at the line, as the compiler says
  }
  return -1;
}

/**
 * The function's name among the names before each `(` of its declaration: the last one that is
 * not an annotation macro (`__acquires(x)`), so `module_init(f) static int g(void) {` (a macro
 * line without `;`) names g; the first when all look like annotations.
 */
function declaredName(names: readonly (string | null)[]): string | null {
  for (let k = names.length - 1; k >= 0; k--) {
    const name = names[k];
    if (name !== null && name !== undefined && !name.startsWith('__')) return name;
  }
  return names[0] ?? null;
}

/** The identifier right before `(` at `at` (spaces allowed), or null. */
function identifierBefore(text: string, at: number, floor: number): string | null {
  let end = at;
  while (end > floor && /\s/.test(text[end - 1] as string)) end--;
  let start = end;
  while (start > floor && IDENT_CHAR.test(text[start - 1] as string)) start--;
  const name = text.slice(start, end);
  if (name === '' || /^[0-9]/.test(name) || NOT_A_NAME.has(name)) return null;
  return name;
}

/**
 * `text` with the bodies of `functions` emptied: every character between the braces except line
 * breaks becomes a space, so offsets, lines and columns stay where they were.
 */
export function blankBodies(text: string, functions: readonly LexicalFunction[]): string {
  if (functions.length === 0) return text;
  const parts: string[] = [];
  let at = 0;
  for (const f of functions) {
    parts.push(text.slice(at, f.bodyStart + 1));
    parts.push(
      text
        .slice(f.bodyStart + 1, f.bodyEnd - 1)
        .split('\n')
        .map((line) => ' '.repeat(line.length))
        .join('\n'),
    );
    at = f.bodyEnd - 1;
  }
  parts.push(text.slice(at));
  return parts.join('');
}
