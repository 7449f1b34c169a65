/**
 * The editor session (core/session/session.ts), the way the server's worker drives it: an edit in
 * a body no rule reads is answered from the memo with exactly what a fresh lint says, the parse is
 * incremental from the second update on, a stopped parse leaves nothing behind, and forget() and
 * the cap on kept trees free what the session holds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSession, lintText, ParseStopped } from '../../core/index';

const driver = readFileSync(path.join(__dirname, '..', 'fixtures', 'memo', 'driver.c'), 'utf8');
const URI = 'file:///ws/driver.c';

/** The driver with a comment typed inside memo_reset(), a function no rule reads. */
const typedInReset = driver.replace('\td->count = 0;\n', '\td->count = 0; /* typing */\n');

describe('createSession', () => {
  it('first update: a full parse and analysis, with the findings lintText gives', () => {
    const session = createSession({ kernelVersion: '6.12' });
    const r = session.update(URI, driver);
    expect(r.incremental).toBe(false);
    expect(r.memoised).toBe(false);
    expect(r.findings).toEqual(lintText(driver, { kernelVersion: { major: 6, minor: 12 } }).findings);
    expect(r.findings.map((f) => `${f.rule}@${f.range.line}`)).toEqual([
      'partial-pin@38',
      'dma-mapping-leak@74',
      'dma-unmap-mismatch@75',
    ]);
    expect(r.targets.map((t) => t.name)).toEqual(['memo_pin', 'memo_send', 'memo_ring']);
    expect(session.stats()).toEqual({ trees: 1, memos: 1 });
  });

  it('an edit in a body no rule reads: incremental parse, memoised findings equal to a fresh lint', () => {
    const session = createSession({ kernelVersion: '6.12' });
    session.update(URI, driver);
    const r = session.update(URI, typedInReset);
    expect(r.incremental).toBe(true);
    expect(r.memoised).toBe(true);
    expect(r.findings).toEqual(lintText(typedInReset, { kernelVersion: { major: 6, minor: 12 } }).findings);
  });

  it('another kernel version per update is another analysis (not the memo)', () => {
    const session = createSession({ kernelVersion: '6.12' });
    session.update(URI, driver);
    expect(session.update(URI, typedInReset, { kernelVersion: '6.1' }).memoised).toBe(false);
  });

  it('a stopped parse throws ParseStopped and drops the document: the next update starts afresh', () => {
    const session = createSession({ kernelVersion: '6.12' });
    session.update(URI, driver);
    // tree-sitter asks every hundred or so operations: an edit that re-parses a few tokens may
    // finish before it asks, so the edit here is a whole second copy of the driver.
    const doubled = `${driver}\n${driver.replace(/memo_/g, 'memo2_')}`;
    expect(() => session.update(URI, doubled, { shouldStop: () => true })).toThrow(ParseStopped);
    expect(session.stats()).toEqual({ trees: 0, memos: 0 });
    const r = session.update(URI, typedInReset);
    expect(r.incremental).toBe(false);
    expect(r.findings).toHaveLength(3);
  });

  it('forget() frees the tree and the memo; only maxTrees documents keep theirs', () => {
    const session = createSession({ kernelVersion: '6.12', maxTrees: 2 });
    for (const name of ['a', 'b', 'c']) session.update(`file:///ws/${name}.c`, driver);
    expect(session.stats()).toEqual({ trees: 2, memos: 2 });
    expect(session.update('file:///ws/a.c', driver).incremental).toBe(false); // a's tree was the oldest
    session.forget('file:///ws/a.c');
    session.forget('file:///ws/c.c');
    expect(session.stats()).toEqual({ trees: 0, memos: 0 });
  });

  it('simulate() answers for the function at an offset, from the tree of the last update', () => {
    const session = createSession({ kernelVersion: '6.12' });
    session.update(URI, driver);
    const sim = session.simulate(URI, { text: driver, offset: driver.indexOf('pinned = pin_user_pages_fast') });
    expect(sim.function).toBe('memo_pin');
    expect(sim.paths.length).toBe(sim.report.paths.length);
    expect(sim.paths.length).toBeGreaterThan(1);
  });
});
