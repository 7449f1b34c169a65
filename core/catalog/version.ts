/**
 * Kernel versions as the catalog uses them: major.minor, compared numerically. Stable and -rc
 * suffixes do not change an API, so `6.1.192` and `6.1-rc3` are both 6.1.
 */
export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
}

/** A half-open range of kernel versions: `since` included, `until` (where it is gone) excluded. */
export interface VersionRange {
  readonly since?: string;
  readonly until?: string;
}

const VERSION = /^v?(\d+)\.(\d+)(?:[.\-+~].*)?$/;

export function parseKernelVersion(text: string): KernelVersion | null {
  const m = VERSION.exec(text.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]) };
}

function mustParse(text: string): KernelVersion {
  const v = parseKernelVersion(text);
  if (!v) throw new Error(`catalog: malformed kernel version "${text}"`);
  return v;
}

export function compareVersions(a: KernelVersion, b: KernelVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

export function formatVersion(v: KernelVersion): string {
  return `${v.major}.${v.minor}`;
}

export function inRange(v: KernelVersion, range: VersionRange): boolean {
  if (range.since !== undefined && compareVersions(v, mustParse(range.since)) < 0) return false;
  if (range.until !== undefined && compareVersions(v, mustParse(range.until)) >= 0) return false;
  return true;
}

export function isAtLeast(v: KernelVersion, since: string): boolean {
  return compareVersions(v, mustParse(since)) >= 0;
}

/** "since 5.6", "5.6–6.4", "until 6.3" — how docs and hovers print a range. */
export function describeRange(range: VersionRange): string {
  if (range.since && range.until) return `v${range.since}–v${previousMinorLabel(range.until)}`;
  if (range.since) return `since v${range.since}`;
  if (range.until) return `before v${range.until}`;
  return 'all versions';
}

function previousMinorLabel(until: string): string {
  const v = mustParse(until);
  if (v.minor > 0) return `${v.major}.${v.minor - 1}`;
  // The last minor of a major series: 5.19 before 6.0, 4.20 before 5.0, 3.19 before 4.0.
  const lastMinor: Record<number, number> = { 3: 19, 4: 20, 5: 19 };
  return `${v.major - 1}.${lastMinor[v.major - 1] ?? 'x'}`;
}

/**
 * The oldest kernel the catalog covers (its entries start at v4.9: the get_user_pages*() forms
 * without `tsk, mm`, kernel-semantics.md §1). An older version is refused, not guessed at.
 */
export const OLDEST_KNOWN = '4.9';

/** Why pinscope cannot check against `v` (older than the catalog covers), or null when it can. */
export function unsupportedVersion(v: KernelVersion): string | null {
  if (isAtLeast(v, OLDEST_KNOWN)) return null;
  return `Linux ${formatVersion(v)} is older than pinscope's catalog covers: the oldest supported version is ${OLDEST_KNOWN}`;
}

/** The newest kernel the catalog knows; the default when no Makefile says otherwise. */
export const NEWEST_KNOWN = '6.18';
