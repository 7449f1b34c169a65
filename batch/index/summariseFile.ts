/**
 * Summarising one file for the tree index (issue 12), in a lint worker or in-process: read,
 * decode, parse what a summary may need, and give the file's facts (core's fileFacts) with the
 * facts of the rest of the tree as the previous round left them. Within the file's time budget:
 * a file whose parse or analysis runs out of time exports nothing (its callers then know nothing
 * of it, as before the index).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  defaultParser,
  defineHeaderFacts,
  fileFacts,
  keptBodiesForSummaries,
  ParseStopped,
  type CParser,
  type FileFacts,
  type KernelVersion,
} from '../../core/index';
import { decodeSource, DEFAULT_MAX_BYTES } from '../source';
import { externalForFile, type IndexRequest } from './forLint';

export interface SummariseRequest {
  /** The tree's folder: facts name files relative to it. */
  readonly root: string;
}

/** A file's summarising stops after this long. */
const FILE_TIME_MS = 20_000;

export function summariseFileFromDisk(
  file: string,
  version: KernelVersion,
  summarise: SummariseRequest,
  index: IndexRequest | undefined,
  parser: CParser = defaultParser(),
): FileFacts | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return null;
  }
  if (bytes.length > DEFAULT_MAX_BYTES) return null;
  const decoded = decodeSource(bytes, DEFAULT_MAX_BYTES);
  if (!decoded.ok) return null;
  const text = decoded.text;
  const rel = path.relative(summarise.root, file).split(path.sep).join('/');
  // A header of `#define` lines alone (the kernel's register headers, megabytes each): its macros
  // are read from the text, the same facts as the parse's without its tree.
  const defines = defineHeaderFacts(text, rel);
  if (defines) return defines.macros.length === 0 ? null : defines;
  const external = index ? externalForFile(index, file, text) : undefined;
  const deadline = performance.now() + FILE_TIME_MS;
  try {
    const parsed = parser.parse(text, undefined, {
      focus: keptBodiesForSummaries(external),
      shouldStop: () => performance.now() > deadline,
    });
    const facts = fileFacts(parsed, version, rel, external, { deadline, now: () => performance.now() });
    return facts.functions.length === 0 && facts.macros.length === 0 && facts.wrappers.length === 0 ? null : facts;
  } catch (e) {
    if (e instanceof ParseStopped) return null;
    throw e;
  }
}
