/**
 * Hovers: the identifier under the cursor, looked up in the catalog for the document's kernel
 * version (core/hover.ts writes the text); names in comments and strings do not hover. Inside a
 * `pinscope-ignore` comment, a rule id hovers with the rule's title and description.
 */
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver-protocol';
import { hoverFor, isRuleId, type KernelVersion, LineIndex, ruleDocsUrl, ruleMeta, rulePagePath } from '../core/index';

export interface WordAt {
  readonly word: string;
  readonly start: number;
  readonly end: number;
}

/** The word (C identifier, or a rule id with dashes) that `character` is in or touches on `line`. */
export function wordAt(line: string, character: number, pattern = /[A-Za-z_][A-Za-z0-9_]*/g): WordAt | null {
  pattern.lastIndex = 0;
  for (let m = pattern.exec(line); m !== null; m = pattern.exec(line)) {
    const start = m.index;
    const end = start + m[0].length;
    if (character >= start && character <= end) return { word: m[0], start, end };
    if (start > character) break;
  }
  return null;
}

/**
 * Whether `offset` is inside a comment (or a string or character literal): a small C lexer over
 * the text before it, so that names in comments and strings do not hover.
 */
export function inCommentOrString(text: string, offset: number): boolean {
  let i = 0;
  while (i < offset) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c === 47 /* / */ && next === 47) {
      const end = text.indexOf('\n', i + 2);
      if (end < 0 || end >= offset) return true;
      i = end + 1;
    } else if (c === 47 && next === 42 /* * */) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0 || end + 2 > offset) return true;
      i = end + 2;
    } else if (c === 34 /* " */ || c === 39 /* ' */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== c && text.charCodeAt(j) !== 10)
        j += text.charCodeAt(j) === 92 /* \ */ ? 2 : 1;
      if (j >= offset) return true;
      i = j + 1;
    } else {
      i++;
    }
  }
  return false;
}

export function hoverAt(text: string, position: Position, version: KernelVersion): Hover | null {
  const lines = new LineIndex(text);
  const lineText = lines.lineText(position.line + 1);
  // A rule id in a suppression comment.
  if (/pinscope-ignore/.test(lineText)) {
    const rule = wordAt(lineText, position.character, /[a-z0-9]+(?:-[a-z0-9]+)+/g);
    if (rule && isRuleId(rule.word)) {
      const meta = ruleMeta(rule.word);
      return {
        contents: {
          kind: MarkupKind.Markdown,
          value: [
            `**${rule.word}** · ${meta.title} · default ${meta.severity}`,
            meta.description,
            `Rule page: \`${rulePagePath(rule.word)}\` · Docs: ${ruleDocsUrl(rule.word)}`,
          ].join('\n\n'),
        },
        range: {
          start: { line: position.line, character: rule.start },
          end: { line: position.line, character: rule.end },
        },
      };
    }
  }
  const word = wordAt(lineText, position.character);
  if (!word) return null;
  const content = hoverFor(word.word, version);
  if (!content || inCommentOrString(text, lines.lineStart(position.line + 1) + word.start)) return null;
  return {
    contents: { kind: MarkupKind.Markdown, value: content.markdown },
    range: { start: { line: position.line, character: word.start }, end: { line: position.line, character: word.end } },
  };
}
