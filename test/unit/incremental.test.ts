/**
 * The editor session's per-function incremental analysis (core/session/incremental.ts, units.ts)
 * must never change an answer: edit sequences are replayed on every example, fixture and corpus
 * file and on a set of kernel files, and after each edit the session's findings, notes and
 * simulation targets must equal a fresh lint of the same text exactly. The edits are the ones an
 * editor sends while someone types: a space, a new line, a deleted or duplicated line, a renamed
 * identifier, a half-typed word (a parse error), an edit outside any function. A seeded random
 * choice of places, so a failure replays.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import type { AnalysisNote, Finding } from '../../core/findings';
import { analyseAndLint, defaultParser } from '../../core/lint';
import { topLevelFunctions } from '../../core/parse/focus';
import { createSession } from '../../core/session/session';
import { simulationTargets } from '../../core/sim/index';
import type { SimTarget } from '../../core/sim/types';
import { seededEdits, type LspChange } from '../../bench/lib/lspEdits.mjs';
import { findCorpus } from '../../scripts/corpus';
// The seeded generator the triage draw uses (mulberry32): a failing sequence replays from its seed.
import { mulberry32 as random } from '../../scripts/triage-lib.mjs';

const v612 = parseKernelVersion('6.12') as KernelVersion;
const root = path.join(__dirname, '..', '..');

function cFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = path.join(dir, name);
      return statSync(p).isDirectory() ? cFiles(p) : /\.c$/.test(name) ? [p] : [];
    });
}

/** Kernel files that pin, map or release through helpers, fields and paired functions. */
const KERNEL_FILES = [
  'mm/gup.c',
  'drivers/scsi/st.c',
  'drivers/infiniband/core/umem.c',
  'drivers/vfio/vfio_iommu_type1.c',
  'drivers/misc/vmw_vmci/vmci_queue_pair.c',
  'drivers/net/ethernet/intel/e1000/e1000_main.c',
];
const KERNEL_TREES = [
  process.env.PINSCOPE_KERNEL_TREE ?? '',
  '/work/kernel/linux-source-6.12',
  path.join(root, '.bench-cache', 'linux-source-6.12'),
].filter((t) => t !== '' && existsSync(t));
const kernelTree = KERNEL_TREES[0];

type Edit = (text: string, at: number) => string;

/** Line start at or before `at`, and the line's end. */
function lineAround(text: string, at: number): [number, number] {
  const start = text.lastIndexOf('\n', at - 1) + 1;
  const end = text.indexOf('\n', at);
  return [start, end < 0 ? text.length : end];
}

const EDITS: Record<string, Edit> = {
  space: (t, at) => {
    const [s] = lineAround(t, at);
    return `${t.slice(0, s)} ${t.slice(s)}`;
  },
  newline: (t, at) => {
    const [, e] = lineAround(t, at);
    return `${t.slice(0, e)}\n${t.slice(e)}`;
  },
  deleteLine: (t, at) => {
    const [s, e] = lineAround(t, at);
    return `${t.slice(0, s)}${t.slice(Math.min(t.length, e + 1))}`;
  },
  duplicateLine: (t, at) => {
    const [s, e] = lineAround(t, at);
    return `${t.slice(0, e)}\n${t.slice(s, e)}${t.slice(e)}`;
  },
  rename: (t, at) => {
    const m = /[A-Za-z_]\w*/.exec(t.slice(at));
    if (!m) return t;
    const s = at + m.index;
    return `${t.slice(0, s)}${m[0]}x${t.slice(s + m[0].length)}`;
  },
  halfTyped: (t, at) => {
    const [, e] = lineAround(t, at);
    return `${t.slice(0, e)}\n\tpin_user_pa${t.slice(e)}`;
  },
  outside: (t) => `/* header */\n${t}`,
};

/** Offsets inside function bodies, picked at random; some edits undo the one before. */
function editSequence(text: string, seed: number, count: number): { name: string; text: string }[] {
  const next = random(seed);
  const names = Object.keys(EDITS);
  const out: { name: string; text: string }[] = [];
  let current = text;
  for (let k = 0; k < count; k++) {
    const bodies = topLevelFunctions(current) ?? [];
    const body = bodies[Math.floor(next() * bodies.length)];
    const name = next() < 0.05 || !body ? 'outside' : (names[Math.floor(next() * (names.length - 1))] as string);
    const at = body ? body.bodyStart + 1 + Math.floor(next() * Math.max(1, body.bodyEnd - body.bodyStart - 2)) : 0;
    const edited = (EDITS[name] as Edit)(current, at);
    // Half the time, undo it again (typing, then deleting what was typed).
    out.push({ name, text: edited });
    current = next() < 0.3 ? text : edited;
    if (current === text) out.push({ name: `undo ${name}`, text });
  }
  return out;
}

/** A one-shot lint of `text` (lintText's parse, analysis and rules), with its simulation targets. */
function fresh(text: string): { findings: readonly Finding[]; notes: readonly AnalysisNote[]; targets: SimTarget[] } {
  const { file, result } = analyseAndLint(defaultParser().parse(text), { kernelVersion: v612 });
  return { findings: result.findings, notes: result.notes, targets: simulationTargets(file) };
}

interface Replay {
  edits: number;
  memoised: number;
  partial: number;
  /** Edits answered with a unit's results recalled from an older text (core/session/recall.ts). */
  recalled: number;
  /** Edits whose analysis kept the previous whole-file walks (core/fileAnalysis/walks.ts). */
  walksKept: number;
  /** Edits that changed no token, answered with the previous results moved (core/session/whitespace.ts). */
  tokensKept: number;
}

/** Replays edits on `text` in a session; after each, the session's answer must equal a fresh lint. */
function replay(file: string, text: string, count: number): Replay {
  const session = createSession({ kernelVersion: v612 });
  session.update(file, text);
  const seed = [...file].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  const stats: Replay = { edits: 0, memoised: 0, partial: 0, recalled: 0, walksKept: 0, tokensKept: 0 };
  for (const edit of editSequence(text, seed, count)) {
    const r = session.update(file, edit.text);
    const got = { findings: r.findings, notes: r.notes, targets: r.targets };
    expect(got, `${file}: after ${edit.name} (edit ${stats.edits + 1})`).toEqual(fresh(edit.text));
    stats.edits++;
    if (r.memoised) stats.memoised++;
    if (r.memoised && r.functionsAnalysed > 0) stats.partial++;
    if (r.unitsRecalled > 0) stats.recalled++;
    if (r.walksKept) stats.walksKept++;
    if (r.tokensKept) stats.tokensKept++;
  }
  return stats;
}

/** An LSP content change applied to `text`. */
function applyChange(text: string, c: LspChange): string {
  const offset = (p: LspChange['range']['start']): number => {
    let o = 0;
    for (let l = 0; l < p.line; l++) o = text.indexOf('\n', o) + 1;
    return o + p.character;
  };
  return text.slice(0, offset(c.range.start)) + c.text + text.slice(offset(c.range.end));
}

const local = [...cFiles(path.join(root, 'examples')), ...cFiles(path.join(root, 'test', 'fixtures'))].map((f) =>
  path.relative(root, f),
);

/**
 * Rules that pair one function's call with another's by a struct field: a count kept by one
 * function and unmapped with by another (countFields.ts), coherent memory allocated in one and
 * freed in another (coherentPairs.ts). Each edit is in a function other than the one whose unit
 * holds the finding, and may be one that gets no graph at all.
 */
describe('edits that change a finding of another function (pairings by field)', () => {
  const text = readFileSync(path.join(root, 'test', 'fixtures', 'memo', 'pairings.c'), 'utf8');
  const steps: [string, string, string][] = [
    ['the count field also given the original nents', 'p->orig_nent = 0;', 'p->nent = p->orig_nent;'],
    ['the count field stepped', 'p->orig_nent = 0;', 'p->orig_nent = 0; p->nent++;'],
    ['the count field handed on by address', 'p->orig_nent = 0;', 'p->orig_nent = 0; demo_count(&p->nent);'],
    [
      'a sync with the count field added where nothing is analysed',
      'p->orig_nent = 0;',
      'p->orig_nent = 0; dma_sync_sg_for_cpu(p->dev, p->sg, p->nent, DMA_TO_DEVICE);',
    ],
    ["the store from the map's local changed", 'p->nent = nent;', 'p->nent = num;'],
    [
      'a coherent free of another size added where nothing is analysed',
      'p->orig_nent = 0;',
      'p->orig_nent = 0; dma_free_coherent(p->dev, 8192, p->ring, p->ring_dma);',
    ],
    ['a plain edit where nothing is analysed', 'p->orig_nent = 0;', 'p->orig_nent = 1;'],
    [
      'a sync for the device and a CPU read of the mapped buffer added where nothing is analysed',
      'p->orig_nent = 0;',
      'p->orig_nent = 0; dma_sync_single_for_device(p->dev, p->buf_dma, 2048, DMA_FROM_DEVICE); memcpy(p->ring, p->buf, 64);',
    ],
  ];
  it.each(steps)('%s, then undone: each time what a fresh lint gives', (_name, from, to) => {
    const session = createSession({ kernelVersion: v612 });
    const rules = (fs: readonly Finding[]): string[] => fs.map((f) => `${f.rule}:${f.range.line}`);
    expect(rules(session.update('demo.c', text).findings)).toEqual(['dma-unmap-sg-nents:30']);
    const edited = text.replace(from, to);
    expect(edited).not.toBe(text);
    for (const t of [edited, text]) expect(session.update('demo.c', t).findings).toEqual(fresh(t).findings);
  });
});

describe('a read after a sync for the device, and the map that says which buffer it is', () => {
  const base = readFileSync(path.join(root, 'test', 'fixtures', 'memo', 'pairings.c'), 'utf8').replace(
    'p->orig_nent = 0;',
    'p->orig_nent = 0; dma_sync_single_for_device(p->dev, p->buf_dma, 2048, DMA_FROM_DEVICE); memcpy(p->ring, p->buf, 64);',
  );
  it.each([
    ['the map given another buffer', 'p->buf, 2048', 'p->ring, 2048'],
    ['the map kept in another field', 'p->buf_dma = dma_map_single', 'p->ring_dma = dma_map_single'],
  ])('%s (an edit in the mapping function): what a fresh lint gives', (_name, from, to) => {
    const session = createSession({ kernelVersion: v612 });
    const rules = (fs: readonly Finding[]): string[] => fs.map((f) => `${f.rule}:${f.range.line}`);
    expect(rules(session.update('demo.c', base).findings)).toEqual(['dma-unmap-sg-nents:30', 'dma-sync-direction:36']);
    const edited = base.replace(from, to);
    expect(edited).not.toBe(base);
    for (const t of [edited, base]) expect(session.update('demo.c', t).findings).toEqual(fresh(t).findings);
  });
});

describe('incremental analysis equals a fresh lint after every edit', () => {
  it.each(local)('%s', (rel) => {
    const stats = replay(rel, readFileSync(path.join(root, rel), 'utf8'), 12);
    expect(stats.edits).toBeGreaterThanOrEqual(12);
  });

  const corpus = findCorpus(root).dir;
  const corpusFiles = corpus ? cFiles(corpus) : [];
  it.skipIf(!corpus)(`every corpus file (${corpus ?? 'corpus not found: skipped'})`, () => {
    let memoised = 0;
    for (const f of corpusFiles)
      memoised += replay(path.relative(corpus as string, f), readFileSync(f, 'utf8'), 8).memoised;
    expect(corpusFiles.length).toBeGreaterThan(0);
    expect(memoised).toBeGreaterThan(0);
  });

  it.skipIf(!kernelTree)(
    `kernel files (${kernelTree ?? 'no kernel tree at /work/kernel/linux-source-6.12, .bench-cache or $PINSCOPE_KERNEL_TREE: skipped'})`,
    () => {
      const totals: Replay = { edits: 0, memoised: 0, partial: 0, recalled: 0, walksKept: 0, tokensKept: 0 };
      for (const rel of KERNEL_FILES) {
        const file = path.join(kernelTree as string, rel);
        if (!existsSync(file)) continue;
        const s = replay(rel, readFileSync(file, 'latin1'), 10);
        totals.edits += s.edits;
        totals.memoised += s.memoised;
        totals.partial += s.partial;
        totals.recalled += s.recalled;
        totals.walksKept += s.walksKept;
        totals.tokensKept += s.tokensKept;
      }
      // Most edits inside a function are answered without analysing the whole file again, and
      // some of them re-analyse a few functions (not none, not all).
      expect(totals.memoised).toBeGreaterThan(totals.edits / 2);
      expect(totals.partial).toBeGreaterThan(0);
      // The undone edits bring functions back to their texts: some results are recalled, not made.
      expect(totals.recalled).toBeGreaterThan(0);
      // Most edits inside a body keep the file's definitions, declarations and macros.
      expect(totals.walksKept).toBeGreaterThan(totals.edits / 3);
      // Some edits change no token (a space at a line start, a new line): their results are moved.
      expect(totals.tokensKept).toBeGreaterThan(0);
    },
    120_000,
  );

  // The language server benchmark's edits (bench/lib/lspEdits.mjs): a space at a line start, an
  // empty line or an `x` after the first word, each undone, in functions that pin or map.
  it.skipIf(!kernelTree)(
    "the benchmark's seeded edits on st.c and gup.c",
    () => {
      let moved = 0;
      for (const rel of ['drivers/scsi/st.c', 'mm/gup.c']) {
        let text = readFileSync(path.join(kernelTree as string, rel), 'latin1');
        const session = createSession({ kernelVersion: v612 });
        session.update(rel, text);
        for (const [k, e] of (seededEdits(text, 'pin-map', 16, 3) ?? []).entries())
          for (const step of [e.change, e.undo]) {
            text = applyChange(text, step);
            const r = session.update(rel, text);
            expect({ findings: r.findings, notes: r.notes, targets: r.targets }, `${rel} ${e.kind} ${k}`).toEqual(
              fresh(text),
            );
            if (r.tokensKept) moved++;
          }
      }
      expect(moved).toBeGreaterThan(0);
    },
    120_000,
  );
});

describe('what an edit re-analyses (test/fixtures/memo/driver.c)', () => {
  const driver = readFileSync(path.join(root, 'test', 'fixtures', 'memo', 'driver.c'), 'utf8');
  const URI = 'file:///memo/driver.c';
  const edited = (from: string, to: string): ReturnType<ReturnType<typeof createSession>['update']> => {
    const session = createSession({ kernelVersion: v612 });
    const first = session.update(URI, driver);
    expect(first.memoised).toBe(false);
    expect(first.functionsAnalysed).toBe(3); // memo_pin, memo_send, memo_ring
    const text = driver.replace(from, to);
    expect(text).not.toBe(driver);
    const r = session.update(URI, text);
    expect({ findings: r.findings, notes: r.notes, targets: r.targets }).toEqual(fresh(text));
    return r;
  };

  it('a function no rule reads: nothing is analysed, the findings are moved', () => {
    const r = edited('return "many";', 'return "many or more";');
    expect([r.memoised, r.functionsAnalysed]).toEqual([true, 0]);
  });

  it('a function that maps: only that function is analysed again, and its finding goes', () => {
    const r = edited(
      'dma_unmap_single(d->dev, addr, len, DMA_FROM_DEVICE);',
      'dma_unmap_single(d->dev, addr, len, DMA_TO_DEVICE);',
    );
    expect([r.memoised, r.functionsAnalysed]).toEqual([true, 1]);
    expect(fresh(driver).findings.map((f) => f.rule)).toContain('dma-unmap-mismatch');
    expect(r.findings.map((f) => f.rule)).not.toContain('dma-unmap-mismatch');
  });

  it('a store into the field a pinning function keeps its pages in: that function is analysed again', () => {
    const r = edited('\td->count = 0;\n\treturn 0;', '\td->count = 0; d->pages = NULL;\n\treturn 0;');
    expect([r.memoised, r.functionsAnalysed]).toEqual([true, 1]);
  });

  it('a new line above functions whose messages quote line numbers: those are analysed again', () => {
    const r = edited('\td->count = 0;\n\treturn 0;', '\td->count = 0;\n\n\treturn 0;');
    expect([r.memoised, r.functionsAnalysed]).toEqual([true, 2]);
  });

  it('a change outside any function body: the whole file is analysed again', () => {
    const r = edited('\tint count;\n', '\tint count;\n\tint spare;\n');
    expect([r.memoised, r.functionsAnalysed]).toEqual([false, 3]);
  });
});

/**
 * Edits that change no token (core/session/whitespace.ts): the previous results are moved, with no
 * graphs and no rules, only when nothing they say can depend on the blanks that changed.
 */
describe('edits that change no token', () => {
  const read = (rel: string): string => readFileSync(path.join(root, rel), 'utf8');
  /** The edit after a first lint of `text`, in one session; the answer must equal a fresh lint. */
  const edited = (text: string, from: string, to: string): [boolean, number] => {
    const session = createSession({ kernelVersion: v612 });
    session.update('file:///t.c', text);
    const next = text.replace(from, to);
    expect(next).not.toBe(text);
    const r = session.update('file:///t.c', next);
    expect({ findings: r.findings, notes: r.notes, targets: r.targets }).toEqual(fresh(next));
    return [r.tokensKept, r.functionsAnalysed];
  };
  const unchecked = read('examples/dma-mapping-unchecked.c');
  const driver = read('test/fixtures/memo/driver.c');

  it('a space before a declaration of a function that maps: nothing analysed, the results moved', () => {
    expect(edited(unchecked, '\tint ret;\n', '\t int ret;\n')).toEqual([true, 0]);
    expect(edited(unchecked, '\treturn 0;\n\nerr_free:', '\treturn 0;\n\n\nerr_free:')).toEqual([true, 0]);
    expect(edited(unchecked, '\tint ret;\n', '\tint ret;\t\n')).toEqual([true, 0]);
  });

  it('an indent inside a block comment of a function that maps: the results moved', () => {
    const commented = unchecked.replace(
      '\tbuf = kmemdup(data, len, GFP_KERNEL);',
      '\t/*\n\t * A copy the device may read.\n\t */\n\tbuf = kmemdup(data, len, GFP_KERNEL);',
    );
    expect(edited(commented, '\t * A copy', '\t  * A copy')).toEqual([true, 0]);
    expect(edited(commented, '\t * A copy', ' \t * A copy')).toEqual([true, 0]);
  });

  it('a space before the statement whose quick fix copies its indentation: analysed again', () => {
    const map = '\taddr = dma_map_single(tx->dev, buf, len, DMA_TO_DEVICE);';
    expect(edited(unchecked, map, ` ${map}`)).toEqual([false, 1]);
  });

  it('an empty line above functions whose messages quote line numbers: analysed again', () => {
    expect(edited(driver, '\td->count = 0;\n\treturn 0;', '\td->count = 0;\n\n\treturn 0;')).toEqual([false, 2]);
  });

  it('blanks inside an expression or a string: analysed as before', () => {
    const check = '\tif (x < 0 || x > d->count)';
    expect(edited(driver, check, '\tif (x < 0 ||\n\t    x > d->count)')[0]).toBe(false);
    expect(edited(driver, check, '\tif (x < 0 ||  x > d->count)')[0]).toBe(false);
    expect(edited(driver, 'return "one";', 'return "o ne";')[0]).toBe(false);
  });

  it('a function with a parse error: analysed as before', () => {
    const broken = unchecked.replace('\tkfree(buf);\n\treturn 0;', '\tkfree(buf) +;\n\treturn 0;');
    expect(edited(broken, '\tint ret;\n', '\t int ret;\n')[0]).toBe(false);
  });
});

describe('results recalled when a function gets an older text back (test/fixtures/memo/driver.c)', () => {
  const driver = readFileSync(path.join(root, 'test', 'fixtures', 'memo', 'driver.c'), 'utf8');
  const URI = 'file:///memo/driver.c';
  /** Replays `texts` after the driver in one session: each answer must equal a fresh lint. */
  const replayTexts = (texts: string[]): ReturnType<ReturnType<typeof createSession>['update']>[] => {
    const session = createSession({ kernelVersion: v612 });
    session.update(URI, driver);
    return texts.map((text, k) => {
      const r = session.update(URI, text);
      expect({ findings: r.findings, notes: r.notes, targets: r.targets }, `text ${k + 1}`).toEqual(fresh(text));
      return r;
    });
  };
  const counts = (r: ReturnType<ReturnType<typeof createSession>['update']>): number[] => [
    r.memoised ? 1 : 0,
    r.functionsAnalysed,
    r.unitsRecalled,
  ];
  // memo_send maps, and its messages quote lines 69 and later.
  const SEND = ['ret = memo_start(d, addr, len);', 'ret = memo_start(d, addr, len + 1);'] as const;
  const send = (t: string): string => t.replace(SEND[0], SEND[1]);

  it('an edit undone: the function is not analysed again, its findings come back', () => {
    const [change, undo] = replayTexts([send(driver), driver]);
    expect(counts(change as never)).toEqual([1, 1, 0]);
    expect(counts(undo as never)).toEqual([1, 0, 1]);
  });

  it('undone after an edit above it that moved it by a character: the findings move with it', () => {
    const moved = (t: string): string => t.replace('\td->count = 0;\n\treturn 0;', '\td->count = 10;\n\treturn 0;');
    const [, , undo] = replayTexts([send(driver), moved(send(driver)), moved(driver)]);
    expect(counts(undo as never)).toEqual([1, 0, 1]);
    expect(undo?.findings.map((f) => f.rule)).toContain('dma-unmap-mismatch');
  });

  it('undone after a new line above it: its messages quote moved lines, so it is analysed again', () => {
    const lined = (t: string): string => t.replace('\td->count = 0;\n\treturn 0;', '\td->count = 0;\n\n\treturn 0;');
    const [, , undo] = replayTexts([send(driver), lined(send(driver)), lined(driver)]);
    expect(counts(undo as never)).toEqual([1, 1, 0]);
  });

  it('undone after another function began to store into the field it keeps pages in: analysed again', () => {
    const pin = (t: string): string => t.replace('d->npages = pinned;', 'd->npages = pinned + 0;');
    const store = (t: string): string =>
      t.replace('\td->count = 0;\n\treturn 0;', '\td->count = 0; d->pages = 0;\n\treturn 0;');
    const [, , undo] = replayTexts([pin(driver), store(pin(driver)), store(driver)]);
    expect(counts(undo as never)).toEqual([1, 1, 0]);
  });
});

/**
 * The whole-file walks kept between edits inside one body (core/fileAnalysis/walks.ts): a macro and
 * a file-scope variable defined after the functions that use them move with each edit there, the
 * edited function is read again, and a tree that changed outside it is walked again.
 */
describe('whole-file facts kept across an edit inside a body (test/fixtures/memo/walks.c)', () => {
  const text = readFileSync(path.join(root, 'test', 'fixtures', 'memo', 'walks.c'), 'utf8');
  const URI = 'file:///memo/walks.c';
  const steps: [string, string, string, boolean][] = [
    // internal-foll-flag is reported in WK_GUP_FLAGS's body, below the edit.
    [
      'a space in the function using a macro below',
      '\tret = get_user_pages_fast(',
      '\t ret = get_user_pages_fast(',
      true,
    ],
    ['a deleted line there', '\tint ret;\n\n\tret = get_user', '\tint ret;\n\tret = get_user', true],
    // gup-result-unsigned points at wk_got's declaration, below the edit.
    ['a space in the function storing into a variable declared below', '\twk_got = pin', '\t  wk_got = pin', true],
    // wk_plain calls nothing: relevance must come from its new text (it changes: linted in full).
    ['a function that starts to pin', 'return x + 1;', 'return get_user_pages_fast(x, 1, FOLL_PIN, NULL);', false],
    // The brace swallows what follows: the tree changed outside the function.
    ['an unclosed brace', 'return x + 1;', 'if (x) { return x + 1;', false],
  ];
  it.each(steps)('%s, then undone: each time what a fresh lint gives', (_name, from, to, kept) => {
    const session = createSession({ kernelVersion: v612 });
    const rules = (fs: readonly Finding[]): string[] => fs.map((f) => `${f.rule}:${f.range.line}`);
    expect(rules(session.update(URI, text).findings)).toEqual([
      'gup-for-dma:18',
      'partial-pin:19',
      'gup-result-unsigned:26',
      'partial-pin:27',
      'internal-foll-flag:37',
    ]);
    const edited = text.replace(from, to);
    expect(edited).not.toBe(text);
    for (const t of [edited, text]) {
      const r = session.update(URI, t);
      expect({ findings: r.findings, notes: r.notes, targets: r.targets }).toEqual(fresh(t));
      expect(r.walksKept).toBe(kept);
    }
  });
});
