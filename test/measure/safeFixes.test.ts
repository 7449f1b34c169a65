/**
 * scripts/check-safe-fixes.mjs (issue 11, "Safe means safe"): how it matches findings across an
 * edit that moves lines, what counts as a fixed finding still there or a new one, how it counts
 * parse problems — and one end-to-end run on copies of the examples.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareFindings, findingKey, parseProblems, type ReportFinding } from '../../scripts/check-safe-fixes.mjs';
import { createCParser } from '../../core/parse/parser';

const root = path.resolve(__dirname, '..', '..');

const finding = (line: number, rule: string, safe: boolean, message = `at line ${line}`): ReportFinding => ({
  file: 'x.c',
  line,
  rule,
  function: 'f',
  message,
  fixes: safe ? [{ title: 'fix', safe: true }] : [],
});

describe('matching findings across the fixes', () => {
  it('numbers in the message do not matter (lines move), rule and function do', () => {
    expect(findingKey(finding(12, 'a', true))).toBe(findingKey(finding(40, 'a', false)));
    expect(findingKey(finding(12, 'a', true))).not.toBe(findingKey(finding(12, 'b', true)));
  });

  it('a fixed finding gone, an untouched one kept, a new one reported', () => {
    const before = [finding(10, 'fixable', true, 'fixable thing'), finding(20, 'other', false, 'other thing')];
    expect(compareFindings(before, [finding(19, 'other', false, 'other thing')])).toEqual({
      fixed: 1,
      stillThere: [],
      added: [],
    });
    const still = finding(10, 'fixable', true, 'fixable thing');
    const fresh = finding(30, 'new', false, 'new thing');
    expect(compareFindings(before, [still, finding(20, 'other', false, 'other thing'), fresh])).toEqual({
      fixed: 0,
      stillThere: [still],
      added: [fresh],
    });
  });
});

describe('parse problems', () => {
  it('counts ERROR and MISSING nodes', () => {
    const parser = { parse: (t: string) => ({ rootNode: createCParser().parse(t).root }) };
    expect(parseProblems(parser, 'int f(void) { return 0; }\n')).toBe(0);
    expect(parseProblems(parser, 'int f(void) { return 0 }\n')).toBe(1);
  });
});

describe('the check, end to end on copies of the examples', () => {
  it('applies every safe fix; the files parse, the fixed findings go, none appear', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pinscope-sfx-'));
    // The C examples only (examples/patches/ holds the sample patch series).
    for (const f of readdirSync(path.join(root, 'examples')).filter((n) => n.endsWith('.c')))
      copyFileSync(path.join(root, 'examples', f), path.join(dir, f));
    const out = mkdtempSync(path.join(os.tmpdir(), 'pinscope-sfx-out-'));
    const stdout = execFileSync(
      process.execPath,
      [path.join(root, 'scripts', 'check-safe-fixes.mjs'), '--out', out, dir],
      {
        encoding: 'utf8',
      },
    );
    expect(stdout.split('\n').slice(0, 6)).toEqual([
      'files with a safe fix                      3',
      'findings with a safe fix                   4',
      'files changed by --fix                     3',
      'changed files that parse as before         3',
      'fixed findings gone after a second lint    4',
      'new findings after the fixes               0',
    ]);
    // The originals are untouched; the diff names the three fixed files.
    expect(readFileSync(path.join(dir, 'release-mismatch.c'), 'utf8')).toBe(
      readFileSync(path.join(root, 'examples', 'release-mismatch.c'), 'utf8'),
    );
    const diff = readFileSync(path.join(out, 'safe-fixes.diff'), 'utf8');
    expect(diff.match(/^--- .*$/gm)).toEqual([
      '--- a/api-version.c',
      '--- a/dma-unmap-sg-nents.c',
      '--- a/release-mismatch.c',
    ]);
  });
});
