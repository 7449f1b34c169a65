// Types for scripts/check-safe-fixes.mjs, for the tests.
export interface ReportFinding {
  file: string;
  line: number;
  rule: string;
  function?: string;
  message: string;
  fixes: { title: string; safe: boolean }[];
}
export function findingKey(f: ReportFinding): string;
export function compareFindings(
  before: ReportFinding[],
  after: ReportFinding[],
): { fixed: number; stillThere: ReportFinding[]; added: ReportFinding[] };
export function parseProblems(parser: { parse(text: string): { rootNode: unknown } }, text: string): number;
