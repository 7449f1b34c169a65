/**
 * Unified diffs (the format `patch -p1` and Coccinelle's patch mode use) between two versions of
 * a file, by a line-level Myers diff. Only the lines between the first and last change are diffed,
 * which keeps whole-file fixes cheap.
 */

type Op = { readonly kind: ' ' | '-' | '+'; readonly line: string };

function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Myers O(ND) shortest edit script over two line arrays. */
function myers(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  let done = false;
  for (let d = 0; d <= max && !done; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && (v[k - 1 + max] as number) < (v[k + 1 + max] as number))
          ? (v[k + 1 + max] as number)
          : (v[k - 1 + max] as number) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[k + max] = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d] as Int32Array;
    const k = x - y;
    const prevK = k === -d || (k !== d && (vd[k - 1 + max] as number) < (vd[k + 1 + max] as number)) ? k + 1 : k - 1;
    const prevX = vd[prevK + max] as number;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', line: a[x - 1] as string });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: '+', line: b[y - 1] as string });
      else ops.push({ kind: '-', line: a[x - 1] as string });
    }
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: ' ', line: a[x - 1] as string });
    x--;
    y--;
  }
  return ops.reverse();
}

export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return '';
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const middle = myers(a.slice(head, a.length - tail), b.slice(head, b.length - tail));
  const ops: Op[] = [
    ...a.slice(0, head).map((line) => ({ kind: ' ' as const, line })),
    ...middle,
    ...a.slice(a.length - tail).map((line) => ({ kind: ' ' as const, line })),
  ];
  // Group changes into hunks with `context` lines around them.
  const out: string[] = [`--- ${oldName}`, `+++ ${newName}`];
  let i = 0;
  let oldLine = 1;
  let newLine = 1;
  const lineNumbers: { old: number; new: number }[] = [];
  for (const op of ops) {
    lineNumbers.push({ old: oldLine, new: newLine });
    if (op.kind !== '+') oldLine++;
    if (op.kind !== '-') newLine++;
  }
  while (i < ops.length) {
    while (i < ops.length && (ops[i] as Op).kind === ' ') i++;
    if (i >= ops.length) break;
    const start = Math.max(0, i - context);
    let end = i;
    let lastChange = i;
    while (end < ops.length) {
      if ((ops[end] as Op).kind !== ' ') lastChange = end;
      if (end - lastChange > 2 * context) break;
      end++;
    }
    end = Math.min(ops.length, lastChange + context + 1);
    const hunk = ops.slice(start, end);
    const first = lineNumbers[start] as { old: number; new: number };
    const oldCount = hunk.filter((o) => o.kind !== '+').length;
    const newCount = hunk.filter((o) => o.kind !== '-').length;
    out.push(
      `@@ -${oldCount === 0 ? first.old - 1 : first.old},${oldCount} +${newCount === 0 ? first.new - 1 : first.new},${newCount} @@`,
    );
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    i = end;
  }
  if (!newText.endsWith('\n') && newText.length > 0) out.push('\\ No newline at end of file');
  return `${out.join('\n')}\n`;
}
