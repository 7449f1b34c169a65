// Types for scripts/recall-build.mjs, for the tests.
export function extractFunction(
  text: string,
  name: string,
  where: string,
): { start: number; end: number; text: string };
export function lineOf(text: string, needle: string, occurrence: number | undefined, where: string): number;
