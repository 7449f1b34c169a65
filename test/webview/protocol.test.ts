/**
 * The panel's protocol without a browser: core's simulation data fits the schemas of
 * shared/simulation.ts (checked by the compiler, type by type, and at run time on a real
 * simulation), and the webview's one door (client/webview/protocol.ts is
 * the only file of the bundle that imports from outside client/webview/).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as v from 'valibot';
import { describe, expect, expectTypeOf, test } from 'vitest';
import type * as core from '../../core/sim/types';
import type { TraceError as CoreTraceError } from '../../core/trace/types';
import { parseToPanel } from '../../shared/panel';
import type { DeepReadonly } from '../../shared/schema';
import type {
  PageStateSchema,
  PathOutcomeSchema,
  SimPathSchema,
  SimStepSchema,
  TraceErrorSchema,
  ViolationSchema,
} from '../../shared/simulation';
import { ROOT, traceModel } from './harness';

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
    const model = traceModel(`kernel 6.12
pages 4 base
pin_user_pages_fast nr=4 flags=FOLL_WRITE|FOLL_LONGTERM -> 4
dma_map_sg id=sg first=0 nents=4 dir=DMA_FROM_DEVICE -> 3
device_write id=sg
put_page page=0
return 0
`);
    const parsed = parseToPanel({ type: 'render', model: JSON.parse(JSON.stringify(model)) as unknown });
    // The schemas keep what the panel shows; a step's source span is the one field they leave out.
    const withoutSpans = JSON.parse(JSON.stringify(model, (k, value: unknown) => (k === 'span' ? undefined : value)));
    expect(parsed).toEqual({ ok: true, value: { type: 'render', model: withoutSpans } });
    expect(model.path?.steps[1]?.dma?.mappings[0]?.mappedEnts).toBe(3);
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
