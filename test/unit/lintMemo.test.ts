/**
 * The language server's lint memo (core/session/memo.ts): after an edit in a function no rule reads,
 * the previous findings moved onto the new text must be exactly what a fresh lint says — spans,
 * ranges, messages (with their line numbers), fixes and paths. Checked on every example and
 * corpus file with edits in each cut-out body; and edits that do matter must change the shape.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeFile } from '../../core/fileAnalysis/analyzeFile';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import { defaultParser, lintAnalysis } from '../../core/lint';
import { lintShape, remapLint, shapeCovers, type MemoisedLint } from '../../core/session/memo';
import { topLevelFunctions } from '../../core/parse/focus';
import { simulationTargets } from '../../core/sim/index';
import { findCorpus } from '../../scripts/corpus';

const v612 = parseKernelVersion('6.12') as KernelVersion;
const root = path.join(__dirname, '..', '..');

function fresh(text: string): MemoisedLint & { covered: boolean } {
  const file = analyzeFile(defaultParser().parse(text), v612);
  const { findings, notes } = lintAnalysis(file, { kernelVersion: v612 });
  const shape = lintShape(text, '6.12');
  const covered =
    shape !== null &&
    shapeCovers(
      shape,
      file.functions.map((f) => ({ start: f.info.node.startIndex, end: f.info.node.endIndex })),
    );
  return { findings, notes: notes.filter((n) => n.kind !== 'parse-errors'), targets: simulationTargets(file), covered };
}

function cFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? cFiles(p) : /\.c$/.test(name) ? [p] : [];
  });
}

/** Every body the shape cuts out of `text`, as [start, end) of its inside. */
function cutBodies(text: string): [number, number][] {
  const shape = lintShape(text, '6.12');
  if (!shape) return [];
  const out: [number, number][] = [];
  for (let i = 0; i + 1 < shape.segments.length; i++)
    out.push([(shape.segments[i] as [number, number])[1], (shape.segments[i + 1] as [number, number])[0]]);
  return out;
}

describe('the lint memo on real files', () => {
  const files = [
    ...cFiles(path.join(root, 'examples')),
    ...cFiles(path.join(root, 'test', 'fixtures')),
    ...cFiles(findCorpus(root).dir ?? ''),
  ];

  it('cuts bodies out of the fixture driver (so the equality below is tested even without the corpus)', () => {
    expect(cutBodies(readFileSync(path.join(root, 'test', 'fixtures', 'memo', 'driver.c'), 'utf8'))).toHaveLength(7);
  });

  it.each(files.map((f) => [path.relative(root, f), f]))(
    '%s: edits inside each cut-out body keep the shape, and the moved findings equal a fresh lint',
    (_, file) => {
      const text = readFileSync(file, 'utf8');
      const before = fresh(text);
      if (!before.covered) return;
      const shapeBefore = lintShape(text, '6.12');
      for (const [start, end] of cutBodies(text)) {
        // Grow the body on one of its lines (no new line: line numbers stay), at its middle.
        const at = text.indexOf('\n', Math.floor((start + end) / 2));
        if (at < 0 || at >= end) continue;
        const edited = `${text.slice(0, at)}  /* typing */${text.slice(at)}`;
        const shapeAfter = lintShape(edited, '6.12');
        expect(shapeAfter?.key).toBe(shapeBefore?.key);
        const moved = remapLint(
          before,
          shapeBefore as NonNullable<typeof shapeBefore>,
          shapeAfter as NonNullable<typeof shapeAfter>,
          edited,
        );
        const after = fresh(edited);
        expect(moved.findings).toEqual(after.findings);
        expect(moved.notes).toEqual(after.notes);
        expect(moved.targets).toEqual(after.targets);
      }
    },
  );
});

describe('edits that change what the analysis reads change the shape', () => {
  const text =
    readFileSync(path.join(root, 'examples', 'dma-mapping-leak.c'), 'utf8') +
    '\nstatic int unrelated(struct demo_req *r)\n{\n\tr->count = 0;\n\treturn 0;\n}\n';
  const key = (t: string): string | undefined => lintShape(t, '6.12')?.key;

  it('the helper at the end is cut out', () => {
    const fns = topLevelFunctions(text) ?? [];
    expect(fns.map((f) => f.name)).toEqual(['demo_write_block', 'unrelated']);
    expect(lintShape(text, '6.12')?.segments).toHaveLength(2);
  });

  it('a new line in a cut-out body above a relevant function moves its line numbers', () => {
    const t = 'static int first(void)\n{\n\treturn 0;\n}\n' + text;
    expect(key(t.replace('\treturn 0;\n}\n', '\treturn 0;\n\n}\n'))).not.toBe(key(t));
  });

  it('an edit in the relevant function', () => {
    expect(key(text.replace('return -ENOMEM;', 'return -EIO;'))).not.toBe(key(text));
  });

  it('a store into a struct field in a cut-out body (it can change how fields link functions)', () => {
    expect(key(text.replace('r->count = 0;', 'r->count = 0;\tr->pages = NULL;'))).not.toBe(key(text));
  });

  it('an MMU notifier call in a cut-out body (missing-longterm reads the whole file for one)', () => {
    expect(key(text.replace('r->count = 0;', 'r->count = 0; mmu_interval_read_begin(&r->notifier);'))).not.toBe(
      key(text),
    );
  });

  it('the kernel version or the rule settings', () => {
    expect(lintShape(text, '6.1')?.key).not.toBe(key(text));
  });

  it('but not a comment or a call to an unrelated function in the cut-out body', () => {
    expect(key(text.replace('r->count = 0;', 'r->count = 0; /* reset */ demo_reset(r);'))).toBe(key(text));
  });
});
