/**
 * Printing traces: canonical `.pinsim` text (parse → print → parse gives the same trace) and the
 * same content as JSON.
 */
import type { ArgValue, Trace, TraceStep } from './types';

function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function formatArg(key: string, value: ArgValue): string {
  return `${key}=${String(value)}`;
}

const LOCATION_COLUMN = 56;

function printStep(step: TraceStep): string {
  let body: string;
  if (step.call === 'branch') body = `branch ${quote(step.text ?? '')} ${step.value ? 'true' : 'false'}`;
  else if (step.call === 'return')
    body = `return${step.text ? ` ${step.text}` : ''}${typeof step.args.status === 'string' ? ` status=${step.args.status}` : ''}`;
  else {
    const args = Object.entries(step.args).map(([k, v]) => formatArg(k, v));
    body = [step.call, ...args, ...(step.result !== undefined ? ['->', String(step.result)] : [])].join(' ');
  }
  if (step.line !== undefined) {
    const location = `@${step.line}${step.column !== undefined ? `:${step.column}` : ''}`;
    body = `${body.padEnd(LOCATION_COLUMN - 1)} ${location}`;
  }
  if (step.comment) body = `${body}  # ${step.comment}`;
  return body;
}

export function printTrace(trace: Trace): string {
  const out: string[] = [];
  for (const c of trace.comments) out.push(`# ${c}`);
  if (trace.kernel) out.push(`kernel ${trace.kernel}`);
  if (trace.function) out.push(`function ${trace.function}`);
  if (trace.source) out.push(`source ${trace.source}`);
  for (const m of trace.memory) {
    out.push(
      [
        'pages',
        String(m.count),
        m.kind,
        ...(m.movable ? ['movable'] : []),
        ...(m.refcount !== undefined ? [`refcount=${m.refcount}`] : []),
      ].join(' '),
    );
  }
  for (const s of trace.steps) out.push(printStep(s));
  return `${out.join('\n')}\n`;
}

/** The JSON form of a trace (`pinscope extract --format json`). */
export function traceToJson(trace: Trace): object {
  // Where a step sat in some .pinsim text is not part of the trace.
  return { version: 1, ...trace, steps: trace.steps.map(({ traceLine, ...step }) => (void traceLine, step)) };
}

/** Reads the JSON form back; returns null when it is not a trace. */
export function traceFromJson(value: unknown): Trace | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.version !== 1 || !Array.isArray(v.memory) || !Array.isArray(v.steps)) return null;
  return {
    ...(typeof v.kernel === 'string' ? { kernel: v.kernel } : {}),
    ...(typeof v.function === 'string' ? { function: v.function } : {}),
    ...(typeof v.source === 'string' ? { source: v.source } : {}),
    comments: Array.isArray(v.comments) ? v.comments.filter((c): c is string => typeof c === 'string') : [],
    memory: v.memory as Trace['memory'],
    steps: v.steps as Trace['steps'],
  };
}
