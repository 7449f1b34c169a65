/**
 * `npm run eval [-- CORPUS]`: lints every case's before.c and after.c and every negative,
 * and reports per case which expected findings were found (within ±2 lines), and any finding on an
 * after.c or a negative. Closing line: `N passed, N failed`.
 *
 * Each case is one function of a real fix. Functions of the same file are linted together the
 * way they sat in the file at that commit (other cases of the same path: same commit → same side,
 * an earlier year → their after.c, a later year → their before.c), because pinscope links a
 * field or an acquire/release helper pair across functions — and the release-only cases
 * ("unlock_pages", "sgl_unmap_user_pages") only mean something next to their acquire.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lintText, parseKernelVersion, RULE_IDS, type Finding, type KernelVersion, type RuleId } from '../core/index';
import { corpusMissing, findCorpus } from './corpus';

/** Corpus kinds → the rule that reports them. */
const KIND_TO_RULES: Record<string, readonly RuleId[]> = {
  'gup-for-dma-should-pin': ['gup-for-dma'],
  'gup-for-dio-should-pin': ['gup-for-dma'],
  'release-mismatch': ['release-mismatch'],
  'partial-pin-leak': ['partial-pin'],
  'partial-pin-unhandled': ['partial-pin'],
  'unpin-count-mismatch': ['partial-pin'],
  'error-path-mismatch': ['partial-pin'],
  'missing-foll-longterm': ['missing-longterm'],
  'missing-dma-mapping-error': ['dma-mapping-null-check', 'dma-mapping-unchecked'],
  'dirty-without-lock': ['dirty-without-lock'],
};

/** Rules whose get→pin conversion rewrites a release: they also account for a release-mismatch label. */
const CONVERTING_RULES: readonly RuleId[] = ['gup-for-dma', 'longterm-get', 'internal-foll-flag'];

interface Expected {
  readonly line_in_before: number;
  readonly kind: string;
  readonly note: string;
  readonly line_text: string;
}

interface Case {
  readonly id: string;
  readonly dir: string;
  readonly commit: string;
  readonly year: number;
  readonly path: string;
  readonly function: string;
  readonly expected: readonly Expected[];
  readonly before: string;
  readonly after: string;
  readonly versionBefore: KernelVersion;
  readonly versionAfter: KernelVersion;
}

interface Negative {
  readonly id: string;
  readonly code: string;
  readonly version: KernelVersion;
}

function version(text: unknown, where: string): KernelVersion {
  const v = typeof text === 'string' ? parseKernelVersion(text) : null;
  if (!v) throw new Error(`${where}: missing or malformed kernel version (${String(text)})`);
  return v;
}

function loadCases(root: string): Case[] {
  const dir = path.join(root, 'cases');
  return readdirSync(dir)
    .sort()
    .map((id) => {
      const d = path.join(dir, id);
      const meta = JSON.parse(readFileSync(path.join(d, 'meta.json'), 'utf8')) as Record<string, unknown>;
      return {
        id,
        dir: d,
        commit: String(meta.commit).slice(0, 12),
        year: Number(meta.year),
        path: String(meta.path),
        function: String(meta.function),
        expected: (meta.expected_findings as Expected[]) ?? [],
        before: readFileSync(path.join(d, 'before.c'), 'utf8'),
        after: readFileSync(path.join(d, 'after.c'), 'utf8'),
        versionBefore: version(meta.kernel_version_before, `${id}/meta.json`),
        versionAfter: version(meta.kernel_version_after, `${id}/meta.json`),
      };
    });
}

function loadNegatives(root: string): Negative[] {
  const dir = path.join(root, 'negatives');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((id) => {
      const d = path.join(dir, id);
      const meta = JSON.parse(readFileSync(path.join(d, 'meta.json'), 'utf8')) as Record<string, unknown>;
      return {
        id,
        code: readFileSync(path.join(d, 'code.c'), 'utf8'),
        version: version(meta.kernel_version, `${id}/meta.json`),
      };
    });
}

interface Segment {
  readonly caseId: string;
  readonly side: 'before' | 'after';
  readonly firstLine: number;
  readonly lineCount: number;
}

interface Unit {
  readonly text: string;
  readonly segments: readonly Segment[];
}

/** The file as it stood for `c`'s `side`, built from the cases of the same path. */
function unitFor(c: Case, side: 'before' | 'after', cases: readonly Case[]): Unit {
  const parts: { caseId: string; side: 'before' | 'after'; text: string }[] = [
    { caseId: c.id, side, text: side === 'before' ? c.before : c.after },
  ];
  for (const other of cases) {
    if (other === c || other.path !== c.path || other.function === c.function) continue;
    let otherSide: 'before' | 'after' | null = null;
    if (other.commit === c.commit) otherSide = side;
    else if (other.year < c.year) otherSide = 'after';
    else if (other.year > c.year) otherSide = 'before';
    if (!otherSide) continue;
    if (parts.some((p) => cases.find((x) => x.id === p.caseId)?.function === other.function)) continue;
    parts.push({ caseId: other.id, side: otherSide, text: otherSide === 'before' ? other.before : other.after });
  }
  const segments: Segment[] = [];
  let text = '';
  let line = 1;
  for (const p of parts) {
    const body = p.text.endsWith('\n') ? p.text : `${p.text}\n`;
    const count = body.split('\n').length - 1;
    segments.push({ caseId: p.caseId, side: p.side, firstLine: line, lineCount: count });
    text += `${body}\n`;
    line += count + 1;
  }
  return { text, segments };
}

/** A finding's lines (primary, related, and the lines its conversion rewrites) local to `segment`. */
function localLines(
  f: Finding,
  segment: Segment,
  unitText: string,
): { primary: number | null; related: number[]; rewrites: number[] } {
  const local = (line: number): number | null =>
    line >= segment.firstLine && line < segment.firstLine + segment.lineCount ? line - segment.firstLine + 1 : null;
  const lineOfOffset = (offset: number): number => unitText.slice(0, offset).split('\n').length;
  const rewrites: number[] = [];
  for (const fix of f.fixes) {
    for (const e of fix.edits) {
      if (e.newText.includes('unpin_user_page')) {
        const start = local(lineOfOffset(e.span.start));
        const end = local(lineOfOffset(Math.max(e.span.start, e.span.end - 1)));
        for (let l = start ?? end ?? 0; start !== null && end !== null && l <= end; l++) rewrites.push(l);
      }
    }
  }
  return {
    primary: local(f.range.line),
    related: f.related.map((r) => local(r.range.line)).filter((l): l is number => l !== null),
    rewrites,
  };
}

interface CaseReport {
  readonly id: string;
  readonly lines: string[];
  readonly passed: boolean;
}

const NEAR = 2;

function main(): void {
  // The bundle is dist/tools/eval.js: the repository is two folders up.
  const lookup = findCorpus(path.resolve(__dirname, '..', '..'), process.argv[2]);
  const root = lookup.dir;
  if (!root) {
    process.stderr.write(`eval: ${corpusMissing('the evaluation was', lookup)}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`eval: corpus ${root}\n`);
  const cases = loadCases(root);
  const negatives = loadNegatives(root);
  const implemented = new Set<RuleId>(RULE_IDS);
  const reports: CaseReport[] = [];

  // Findings of every before/after unit, keyed by case id + side, kept to accept cross-case findings.
  const beforeTexts = new Map(cases.map((c) => [c.id, c.before]));

  for (const c of cases) {
    const lines: string[] = [];
    let ok = true;
    const beforeUnit = unitFor(c, 'before', cases);
    const beforeFindings = lintText(beforeUnit.text, { kernelVersion: c.versionBefore }).findings.filter((f) =>
      implemented.has(f.rule),
    );
    const segment = beforeUnit.segments[0] as Segment;
    const context = beforeUnit.segments.slice(1).map((s) => `${s.caseId}/${s.side}.c`);
    lines.push(
      `  before.c (Linux ${c.versionBefore.major}.${c.versionBefore.minor}${context.length ? `, with ${context.join(', ')}` : ''})`,
    );
    for (const e of c.expected) {
      const rules = KIND_TO_RULES[e.kind] ?? [];
      const covered = rules.some((r) => implemented.has(r));
      if (!covered) {
        lines.push(`    -  line ${e.line_in_before} ${e.kind}: not covered by the rules implemented so far`);
        continue;
      }
      let how: string | null = null;
      for (const f of beforeFindings) {
        const l = localLines(f, segment, beforeUnit.text);
        const near = (x: number | null): boolean => x !== null && Math.abs(x - e.line_in_before) <= NEAR;
        if (rules.includes(f.rule)) {
          if (near(l.primary)) how = `${f.rule} at line ${l.primary}`;
          else if (l.related.some(near)) how = `${f.rule} (related location, finding at unit line ${f.range.line})`;
        }
        if (!how && e.kind === 'release-mismatch' && CONVERTING_RULES.includes(f.rule) && l.rewrites.some(near)) {
          how = `${f.rule}'s get→pin conversion rewrites it (finding at unit line ${f.range.line})`;
        }
        if (how) break;
      }
      if (how) lines.push(`    ✓ line ${e.line_in_before} ${e.kind}: found — ${how}`);
      else {
        ok = false;
        lines.push(`    ✗ line ${e.line_in_before} ${e.kind}: MISSED (${e.note})`);
      }
    }
    const extra = beforeFindings.filter((f) => localLines(f, segment, beforeUnit.text).primary !== null);
    for (const f of extra) {
      const l = localLines(f, segment, beforeUnit.text).primary as number;
      if (
        !c.expected.some(
          (e) => (KIND_TO_RULES[e.kind] ?? []).includes(f.rule) && Math.abs(e.line_in_before - l) <= NEAR,
        )
      ) {
        lines.push(`    +  line ${l} ${f.rule} (also reported): ${f.message.slice(0, 110)}…`);
      }
    }

    const afterUnit = unitFor(c, 'after', cases);
    const afterSegment = afterUnit.segments[0] as Segment;
    const afterFindings = lintText(afterUnit.text, { kernelVersion: c.versionAfter }).findings.filter((f) =>
      implemented.has(f.rule),
    );
    const onAfter = afterFindings.filter((f) => localLines(f, afterSegment, afterUnit.text).primary !== null);
    let clean = true;
    for (const f of onAfter) {
      const l = localLines(f, afterSegment, afterUnit.text).primary as number;
      // The same text is another case's before.c that expects this finding (a fix series).
      const expectedElsewhere = cases.find(
        (o) =>
          o !== c &&
          beforeTexts.get(o.id) === c.after &&
          o.expected.some(
            (e) => (KIND_TO_RULES[e.kind] ?? []).includes(f.rule) && Math.abs(e.line_in_before - l) <= NEAR,
          ),
      );
      if (expectedElsewhere) {
        lines.push(`  after.c: line ${l} ${f.rule} — expected: this text is ${expectedElsewhere.id}/before.c`);
        continue;
      }
      clean = false;
      lines.push(`  after.c: ✗ line ${l} ${f.rule}: ${f.message.slice(0, 140)}`);
    }
    if (clean) lines.push('  after.c: clean');
    else ok = false;
    reports.push({ id: c.id, lines, passed: ok });
  }

  for (const n of negatives) {
    const findings = lintText(n.code, { kernelVersion: n.version }).findings.filter((f) => implemented.has(f.rule));
    const lines =
      findings.length === 0
        ? ['  clean']
        : findings.map((f) => `  ✗ line ${f.range.line} ${f.rule}: ${f.message.slice(0, 140)}`);
    reports.push({ id: `negative ${n.id}`, lines, passed: findings.length === 0 });
  }

  for (const r of reports) {
    process.stdout.write(`${r.passed ? 'PASS' : 'FAIL'} ${r.id}\n${r.lines.join('\n')}\n`);
  }
  const passed = reports.filter((r) => r.passed).length;
  const failed = reports.length - passed;
  process.stdout.write(`\nrules evaluated: ${[...implemented].join(', ')}\n${passed} passed, ${failed} failed\n`);
  process.exitCode = failed > 0 ? 1 : 0;
}

main();
