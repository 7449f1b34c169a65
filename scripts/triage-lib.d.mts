// Types for scripts/triage-lib.mjs (plain JS so that it runs without a build), for the tests.
export function mulberry32(seed: number): () => number;
export function shuffle<T>(items: T[], random: () => number): T[];
export function allocate(
  counts: Record<string, number>,
  opt: { size: number; smallRule: number; floor: number },
): Record<string, number>;
export const VERDICTS: readonly ['real', 'wrong'];
export function parseWorksheet(text: string): { id: string; rule: string; verdict: string; reason: string }[];
export function parsePopulation(text: string): Record<string, number>;
export function precision(
  entries: { rule: string; verdict: string }[],
  population: Record<string, number>,
): { byRule: Record<string, { real: number; wrong: number }>; overall: number; weighted: number };
export function wilson(k: number, n: number): [number, number];
