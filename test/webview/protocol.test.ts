/**
 * The panel's protocol without a browser: core's simulation data fits the schemas of
 * shared/simulation.ts (checked by the compiler, type by type, and at run time on a real
 * simulation), the start step of a run, and the webview's one door (client/webview/protocol.ts is
 * the only file of the bundle that imports from outside client/webview/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as v from 'valibot';
import { describe, expect, expectTypeOf, test } from 'vitest';
import type * as core from '../../core/sim/types';
import type { TraceError as CoreTraceError } from '../../core/trace/types';
import { parseToPanel, startStep, type PanelModel } from '../../shared/panel';
import type { DeepReadonly } from '../../shared/schema';
import type {
  PageStateSchema,
  PathOutcomeSchema,
  SimPathSchema,
  SimStepSchema,
  TraceErrorSchema,
  ViolationSchema,
} from '../../shared/simulation';
import { DMA_SG_TRACE, ROOT, traceModel } from './harness';

/** Whether every value of core's type is accepted by the schema (extra fields are fine: the schema drops them). */
type Fits<Core, S extends v.GenericSchema> = [Core] extends [DeepReadonly<v.InferInput<S>>] ? true : false;

describe("core's data fits the schemas", () => {
  test('type by type (a new kind or a retyped field in core fails to compile here)', () => {
    expectTypeOf<Fits<core.PageState, typeof PageStateSchema>>().toEqualTypeOf<true>();
    expectTypeOf<Fits<core.Violation, typeof ViolationSchema>>().toEqualTypeOf<true>();
    expectTypeOf<Fits<core.SimStep, typeof SimStepSchema>>().toEqualTypeOf<true>();
    expectTypeOf<Fits<core.SimPath, typeof SimPathSchema>>().toEqualTypeOf<true>();
    expectTypeOf<Fits<CoreTraceError, typeof TraceErrorSchema>>().toEqualTypeOf<true>();
    expectTypeOf<Fits<core.PathOutcome, typeof PathOutcomeSchema>>().toEqualTypeOf<true>();
    // And the check can fail: a page kind core does not have is no page state.
    expectTypeOf<
      Fits<Omit<core.PageState, 'kind'> & { kind: core.PageKind | 'giant' }, typeof PageStateSchema>
    >().toEqualTypeOf<false>();
  });

  test('a simulated trace with DMA state passes as the server made it, field for field', () => {
    const model = traceModel(DMA_SG_TRACE);
    const copy = JSON.parse(JSON.stringify(model)) as unknown;
    expect(parseToPanel({ type: 'render', model: copy })).toEqual({ ok: true, value: { type: 'render', model } });
    expect(model.path?.steps[1]?.dma?.mappings[0]?.mappedEnts).toBe(3);
  });
});

describe('where a run opens', () => {
  const model = (text: string): PanelModel => traceModel(`kernel 6.12\npages 1 base\n${text}`);

  test('at the first step with a violation', () => {
    const m = model('pin_user_pages nr=1\npin_user_pages nr=1\nput_page page=0\nput_page page=0\n');
    expect(m.path?.steps.map((s) => s.violations.length)).toEqual([0, 0, 1, 1]);
    expect(startStep(m.path)).toBe(3);
  });

  test('at the start when the path has no violation, or there is no path', () => {
    expect(startStep(model('pin_user_pages nr=1\nunpin_user_page page=0\n').path)).toBe(0);
    expect(startStep(null)).toBe(0);
  });
});

describe('the webview has one door', () => {
  test('only client/webview/protocol.ts imports from outside client/webview/', () => {
    const dir = path.join(ROOT, 'client', 'webview');
    const outside = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) =>
        [...readFileSync(path.join(dir, f), 'utf8').matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)]
          .map((m) => m[1] as string)
          .filter((spec) => !/^\.\/[^/]+$/.test(spec))
          .map((spec) => `${f} → ${spec}`),
      );
    expect(outside).toEqual([
      'protocol.ts → ../../shared/panel',
      'protocol.ts → ../../shared/simulation',
      'protocol.ts → ../../core/sim/table',
    ]);
  });
});
