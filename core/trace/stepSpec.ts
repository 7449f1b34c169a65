/**
 * What a trace step may say: the kind of call, the arguments it takes and the type of each, and
 * whether it takes `-> RESULT`. The vocabularies (vocabulary.ts for GUP and pages, dmaVocabulary.ts
 * for the DMA API) fill these in from the catalog; the parser checks steps against them.
 */

export type ArgKind = 'int' | 'count' | 'bool' | 'flags' | 'word' | 'direction';

export interface StepSpec {
  readonly kind:
    'acquire' | 'release' | 'ref' | 'dirty' | 'access' | 'handoff' | 'escape' | 'branch' | 'return' | 'dma';
  readonly args: Readonly<Record<string, ArgKind>>;
  /** Takes `-> RESULT`: a count or an errno, or one of `resultWords`. */
  readonly result?: boolean;
  /** Words a result may be besides numbers and errnos (`DMA_MAPPING_ERROR`, `NULL`). */
  readonly resultWords?: readonly string[];
  readonly summary: string;
}
