/**
 * The simulation checked against a real kernel (issue: "Checked against a real kernel").
 *
 * Each probe scenario (test/kernel/probe.ts) says which GUP calls the kernel makes for a
 * user-space action (O_DIRECT reads and writes, io_uring fixed buffers; base pages, THP, the zero
 * page). Here they become a `.pinsim` trace, the simulation runs it, and its
 * nr_foll_pin_acquired/released deltas are compared with
 *   1. the deltas the scenario spec derives from the Linux 6.12 source (always), and
 *   2. the deltas pinprobe measures on the running kernel (when it can run: root, O_DIRECT on a
 *      block device, io_uring enabled, THP available — otherwise it says why it skipped).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../../core/sim/machine';
import { parseKernelVersion, type KernelVersion } from '../../core/catalog/version';
import type { Trace, TraceStep } from '../../core/trace/types';
import { SCENARIOS, buildProbe, runProbe, type ScenarioSpec } from './probe';

const REPEAT = 5;

function runningKernel(): KernelVersion {
  try {
    const release = readFileSync('/proc/sys/kernel/osrelease', 'utf8');
    return parseKernelVersion(release) ?? (parseKernelVersion('6.12') as KernelVersion);
  } catch {
    return parseKernelVersion('6.12') as KernelVersion;
  }
}

/** The scenario's calls as trace steps, one group per probe step. */
function toTrace(spec: ScenarioSpec): { trace: Trace; groups: { label: string; steps: TraceStep[] }[] } {
  // Sub-ranges of a THP (`iouring-fixed-thp-sub`) sit inside one 512-page folio.
  const kind = spec.pageKind;
  const count = kind === 'thp' ? 512 : spec.pages;
  const start = kind === 'thp' && spec.pages < 512 ? 1 : 0;
  const pinned: number[] = [];
  let cursor = start;
  const groups = spec.steps.map((step) => {
    const steps: TraceStep[] = [];
    for (const op of step.ops) {
      if (op.op === 'copy') continue;
      const times = op.times ?? 1;
      for (let t = 0; t < times; t++) {
        if (op.op === 'pin') {
          steps.push({ call: op.api, args: { first: cursor, nr: op.nr, flags: op.flags.join('|') || '0' } });
          for (let i = 0; i < op.nr; i++) pinned.push(cursor + i);
          cursor += op.nr;
        } else {
          // Releases take the most recently pinned pages first (io_uring keeps the head page).
          const take = pinned.splice(pinned.length - op.nr, op.nr);
          const first = Math.min(...take);
          if (op.api === 'unpin_user_page') steps.push({ call: 'unpin_user_page', args: { page: first } });
          else if (op.api === 'unpin_user_folio')
            steps.push({ call: 'unpin_user_folio', args: { page: first, nr: op.nr } });
          else steps.push({ call: 'unpin_user_pages', args: { first, nr: op.nr } });
        }
      }
    }
    // Zero-page scenarios re-fault the buffer every repetition; pins restart from the beginning.
    if (kind === 'zero') cursor = start;
    return { label: step.label, steps };
  });
  return {
    trace: { comments: [spec.id], memory: [{ count, kind, movable: false }], steps: groups.flatMap((g) => g.steps) },
    groups,
  };
}

interface Delta {
  acquired: number;
  released: number;
}

function simulate(spec: ScenarioSpec, version: KernelVersion): Map<string, Delta> {
  const { trace, groups } = toTrace(spec);
  const machine = new Machine(trace, { kernelVersion: version });
  const deltas = new Map<string, Delta>();
  for (const g of groups) {
    const before = machine.snapshot().vmstat;
    for (const s of g.steps) {
      const r = machine.step(s);
      expect(r.violations, `${spec.id}/${g.label}: ${s.call}`).toEqual([]);
    }
    const after = machine.snapshot().vmstat;
    deltas.set(g.label, {
      acquired: after.nr_foll_pin_acquired - before.nr_foll_pin_acquired,
      released: after.nr_foll_pin_released - before.nr_foll_pin_released,
    });
  }
  return deltas;
}

const version = runningKernel();
const outDir = mkdtempSync(join(tmpdir(), 'pinprobe-compare-'));
const built = buildProbe(outDir);
const rows: string[] = [];
let matched = 0;
let differed = 0;
let skipped = 0;

describe('simulation versus the 6.12 source model', () => {
  for (const spec of SCENARIOS) {
    it(`${spec.id}: simulated deltas equal the spec's source-derived deltas`, () => {
      const sim = simulate(spec, parseKernelVersion('6.12') as KernelVersion);
      for (const step of spec.steps) expect(sim.get(step.label), `${spec.id}/${step.label}`).toEqual(step.expected);
    });
  }
});

describe(`simulation versus the running kernel (${version.major}.${version.minor})`, () => {
  for (const spec of SCENARIOS) {
    it(`${spec.id}: simulated deltas equal the measured ones`, () => {
      if (!('binary' in built)) {
        skipped++;
        rows.push(`${spec.id.padEnd(24)} skipped: probe not built (${built.skip})`);
        return;
      }
      const measured = runProbe(built.binary, spec.id, REPEAT);
      if (!measured.ok) {
        skipped++;
        rows.push(`${spec.id.padEnd(24)} skipped: ${measured.skip}`);
        return;
      }
      const sim = simulate(spec, version);
      let same = true;
      for (const step of measured.steps) {
        const s = sim.get(step.label);
        const ok = s !== undefined && s.acquired === step.acquired && s.released === step.released;
        same &&= ok;
        rows.push(
          `${spec.id.padEnd(24)} ${step.label.padEnd(11)} kernel ${String(step.acquired).padStart(4)}/${String(step.released).padEnd(4)} simulation ${String(s?.acquired ?? '?').padStart(4)}/${String(s?.released ?? '?').padEnd(4)} ${ok ? 'match' : 'DIFFER'}`,
        );
      }
      if (same) matched++;
      else differed++;
      expect(same, `${spec.id}: simulated deltas differ from the kernel's`).toBe(true);
    });
  }
});

afterAll(() => {
  console.log(
    `\n[pinscope] simulation vs. /proc/vmstat on Linux ${version.major}.${version.minor} (mode of ${REPEAT} runs)\n${rows.join('\n')}\n${matched} scenarios matched, ${differed} differed${skipped > 0 ? `, ${skipped} skipped` : ''}\n`,
  );
});
