// Types for scripts/recall.mjs, for the tests.
export const CLASS_RULES: Record<string, string[]>;
export function foundBy(
  defect: { line: number },
  rules: string[],
  findings: { line: number; rule: string; related?: { line: number }[] }[],
): { line: number; rule: string } | undefined;
