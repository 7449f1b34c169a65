// Types for scripts/triage-sample.mjs, for the tests.
export function functionAround(lines: string[], name: string | undefined, line: number): [number, number] | null;
export function excerpt(
  lines: string[],
  f: { line: number; function?: string; related?: { line: number }[]; path?: { line: number }[] },
): string;
