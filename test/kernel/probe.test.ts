/**
 * Builds pinprobe.c and runs every scenario against the real kernel.
 * Asserts only what holds on any machine: well-formed output, non-negative
 * integer mode deltas, `repeat` samples per step, non-empty skip reasons.
 * The comparison with the simulator lives elsewhere.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIOS, buildProbe, listScenarios, mode, parseProbeOutput, runProbe } from './probe';
import type { ProbeResult } from './probe';

const REPEAT = 5;

interface Row {
  scenario: string;
  step: string;
  acquired: string;
  released: string;
  expected: string;
  samples: string;
}

const outDir = mkdtempSync(join(tmpdir(), 'pinprobe-build-'));
const built = buildProbe(outDir);
const rows: Row[] = [];

function record(result: ProbeResult): void {
  if (!result.ok) {
    rows.push({
      scenario: result.scenario,
      step: '-',
      acquired: '-',
      released: '-',
      expected: '-',
      samples: `skip: ${result.skip}`,
    });
    return;
  }
  const spec = SCENARIOS.find((s) => s.id === result.scenario);
  for (const st of result.steps) {
    const exp = spec?.steps.find((x) => x.label === st.label)?.expected;
    rows.push({
      scenario: result.scenario,
      step: st.label,
      acquired: String(st.acquired),
      released: String(st.released),
      expected: exp ? `${exp.acquired}/${exp.released}` : '?',
      samples: `acq=[${st.samples.acquired.join(',')}] rel=[${st.samples.released.join(',')}]`,
    });
  }
}

function table(): string {
  const head: Row = {
    scenario: 'scenario',
    step: 'step',
    acquired: 'acquired',
    released: 'released',
    expected: '6.12 model',
    samples: 'samples',
  };
  const all = [head, ...rows];
  const keys: (keyof Row)[] = ['scenario', 'step', 'acquired', 'released', 'expected', 'samples'];
  const width = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  return all
    .map((r) => keys.map((k, i) => (k === 'samples' ? r[k] : r[k].padEnd(width[i] ?? 0))).join('  '))
    .join('\n');
}

afterAll(() => {
  const how = 'binary' in built ? `pinprobe --repeat ${REPEAT}, mode per step` : `probe not built: ${built.skip}`;
  console.log(`\n[pinprobe] measured nr_foll_pin_* deltas (${how})\n${table()}\n`);
  rmSync(outDir, { recursive: true, force: true });
});

describe('pinprobe helpers', () => {
  it('mode() takes the most common value and breaks ties toward the smaller one', () => {
    expect(mode([4, 4, 4, 29, 4])).toBe(4);
    expect(mode([7, 3, 7, 3])).toBe(3);
    expect(mode([1])).toBe(1);
    expect(() => mode([])).toThrow();
  });

  it('parseProbeOutput() reduces samples and passes skips through', () => {
    const ok = parseProbeOutput(
      '{"scenario":"x","ok":true,"repeat":3,"steps":[{"label":"s","acquired":[4,9,4],"released":[0,0,1]}],"notes":["n"]}',
    );
    expect(ok).toEqual({
      scenario: 'x',
      ok: true,
      steps: [{ label: 's', acquired: 4, released: 0, samples: { acquired: [4, 9, 4], released: [0, 0, 1] } }],
      notes: ['n'],
    });
    expect(parseProbeOutput('{"scenario":"y","ok":false,"skip":"no THP"}')).toEqual({
      scenario: 'y',
      ok: false,
      skip: 'no THP',
    });
    expect(() => parseProbeOutput('not json')).toThrow();
  });

  it('SCENARIOS is well-formed', () => {
    const ids = SCENARIOS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of SCENARIOS) {
      expect(s.pages).toBeGreaterThan(0);
      expect(s.steps.length).toBeGreaterThan(0);
      for (const st of s.steps) {
        expect(st.ops.length).toBeGreaterThan(0);
        for (const op of st.ops) {
          expect(op.source.length).toBeGreaterThan(0);
          if (op.op !== 'copy') {
            expect(Number.isInteger(op.nr) && op.nr > 0).toBe(true);
            expect(op.times === undefined || (Number.isInteger(op.times) && op.times > 0)).toBe(true);
          }
        }
        expect(st.expected.acquired).toBeGreaterThanOrEqual(0);
        expect(st.expected.released).toBeGreaterThanOrEqual(0);
      }
    }
  });
});

describe('pinprobe on the running kernel', () => {
  it('builds, or skips with the compiler message', () => {
    if ('skip' in built) {
      expect(built.skip.length).toBeGreaterThan(0);
      console.log(`[pinprobe] not built: ${built.skip}`);
      return;
    }
    expect(built.binary.length).toBeGreaterThan(0);
    // The binary and SCENARIOS describe the same scenarios.
    expect([...listScenarios(built.binary)].sort()).toEqual(SCENARIOS.map((s) => s.id).sort());
  });

  for (const spec of SCENARIOS) {
    it(`scenario ${spec.id}`, () => {
      if ('skip' in built) return;
      const result = runProbe(built.binary, spec.id, REPEAT);
      record(result);
      expect(result.scenario).toBe(spec.id);
      if (!result.ok) {
        expect(result.skip.trim().length).toBeGreaterThan(0);
        return;
      }
      expect(result.steps.map((s) => s.label)).toEqual(spec.steps.map((s) => s.label));
      for (const st of result.steps) {
        for (const v of [st.acquired, st.released]) {
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
        }
        expect(st.samples.acquired).toHaveLength(REPEAT);
        expect(st.samples.released).toHaveLength(REPEAT);
      }
    });
  }
});
