/**
 * Hovers: the identifier under the cursor, looked up in the catalog for the document's kernel
 * version (core/hover.ts writes the text); names in comments and strings do not hover. A name inside
 * one of the document's findings gets the brief text: the editor shows the finding above the hover.
 * Inside a `pinscope-ignore` comment, a rule id hovers with the rule's title and description.
 */
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver-protocol';
import {
  hoverFor,
  isRuleId,
  type KernelVersion,
  type LineColumnRange,
  LineIndex,
  ruleDocsUrl,
  ruleMeta,
  rulePagePath,
} from '../core/index';

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
function inCommentOrString(text: string, offset: number): boolean {
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

/** Whether `range` contains `p`, its ends included (where the editor shows that range's diagnostic). */
function contains(range: LineColumnRange, p: Position): boolean {
  // LineColumnRange is 1-based, an LSP position 0-based.
  const line = p.line + 1;
  const column = p.character + 1;
  const afterStart = line > range.line || (line === range.line && column >= range.column);
  const beforeEnd = line < range.endLine || (line === range.endLine && column <= range.endColumn);
  return afterStart && beforeEnd;
}

/**
 * The hover at `position`. `findings`: the ranges of the document's findings; at a position inside
 * one the editor shows that finding first, and the name gets the brief text.
 */
export function hoverAt(
  text: string,
  position: Position,
  version: KernelVersion,
  findings: readonly { readonly range: LineColumnRange }[] = [],
): Hover | null {
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
  const brief = findings.some((f) => contains(f.range, position));
  const content = hoverFor(word.word, version, { brief });
  if (!content || inCommentOrString(text, lines.lineStart(position.line + 1) + word.start)) return null;
  return {
    contents: { kind: MarkupKind.Markdown, value: content.markdown },
    range: { start: { line: position.line, character: word.start }, end: { line: position.line, character: word.end } },
  };
}

// ─── The places listed under a finding ─────────────────────────────────────────────────────────────

/** One place the editor lists under a finding (its diagnostic's relatedInformation). */
export interface RelatedPlace {
  readonly range: LineColumnRange;
  readonly message: string;
  /** A place in another file (a header's helper the finding used): its path. */
  readonly file?: string;
}

function sameRange(a: LineColumnRange, b: LineColumnRange): boolean {
  return a.line === b.line && a.column === b.column && a.endLine === b.endLine && a.endColumn === b.endColumn;
}

/** `2`, `2–3`, `2, 5`: path step numbers as ranges. */
function stepList(steps: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < steps.length;) {
    let j = i;
    while (j + 1 < steps.length && (steps[j + 1] as number) === (steps[j] as number) + 1) j++;
    parts.push(j > i ? `${steps[i]}–${steps[j]}` : `${steps[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * A finding's related places, then the steps of its path, each place once: a step at a place the
 * finding already lists adds its number there (`pages pinned here (path step 2)`), and steps at one
 * place (a call, then the branch on its result) are one entry with the last step's words, which
 * repeat the earlier ones (`path steps 2–3: dma_mapping_error(dev, addr): false`).
 */
export function relatedPlaces(finding: {
  readonly related: readonly { readonly range: LineColumnRange; readonly message: string; readonly file?: string }[];
  readonly path?: readonly { readonly range: LineColumnRange; readonly label: string }[];
}): RelatedPlace[] {
  // Places in other files come last, as they are: no step of this file's path is there.
  const elsewhere = finding.related.flatMap((r) =>
    r.file === undefined ? [] : [{ range: r.range, message: r.message, file: r.file }],
  );
  return [...placesHere({ ...finding, related: finding.related.filter((r) => r.file === undefined) }), ...elsewhere];
}

function placesHere(finding: {
  readonly related: readonly { readonly range: LineColumnRange; readonly message: string }[];
  readonly path?: readonly { readonly range: LineColumnRange; readonly label: string }[];
}): RelatedPlace[] {
  const places: { range: LineColumnRange; message: string; steps: number[]; isStep: boolean }[] = [];
  const at = (range: LineColumnRange): (typeof places)[number] | undefined =>
    places.find((p) => sameRange(p.range, range));
  for (const r of finding.related) {
    const place = at(r.range);
    if (!place) places.push({ range: r.range, message: r.message, steps: [], isStep: false });
    else if (place.message !== r.message) place.message += `; ${r.message}`;
  }
  (finding.path ?? []).forEach((step, i) => {
    const place = at(step.range);
    if (!place) {
      places.push({ range: step.range, message: step.label, steps: [i + 1], isStep: true });
      return;
    }
    place.steps.push(i + 1);
    if (place.isStep && step.label !== place.message)
      place.message = step.label.startsWith(place.message) ? step.label : `${place.message}; ${step.label}`;
  });
  return places.map((p) => {
    const steps = `path step${p.steps.length > 1 ? 's' : ''} ${stepList(p.steps)}`;
    const message = p.isStep ? `${steps}: ${p.message}` : p.steps.length > 0 ? `${p.message} (${steps})` : p.message;
    return { range: p.range, message };
  });
}
