/**
 * Parser for `.pinsim` traces. Every malformed line gets its own `line:col: message`; a trace with
 * any error yields no trace at all, so nothing is ever simulated from half a file.
 */
import { DMA_DIRECTIONS } from '../catalog/dma';
import { isFollFlagName } from '../catalog/flags';
import { parseKernelVersion } from '../catalog/version';
import type { PageKind } from '../sim/types';
import type { ArgValue, MemoryRegion, ParseResult, Trace, TraceError, TraceStep } from './types';
import { PAGE_KINDS, PAGES_PER_FOLIO, STEP_SPECS, type ArgKind } from './vocabulary';

interface Token {
  readonly text: string;
  /** 0-based column of the token's first character. */
  readonly col: number;
  readonly quoted: boolean;
}

/** Splits a line into tokens: words, `key=value`, quoted strings, `->`, `@L:C`. Stops at `#`. */
function tokenize(line: string): { tokens: Token[]; comment?: string; error?: { col: number; message: string } } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') return { tokens, comment: line.slice(i + 1).trim() };
    if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) {
          text += line[j + 1];
          j += 2;
        } else {
          text += line[j];
          j++;
        }
      }
      if (j >= line.length) return { tokens, error: { col: i, message: 'unterminated string: expected a closing "' } };
      tokens.push({ text, col: i, quoted: true });
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < line.length && !/[\s#]/.test(line[j] as string)) j++;
    tokens.push({ text: line.slice(i, j), col: i, quoted: false });
    i = j;
  }
  return { tokens };
}

const INT = /^-?\d+$/;
const ERRNO = /^-E[A-Z0-9]+$/;

function parseValue(kind: ArgKind, raw: string): ArgValue | string {
  switch (kind) {
    case 'int':
      return INT.test(raw) && Number(raw) >= 0 ? Number(raw) : `expected a non-negative integer, not "${raw}"`;
    case 'count':
      return INT.test(raw) ? Number(raw) : `expected an integer, not "${raw}"`;
    case 'bool':
      return raw === 'true' ? true : raw === 'false' ? false : `expected true or false, not "${raw}"`;
    case 'flags': {
      if (raw === '0') return '0';
      const bad = raw.split('|').find((f) => !isFollFlagName(f));
      return bad === undefined ? raw : `unknown FOLL_* flag "${bad}"`;
    }
    case 'direction':
      return (DMA_DIRECTIONS as readonly string[]).includes(raw)
        ? raw
        : `expected a DMA direction (DMA_TO_DEVICE, DMA_FROM_DEVICE, DMA_BIDIRECTIONAL), not "${raw}"`;
    case 'word':
      return raw.length > 0 ? raw : 'expected a value';
  }
}

/** An argument value is an error message when it is a string starting with "expected"/"unknown". */
function isError(v: ArgValue | string, kind: ArgKind): v is string {
  return (
    typeof v === 'string' &&
    (kind === 'int' || kind === 'count' || kind === 'bool' || /^(expected|unknown)\b/.test(v)) &&
    (kind !== 'word' || v === 'expected a value')
  );
}

export function parseTrace(text: string): ParseResult {
  const errors: TraceError[] = [];
  const memory: MemoryRegion[] = [];
  const steps: TraceStep[] = [];
  const comments: string[] = [];
  let kernel: string | undefined;
  let fn: string | undefined;
  let source: string | undefined;
  const lines = text.split('\n');
  const err = (line: number, col: number, message: string): void => {
    errors.push({ line, column: col + 1, message });
  };

  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const { tokens, comment, error } = tokenize(raw);
    if (error) {
      err(lineNo, error.col, error.message);
      return;
    }
    if (tokens.length === 0) {
      if (comment !== undefined && steps.length === 0 && memory.length === 0) comments.push(comment);
      return;
    }
    const [head, ...rest] = tokens as [Token, ...Token[]];
    // Location suffix `@L[:C]`, wherever it is, must be last.
    let location: { line: number; column?: number } | undefined;
    const last = rest[rest.length - 1];
    if (last && !last.quoted && last.text.startsWith('@')) {
      const m = /^@(\d+)(?::(\d+))?$/.exec(last.text);
      if (!m) {
        err(lineNo, last.col, `malformed source location "${last.text}": expected @LINE or @LINE:COLUMN`);
        return;
      }
      location = { line: Number(m[1]), ...(m[2] ? { column: Number(m[2]) } : {}) };
      rest.pop();
    }
    switch (head.text) {
      case 'kernel': {
        const v = rest[0];
        if (!v || rest.length !== 1 || !parseKernelVersion(v.text)) {
          err(lineNo, v?.col ?? head.col + head.text.length, 'expected a kernel version like 6.12');
          return;
        }
        if (steps.length > 0) {
          err(lineNo, head.col, '"kernel" must come before the first step');
          return;
        }
        kernel = v.text;
        return;
      }
      case 'function':
      case 'source': {
        const v = rest[0];
        if (!v || rest.length !== 1) {
          err(
            lineNo,
            v?.col ?? head.col + head.text.length,
            `expected one ${head.text === 'function' ? 'function name' : 'file name'}`,
          );
          return;
        }
        if (head.text === 'function') fn = v.text;
        else source = v.text;
        return;
      }
      case 'pages': {
        if (steps.length > 0) {
          err(lineNo, head.col, 'memory setup ("pages") must come before the first step');
          return;
        }
        const countTok = rest[0];
        const kindTok = rest[1];
        if (!countTok || !INT.test(countTok.text) || Number(countTok.text) < 1) {
          err(lineNo, countTok?.col ?? head.col + 5, 'expected a page count (a positive integer)');
          return;
        }
        if (!kindTok || !(PAGE_KINDS as readonly string[]).includes(kindTok.text)) {
          err(
            lineNo,
            kindTok?.col ?? countTok.col + countTok.text.length,
            `expected a page kind: ${PAGE_KINDS.join(', ')}`,
          );
          return;
        }
        const kind = kindTok.text as PageKind;
        const count = Number(countTok.text);
        const per = PAGES_PER_FOLIO[kind];
        if (count % per !== 0) {
          err(lineNo, countTok.col, `${kind} folios hold ${per} pages: the count must be a multiple of ${per}`);
          return;
        }
        let movable = false;
        let refcount: number | undefined;
        for (const t of rest.slice(2)) {
          if (t.text === 'movable') movable = true;
          else if (/^refcount=\d+$/.test(t.text)) refcount = Number(t.text.slice(9));
          else {
            err(lineNo, t.col, `unexpected "${t.text}": a pages line takes "movable" and "refcount=N"`);
            return;
          }
        }
        memory.push({ count, kind, movable, ...(refcount !== undefined ? { refcount } : {}) });
        return;
      }
      default:
        break;
    }
    const spec = STEP_SPECS.get(head.text);
    if (!spec) {
      err(lineNo, head.col, `unknown call "${head.text}"`);
      return;
    }
    const args: Record<string, ArgValue> = {};
    let result: number | string | undefined;
    let stepText: string | undefined;
    let value: boolean | undefined;
    if (spec.kind === 'branch') {
      const cond = rest[0];
      const v = rest[1];
      if (!cond || !cond.quoted) {
        err(lineNo, cond?.col ?? head.col + head.text.length + 1, 'expected the condition in double quotes');
        return;
      }
      if (!v || (v.text !== 'true' && v.text !== 'false') || rest.length !== 2) {
        err(lineNo, v?.col ?? cond.col + cond.text.length + 2, 'expected true or false after the condition');
        return;
      }
      steps.push({
        call: 'branch',
        args,
        text: cond.text,
        value: v.text === 'true',
        ...(location ? { line: location.line } : {}),
        ...(location?.column ? { column: location.column } : {}),
        ...(comment ? { comment } : {}),
        traceLine: lineNo,
      });
      return;
    }
    if (spec.kind === 'return') {
      // `return -EFAULT`, `return 0`, or any expression with `status=error|success` at the end
      // (what the path engine concluded the expression is on this path).
      const statusTok = rest[rest.length - 1];
      if (statusTok && !statusTok.quoted && statusTok.text.startsWith('status=')) {
        const status = statusTok.text.slice(7);
        if (status !== 'error' && status !== 'success') {
          err(lineNo, statusTok.col + 7, `status: expected error or success, not "${status}"`);
          return;
        }
        args.status = status;
        rest.pop();
      }
      stepText = rest.map((t) => (t.quoted ? `"${t.text}"` : t.text)).join(' ');
      steps.push({
        call: 'return',
        args,
        text: stepText,
        ...(location ? { line: location.line } : {}),
        ...(location?.column ? { column: location.column } : {}),
        ...(comment ? { comment } : {}),
        traceLine: lineNo,
      });
      return;
    }
    for (let i = 0; i < rest.length; i++) {
      const t = rest[i] as Token;
      if (t.text === '->') {
        const r = rest[i + 1];
        if (!spec.result) {
          err(lineNo, t.col, `${head.text} has no result`);
          return;
        }
        const words = spec.resultWords ?? [];
        if (!r || !(INT.test(r.text) || ERRNO.test(r.text) || words.includes(r.text))) {
          err(
            lineNo,
            r?.col ?? t.col + 2,
            `expected a result after "->": ${words.length > 0 ? `${words.join(' or ')}, a count` : 'a page count'} or an errno like -EFAULT`,
          );
          return;
        }
        if (rest.length > i + 2) {
          err(lineNo, (rest[i + 2] as Token).col, 'nothing may follow the result but a source location');
          return;
        }
        result = INT.test(r.text) ? Number(r.text) : r.text;
        break;
      }
      const eq = t.text.indexOf('=');
      if (eq <= 0) {
        err(lineNo, t.col, `expected key=value, not "${t.text}"`);
        return;
      }
      const key = t.text.slice(0, eq);
      const kind = spec.args[key];
      if (!kind) {
        err(
          lineNo,
          t.col,
          `${head.text} takes no "${key}" (it takes ${Object.keys(spec.args).join(', ') || 'no arguments'})`,
        );
        return;
      }
      if (key in args) {
        err(lineNo, t.col, `"${key}" given twice`);
        return;
      }
      const parsed = parseValue(kind, t.text.slice(eq + 1));
      if (isError(parsed, kind)) {
        err(lineNo, t.col + eq + 1, `${key}: ${parsed}`);
        return;
      }
      args[key] = parsed;
    }
    void value;
    steps.push({
      call: head.text,
      args,
      ...(result !== undefined ? { result } : {}),
      ...(location ? { line: location.line } : {}),
      ...(location?.column ? { column: location.column } : {}),
      ...(comment ? { comment } : {}),
      traceLine: lineNo,
    });
  });

  if (errors.length > 0) return { ok: false, errors };
  if (memory.length === 0 && steps.length > 0) {
    // A default memory region keeps small hand-written traces short.
  }
  const trace: Trace = {
    ...(kernel ? { kernel } : {}),
    ...(fn ? { function: fn } : {}),
    ...(source ? { source } : {}),
    comments,
    memory,
    steps,
  };
  return { ok: true, trace };
}
