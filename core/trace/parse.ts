/**
 * Parser for `.pinsim` traces. Every malformed line gets its own `line:col: message`; a trace with
 * any error yields no trace at all, so nothing is ever simulated from half a file. Bounded: the text,
 * the steps, the pages and the errors reported all have limits (limits.ts), and the work is linear
 * in the length of the text.
 */
import { parseKernelVersion } from '../catalog/version';
import { MAX_ERRORS, MAX_PAGES, MAX_RECORDED_STATES, MAX_STEPS, MAX_TRACE_CHARS } from './limits';
import type { StepSpec } from './stepSpec';
import { shown, splitLines, tokenize, type Token } from './tokenize';
import {
  PAGE_KINDS,
  type ArgValue,
  type MemoryRegion,
  type ParseResult,
  type PageKind,
  type TraceError,
  type TraceStep,
} from './types';
import { boundedInt, ERRNO, INT, parseValue, POSITION_RANGE, REFCOUNT_RANGE, RESULT_RANGE } from './values';
import { DEFAULT_MEMORY, PAGES_PER_FOLIO, STEP_SPECS } from './vocabulary';

/** What the lines read so far have set up, and what went wrong. */
interface ParseState {
  readonly errors: TraceError[];
  readonly memory: MemoryRegion[];
  readonly steps: TraceStep[];
  readonly comments: string[];
  kernel?: string;
  fn?: string;
  source?: string;
  /** Pages in `memory`. */
  pages: number;
  /** A limit was reached: the rest of the text is not read. */
  stopped: boolean;
  /** The length of the line being read: an error "after" its last word is placed at its end, not past it. */
  width: number;
}

/** One line's tokens after its head, with the `@L[:C]` location (if any) taken off the end. */
interface Line {
  readonly number: number;
  readonly head: Token;
  readonly rest: readonly Token[];
  readonly location?: { readonly line: number; readonly column?: number };
  readonly comment?: string;
}

function fail(state: ParseState, line: number, col: number, message: string): void {
  state.errors.push({ line, column: Math.min(col, state.width) + 1, message });
  if (state.errors.length >= MAX_ERRORS) {
    state.errors.push({
      line,
      column: 1,
      message: `stopped after ${MAX_ERRORS} errors: the rest of the trace is not read`,
    });
    state.stopped = true;
  }
}

export function parseTrace(text: string): ParseResult {
  if (text.length > MAX_TRACE_CHARS) {
    const message = `the trace is ${text.length} characters long; pinscope reads traces of up to ${MAX_TRACE_CHARS}`;
    return { ok: false, errors: [{ line: 1, column: 1, message }] };
  }
  const state: ParseState = { errors: [], memory: [], steps: [], comments: [], pages: 0, stopped: false, width: 0 };
  const lines = splitLines(text);
  for (let index = 0; index < lines.length && !state.stopped; index++)
    parseLine(state, lines[index] as string, index + 1);
  if (state.errors.length > 0) return { ok: false, errors: state.errors };
  return {
    ok: true,
    trace: {
      ...(state.kernel ? { kernel: state.kernel } : {}),
      ...(state.fn ? { function: state.fn } : {}),
      ...(state.source ? { source: state.source } : {}),
      comments: state.comments,
      memory: state.memory,
      steps: state.steps,
    },
  };
}

function parseLine(state: ParseState, raw: string, number: number): void {
  state.width = raw.length;
  const { tokens, comment, error } = tokenize(raw);
  if (error) return fail(state, number, error.col, error.message);
  const [head, ...rest] = tokens;
  if (!head) {
    // Comment lines before the first setup or step line are the trace's description.
    if (comment !== undefined && state.steps.length === 0 && state.memory.length === 0) state.comments.push(comment);
    return;
  }
  // The source location `@L[:C]`, wherever it is, must be last.
  const last = rest[rest.length - 1];
  let location: Line['location'];
  if (last && !last.quoted && last.text.startsWith('@')) {
    const m = /^@(\d+)(?::(\d+))?$/.exec(last.text);
    if (!m) {
      const message = `malformed source location "${shown(last.text)}": expected @LINE or @LINE:COLUMN`;
      return fail(state, number, last.col, message);
    }
    const lineNo = boundedInt(m[1] as string, POSITION_RANGE);
    const column = m[2] !== undefined ? boundedInt(m[2], POSITION_RANGE) : undefined;
    if (typeof lineNo !== 'number') return fail(state, number, last.col + 1, `source line: ${lineNo.error}`);
    if (column !== undefined && typeof column !== 'number')
      return fail(state, number, last.col + 2 + (m[1] as string).length, `source column: ${column.error}`);
    location = { line: lineNo, ...(column !== undefined ? { column } : {}) };
    rest.pop();
  }
  const line: Line = { number, head, rest, ...(location ? { location } : {}), ...(comment ? { comment } : {}) };
  if (parseHeader(state, line)) return;
  const spec = STEP_SPECS.get(head.text);
  if (!spec) return fail(state, number, head.col, `unknown call "${shown(head.text)}"`);
  const step =
    spec.kind === 'branch'
      ? parseBranch(state, line)
      : spec.kind === 'return'
        ? parseReturn(state, line)
        : parseStep(state, line, spec);
  if (step) addStep(state, line, step);
}

/** Takes the step unless the trace already has as many as a trace may. */
function addStep(state: ParseState, line: Line, step: TraceStep): void {
  const count = state.steps.length + 1;
  if (count > MAX_STEPS) {
    fail(state, line.number, line.head.col, `too many steps: a trace has at most ${MAX_STEPS}`);
    state.stopped = true;
    return;
  }
  // The simulation records every page after every step (and the step before the first).
  const pages = state.memory.length > 0 ? state.pages : DEFAULT_MEMORY.count;
  if ((count + 1) * pages > MAX_RECORDED_STATES) {
    const most = Math.floor(MAX_RECORDED_STATES / pages) - 1;
    const message = `too many steps for ${pages} pages: the simulation records the state of every page after every step, at most ${MAX_RECORDED_STATES} page states, so ${most} steps`;
    fail(state, line.number, line.head.col, message);
    state.stopped = true;
    return;
  }
  state.steps.push(step);
}

/** The setup lines (`kernel`, `function`, `source`, `pages`); false when the line is not one. */
function parseHeader(state: ParseState, line: Line): boolean {
  const { head, rest, number } = line;
  switch (head.text) {
    case 'kernel': {
      const v = rest[0];
      if (!v || rest.length !== 1 || !parseKernelVersion(v.text))
        fail(state, number, v?.col ?? head.col + head.text.length, 'expected a kernel version like 6.12');
      else if (state.steps.length > 0) fail(state, number, head.col, '"kernel" must come before the first step');
      else state.kernel = v.text;
      return true;
    }
    case 'function':
    case 'source': {
      const v = rest[0];
      const what = head.text === 'function' ? 'function name' : 'file name';
      if (!v || rest.length !== 1) fail(state, number, v?.col ?? head.col + head.text.length, `expected one ${what}`);
      else if (head.text === 'function') state.fn = v.text;
      else state.source = v.text;
      return true;
    }
    case 'pages':
      parsePages(state, line);
      return true;
    default:
      return false;
  }
}

/** `pages N KIND [movable] [refcount=N]`. */
function parsePages(state: ParseState, { head, rest, number }: Line): void {
  if (state.steps.length > 0)
    return fail(state, number, head.col, 'memory setup ("pages") must come before the first step');
  const countTok = rest[0];
  const kindTok = rest[1];
  if (!countTok || !INT.test(countTok.text) || Number(countTok.text) < 1)
    return fail(state, number, countTok?.col ?? head.col + 5, 'expected a page count (a positive integer)');
  const count = Number(countTok.text);
  if (state.pages + count > MAX_PAGES) {
    const total = state.pages > 0 ? ` (${state.pages} already set up)` : '';
    return fail(
      state,
      number,
      countTok.col,
      `${shown(countTok.text)} pages${total}: a trace simulates at most ${MAX_PAGES} pages`,
    );
  }
  if (!kindTok || !(PAGE_KINDS as readonly string[]).includes(kindTok.text)) {
    const col = kindTok?.col ?? countTok.col + countTok.text.length;
    return fail(state, number, col, `expected a page kind: ${PAGE_KINDS.join(', ')}`);
  }
  const kind = kindTok.text as PageKind;
  const per = PAGES_PER_FOLIO[kind];
  if (count % per !== 0)
    return fail(
      state,
      number,
      countTok.col,
      `${kind} folios hold ${per} pages: the count must be a multiple of ${per}`,
    );
  let movable = false;
  let refcount: number | undefined;
  for (const t of rest.slice(2)) {
    if (t.text === 'movable') movable = true;
    else if (t.text.startsWith('refcount=')) {
      const n = boundedInt(t.text.slice(9), REFCOUNT_RANGE);
      if (typeof n !== 'number') return fail(state, number, t.col + 9, `refcount: ${n.error}`);
      refcount = n;
    } else
      return fail(state, number, t.col, `unexpected "${shown(t.text)}": a pages line takes "movable" and "refcount=N"`);
  }
  state.memory.push({ count, kind, movable, ...(refcount !== undefined ? { refcount } : {}) });
  state.pages += count;
}

/** The fields every step has: where it came from in C and in the trace. */
function placed(line: Line): Pick<TraceStep, 'line' | 'column' | 'comment' | 'traceLine'> {
  return {
    ...(line.location ? { line: line.location.line } : {}),
    ...(line.location?.column !== undefined ? { column: line.location.column } : {}),
    ...(line.comment ? { comment: line.comment } : {}),
    traceLine: line.number,
  };
}

/** `branch "CONDITION" true|false`. */
function parseBranch(state: ParseState, line: Line): TraceStep | null {
  const { head, rest, number } = line;
  const cond = rest[0];
  const v = rest[1];
  if (!cond || !cond.quoted) {
    fail(state, number, cond?.col ?? head.col + head.text.length + 1, 'expected the condition in double quotes');
    return null;
  }
  if (!v || (v.text !== 'true' && v.text !== 'false') || rest.length !== 2) {
    fail(state, number, v?.col ?? cond.col + cond.text.length + 2, 'expected true or false after the condition');
    return null;
  }
  return { call: 'branch', args: {}, text: cond.text, value: v.text === 'true', ...placed(line) };
}

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * `return -EFAULT`, `return 0`, or any expression with `status=error|success` at the end (what the
 * path engine concluded the expression is on this path).
 */
function parseReturn(state: ParseState, line: Line): TraceStep | null {
  const rest = [...line.rest];
  const args: Record<string, ArgValue> = {};
  const statusTok = rest[rest.length - 1];
  if (statusTok && !statusTok.quoted && statusTok.text.startsWith('status=')) {
    const status = statusTok.text.slice(7);
    if (status !== 'error' && status !== 'success') {
      fail(state, line.number, statusTok.col + 7, `status: expected error or success, not "${shown(status)}"`);
      return null;
    }
    args.status = status;
    rest.pop();
  }
  const text = rest.map((t) => (t.quoted ? quote(t.text) : t.text)).join(' ');
  return { call: 'return', args, text, ...placed(line) };
}

/** `CALL key=value … [-> RESULT]`, checked against the call's spec. */
function parseStep(state: ParseState, line: Line, spec: StepSpec): TraceStep | null {
  const { head, rest, number } = line;
  const args: Record<string, ArgValue> = {};
  let result: number | string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const t = rest[i] as Token;
    if (t.text === '->') {
      const r = parseResult(state, line, spec, i);
      if (r === null) return null;
      result = r;
      break;
    }
    const eq = t.text.indexOf('=');
    if (eq <= 0) {
      fail(state, number, t.col, `expected key=value, not "${shown(t.text)}"`);
      return null;
    }
    const key = t.text.slice(0, eq);
    const kind = spec.args[key];
    if (!kind) {
      const takes = Object.keys(spec.args).join(', ') || 'no arguments';
      fail(state, number, t.col, `${head.text} takes no "${shown(key)}" (it takes ${takes})`);
      return null;
    }
    if (key in args) {
      fail(state, number, t.col, `"${key}" given twice`);
      return null;
    }
    const parsed = parseValue(key, kind, t.text.slice(eq + 1));
    if (typeof parsed === 'object') {
      fail(state, number, t.col + eq + 1, `${key}: ${parsed.error}`);
      return null;
    }
    args[key] = parsed;
  }
  return { call: head.text, args, ...(result !== undefined ? { result } : {}), ...placed(line) };
}

/** The `-> RESULT` at `rest[arrow]`: a count, an errno, or one of the call's result words. */
function parseResult(state: ParseState, line: Line, spec: StepSpec, arrow: number): number | string | null {
  const { head, rest, number } = line;
  const t = rest[arrow] as Token;
  const r = rest[arrow + 1];
  if (!spec.result) {
    fail(state, number, t.col, `${head.text} has no result`);
    return null;
  }
  const words = spec.resultWords ?? [];
  if (!r || !(INT.test(r.text) || ERRNO.test(r.text) || words.includes(r.text))) {
    const expected = words.length > 0 ? `${words.join(' or ')}, a count` : 'a page count';
    fail(state, number, r?.col ?? t.col + 2, `expected a result after "->": ${expected} or an errno like -EFAULT`);
    return null;
  }
  if (rest.length > arrow + 2) {
    fail(state, number, (rest[arrow + 2] as Token).col, 'nothing may follow the result but a source location');
    return null;
  }
  if (!INT.test(r.text)) return r.text;
  const n = boundedInt(r.text, RESULT_RANGE);
  if (typeof n !== 'number') {
    fail(state, number, r.col, `result: ${n.error}`);
    return null;
  }
  return n;
}
