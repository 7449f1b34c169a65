/**
 * Shared helpers for the precision tests (issue 11, the classes of wrong findings): lint a small C
 * file shaped like the kernel code a class came from, and a one-edit mutation of it, and compare
 * the findings as `rule line` strings.
 */
import { parseKernelVersion, type KernelVersion } from '../../../core/catalog/version';
import { lintText } from '../../../core/lint';

const v612 = parseKernelVersion('6.12') as KernelVersion;

/** `rule line` for every finding (of `rule` only, when given), in order. */
export function findings(text: string, rule?: string, version: KernelVersion = v612): string[] {
  return lintText(text, { kernelVersion: version })
    .findings.filter((f) => rule === undefined || f.rule === rule)
    .map((f) => `${f.rule} ${f.range.line}`);
}

/** The messages of the findings of `rule`. */
export function messages(text: string, rule: string, version: KernelVersion = v612): string[] {
  return lintText(text, { kernelVersion: version })
    .findings.filter((f) => f.rule === rule)
    .map((f) => f.message);
}

/** `text` with one exact edit, which must apply exactly once. */
export function mutate(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`edit does not apply exactly once: ${from}`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** The 1-based line of the first occurrence of `needle`. */
export function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`not found: ${needle}`);
  return text.slice(0, at).split('\n').length;
}
