/**
 * The simulation's data as it crosses a process or a webview boundary: one valibot schema per
 * shape, and the TypeScript types inferred from them. The server answers pinscope/simulate with
 * these shapes, the extension builds the panel's model from them, and the panel validates every
 * message against them before using it (client/webview/main.ts).
 *
 * core/sim/types.ts keeps its own interfaces (core imports nothing outside core). The extension
 * assigns core's data to these types, so the compiler fails when core's data no longer fits a
 * schema (a field retyped, a new page or violation kind), and test/webview/protocol.test.ts checks
 * it type by type: the panel learns about a change before a user's message is dropped.
 *
 * Imported by server/, client/ and client/webview/: no imports but valibot and ./schema.
 */
import * as v from 'valibot';
import { Int, type Data } from './schema';

const NullableInt = v.nullable(Int);

export const PAGE_KINDS = ['base', 'thp', 'hugetlb', 'zero'] as const;
const PageKindSchema = v.picklist(PAGE_KINDS);
export type PageKind = v.InferOutput<typeof PageKindSchema>;

export const PageStateSchema = v.object({
  index: Int,
  kind: PageKindSchema,
  folio: Int,
  refcount: Int,
  pincount: NullableInt,
  maybeDmaPinned: v.boolean(),
  dirty: v.boolean(),
  heldRefs: Int,
  heldPins: Int,
});
export type PageState = Data<typeof PageStateSchema>;

const VmStatSchema = v.object({ nr_foll_pin_acquired: Int, nr_foll_pin_released: Int });
export type VmStat = Data<typeof VmStatSchema>;

/** Only https links leave the panel (documentation): no other scheme, no quote, space or bracket. */
function isDocLink(url: string): boolean {
  return /^https:\/\/[a-z0-9.-]+(?::\d+)?\//i.test(url) && !/[\s"'<>\\]/.test(url);
}
export const DocLinkSchema = v.pipe(v.string(), v.check(isDocLink, 'expected an https documentation link'));

const VIOLATION_KINDS = [
  'release-mismatch',
  'double-release',
  'count-mismatch',
  'negative-count',
  'use-after-release',
  'leak',
  'invalid-args',
  'overflow',
  'zero-page-write',
  'dma',
] as const;

export const ViolationSchema = v.object({
  kind: v.picklist(VIOLATION_KINDS),
  message: v.string(),
  kernelMessage: v.optional(v.string()),
  // A link that is not https is dropped, not the violation: the panel still shows what went wrong.
  docsUrl: v.fallback(v.optional(DocLinkSchema), undefined),
});
export type Violation = Data<typeof ViolationSchema>;

const DmaMappingStateSchema = v.object({
  id: v.string(),
  type: v.string(),
  device: v.string(),
  address: v.string(),
  size: v.pipe(v.number(), v.finite()),
  direction: v.string(),
  sgCallEnts: v.optional(Int),
  mappedEnts: v.optional(Int),
  mapErr: v.picklist(['not-checked', 'checked', 'n/a']),
  pages: v.array(Int),
});

const DmaStateSchema = v.object({
  mappings: v.array(DmaMappingStateSchema),
  counters: v.object({
    error_count: Int,
    num_errors: Int,
    num_free_entries: Int,
    min_free_entries: Int,
    nr_total_entries: Int,
  }),
});
export type DmaState = Data<typeof DmaStateSchema>;

const PageStates = v.array(PageStateSchema);

export const SimStepSchema = v.object({
  index: Int,
  call: v.string(),
  line: NullableInt,
  pages: PageStates,
  vmstat: VmStatSchema,
  violations: v.array(ViolationSchema),
  dma: v.optional(DmaStateSchema),
  result: v.optional(v.string()),
  note: v.optional(v.string()),
});
export type SimStep = Data<typeof SimStepSchema>;

const PATH_OUTCOMES = [
  'clean',
  'leak',
  'mismatch',
  'double-release',
  'count-mismatch',
  'use-after-release',
  'invalid',
  'dma-error',
] as const;
export const PathOutcomeSchema = v.picklist(PATH_OUTCOMES);
export type PathOutcome = v.InferOutput<typeof PathOutcomeSchema>;

export const SimPathSchema = v.object({
  /**
   * 1-based, in the engine's order, for a function's path (see PathSummarySchema). The panel reads
   * PanelModel.pathIndex; named here so that the server's path passes as it is (shared/fastGuard.ts)
   * instead of being copied to drop it.
   */
  index: v.optional(Int),
  outcome: PathOutcomeSchema,
  label: v.string(),
  initial: v.object({ pages: PageStates, vmstat: VmStatSchema, dma: v.optional(DmaStateSchema) }),
  steps: v.array(SimStepSchema),
});
export type SimPath = Data<typeof SimPathSchema>;

/** One path for a picker: its number, what goes wrong on it, and the first violation in words. */
export const PathSummarySchema = v.object({
  /** 1-based, in the engine's order (what `path` asks for). */
  index: Int,
  outcome: PathOutcomeSchema,
  /** The branches taken (`ret < 0: false → !dev: true`). */
  label: v.string(),
  steps: Int,
  violations: Int,
  firstViolation: v.optional(v.string()),
});
export type PathSummary = Data<typeof PathSummarySchema>;

/** The outcome of the acquire on the simulated path: all pinned, `taken` of the pages asked for, or an error. */
const AcquireChoiceSchema = v.variant('kind', [
  v.object({ kind: v.literal('full') }),
  v.object({ kind: v.literal('partial'), taken: v.pipe(Int, v.minValue(1)) }),
  v.object({ kind: v.literal('error') }),
]);
export type AcquireChoice = Data<typeof AcquireChoiceSchema>;

/** Most pages one run may simulate (the panel's input allows no more). */
export const MAX_PAGES = 4096;
const KERNEL_VERSION = /^\d+\.\d+$/;

/** What the user can change in the simulation panel and run again with. */
export const SimulationParametersSchema = v.object({
  /** Pages each acquire asks for (default: the call's literal count, else 4). */
  pages: v.optional(v.pipe(Int, v.minValue(1), v.maxValue(MAX_PAGES))),
  pageKind: v.optional(PageKindSchema),
  /** A kernel version like "6.1", instead of the document's. */
  kernelVersion: v.optional(v.pipe(v.string(), v.regex(KERNEL_VERSION, 'expected a kernel version like 6.12'))),
  acquire: v.optional(AcquireChoiceSchema),
});
export type SimulationParameters = Data<typeof SimulationParametersSchema>;

export const TraceErrorSchema = v.object({ line: Int, column: Int, message: v.string() });
